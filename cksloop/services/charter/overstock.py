"""Overstock section: units and value sold in own channels versus to buyers, the outlet's share,
markdown depth, and sell-through per collection (report section 3: the outlet system).

Seam: the sales lists are the ledger's sell and ship-to-buyer events; their counts and value, and
sell-through, read the sales rollup's monthly rows (``services.overstock_rollups``), the projection
written with those same events (a test holds each count to its list's length); a year is twelve
whole months. A collection's garments received read the receipts kept per style and month.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, OverstockMonthlySales, Style, StyleMonthlyReceipts
from cksloop.domain.charter import share_pct
from cksloop.domain.lifecycle import Action, LocationKind
from cksloop.domain.overstock_figures import Channel
from cksloop.services.charter.figures import Figure, Section, counted, drill_url, keep, measured, year_bounds
from cksloop.services.rental_figures import within

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


def received_where(season: str, year: int) -> Any:
    """Which garments of a collection were received up to the end of the year."""
    return and_(Garment.style_id.in_(select(Style.id).where(Style.season == season)),
                Garment.received_on < dt.date(year + 1, 1, 1))  # received on a shop day up to the year's end


def received(season: str, year: int) -> Select[Any]:
    """Garments of a collection received up to the end of the year (sell-through's denominator)."""
    return (select(Garment.id.label("garment_id"), Garment.code.label("code"), Style.style_number.label("style"),
                   Garment.state.label("state"))
            .join(Style, Style.id == Garment.style_id).where(received_where(season, year)).order_by(Garment.id))


def received_per_style(session: Session, season: str, year: int) -> dict[int, int]:
    """The ``received`` list counted per style, from the receipts kept per style and month: a year
    ends on a month boundary, so its garments received are the months before it."""
    smr = StyleMonthlyReceipts
    return {style_id: int(n) for style_id, n in session.execute(
        select(smr.style_id, func.sum(smr.units)).join(Style, Style.id == smr.style_id)
        .where(Style.season == season, smr.month < dt.date(year + 1, 1, 1)).group_by(smr.style_id))}


def _sold(session: Session, year: int) -> dict[str, tuple[int, int, int]]:
    """Per channel, the year's sale (and shipment) events counted in the rollup: units, their value
    and that value at full price (cents)."""
    oms = OverstockMonthlySales
    return {channel: (int(n or 0), int(cents or 0), int(full or 0)) for channel, n, cents, full in session.execute(
        select(oms.channel, func.sum(oms.garments_sold), func.sum(oms.garments_sold_cents),
               func.sum(oms.garments_sold * Style.retail_price_cents))
        .join(Style, Style.id == oms.style_id)
        .where(oms.month >= dt.date(year, 1, 1), oms.month < dt.date(year + 1, 1, 1))
        .group_by(oms.channel))}


LISTS = {"units_sold_own": units_sold_own, "units_sold_outlet": units_sold_outlet,
         "units_to_buyers": units_to_buyers}


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    if key in LISTS:
        return LISTS[key](year)
    season = key.removeprefix(RECEIVED).upper()
    if key.startswith(RECEIVED) and re.fullmatch(r"(SS|AW)[0-9]{2}", season):
        return received(season, year)
    return None


def _net_sold(session: Session, year: int) -> dict[str, int]:
    """Per collection with sales (of any channel) in the year: its units sold in own channels net of
    customer returns, up to the end of the year."""
    own = [c.value for c in (Channel.STORE, Channel.OUTLET, Channel.RENTAL_SALE)]
    oms = OverstockMonthlySales
    rows = session.execute(
        select(Style.season, func.sum(case((oms.channel.in_(own), oms.sold - oms.returned), else_=0)),
               func.max(case((oms.month >= dt.date(year, 1, 1), 1), else_=0)))
        .join(Style, Style.id == oms.style_id)
        .where(oms.month < dt.date(year + 1, 1, 1)).group_by(Style.season))
    return {season: int(net or 0) for season, net, sold_in_year in rows if sold_in_year}


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {}
    sold = _sold(session, year)
    # a sale is booked in the store or outlet channel by the kind of its place, as the lists filter it
    outlet = sold.get(Channel.OUTLET.value, (0, 0, 0))
    own, value_cents, full_cents = (a + b for a, b in zip(sold.get(Channel.STORE.value, (0, 0, 0)), outlet))
    out["units_sold_own"] = Figure(own, "garments", drill_url(NAME, "units_sold_own", year))
    out["units_sold_outlet"] = Figure(outlet[0], "garments", drill_url(NAME, "units_sold_outlet", year))
    keep(out, "outlet_share", measured(NAME, "outlet_share", year, share_pct(outlet[0], own),
                                       "pct", "units_sold_outlet"))
    if own:
        keep(out, "value_sold_own", measured(NAME, "value_sold_own", year, value_cents / 100, "eur",
                                             "units_sold_own"))
        if full_cents:
            depth = 100.0 - (share_pct(value_cents, full_cents) or 0.0)
            keep(out, "markdown_depth", measured(NAME, "markdown_depth", year, depth, "pct", "units_sold_own"))
    out["units_to_buyers"] = counted(session, NAME, "units_to_buyers", year, units_to_buyers(year), "garments")
    for season, net in sorted(_net_sold(session, year).items()):
        received_n = sum(received_per_style(session, season, year).values())
        keep(out, SELL_THROUGH + season.lower(),
             measured(NAME, SELL_THROUGH + season.lower(), year, share_pct(net, received_n),
                      "pct", RECEIVED + season.lower()))
    return out

