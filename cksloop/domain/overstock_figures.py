"""Overstock figures in one place: sell-through, weeks of cover, stock age, markdown depth, by style.

Source: issue 13 ("Definitions") and the CKS progress report's two-weekly follow-up of production
and sales. The services feed plain rows (what the daily rollup tables hold); nothing here reads a
database. Sales are always net of customer returns; every ratio is None when there is nothing to
divide by, so "no sales" is said explicitly instead of being shown as infinity or zero.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from .lifecycle import GarmentState, LocationKind
from .messages import N_

#: weeks of cover look at the sales of the last four weeks (the review runs every two weeks, so
#: each review sees two reviews' worth of sales)
COVER_WINDOW_DAYS = 28
NO_SALES = N_("no sales")


class Channel(StrEnum):
    """Where a unit was sold."""

    STORE = "store"
    OUTLET = "outlet"
    RENTAL_SALE = "rental_sale"  # a rental garment sold off to a customer (ex-rental)
    BUYER = "buyer"  # shipped to a bulk buyer (opkoper) in a buyer lot

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]


_CHANNEL_LABELS = {
    Channel.STORE: N_("stores"),
    Channel.OUTLET: N_("outlet"),
    Channel.RENTAL_SALE: N_("rental sale"),
    Channel.BUYER: N_("buyers"),
}

#: the report's "own channels": every garment gets its best chance of sale before a buyer sees it
OWN_CHANNELS = frozenset({Channel.STORE, Channel.OUTLET, Channel.RENTAL_SALE})


class LocationType(StrEnum):
    """Where a unit on hand is, as the review groups it."""

    STORE = "store"
    WAREHOUSE = "warehouse"
    OUTLET = "outlet"
    RENTAL_POOL = "rental_pool"

    @property
    def label(self) -> str:
        return _LOCATION_TYPE_LABELS[self]


_LOCATION_TYPE_LABELS = {
    LocationType.STORE: N_("stores"),
    LocationType.WAREHOUSE: N_("warehouse"),
    LocationType.OUTLET: N_("outlet"),
    LocationType.RENTAL_POOL: N_("rental pool"),
}

_RENTAL_STATES = frozenset({GarmentState.IN_RENTAL_POOL, GarmentState.RENTED_OUT,
                            GarmentState.AWAITING_INSPECTION})
#: still CKS's stock; a garment allocated to a buyer lot stays on hand until the lot ships
_SHELF_STATES = frozenset({GarmentState.IN_STOCK, GarmentState.IN_CARE, GarmentState.ALLOCATED_TO_BUYER_LOT})
ON_HAND_STATES = _RENTAL_STATES | _SHELF_STATES


def on_hand_location_type(state: GarmentState | None, kind: LocationKind) -> LocationType | None:
    """How a garment counts on hand, or None when it is not on hand (sold, shipped, retired, lost).

    Rental stays (in the pool, rented out, back for inspection) count in the rental pool wherever
    they are; other stock by the kind of its location. Stock held by a partner (a repairer) is not
    on a shop floor, so it counts with the warehouse.
    """
    if state in _RENTAL_STATES:
        return LocationType.RENTAL_POOL
    if state not in _SHELF_STATES:
        return None
    return {LocationKind.STORE: LocationType.STORE, LocationKind.OUTLET: LocationType.OUTLET}.get(
        kind, LocationType.WAREHOUSE)


# --- plain inputs (one row of a rollup, one garment on hand) ------------------------------------


@dataclass(frozen=True)
class DailySales:
    """Units of one style×size sold (and taken back) on one local day at one location and channel.

    ``returned`` are customer returns booked that day against sales of this channel.
    """

    day: dt.date
    style: str
    size: str
    location: str
    channel: Channel
    sold: int = 0
    returned: int = 0


@dataclass(frozen=True)
class Receipt:
    """Units of one style×size first received on one day at one location."""

    day: dt.date
    style: str
    size: str
    location: str
    units: int


@dataclass(frozen=True, slots=True)
class StockItem:
    """Garments on hand on the review date (see ``on_hand_location_type``): one, or ``units`` alike in
    style, size, place, type and price. A collection's stock comes grouped (far fewer rows than
    garments); every figure and proposal weighs a row by its units, so both give the same answer.
    """

    style: str
    size: str
    location: str
    location_type: LocationType
    #: the earliest receipt day among the units
    first_received_on: dt.date
    price_cents: int
    original_price_cents: int
    units: int = 1
    #: the units' receipt days added up as ordinals (``date.toordinal``); None for one unit (its day).
    #: A row never mixes units received after the review date with earlier ones (each unit's age
    #: is at least 0, so the sum is only exact on one side of that date).
    received_ordinals: int | None = None

    def age_days_total(self, as_of: dt.date) -> int:
        """The units' ages on ``as_of`` added up (each as ``age_days``)."""
        if self.received_ordinals is None:
            return self.units * age_days(self.first_received_on, as_of)
        return max(0, self.units * as_of.toordinal() - self.received_ordinals)


# --- the definitions ------------------------------------------------------------------------------


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole > 0 else None


def sell_through(*, sold: int, on_hand: int) -> float | None:
    """Sold ÷ (sold + on hand) since receipt, with sales net of returns; None with neither."""
    return ratio(max(sold, 0), max(sold, 0) + on_hand)


def weekly_rate(sold_in_window: int, window_days: int = COVER_WINDOW_DAYS) -> float:
    """Mean weekly units sold (net) over the window."""
    return max(sold_in_window, 0) * 7 / window_days


def weeks_of_cover(*, on_hand: int, sold_last_4_weeks: int) -> float | None:
    """On hand ÷ mean weekly units sold over the last four weeks; None means "no sales"."""
    rate = weekly_rate(sold_last_4_weeks)
    return on_hand / rate if rate > 0 else None


def age_days(first_received_on: dt.date, as_of: dt.date) -> int:
    """Stock age: whole days since the garment's first receipt (0 on the day it arrived)."""
    return max((as_of - first_received_on).days, 0)


def markdown_depth(*, price_cents: int, original_price_cents: int) -> float | None:
    """1 − current ÷ original price (0 at full price); None without an original price."""
    share = ratio(price_cents, original_price_cents)
    return None if share is None else 1 - share


def is_overstock_sale(*, channel: Channel, price_paid_cents: int, original_price_cents: int) -> bool:
    """Whether a sale counts as selling overstock (for the own-channel share): every sale at the
    outlet, from the rental pool or to a buyer, and a store sale below the original price (a
    markdown). A full-price store sale is the collection selling as planned, not overstock."""
    return channel != Channel.STORE or price_paid_cents < original_price_cents


def own_channel_share(sold: Mapping[Channel, int]) -> float | None:
    """The share of (overstock) units sold in own channels (stores, outlet, rental sale) versus
    to buyers: the figure behind "elk kledingstuk krijgt een maximale verkoopkans". Pass units or
    cents by channel; None when nothing was sold. Reused by the buyer report and the charter."""
    own = sum(max(n, 0) for c, n in sold.items() if c in OWN_CHANNELS)
    return ratio(own, own + max(sold.get(Channel.BUYER, 0), 0))


# --- the figures as shown (one rounding rule for page, API, CSV and charts) ------------------------


def _half_up(value: float, places: int, scale: int = 1) -> Decimal:
    # through the shortest decimal text of the float, so 0.145 is 14.5 % and not 14.4999…
    return (Decimal(repr(value)) * scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown_pct(fraction: float | None) -> int | None:
    """A share as a whole percent, halves rounded up (so 12.5 % shows 13, never banker's 12)."""
    return None if fraction is None else int(_half_up(fraction, 0, scale=100))


def shown_weeks(weeks: float | None) -> float | None:
    """Weeks of cover to one decimal, halves up; None stays None (the page says "no sales")."""
    return None if weeks is None else float(_half_up(weeks, 1))


def shown_days(days: float | None) -> int | None:
    """Days as whole days, halves up."""
    return None if days is None else int(_half_up(days, 0))


# --- one line of the review ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """The figures of one style (or one of its sizes, or its stock at one location) on ``as_of``."""

    key: str
    as_of: dt.date
    planned: int | None = None
    received: int = 0
    #: net units sold since receipt, by channel
    sold: Mapping[Channel, int] = field(default_factory=dict)
    returned: int = 0
    on_hand: Mapping[LocationType, int] = field(default_factory=dict)
    #: net units sold in the four weeks up to and including ``as_of``
    sold_last_4_weeks: int = 0
    first_received_on: dt.date | None = None
    age_days_total: int = 0  # sum of the ages of the units on hand (their mean is the line's age)
    oldest_age_days: int | None = None
    value_cents: int = 0  # current prices of the units on hand
    original_value_cents: int = 0

    @property
    def sold_total(self) -> int:
        return sum(self.sold.values())

    @property
    def on_hand_total(self) -> int:
        return sum(self.on_hand.values())

    @property
    def sell_through(self) -> float | None:
        return sell_through(sold=self.sold_total, on_hand=self.on_hand_total)

    @property
    def weekly_rate(self) -> float:
        return weekly_rate(self.sold_last_4_weeks)

    @property
    def weeks_of_cover(self) -> float | None:
        return weeks_of_cover(on_hand=self.on_hand_total, sold_last_4_weeks=self.sold_last_4_weeks)

    @property
    def age_days(self) -> float | None:
        """Mean stock age of the units on hand: the line is as old as its typical garment, so a
        single straggler does not make a fresh delivery look old."""
        return ratio(self.age_days_total, self.on_hand_total)

    @property
    def markdown_depth(self) -> float | None:
        """Average depth of the units on hand, weighted by their original price."""
        return markdown_depth(price_cents=self.value_cents, original_price_cents=self.original_value_cents)

    @property
    def rental_pool_share(self) -> float | None:
        return ratio(self.on_hand.get(LocationType.RENTAL_POOL, 0), self.on_hand_total)

    @property
    def outlet_sell_through(self) -> float | None:
        """Sold at the outlet ÷ (sold there + on hand there): how the outlet does with what it got."""
        return sell_through(sold=self.sold.get(Channel.OUTLET, 0), on_hand=self.on_hand.get(LocationType.OUTLET, 0))

    @property
    def own_channel_share(self) -> float | None:
        return own_channel_share(self.sold)

    def as_shown(self) -> dict[str, Any]:
        """The figures exactly as the page, API and exports show them (rounded once, here)."""
        return {
            "planned": self.planned, "received": self.received,
            "sold": {c.value: self.sold.get(c, 0) for c in Channel}, "sold_total": self.sold_total,
            "returned": self.returned,
            "on_hand": {t.value: self.on_hand.get(t, 0) for t in LocationType},
            "on_hand_total": self.on_hand_total,
            "sell_through_pct": shown_pct(self.sell_through),
            "weeks_of_cover": shown_weeks(self.weeks_of_cover),
            "age_days": shown_days(self.age_days),
            "markdown_depth_pct": shown_pct(self.markdown_depth),
            "rental_pool_share_pct": shown_pct(self.rental_pool_share),
            "outlet_sell_through_pct": shown_pct(self.outlet_sell_through),
        }


def compute_lines(*, as_of: dt.date, sales: Iterable[DailySales], stock: Iterable[StockItem],
                  receipts: Iterable[Receipt] = (), planned: Mapping[str, int] | None = None,
                  key: Callable[[Any], str] = lambda row: row.style) -> dict[str, Line]:
    """One Line per key (style by default) from rollup rows and the garments on hand on ``as_of``.

    Rows dated after ``as_of`` are ignored, so a review for a past date repeats its figures as long
    as the stock given is the stock of that date. ``key`` groups rows: ``by_size`` and
    ``by_location`` drill a style down. ``planned`` maps a key to its planned quantity.
    """
    window_from = as_of - dt.timedelta(days=COVER_WINDOW_DAYS - 1)
    acc: dict[str, dict[str, Any]] = {}

    def slot(k: str) -> dict[str, Any]:
        return acc.setdefault(k, {"received": 0, "sold": {}, "returned": 0, "on_hand": {}, "window": 0,
                                  "first": None, "ages": 0, "oldest": None, "value": 0, "original": 0})

    for row in sales:
        if row.day > as_of:
            continue
        s = slot(key(row))
        net = row.sold - row.returned
        s["sold"][row.channel] = s["sold"].get(row.channel, 0) + net
        s["returned"] += row.returned
        if row.day >= window_from:
            s["window"] += net
    for receipt in receipts:
        if receipt.day > as_of:
            continue
        s = slot(key(receipt))
        s["received"] += receipt.units
        s["first"] = receipt.day if s["first"] is None else min(s["first"], receipt.day)
    for item in stock:
        s = slot(key(item))
        units = item.units
        s["on_hand"][item.location_type] = s["on_hand"].get(item.location_type, 0) + units
        s["ages"] += item.age_days_total(as_of)
        oldest = age_days(item.first_received_on, as_of)
        s["oldest"] = oldest if s["oldest"] is None else max(s["oldest"], oldest)
        s["first"] = item.first_received_on if s["first"] is None else min(s["first"], item.first_received_on)
        s["value"] += item.price_cents * units
        s["original"] += item.original_price_cents * units
    planned = planned or {}
    return {k: Line(key=k, as_of=as_of, planned=planned.get(k), received=s["received"],
                    sold={c: n for c, n in s["sold"].items()}, returned=s["returned"], on_hand=s["on_hand"],
                    sold_last_4_weeks=s["window"], first_received_on=s["first"], age_days_total=s["ages"],
                    oldest_age_days=s["oldest"], value_cents=s["value"], original_value_cents=s["original"])
            for k, s in sorted(acc.items())}


def by_size(row: Any) -> str:
    """Drill key: one line per size of a style (feed rows of one style)."""
    return row.size


def by_location(row: Any) -> str:
    """Drill key: one line per location code (feed rows of one style)."""
    return row.location
