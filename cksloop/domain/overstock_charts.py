"""The overstock pages' pictures as plain numbers: the series behind each chart and their SVG geometry.

Source: issue 13 ("Pictures a merchandiser looks at rather than reads"). The web layer draws the
SVG from these coordinates; nothing here knows Flask or a database, so the geometry is tested
with hand-computed values. Series are fractions (0–1) or counts; coordinates are rounded to a
tenth of a pixel, enough for print.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .overstock_figures import DailySales, StockItem, age_days, ratio

#: stock age buckets in weeks: up to 4, 4–8, … and everything older than the last edge
AGE_EDGES_WEEKS = (4, 8, 12, 16, 26)


def week_end(season_starts_on: dt.date, week: int) -> dt.date:
    """The last day of ``week`` (week 1 is the season's first seven days)."""
    return season_starts_on + dt.timedelta(days=7 * week - 1)


def weeks_until(season_starts_on: dt.date, as_of: dt.date) -> int:
    """How many weeks of the season have begun by ``as_of`` (0 before it starts)."""
    days = (as_of - season_starts_on).days
    return days // 7 + 1 if days >= 0 else 0


def sell_through_by_week(*, sales: Iterable[DailySales], season_starts_on: dt.date, as_of: dt.date,
                         on_hand: int) -> list[tuple[int, float | None]]:
    """Cumulative sell-through at the end of each week up to ``as_of`` (the last week ends on it).

    Net units sold up to the week's end ÷ (units sold up to ``as_of`` + on hand now): the stock the
    collection had to sell, so the last point is the review's sell-through. Sales before the
    season's first day count in week 1.
    """
    weeks = weeks_until(season_starts_on, as_of)
    rows = [r for r in sales if r.day <= as_of]
    whole = max(sum(r.sold - r.returned for r in rows), 0) + on_hand
    out = []
    for week in range(1, weeks + 1):
        end = min(week_end(season_starts_on, week), as_of)
        sold = sum(r.sold - r.returned for r in rows if r.day <= end)
        out.append((week, ratio(max(sold, 0), whole)))
    return out


def age_buckets(stock: Iterable[StockItem], as_of: dt.date,
                edges_weeks: Sequence[int] = AGE_EDGES_WEEKS) -> list[tuple[int, int | None, int]]:
    """Units on hand per age bucket: (from weeks, to weeks or None for the oldest, units).

    A unit exactly ``edge`` weeks old falls in the younger bucket (age ≤ edge × 7 days). Each row's
    units must share one receipt day (a style's drill feeds one row per garment).
    """
    bounds = [0, *edges_weeks]
    counts = [0] * (len(bounds))
    for item in stock:
        days = age_days(item.first_received_on, as_of)
        index = next((i for i, edge in enumerate(edges_weeks) if days <= edge * 7), len(edges_weeks))
        counts[index] += item.units
    return [(bounds[i], edges_weeks[i] if i < len(edges_weeks) else None, counts[i]) for i in range(len(bounds))]


@dataclass(frozen=True)
class PricedUnit:
    """One garment's price history: (day, price after) from its events, and its original price."""

    received_on: dt.date
    prices: Sequence[tuple[dt.date, int]]
    original_price_cents: int

    def price_on(self, day: dt.date) -> int:
        """The price after the last change on or before ``day`` (the original before any)."""
        price = self.original_price_cents
        for changed_on, cents in sorted(self.prices):
            if changed_on > day:
                break
            price = cents
        return price


def depth_by_week(units: Iterable[PricedUnit], *, season_starts_on: dt.date,
                  as_of: dt.date) -> list[tuple[int, float | None]]:
    """Markdown depth of the given units (the stock on hand now) at the end of each week up to
    ``as_of``: 1 − Σ price then ÷ Σ original price of the units received by then (weighted by
    original price, as the review's depth, so the last point is the review's figure)."""
    units = list(units)
    out = []
    for week in range(1, weeks_until(season_starts_on, as_of) + 1):
        end = min(week_end(season_starts_on, week), as_of)
        there = [u for u in units if u.received_on <= end]
        original = sum(u.original_price_cents for u in there)
        share = ratio(sum(u.price_on(end) for u in there), original)
        out.append((week, None if share is None else 1 - share))
    return out


# --- geometry ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A chart's size and the margins around its plot area (room for the axis labels)."""

    width: int = 640
    height: int = 240
    left: int = 48
    right: int = 16
    top: int = 16
    bottom: int = 40

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> int:
        return self.top + self.plot_height


def _r(value: float) -> float:
    return round(value, 1)


def x_for(frame: Frame, position: int, count: int) -> float:
    """The x of the ``position``-th of ``count`` evenly spaced points (1-based; one point sits left)."""
    if count <= 1:
        return _r(frame.left)
    return _r(frame.left + frame.plot_width * (position - 1) / (count - 1))


def y_for(frame: Frame, fraction: float, top_value: float = 1.0) -> float:
    """The y of ``fraction`` on an axis from 0 (the baseline) to ``top_value`` (the plot's top)."""
    share = min(max(fraction / top_value if top_value > 0 else 0.0, 0.0), 1.0)
    return _r(frame.top + frame.plot_height * (1 - share))


def polyline(frame: Frame, series: Sequence[tuple[int, float | None]], count: int,
             top_value: float = 1.0) -> list[tuple[float, float]]:
    """The (x, y) points of a series of (position, fraction); positions without a value are left out."""
    return [(x_for(frame, position, count), y_for(frame, value, top_value))
            for position, value in series if value is not None]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


def bars(frame: Frame, values: Sequence[int], *, gap: float = 0.2) -> list[Bar]:
    """One bar per value in equal slots across the plot, ``gap`` of each slot left empty (half each
    side), heights scaled so the largest value fills the plot (all zero: flat bars)."""
    if not values:
        return []
    slot = frame.plot_width / len(values)
    tallest = max(values)
    out = []
    for index, value in enumerate(values):
        height = frame.plot_height * value / tallest if tallest > 0 else 0.0
        out.append(Bar(_r(frame.left + slot * index + slot * gap / 2), _r(frame.baseline - height),
                       _r(slot * (1 - gap)), _r(height), value))
    return out


def ticks(frame: Frame, steps: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
          top_value: float = 1.0) -> list[tuple[float, float]]:
    """Horizontal grid lines: (y, value) for each step of the axis."""
    return [(y_for(frame, step * top_value, top_value), step * top_value) for step in steps]


def points_attribute(points: Iterable[tuple[float, float]]) -> str:
    """SVG ``points="x,y x,y"`` text."""
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def plan_series(plan: Sequence[float], weeks: int) -> list[tuple[int, float | None]]:
    """The plan curve as (week, planned sell-through) for the season's ``weeks``."""
    return [(w, plan[min(w, len(plan)) - 1]) for w in range(1, weeks + 1)]


def label_positions(count: int, every: int) -> list[int]:
    """Which positions get an axis label: the first, every ``every``-th, and the last."""
    chosen = {1, count, *range(every, count + 1, every)} if count else set()
    return sorted(chosen)


