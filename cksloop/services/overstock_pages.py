"""What the overstock pages read beyond the review: a style's drill-down, the garments behind a figure, the charts' series."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, Style
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.domain.overstock_charts import PricedUnit, age_buckets, depth_by_week, sell_through_by_week
from cksloop.domain.overstock_figures import Channel, Line, LocationType, by_location, by_size, compute_lines
from cksloop.services import overstock
from cksloop.services.overstock_rollups import channel_of


class Figure(StrEnum):
    """The figures of a line that a list of garments explains."""

    RECEIVED = "received"
    ON_HAND = "on_hand"
    SOLD = "sold"


@dataclass(frozen=True)
class StyleDrill:
    """One style of the review: its line, and the same figures per size and per location."""

    line: overstock.ReviewLine
    name: str
    sizes: dict[str, Line]
    locations: dict[str, Line]
    location_names: dict[str, str]


def style_name(session: Session, *, season: str, style: str) -> str | None:
    """The style's name when ``style`` belongs to ``season``, else None."""
    return session.scalar(select(Style.name).where(Style.season == season, Style.style_number == style))


def drill(session: Session, *, season: str, style: str, as_of: dt.date) -> StyleDrill | None:
    """The style's review line with its sizes and locations computed from the same rows; None when the
    style is not in the review (not of this season, or never received)."""
    name = style_name(session, season=season, style=style)
    if name is None:
        return None
    line = next(iter(overstock.review(session, season=season, as_of=as_of, style=style).lines), None)
    if line is None:
        return None
    inputs = overstock.review_inputs(session, season=season, as_of=as_of, style=style)
    rows = dict(sales=inputs.sales, stock=inputs.stock, receipts=inputs.receipts)
    return StyleDrill(line, name, compute_lines(as_of=as_of, key=by_size, **rows),
                      compute_lines(as_of=as_of, key=by_location, **rows), inputs.names)


@dataclass(frozen=True)
class GarmentEntry:
    """One garment behind a figure, with what the figure counted it for."""

    code: str
    size: str
    location: str
    counted_as: str  # a LocationType for on hand, a Channel for sold, the receiving location for received
    price_cents: int
    on: dt.date


def garments_behind(session: Session, *, season: str, style: str, as_of: dt.date, figure: Figure,
                    size: str | None = None, location: str | None = None,
                    part: str | None = None) -> list[GarmentEntry]:
    """The garments a figure of the style's line (or of one size or location) counts, by code.

    On hand and received are the review's own rows (``review_inputs``); sold are the garments sold or
    shipped now whose last sale happened by ``as_of``, by the channel the rollup books it in, so
    their count is the net units sold (a returned garment is back on hand). ``part`` narrows to
    one location type (on hand) or channel (sold).
    """
    inputs = overstock.review_inputs(session, season=season, as_of=as_of, style=style)
    out: list[GarmentEntry] = []
    if figure is Figure.SOLD:
        out = _sold(session, style=style, as_of=as_of)
    for unit in inputs.units:
        if figure is Figure.ON_HAND and unit.location_type is not None:
            out.append(GarmentEntry(unit.code, unit.size, unit.location, unit.location_type.value,
                                    unit.price_cents, unit.received_on))
        elif figure is Figure.RECEIVED and unit.received_on <= as_of:
            out.append(GarmentEntry(unit.code, unit.size, unit.received_at, unit.received_at,
                                    unit.price_cents, unit.received_on))
    return sorted((e for e in out if (size is None or e.size == size) and (location is None or e.location == location)
                   and (part is None or e.counted_as == part)), key=lambda e: (e.size, e.location, e.code))


def _sold(session: Session, *, style: str, as_of: dt.date) -> list[GarmentEntry]:
    last = (select(GarmentEvent.garment_id, func.max(GarmentEvent.seq).label("seq"))
            .join(Garment, Garment.id == GarmentEvent.garment_id).join(Style, Style.id == Garment.style_id)
            .where(Style.style_number == style, GarmentEvent.action.in_((Action.SELL, Action.SHIP_TO_BUYER)))
            .group_by(GarmentEvent.garment_id).subquery())
    rows = session.execute(
        select(Garment.code, Garment.size, Location.code, Location.kind, GarmentEvent.action,
               GarmentEvent.price_cents, GarmentEvent.occurred_at)
        .join(last, last.c.garment_id == Garment.id)
        .join(GarmentEvent, (GarmentEvent.garment_id == Garment.id) & (GarmentEvent.seq == last.c.seq))
        .outerjoin(Location, Location.id == GarmentEvent.location_id)
        .where(Garment.state.in_((GarmentState.SOLD, GarmentState.SHIPPED_TO_BUYER))))
    out = []
    for code, size, where, kind, action, price, at in rows:
        day = local_date(at)
        if day <= as_of and where is not None:
            out.append(GarmentEntry(code, size, where, channel_of(action, kind).value, price or 0, day))
    return out


@dataclass(frozen=True)
class ChartSeries:
    """The three pictures' numbers for a collection or one of its styles."""

    weeks: int
    plan: tuple[float, ...]
    sell_through: list[tuple[int, float | None]]
    ages: list[tuple[int, int | None, int]]
    depth: list[tuple[int, float | None]]


def chart_series(session: Session, *, season: str, as_of: dt.date, style: str | None = None) -> ChartSeries:
    """Sell-through by week against the plan, the stock's age buckets and its markdown depth by week."""
    starts = overstock.season_starts_on(season)
    rules = overstock.rules_for(session, season=season)
    inputs = overstock.review_inputs(session, season=season, as_of=as_of, style=style)
    on_hand = [u for u in inputs.units if u.location_type is not None]
    history: dict[str, list[tuple[dt.date, int]]] = {}
    codes = [u.code for u in on_hand]
    for index in range(0, len(codes), 900):
        for code, at, price in session.execute(
                select(Garment.code, GarmentEvent.occurred_at, GarmentEvent.price_cents)
                .join(Garment, Garment.id == GarmentEvent.garment_id)
                .where(Garment.code.in_(codes[index:index + 900]), GarmentEvent.price_cents.is_not(None))):
            history.setdefault(code, []).append((local_date(at), price))
    priced = [PricedUnit(u.received_on, history.get(u.code, []), u.original_price_cents) for u in on_hand]
    return ChartSeries(
        weeks=len(rules.plan.weeks), plan=rules.plan.weeks,
        sell_through=sell_through_by_week(sales=inputs.sales, season_starts_on=starts, as_of=as_of,
                                          on_hand=len(inputs.stock)),
        ages=age_buckets(inputs.stock, as_of),
        depth=depth_by_week(priced, season_starts_on=starts, as_of=as_of))


__all__ = ["Channel", "ChartSeries", "Figure", "GarmentEntry", "LocationType", "StyleDrill", "chart_series",
           "drill", "garments_behind", "style_name"]
