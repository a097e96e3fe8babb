"""Markdown policy: steps per collection, a floor, price endings, and what a markdown may change.

Source: issue 13 ("Markdown policy"). A markdown ``percent`` is the depth below the ORIGINAL
(retail) price: new = original × (1 − percent/100), rounded down to the policy's price ending.
Garments already at or below that price keep theirs: a markdown never raises a price. Only a
garment in stock can be marked down (the lifecycle's ``mark_down`` rule); a sold, rented-out or
allocated garment refuses the whole markdown, so a selection is repriced completely or not at all.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from .errors import DomainError
from .lifecycle import GarmentState
from .messages import N_

class MarkdownRefused(DomainError):
    """A markdown that the policy or a garment's state does not allow; ``reason`` is the machine word
    (``percent_out_of_range``, ``under_floor``, ``price_rise``, ``garment_state``, ``invalid``)."""

    code = "markdown_refused"

    def __init__(self, message: str, *, reason: str, details: dict[str, Any] | None = None, **params: Any):
        self.reason = reason
        super().__init__(message, details={"reason": reason, **(details or {})}, **params)


@dataclass(frozen=True)
class MarkdownStep:
    """Mark down to ``percent`` below the original price once stock is ``after_weeks`` old."""

    after_weeks: int
    percent: int


@dataclass(frozen=True)
class MarkdownPolicy:
    """A collection's markdown steps, its floor and its price ending.

    ``floor_pct``: never below this share of the original price. ``ending_cents``: every new
    price ends in these cents (95 → €29,95); None keeps whole cents as computed.
    """

    steps: tuple[MarkdownStep, ...] = (MarkdownStep(6, 30), MarkdownStep(10, 50), MarkdownStep(14, 70))
    floor_pct: int = 25
    ending_cents: int | None = 95
    version: int = 1

    def __post_init__(self) -> None:
        check_policy(self)


def _refuse_policy(message: str, **params: Any) -> MarkdownRefused:
    return MarkdownRefused(message, reason="invalid", **params)


def check_policy(policy: MarkdownPolicy) -> None:
    """Steps deepen as stock ages and stay above the floor; the ending is 0–99 cents.
    Raises MarkdownRefused (reason ``invalid``) naming what is wrong."""
    if not 0 <= policy.floor_pct < 100:
        raise _refuse_policy(N_("The floor must be a share of the original price from 0 to 99%."))
    if policy.ending_cents is not None and not 0 <= policy.ending_cents <= 99:
        raise _refuse_policy(N_("A price ending is a number of cents from 0 to 99."))
    previous: MarkdownStep | None = None
    for step in policy.steps:
        if step.after_weeks < 0 or not 0 < step.percent < 100:
            raise _refuse_policy(N_("A markdown step needs a number of weeks and a percentage from 1 to 99."))
        if step.percent > 100 - policy.floor_pct:
            raise _refuse_policy(N_("The step of %(percent)s%% goes under the floor of %(floor)s%% "
                                    "of the original price."), percent=step.percent, floor=policy.floor_pct)
        if previous and (step.after_weeks <= previous.after_weeks or step.percent <= previous.percent):
            raise _refuse_policy(N_("Each markdown step must come later and go deeper than the one before."))
        previous = step


def due_step(policy: MarkdownPolicy, *, weeks_since_receipt: float) -> MarkdownStep | None:
    """The deepest step the stock's age has reached, or None before the first one."""
    reached = [s for s in policy.steps if s.after_weeks <= weeks_since_receipt]
    return reached[-1] if reached else None


def next_step(policy: MarkdownPolicy, *, weeks_since_receipt: float, depth_pct: float) -> MarkdownStep | None:
    """The step to take now: the due step, when it is deeper than the depth already given."""
    step = due_step(policy, weeks_since_receipt=weeks_since_receipt)
    return step if step is not None and step.percent > depth_pct else None


def floor_price(policy: MarkdownPolicy, original_price_cents: int) -> int:
    """The lowest price the policy allows: ``floor_pct`` of the original, rounded up to the cent."""
    return int((Decimal(original_price_cents) * policy.floor_pct / 100).to_integral_value(ROUND_CEILING))


def round_down_to_ending(price_cents: int, ending_cents: int | None) -> int:
    """The highest price at or below ``price_cents`` that ends in ``ending_cents`` (0 if none)."""
    if ending_cents is None:
        return price_cents
    below = (price_cents - ending_cents) // 100 * 100 + ending_cents
    return max(below, 0)


def round_up_to_ending(price_cents: int, ending_cents: int | None) -> int:
    """The lowest price at or above ``price_cents`` that ends in ``ending_cents``."""
    if ending_cents is None:
        return price_cents
    return -((ending_cents - price_cents) // 100) * 100 + ending_cents


def _percent(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidOperation
    value = Decimal(str(raw).strip().rstrip("%"))
    if not value.is_finite():
        raise InvalidOperation
    return value


def target_price(policy: MarkdownPolicy, *, original_price_cents: int, percent: Any = None,
                 target_price_cents: Any = None) -> int:
    """The price a markdown sets, from a percentage below the original or from a target price.

    Rounded down to the policy's ending; when only that rounding would cross the floor, the
    lowest ending price at or above the floor is taken (so the policy's own deepest step always
    works). Raises MarkdownRefused: neither or both given, a percentage not above 0 or above 100,
    a target not above 0, above the original price (a price rise) or under the floor.
    """
    if (percent is None) == (target_price_cents is None):
        raise MarkdownRefused(N_("Give either a percentage or a target price."), reason="invalid")
    floor = floor_price(policy, original_price_cents)
    if percent is not None:
        try:
            depth = _percent(percent)
        except (InvalidOperation, ValueError):
            raise MarkdownRefused(N_("The markdown must be a percentage."), reason="invalid") from None
        if depth > 100:
            raise MarkdownRefused(N_("A markdown cannot be more than 100%."), reason="percent_out_of_range")
        if depth <= 0:
            raise MarkdownRefused(N_("A markdown must lower the price: give a percentage above 0."),
                                  reason="percent_out_of_range")
        exact = (Decimal(original_price_cents) * (100 - depth) / 100).to_integral_value(ROUND_FLOOR)
        wanted = int(exact)
    else:
        if isinstance(target_price_cents, bool) or not isinstance(target_price_cents, int):
            raise MarkdownRefused(N_("The target price must be a whole number of cents."), reason="invalid")
        if target_price_cents <= 0:
            raise MarkdownRefused(N_("The target price must be above 0."), reason="invalid")
        if target_price_cents > original_price_cents:
            raise MarkdownRefused(N_("A markdown cannot raise the price above the original %(original)s."),
                                  reason="price_rise", original=_euros(original_price_cents),
                                  details={"original_price_cents": original_price_cents})
        wanted = target_price_cents
    if wanted < floor or wanted <= 0:
        raise MarkdownRefused(N_("That price (%(price)s) is under the floor of %(floor)s "
                                 "(%(floor_pct)s%% of the original price)."), reason="under_floor",
                              price=_euros(wanted), floor=_euros(floor), floor_pct=policy.floor_pct,
                              details={"floor_price_cents": floor, "price_cents": wanted})
    price = round_down_to_ending(wanted, policy.ending_cents)
    if price < floor or price <= 0:
        price = round_up_to_ending(max(floor, 1), policy.ending_cents)
        if price > wanted and price >= original_price_cents:
            raise MarkdownRefused(N_("No price with the policy's ending lies between the floor and the "
                                     "original price."), reason="under_floor")
    return price


def _euros(cents: int) -> str:
    """Euros with a decimal comma, as on a Belgian price tag (29,95)."""
    return f"{cents // 100},{cents % 100:02d}"


# --- applying a markdown to garments -------------------------------------------------------------


@dataclass(frozen=True)
class GarmentPrice:
    """One garment as a markdown sees it."""

    code: str
    state: GarmentState
    price_cents: int
    original_price_cents: int


@dataclass(frozen=True)
class Repricing:
    code: str
    from_price_cents: int
    to_price_cents: int


@dataclass(frozen=True)
class MarkdownPlan:
    """What a markdown does: the garments it reprices and those that keep a lower price already."""

    changes: tuple[Repricing, ...]
    kept: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


#: states in which the lifecycle allows ``mark_down``
MARKABLE_STATES = frozenset({GarmentState.IN_STOCK})


def plan_markdown(policy: MarkdownPolicy, garments: Iterable[GarmentPrice], *, percent: Any = None,
                  target_price_cents: Any = None) -> MarkdownPlan:
    """The new price of every garment of a selection or style, or a refusal for all of them.

    Each garment's price comes from its own original price (``target_price``); a garment already
    at or below it keeps its price. Raises MarkdownRefused: an empty selection, any garment not in
    stock (reason ``garment_state``, naming up to 50 garments and their states), or the percentage
    or target refused by ``target_price``.
    """
    garments = list(garments)
    if not garments:
        raise MarkdownRefused(N_("Choose at least one garment to mark down."), reason="invalid")
    blocked = [g for g in garments if g.state not in MARKABLE_STATES]
    if blocked:
        first = blocked[0]
        raise MarkdownRefused(
            N_("%(code)s cannot be marked down: it is %(state)s (%(count)s garments cannot)."),
            reason="garment_state", code=first.code, state=first.state.label.message, count=len(blocked),
            details={"garments": [{"code": g.code, "state": g.state.value} for g in blocked[:50]]})
    changes, kept = [], []
    for g in garments:
        new = target_price(policy, original_price_cents=g.original_price_cents, percent=percent,
                           target_price_cents=target_price_cents)
        if new < g.price_cents:
            changes.append(Repricing(g.code, g.price_cents, new))
        else:
            kept.append(g.code)
    return MarkdownPlan(changes=tuple(changes), kept=tuple(kept),
                        details={"percent": None if percent is None else str(percent),
                                 "target_price_cents": target_price_cents, "policy_version": policy.version})


def parse_policy(raw: Mapping[str, Any], *, version: int = 1) -> MarkdownPolicy:
    """A policy from form or JSON values: ``steps`` as [[weeks, percent], …] or "6:30, 10:50",
    ``floor_pct``, ``ending_cents`` (empty for none). Missing values take the defaults.
    Raises MarkdownRefused (reason ``invalid``)."""
    defaults = MarkdownPolicy()
    values: dict[str, Any] = {"version": version}
    try:
        if raw.get("steps") not in (None, ""):
            pairs = raw["steps"]
            if isinstance(pairs, str):
                pairs = [part.split(":") for part in pairs.replace(";", ",").split(",") if part.strip()]
            values["steps"] = tuple(MarkdownStep(int(str(w).strip()), int(str(p).strip().rstrip("%")))
                                    for w, p in pairs)
        for name in ("floor_pct", "ending_cents"):
            if name in raw:
                value = raw[name]
                if value in (None, ""):
                    if name == "floor_pct":
                        continue
                    values[name] = None
                elif isinstance(value, bool):
                    raise ValueError(name)
                else:
                    values[name] = int(str(value).strip())
    except (ValueError, TypeError):
        raise MarkdownRefused(N_("Steps are weeks and percentages (e.g. 6:30, 10:50); the floor and the "
                                 "ending are whole numbers."), reason="invalid") from None
    return MarkdownPolicy(**{"steps": defaults.steps, "floor_pct": defaults.floor_pct,
                             "ending_cents": defaults.ending_cents, **values})
