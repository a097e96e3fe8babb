"""Rental figures per style: a period as UTC instants, and the figures summed from the rollups
(days between timestamps in SQL: ``cksloop.db.sql_functions.days_between``).

Every figure is aggregated in SQL (one GROUP BY per figure, keyed by style), so the cost does not
grow with the number of garments. Days are measured between stored UTC timestamps and clipped to
the period, which starts and ends at midnight in Brussels.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, and_, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from cksloop.db.models import RentalDefectRollup, RentalOpenCount, RentalRollup
from cksloop.domain.clock import start_of_local_day
from cksloop.domain.rental_quality import Figures, Period
from cksloop.services import rental_rollups


def utc_literal(value: dt.datetime) -> ColumnElement[dt.datetime]:
    """An instant as a bound SQL value that both databases compare with a stored UTC time."""
    return literal(value, DateTime(timezone=True))


@dataclass(frozen=True)
class Bounds:
    """A period as UTC instants: [start, end); ``cap`` is the end, or now when that is earlier."""

    start: dt.datetime
    end: dt.datetime
    cap: dt.datetime


def within(column: Any, bounds: Bounds) -> ColumnElement[bool]:
    """``column`` (a stored UTC time) falls in the period: start <= column < end."""
    return and_(column >= utc_literal(bounds.start), column < utc_literal(bounds.end))


def bounds_of(period: Period, *, now: dt.datetime) -> Bounds:
    """The period's first and last Brussels midnights as UTC instants, capped at ``now``."""
    start = start_of_local_day(period.from_on)
    end = start_of_local_day(period.to_on + dt.timedelta(days=1))
    return Bounds(start, end, max(start, min(end, now.astimezone(dt.UTC))))


# --- figures per style, from the rollups --------------------------------------------------------


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bucket_ranges(lo: dt.date, hi: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The days [lo, hi) as month buckets for its whole months and day buckets for the rest."""
    if hi <= lo:
        return []
    first_whole = lo if lo.day == 1 else _next_month(lo)
    end_whole = hi.replace(day=1)
    if first_whole >= end_whole:
        return [("d", lo, hi)]
    ranges = [("d", lo, first_whole)] if lo < first_whole else []
    ranges.append(("m", first_whole, end_whole))
    if end_whole < hi:
        ranges.append(("d", end_whole, hi))
    return ranges


def day_spans(period: Period, now: dt.datetime) -> tuple[list[tuple[str, dt.date, dt.date]],
                                                          list[tuple[str, dt.date, dt.date]]]:
    """Bucket ranges of the period itself and of the time after it up to now.

    Nothing has happened after now, so a span that reaches today may run on to the end of the
    current month: its whole months are then read from the month rows.
    """
    this_month_end = _next_month(rental_rollups.day_of(now))
    end = period.to_on + dt.timedelta(days=1)
    if end > rental_rollups.day_of(now):
        return bucket_ranges(period.from_on, max(end, this_month_end)), []
    return bucket_ranges(period.from_on, end), bucket_ranges(end, this_month_end)


def in_buckets(table: Any, ranges: list[tuple[str, dt.date, dt.date]], partner_id: int | None) -> ColumnElement[bool]:
    """The rollup rows of these bucket ranges (and of one partner, when given)."""
    where = or_(*[and_(table.c.grain == grain, table.c.bucket_on >= lo, table.c.bucket_on < hi)
                  for grain, lo, hi in ranges])
    return and_(where, table.c.partner_id == partner_id) if partner_id is not None else where


_SUMMED = ("cycles_started", "returns", "quality_returns", "rent_start_n", "rent_start_s", "rent_end_n", "rent_end_s",
           "pool_start_n", "pool_start_s", "pool_end_n", "pool_end_s", "repairs", "cleanings")


def figures_by_style(session: Session, *, bounds: Bounds, period: Period, now: dt.datetime,
                     partner_id: int | None = None) -> dict[int, Figures]:
    """Rental figures for every style with rental activity in the period (four grouped queries
    on the rollups; their size depends on styles and months, not on garments).

    Days rented and days in the pool are clipped to the period exactly: with ``open(t)`` the
    number of intervals open at instant ``t``, the days inside [A, B) are
    (Σ ends in it + B·open(B)) − (Σ starts in it + A·open(A)), and open(t) follows from the
    open counts now and the starts and ends after ``t``.
    """
    rollup, defect_rollup, open_counts = (RentalRollup.__table__, RentalDefectRollup.__table__,
                                          RentalOpenCount.__table__)
    in_period, after = day_spans(period, now)

    sums: dict[int, dict[str, int]] = {}
    if in_period:
        for row in session.execute(select(rollup.c.style_id, *[func.sum(rollup.c[m]) for m in _SUMMED])
                                   .where(in_buckets(rollup, in_period, partner_id)).group_by(rollup.c.style_id)):
            sums[row[0]] = {m: int(v or 0) for m, v in zip(_SUMMED, row[1:])}
    later: dict[int, tuple[int, int, int, int]] = {}
    if after:
        later = {row[0]: tuple(int(v or 0) for v in row[1:]) for row in session.execute(
            select(rollup.c.style_id, func.sum(rollup.c.rent_start_n), func.sum(rollup.c.rent_end_n),
                   func.sum(rollup.c.pool_start_n), func.sum(rollup.c.pool_end_n))
            .where(in_buckets(rollup, after, partner_id)).group_by(rollup.c.style_id))}
    open_query = select(open_counts.c.style_id, func.sum(open_counts.c.rented), func.sum(open_counts.c.pooled))
    if partner_id is not None:
        open_query = open_query.where(open_counts.c.partner_id == partner_id)
    open_now = {row[0]: (int(row[1] or 0), int(row[2] or 0))
                for row in session.execute(open_query.group_by(open_counts.c.style_id))}
    defects: dict[int, dict[str, int]] = defaultdict(dict)
    if in_period:
        for style_id, code, n in session.execute(
                select(defect_rollup.c.style_id, defect_rollup.c.code, func.sum(defect_rollup.c.defects))
                .where(in_buckets(defect_rollup, in_period, partner_id))
                .group_by(defect_rollup.c.style_id, defect_rollup.c.code)):
            if n:
                defects[style_id][getattr(code, "value", code)] = int(n)

    a, b = rental_rollups.seconds(bounds.start), rental_rollups.seconds(bounds.cap)
    zero = dict.fromkeys(_SUMMED, 0)
    out: dict[int, Figures] = {}
    for style_id in set(sums) | set(later) | set(open_now) | set(defects):
        f = sums.get(style_id, zero)
        rented_now, pooled_now = open_now.get(style_id, (0, 0))
        rs_after, re_after, ps_after, pe_after = later.get(style_id, (0, 0, 0, 0))
        rented_b = rented_now - rs_after + re_after
        pooled_b = pooled_now - ps_after + pe_after
        rented_a = rented_b - f["rent_start_n"] + f["rent_end_n"]
        pooled_a = pooled_b - f["pool_start_n"] + f["pool_end_n"]
        rented_s = (f["rent_end_s"] + b * rented_b) - (f["rent_start_s"] + a * rented_a)
        pooled_s = (f["pool_end_s"] + b * pooled_b) - (f["pool_start_s"] + a * pooled_a)
        figures = Figures(
            cycles=f["cycles_started"], days_rented=max(0, rented_s) / 86400, days_in_pool=max(0, pooled_s) / 86400,
            returns=f["returns"], quality_returns=f["quality_returns"], defects=dict(defects.get(style_id, {})),
            repairs=f["repairs"], cleanings=f["cleanings"])
        if not figures.is_empty():
            out[style_id] = figures
    return out
