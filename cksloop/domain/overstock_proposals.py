"""Overstock proposals: what a review could decide for a flagged style, best value kept first.

Source: issue 13 ("Proposals") and the CKS report: surpluses go through CKS's own channels first
(stores that sell the style, the rental pool, markdowns, the outlet) so every garment gets its best
chance of sale, and a bulk buyer comes last. Value kept is an estimate per garment from stated
shares of the original price (``ValueShares``); the reason of each proposal says what it rests on.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .markdown import MarkdownPolicy, MarkdownRefused, next_step, target_price
from .messages import N_
from .overstock_figures import (COVER_WINDOW_DAYS, Channel, DailySales, Line, LocationType, StockItem,
                                shown_weeks, weekly_rate)
from .overstock_rules import Flag


class Decision(StrEnum):
    """What a review decides for a line; ``hold`` is a decision too (wait for the next review)."""

    TRANSFER = "transfer"
    RENTAL_POOL = "rental_pool"
    MARK_DOWN = "mark_down"
    OUTLET = "outlet"
    BUYER_LOT = "buyer_lot"
    HOLD = "hold"

    @property
    def label(self) -> str:
        return _DECISION_LABELS[self]


_DECISION_LABELS = {
    Decision.TRANSFER: N_("Transfer to the stores that sell it"),
    Decision.RENTAL_POOL: N_("Add to the rental pool"),
    Decision.MARK_DOWN: N_("Mark down"),
    Decision.OUTLET: N_("Move to the outlet"),
    Decision.BUYER_LOT: N_("Sell to a buyer"),
    Decision.HOLD: N_("Hold until the next review"),
}

#: own channels before a buyer, in the report's order; breaks ties between equal values
_ORDER = [Decision.TRANSFER, Decision.RENTAL_POOL, Decision.MARK_DOWN, Decision.OUTLET, Decision.BUYER_LOT]


@dataclass(frozen=True)
class StoreRate:
    """How fast one store sells a style: net units a week over the last four weeks."""

    location: str
    name: str
    units_per_week: float


def store_rates(*, style: str, as_of: dt.date, sales: Iterable[DailySales],
                names: Mapping[str, str] | None = None) -> list[StoreRate]:
    """The stores that sold ``style`` in the four weeks up to ``as_of``, fastest first (then by
    code, so the order is reproducible); stores without net sales are left out."""
    window_from = as_of - dt.timedelta(days=COVER_WINDOW_DAYS - 1)
    sold: dict[str, int] = {}
    for row in sales:
        if row.style == style and row.channel == Channel.STORE and window_from <= row.day <= as_of:
            sold[row.location] = sold.get(row.location, 0) + row.sold - row.returned
    names = names or {}
    rates = [StoreRate(code, names.get(code, code), weekly_rate(n)) for code, n in sold.items() if n > 0]
    return sorted(rates, key=lambda r: (-r.units_per_week, r.location))


@dataclass(frozen=True)
class RentalDemand:
    """How the style does in rental: the pool's utilisation (days rented ÷ days in the pool, see
    rental_quality.utilisation), its garments now, and how many the rental partner wants."""

    utilisation: float | None
    pool_units: int
    target_pool_units: int
    #: a style "rents well" from this utilisation
    rents_well_at: float = 0.5


@dataclass(frozen=True)
class ValueShares:
    """Assumed value a garment keeps, in percent of its original price, where the sale price is not
    known in advance: rental income over its pool life, the outlet price, a buyer's price per piece."""

    rental_pct: int = 60
    outlet_pct: int = 40
    buyer_pct: int = 10


@dataclass(frozen=True)
class Proposal:
    """One proposed action for a line: how many units, the value each keeps, and why."""

    action: Decision
    reason: str
    params: Mapping[str, Any]
    units: int
    unit_value_cents: int
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def value_kept_cents(self) -> int:
        return self.units * self.unit_value_cents

    def render(self, gettext: Any = None) -> str:
        text = gettext(self.reason) if gettext else self.reason
        return text % dict(self.params)

    def as_dict(self, gettext: Any = None) -> dict[str, Any]:
        return {"action": self.action.value, "reason": self.render(gettext), "units": self.units,
                "unit_value_cents": self.unit_value_cents, "value_kept_cents": self.value_kept_cents,
                **self.details}


def _units(stock: Iterable[StockItem]) -> int:
    return sum(s.units for s in stock)


def _mean_per_unit(stock: Sequence[StockItem], value: Any) -> int:
    """The mean of ``value(row)`` over the units of ``stock`` (a row stands for ``units`` alike)."""
    units = _units(stock)
    return sum(value(s) * s.units for s in stock) // units if units else 0


def _share(cents: int, pct: int) -> int:
    return cents * pct // 100


def share_by_rate(units: int, rates: Sequence[StoreRate]) -> list[int]:
    """``units`` split over the stores in proportion to their rate, whole units by the largest
    remainder (ties to the faster store, which comes first), so the parts always add up."""
    total = sum(r.units_per_week for r in rates)
    if units <= 0 or total <= 0:
        return [0] * len(rates)
    exact = [units * r.units_per_week / total for r in rates]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(rates)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:units - sum(parts)]:
        parts[i] += 1
    return parts


def _transfer(stock: Sequence[StockItem], rates: Sequence[StoreRate], max_targets: int) -> Proposal | None:
    targets = list(rates[:max_targets])
    if not targets:
        return None
    selling = {r.location for r in rates}
    # stock that sells nowhere it is: the warehouse, and stores with no sales of the style lately
    movable = [s for s in stock if s.location_type == LocationType.WAREHOUSE
               or (s.location_type == LocationType.STORE and s.location not in selling)]
    if not movable:
        return None
    sizes: dict[str, int] = {}
    for item in movable:
        sizes[item.size] = sizes.get(item.size, 0) + item.units
    units = _units(movable)
    stores = ", ".join(f"{r.name} ({shown_weeks(r.units_per_week)})" for r in targets)
    return Proposal(
        Decision.TRANSFER,
        N_("Move %(units)s units to the stores that sell this style fastest, units a week: %(stores)s."),
        {"units": units, "stores": stores}, units, _mean_per_unit(movable, lambda s: s.price_cents),
        {"sizes": dict(sorted(sizes.items())),
         "to_stores": [{"location": r.location, "name": r.name, "units_per_week": shown_weeks(r.units_per_week),
                        "units": n} for r, n in zip(targets, share_by_rate(units, targets))]})


def _rental(stock: Sequence[StockItem], rental: RentalDemand | None, shares: ValueShares) -> Proposal | None:
    if rental is None or rental.utilisation is None or rental.utilisation < rental.rents_well_at:
        return None
    short = rental.target_pool_units - rental.pool_units
    candidates = [s for s in stock if s.location_type != LocationType.RENTAL_POOL]
    units = min(short, _units(candidates))
    if units <= 0:
        return None
    # valued as the candidates' average garment: which of them go is the execution's choice
    return Proposal(
        Decision.RENTAL_POOL,
        N_("Add %(units)s units to the rental pool: it rents %(utilisation)s%% of the time and holds "
           "%(pool)s of the %(target)s garments wanted."),
        {"units": units, "utilisation": round(rental.utilisation * 100), "pool": rental.pool_units,
         "target": rental.target_pool_units},
        units, _mean_per_unit(candidates, lambda s: _share(s.original_price_cents, shares.rental_pct)),
        {"value_basis_pct": shares.rental_pct})


def _mark_down(line: Line, stock: Sequence[StockItem], policy: MarkdownPolicy) -> Proposal | None:
    if line.first_received_on is None:
        return None
    weeks = (line.as_of - line.first_received_on).days / 7
    step = next_step(policy, weeks_since_receipt=weeks, depth_pct=(line.markdown_depth or 0) * 100)
    if step is None:
        return None
    units, total = 0, 0
    targets: dict[int, int | None] = {}  # per original price: a style's garments share one or two
    for item in stock:
        if item.location_type == LocationType.RENTAL_POOL:
            continue
        if item.original_price_cents not in targets:
            try:
                targets[item.original_price_cents] = target_price(
                    policy, original_price_cents=item.original_price_cents, percent=step.percent)
            except MarkdownRefused:
                targets[item.original_price_cents] = None
        price = targets[item.original_price_cents]
        if price is not None and price < item.price_cents:
            units += item.units
            total += price * item.units
    if not units:
        return None
    return Proposal(
        Decision.MARK_DOWN,
        N_("Mark %(units)s units down to %(percent)s%% below the original price: the policy's step "
           "after %(weeks)s weeks."),
        {"units": units, "percent": step.percent, "weeks": step.after_weeks},
        units, total // units, {"percent": step.percent, "policy_version": policy.version})


def _outlet(stock: Sequence[StockItem], shares: ValueShares) -> Proposal | None:
    movable = [s for s in stock if s.location_type in (LocationType.STORE, LocationType.WAREHOUSE)]
    if not movable:
        return None
    units = _units(movable)
    return Proposal(
        Decision.OUTLET,
        N_("Move %(units)s units to the outlet (valued at %(pct)s%% of the original price)."),
        {"units": units, "pct": shares.outlet_pct}, units,
        _mean_per_unit(movable, lambda s: min(s.price_cents, _share(s.original_price_cents, shares.outlet_pct))),
        {"value_basis_pct": shares.outlet_pct})


def _buyer_lot(stock: Sequence[StockItem], shares: ValueShares) -> Proposal | None:
    lot = [s for s in stock if s.location_type != LocationType.RENTAL_POOL]
    if not lot:
        return None
    units = _units(lot)
    return Proposal(
        Decision.BUYER_LOT,
        N_("Offer %(units)s units to a buyer under contract, last (valued at %(pct)s%% of the original "
           "price)."),
        {"units": units, "pct": shares.buyer_pct}, units,
        _mean_per_unit(lot, lambda s: min(s.price_cents, _share(s.original_price_cents, shares.buyer_pct))),
        {"value_basis_pct": shares.buyer_pct})


def propose(*, line: Line, flags: Sequence[Flag], stock: Iterable[StockItem], rates: Sequence[StoreRate],
            policy: MarkdownPolicy, rental: RentalDemand | None = None, shares: ValueShares = ValueShares(),
            max_targets: int = 3) -> list[Proposal]:
    """The proposals for a flagged line, ranked by the value each garment keeps (then by the total
    kept, then own channels before the outlet); a buyer lot always comes last. None when the line
    is not flagged. ``stock`` are the line's garments on hand, ``rates`` its ``store_rates``."""
    if not flags:
        return []
    stock = list(stock)
    found = [p for p in (_transfer(stock, rates, max_targets), _rental(stock, rental, shares),
                         _mark_down(line, stock, policy), _outlet(stock, shares)) if p is not None]
    found.sort(key=lambda p: (-p.unit_value_cents, -p.value_kept_cents, _ORDER.index(p.action)))
    last = _buyer_lot(stock, shares)
    return found + ([last] if last else [])
