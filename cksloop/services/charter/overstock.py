"""Overstock section: units and value sold in own channels versus to buyers, the outlet's share,
markdown depth, and sell-through per collection (report section 3: the outlet system).

Seam: the sales lists are the ledger's sell and ship-to-buyer events; sell-through reads the daily
sales rollup (``services.overstock_rollups``), the projection written with those same events.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, OverstockDailySales, Style
from cksloop.domain.charter import share_pct
from cksloop.domain.lifecycle import Action, LocationKind
from cksloop.domain.overstock_figures import Channel
from cksloop.services.charter.figures import Section, count, counted, keep, measured, year_bounds
from cksloop.services.rental_figures import utc_literal, within

NAME = "overstock"
SELL_THROUGH = "sell_through_"
RECEIVED = "received_"
_OWN_KINDS = (LocationKind.STORE, LocationKind.OUTLET)


def _sold_price() -> Any:
    return GarmentEvent.details["price_cents"].as_integer()


def _events(action: Action, year: int, where: Any = True) -> Select[Any]:
    return (select(GarmentEvent.id.label("event"), Garment.code.label("code"), Style.style_number.label("style"),
                   Location.code.label("location"), GarmentEvent.occurred_at.label("occurred_at"),
                   _sold_price().label("price_cents"))
            .join(Garment, Garment.id == GarmentEvent.garment_id).join(Style, Style.id == Garment.style_id)
            .outerjoin(Location, Location.id == GarmentEvent.location_id)
            .where(GarmentEvent.action == action, within(GarmentEvent.occurred_at, year_bounds(year)), where)
            .order_by(GarmentEvent.id))


def units_sold_own(year: int) -> Select[Any]:
    """Sales in the year in CKS's own shops and the outlet (one row per sale event)."""
    return _events(Action.SELL, year, Location.kind.in_(_OWN_KINDS))


def units_sold_outlet(year: int) -> Select[Any]:
    """Sales in the year at the outlet."""
    return _events(Action.SELL, year, Location.kind == LocationKind.OUTLET)


def units_to_buyers(year: int) -> Select[Any]:
    """Garments shipped to a bulk buyer in the year."""
    return _events(Action.SHIP_TO_BUYER, year)


def received(season: str, year: int) -> Select[Any]:
    """Garments of a collection received up to the end of the year (sell-through's denominator)."""
    return (select(Garment.id.label("garment_id"), Garment.code.label("code"), Style.style_number.label("style"),
                   Garment.state.label("state"))
            .join(Style, Style.id == Garment.style_id)
            .join(GarmentEvent, (GarmentEvent.garment_id == Garment.id) & (GarmentEvent.seq == 1))
            .where(Style.season == season, GarmentEvent.occurred_at < utc_literal(year_bounds(year).end))
            .order_by(Garment.id))


LISTS = {"units_sold_own": units_sold_own, "units_sold_outlet": units_sold_outlet,
         "units_to_buyers": units_to_buyers}


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    if key in LISTS:
        return LISTS[key](year)
    season = key.removeprefix(RECEIVED).upper()
    if key.startswith(RECEIVED) and re.fullmatch(r"(SS|AW)[0-9]{2}", season):
        return received(season, year)
    return None


def _seasons_sold(session: Session, year: int) -> list[str]:
    return sorted(session.scalars(
        select(Style.season).distinct().join(OverstockDailySales, OverstockDailySales.style_id == Style.id)
        .where(OverstockDailySales.day >= dt.date(year, 1, 1), OverstockDailySales.day < dt.date(year + 1, 1, 1))))


def _net_sold(session: Session, season: str, year: int) -> int:
    """Units of a collection sold in own channels net of customer returns, up to the end of the year."""
    own = [c.value for c in (Channel.STORE, Channel.OUTLET, Channel.RENTAL_SALE)]
    value = session.scalar(
        select(func.sum(OverstockDailySales.sold - OverstockDailySales.returned))
        .join(Style, Style.id == OverstockDailySales.style_id)
        .where(Style.season == season, OverstockDailySales.channel.in_(own),
               OverstockDailySales.day < dt.date(year + 1, 1, 1)))
    return int(value or 0)


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {}
    for key, unit in (("units_sold_own", "garments"), ("units_sold_outlet", "garments")):
        out[key] = counted(session, NAME, key, year, LISTS[key](year), unit)
    own = out["units_sold_own"].value
    keep(out, "outlet_share", measured(NAME, "outlet_share", year, share_pct(out["units_sold_outlet"].value, own),
                                       "pct", "units_sold_outlet"))
    sales = units_sold_own(year).subquery()
    value_cents, full_cents = session.execute(
        select(func.sum(sales.c.price_cents), func.sum(Style.retail_price_cents))
        .select_from(sales).join(Style, Style.style_number == sales.c.style)).one()
    if own:
        keep(out, "value_sold_own", measured(NAME, "value_sold_own", year, int(value_cents or 0) / 100, "eur",
                                             "units_sold_own"))
        if full_cents:
            depth = 100.0 - (share_pct(int(value_cents or 0), int(full_cents)) or 0.0)
            keep(out, "markdown_depth", measured(NAME, "markdown_depth", year, depth, "pct", "units_sold_own"))
    out["units_to_buyers"] = counted(session, NAME, "units_to_buyers", year, units_to_buyers(year), "garments")
    for season in _seasons_sold(session, year):
        received_n = count(session, received(season, year))
        keep(out, SELL_THROUGH + season.lower(),
             measured(NAME, SELL_THROUGH + season.lower(), year, share_pct(_net_sold(session, season, year), received_n),
                      "pct", RECEIVED + season.lower()))
    return out

