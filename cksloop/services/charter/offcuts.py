"""Offcuts section: kilograms of offcuts registered, used and wasted in the year, from the offcut lot
ledger (report section 3: jewellery pouches, toiletry bags and bracelets made in workshops).

Seam: the offcut screens' figure service (services.offcut_figures) can replace ``section``;
workshops and remanufactured products are left out until their records exist.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Location, OffcutLot, OffcutLotEvent
from cksloop.domain.offcuts import OffcutAction
from cksloop.services.charter.figures import Section, counted, keep, measured, year_bounds
from cksloop.services.rental_figures import within

NAME = "offcuts"


def _events(year: int, where: Any) -> Select[Any]:
    return (select(OffcutLotEvent.id.label("event"), OffcutLot.code.label("lot"), OffcutLot.material.label("material"),
                   OffcutLotEvent.action.label("action"), OffcutLotEvent.grams.label("grams"),
                   Location.code.label("location"), OffcutLotEvent.occurred_at.label("occurred_at"))
            .join(OffcutLot, OffcutLot.id == OffcutLotEvent.lot_id)
            .outerjoin(Location, Location.id == OffcutLotEvent.location_id)
            .where(within(OffcutLotEvent.occurred_at, year_bounds(year)), where).order_by(OffcutLotEvent.id))


def lots_registered(year: int) -> Select[Any]:
    """Lots registered in the year (the parts of a split are the same offcuts, not new ones)."""
    return _events(year, (OffcutLotEvent.action == OffcutAction.CREATE.value)
                   & OffcutLotEvent.details["source"]["split_from"].as_string().is_(None))


def used(year: int) -> Select[Any]:
    """Offcuts taken for workshops or products, and leftovers brought back, in the year."""
    return _events(year, OffcutLotEvent.action.in_([OffcutAction.CONSUME.value, OffcutAction.RETURN_LEFTOVER.value]))


def wasted(year: int) -> Select[Any]:
    """Reweighings in the year that found offcuts unusable (the weight lost is waste)."""
    return _events(year, (OffcutLotEvent.action == OffcutAction.REWEIGH.value) & (OffcutLotEvent.grams < 0))


LISTS = {"lots_registered": lots_registered, "kg_used": used, "kg_wasted": wasted}


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    return LISTS[key](year) if key in LISTS else None


def _grams(session: Session, query: Select[Any]) -> int:
    rows = query.subquery()
    return int(session.scalar(select(func.sum(rows.c.grams))) or 0)


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {"lots_registered": counted(session, NAME, "lots_registered", year, lots_registered(year), "lots")}
    if out["lots_registered"].value:
        keep(out, "kg_registered", measured(NAME, "kg_registered", year,
                                            _grams(session, lots_registered(year)) / 1000, "kg", "lots_registered"))
    if session.scalar(select(func.count()).select_from(used(year).subquery())):
        # a consumption lowers the lot (negative grams), a leftover returned raises it again
        keep(out, "kg_used", measured(NAME, "kg_used", year, -_grams(session, used(year)) / 1000, "kg"))
    if session.scalar(select(func.count()).select_from(wasted(year).subquery())):
        keep(out, "kg_wasted", measured(NAME, "kg_wasted", year, -_grams(session, wasted(year)) / 1000, "kg"))
    return out
