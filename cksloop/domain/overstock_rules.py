"""Overstock rules per collection: the plan curve, the thresholds, and the flags they raise.

Source: issue 13 ("Rules per collection") and the report's two-weekly follow-up of production
and sales. Rules carry a version: a review records the version that flagged it, and a change
makes a new version (``revise``) instead of rewriting the past.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .errors import InvalidDetails
from .messages import N_
from .overstock_figures import Line, shown_days, shown_pct, shown_weeks

#: the length of a season in weeks (SS and AW each run about half a year)
SEASON_WEEKS = 26
#: planned sell-through at the end of the season, before the outlet and buyers take the rest
END_OF_SEASON_SELL_THROUGH = 0.8


@dataclass(frozen=True)
class PlanCurve:
    """Planned cumulative sell-through (0–1) at the end of each week of the season, week 1 first."""

    weeks: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.weeks or any(not 0 <= w <= 1 for w in self.weeks) or \
                any(b < a for a, b in zip(self.weeks, self.weeks[1:])):
            raise InvalidDetails({"plan": N_("A plan curve rises from 0 to at most 100%, week by week.")})

    def planned_at(self, week: int) -> float:
        """Planned sell-through in ``week`` (0 before the season; the last week's after it)."""
        if week <= 0:
            return 0.0
        return self.weeks[min(week, len(self.weeks)) - 1]


def linear_plan(*, weeks: int = SEASON_WEEKS, target: float = END_OF_SEASON_SELL_THROUGH) -> PlanCurve:
    """The same share sold each week."""
    return PlanCurve(tuple(round(target * w / weeks, 6) for w in range(1, weeks + 1)))


def s_curve_plan(*, weeks: int = SEASON_WEEKS, target: float = END_OF_SEASON_SELL_THROUGH) -> PlanCurve:
    """Smoothstep 3t² − 2t³ to ``target``: slow while deliveries land, fastest mid-season, slow again
    when only the tail is left. The default, because a linear plan would flag a style in its first
    weeks (still arriving in the stores) and expect too little at the season's peak."""
    return PlanCurve(tuple(round(target * (3 * t * t - 2 * t ** 3), 6)
                           for t in (w / weeks for w in range(1, weeks + 1))))


def week_of_season(season_starts_on: dt.date, as_of: dt.date) -> int:
    """Week 1 is the first seven days of the season; 0 before it starts."""
    days = (as_of - season_starts_on).days
    return days // 7 + 1 if days >= 0 else 0


class Rule(StrEnum):
    """What a flag says is wrong with a line."""

    BELOW_PLAN = "below_plan"
    COVER = "cover"
    AGE = "age"

    @property
    def label(self) -> str:
        return _RULE_LABELS[self]


_RULE_LABELS = {
    Rule.BELOW_PLAN: N_("sell-through below plan"),
    Rule.COVER: N_("too many weeks of cover"),
    Rule.AGE: N_("stock too old"),
}


@dataclass(frozen=True)
class CollectionRules:
    """The rules of one collection (season), in the version a review records.

    A line is only judged with at least ``min_units_on_hand`` units on hand: a style with a few
    pieces left is not worth the meeting's time. The defaults: plan below the S-curve by more than
    ``plan_tolerance`` (5 points, so rounding never flags), cover above 8 weeks (four reviews
    without selling through), mean stock age above 12 weeks (twice the first markdown step).
    """

    season: str
    season_starts_on: dt.date
    plan: PlanCurve = field(default_factory=s_curve_plan)
    plan_tolerance: float = 0.05
    max_weeks_of_cover: float = 8.0
    max_age_weeks: int = 12
    min_units_on_hand: int = 10
    version: int = 1


def revise(rules: CollectionRules, **changes: Any) -> CollectionRules:
    """A new version of the rules with ``changes``; the old version stays as it was."""
    return replace(rules, **changes, version=rules.version + 1)


@dataclass(frozen=True)
class Flag:
    """One broken rule on one line: the rule named, and the message with its figures."""

    rule: Rule
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Any = None) -> str:
        """The message in the reader's language (``gettext`` from the web layer; English without)."""
        text = gettext(self.message) if gettext else self.message
        return text % dict(self.params)

    def as_dict(self, gettext: Any = None) -> dict[str, Any]:
        return {"rule": self.rule.value, "message": self.render(gettext)}


def evaluate(line: Line, rules: CollectionRules) -> list[Flag]:
    """The rules ``line`` breaks on its ``as_of`` date, in the order of Rule; empty when none.

    Weeks of cover without sales in the last four weeks is "no sales", which is above any
    threshold. The figures in the messages are the shown (rounded) ones.
    """
    if line.on_hand_total < rules.min_units_on_hand:
        return []
    flags = []
    week = week_of_season(rules.season_starts_on, line.as_of)
    planned = rules.plan.planned_at(week)
    actual = line.sell_through or 0.0
    if week > 0 and actual < planned - rules.plan_tolerance:
        flags.append(Flag(Rule.BELOW_PLAN, N_("Sell-through %(actual)s%% is below the plan of %(planned)s%% "
                                              "for week %(week)s of the season."),
                          {"actual": shown_pct(actual), "planned": shown_pct(planned), "week": week}))
    cover = line.weeks_of_cover
    if cover is None:
        flags.append(Flag(Rule.COVER, N_("No sales in the last four weeks with %(units)s units on hand."),
                          {"units": line.on_hand_total}))
    elif cover > rules.max_weeks_of_cover:
        flags.append(Flag(Rule.COVER, N_("%(weeks)s weeks of cover, more than the %(max)s allowed."),
                          {"weeks": shown_weeks(cover), "max": rules.max_weeks_of_cover}))
    age = line.age_days
    if age is not None and age > rules.max_age_weeks * 7:
        flags.append(Flag(Rule.AGE, N_("Stock is %(days)s days old on average, more than %(max)s weeks."),
                          {"days": shown_days(age), "max": rules.max_age_weeks}))
    return flags


_FIELD_ERRORS = {
    "max_weeks_of_cover": N_("Weeks of cover must be a number from 1 to 104."),
    "max_age_weeks": N_("The stock age must be a whole number of weeks from 1 to 104."),
    "min_units_on_hand": N_("The minimum stock must be a whole number from 0 to 100000."),
    "plan_tolerance_pct": N_("The tolerance must be a percentage from 0 to 50."),
    "end_of_season_pct": N_("The planned sell-through must be a percentage from 1 to 100."),
}


def parse_rules(raw: Mapping[str, Any], current: CollectionRules) -> CollectionRules:
    """The rules a merchandiser entered (``max_weeks_of_cover``, ``max_age_weeks``,
    ``min_units_on_hand``, ``plan_tolerance_pct``, ``plan``: "linear" or "s_curve" with
    ``end_of_season_pct``), as the next version of ``current``. Missing values keep theirs.
    Raises InvalidDetails naming every wrong field."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}

    def number(name: str, low: float, high: float, whole: bool) -> Any:
        value = raw.get(name)
        if value in (None, ""):
            return None
        try:
            parsed = int(str(value).strip()) if whole else float(str(value).strip().replace(",", "."))
        except ValueError:
            parsed = None
        if isinstance(value, bool) or parsed is None or not low <= parsed <= high or parsed != parsed:
            errors[name] = _FIELD_ERRORS[name]
            return None
        return parsed

    for name, low, high, whole in (("max_weeks_of_cover", 1, 104, False), ("max_age_weeks", 1, 104, True),
                                   ("min_units_on_hand", 0, 100_000, True)):
        value = number(name, low, high, whole)
        if value is not None:
            changes[name] = value
    tolerance = number("plan_tolerance_pct", 0, 50, False)
    if tolerance is not None:
        changes["plan_tolerance"] = tolerance / 100
    end = number("end_of_season_pct", 1, 100, False)
    shape = raw.get("plan")
    if shape not in (None, "", "linear", "s_curve"):
        errors["plan"] = N_("Choose a linear or an S-shaped plan curve.")
    elif shape or end is not None:
        build = linear_plan if shape == "linear" else s_curve_plan
        changes["plan"] = build(weeks=len(current.plan.weeks),
                                target=(end / 100) if end is not None else current.plan.weeks[-1])
    if errors:
        raise InvalidDetails(errors)
    return revise(current, **changes)
