"""Overstock review sessions, the pure parts: the review date, a decision and its parameters, and
the effect of a previous decision at the next review.

Source: issue 13 ("Review sessions", "Bad input"): a decision per line records who and why, with
the parameters its execution needs; the next review shows what was sold since, by channel.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidDetails
from .messages import N_
from .overstock_figures import Channel, DailySales, ratio, sell_through, shown_pct
from .overstock_proposals import Decision

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EARLIEST = dt.date(2000, 1, 1)
MAX_REASON = 500
MAX_CODE = 64


def parse_as_of(raw: Any, *, today: dt.date) -> dt.date:
    """The review date: today when not given, else an ISO date from 2000 up to today.
    Raises InvalidDetails naming ``as_of`` (malformed, too early, or in the future)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return today
    value = None
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str) and _ISO_DAY.match(raw.strip()):
        try:
            value = dt.date.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None or value < _EARLIEST:
        raise InvalidDetails({"as_of": N_("Must be a date (YYYY-MM-DD) from 2000 on.")})
    if value > today:
        raise InvalidDetails({"as_of": N_("A review cannot look at a date in the future.")})
    return value


@dataclass(frozen=True)
class DecisionRequest:
    """A decision as a merchandiser gave it, checked for shape; the policy and the garments'
    states are checked when it is executed (``markdown.plan_markdown``, the lifecycle)."""

    style: str
    decision: Decision
    reason: str
    percent: float | None = None
    target_price_cents: int | None = None
    to_location: str | None = None
    buyer_lot_id: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


#: the parameters each decision takes (every other one is refused, so nothing is silently ignored)
PARAMETERS: dict[Decision, frozenset[str]] = {
    Decision.TRANSFER: frozenset({"to_location"}),
    Decision.RENTAL_POOL: frozenset(),
    Decision.MARK_DOWN: frozenset({"percent", "target_price_cents"}),
    Decision.OUTLET: frozenset({"to_location"}),
    Decision.BUYER_LOT: frozenset({"buyer_lot_id"}),
    Decision.HOLD: frozenset(),
}
_ALL_PARAMETERS = frozenset().union(*PARAMETERS.values())


def _text(raw: Any, limit: int) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() and len(raw.strip()) <= limit else None


def parse_decision(raw: Mapping[str, Any], *, styles: Collection[str] | None = None) -> DecisionRequest:
    """A review decision from JSON or a form: ``style`` (one of the review's ``styles``),
    ``decision`` (transfer|rental_pool|mark_down|outlet|buyer_lot|hold), ``reason``, and the
    decision's parameters: ``percent`` or ``target_price_cents`` for mark_down, ``to_location`` for
    transfer and outlet, ``buyer_lot_id`` for buyer_lot. Raises InvalidDetails naming every field."""
    errors: dict[str, str] = {}
    style = _text(raw.get("style"), MAX_CODE)
    if style is None:
        errors["style"] = N_("Name the style (its style number).")
    elif styles is not None and style not in styles:
        errors["style"] = N_("This style is not in the review.")
    decision = None
    if isinstance(raw.get("decision"), str) and raw["decision"] in Decision._value2member_map_:
        decision = Decision(raw["decision"])
    else:
        errors["decision"] = N_("Choose transfer, rental_pool, mark_down, outlet, buyer_lot or hold.")
    reason = _text(raw.get("reason"), MAX_REASON)
    if reason is None:
        errors["reason"] = N_("Say why, in at most 500 characters.")
    values: dict[str, Any] = {}
    if decision is not None:
        for name in sorted(_ALL_PARAMETERS - PARAMETERS[decision]):
            if raw.get(name) not in (None, ""):
                errors[name] = N_("Not a parameter of this decision.")
        if decision == Decision.MARK_DOWN:
            _markdown_parameters(raw, values, errors)
        elif decision in (Decision.TRANSFER, Decision.OUTLET):
            values["to_location"] = _text(raw.get("to_location"), MAX_CODE)
            if values["to_location"] is None:
                errors["to_location"] = N_("Name the location to move the garments to.")
        elif decision == Decision.BUYER_LOT:
            lot = raw.get("buyer_lot_id")
            if isinstance(lot, bool) or not isinstance(lot, int) or lot < 1:
                errors["buyer_lot_id"] = N_("Name the buyer lot by its number.")
            values["buyer_lot_id"] = lot
    if errors:
        raise InvalidDetails(errors)
    assert style is not None and decision is not None and reason is not None
    return DecisionRequest(style=style, decision=decision, reason=reason, **values,
                           params={k: v for k, v in values.items() if v is not None})


def _markdown_parameters(raw: Mapping[str, Any], values: dict[str, Any], errors: dict[str, str]) -> None:
    percent, target = raw.get("percent"), raw.get("target_price_cents")
    if (percent in (None, "")) == (target in (None, "")):
        errors["percent"] = N_("Give either a percentage or a target price.")
        return
    if percent not in (None, ""):
        try:
            number = float(percent.strip().rstrip("%")) if isinstance(percent, str) else percent
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= 100:
            errors["percent"] = N_("A markdown is a percentage above 0 and at most 100.")
        else:
            values["percent"] = number
    elif isinstance(target, bool) or not isinstance(target, int) or target < 1:
        errors["target_price_cents"] = N_("The target price must be a whole number of cents.")
    else:
        values["target_price_cents"] = target


# --- the effect of a previous decision -------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What happened to a style after a review's decision: units sold since, by channel."""

    since: dt.date
    as_of: dt.date
    sold: Mapping[Channel, int]
    on_hand: int

    @property
    def sold_total(self) -> int:
        return sum(self.sold.values())

    @property
    def sell_through(self) -> float | None:
        """Sold since ÷ (sold since + on hand now): the share of the stock of that day sold since."""
        return sell_through(sold=self.sold_total, on_hand=self.on_hand)

    def sell_through_by_channel(self) -> dict[Channel, float | None]:
        """Each channel's part of the sell-through since (they add up to it)."""
        whole = max(self.sold_total, 0) + self.on_hand
        return {c: ratio(max(self.sold.get(c, 0), 0), whole) for c in Channel}

    def as_shown(self) -> dict[str, Any]:
        return {"since": self.since.isoformat(), "as_of": self.as_of.isoformat(),
                "sold": {c.value: self.sold.get(c, 0) for c in Channel}, "sold_total": self.sold_total,
                "on_hand": self.on_hand, "sell_through_pct": shown_pct(self.sell_through),
                "sell_through_pct_by_channel": {c.value: shown_pct(v)
                                                for c, v in self.sell_through_by_channel().items()}}


def decision_effect(*, style: str, decided_on: dt.date, as_of: dt.date, sales: Iterable[DailySales],
                    on_hand: int) -> Effect:
    """Units sold (net) of ``style`` after the review day ``decided_on`` up to ``as_of``, by channel.

    The review's own day already counted in that review's figures, so it does not count again.
    """
    sold: dict[Channel, int] = {}
    for row in sales:
        if row.style == style and decided_on < row.day <= as_of:
            sold[row.channel] = sold.get(row.channel, 0) + row.sold - row.returned
    return Effect(since=decided_on, as_of=as_of, sold=sold, on_hand=on_hand)
