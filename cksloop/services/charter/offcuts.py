"""Offcuts and workshops section: kilograms of offcuts registered, used and wasted in the year, from the
offcut lot ledger; workshops held and their participants (per store), products made in them by type, and
remanufactured products made and sold (report section 3: jewellery pouches, toiletry bags and bracelets
made in workshops, blazers remanufactured from offcuts).

The workshop and remanufacturing figures are those of ``services.workshop_figures`` (the offcut figures
page): its records give the value and its drill rows the list, so the report and that page agree.
Seam: the offcut screens' figure service (services.offcut_figures) can replace the lot figures.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Location, OffcutLot, OffcutLotEvent
from cksloop.domain.offcut_figures import Period
from cksloop.domain.offcuts import OffcutAction
from cksloop.services import workshop_figures, workshops
from cksloop.services.charter.figures import Figure, Section, counted, drill_url, keep, measured, year_bounds
from cksloop.services.rental_figures import within

NAME = "offcuts"
#: per-store keys end in the store's code in lower case; per-type keys in the product type's key
HELD_PREFIX, PARTICIPANTS_PREFIX, PRODUCTS_PREFIX = "workshops_held_", "participants_", "products_made_"


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


def _records(session: Session, year: int) -> workshop_figures.Records:
    return workshop_figures.records(session, period=Period.year(year), store=None)


def _stores(found: workshop_figures.Records) -> list[str]:
    """The stores whose workshops have entries in the year, by code (a code a URL path cannot carry as it
    is gets no line of its own; its workshops still count in the totals)."""
    return sorted({entry.store for entry, _ in found.entries
                   if entry.store.isascii() and entry.store.replace("-", "").replace("_", "").isalnum()})


def _store_named(found: workshop_figures.Records, suffix: str) -> str | None:
    return next((code for code in _stores(found) if code.lower() == suffix), None)


def _garment_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # the report's drill pages link a ``code`` to the garment
    return [{"code": r["garment"], **{k: v for k, v in r.items() if k != "garment"}} for r in rows]


#: the report's workshop figures → ``workshop_figures``' drill list of the same records
WORKSHOP_LISTS = {"workshops_held": "workshops_held", "participants": "participants",
                  "kg_used_in_workshops": "reused_in_workshops_g", "remanufactured_made": "remanufactured_made",
                  "remanufactured_sold": "remanufactured_sold"}


def _workshop_rows(session: Session, year: int, key: str) -> list[dict[str, Any]] | None:
    """The list behind a workshop or remanufacturing figure, from ``workshop_figures``; None for other keys."""
    period = Period.year(year)
    if key in WORKSHOP_LISTS:
        rows = workshop_figures.rows_of(_records(session, year), period=period, store=None, figure=WORKSHOP_LISTS[key])
        return _garment_rows(rows) if key.startswith("remanufactured_") else rows
    if key == "products_made":
        return workshop_figures.products_of(_records(session, year), store=None)
    if key.startswith(PRODUCTS_PREFIX):
        kind = key.removeprefix(PRODUCTS_PREFIX)
        if kind not in workshops.product_types(session):
            return None
        return workshop_figures.products_of(_records(session, year), store=None, product_type=kind)
    for prefix, figure in ((HELD_PREFIX, "workshops_held"), (PARTICIPANTS_PREFIX, "participants")):
        if key.startswith(prefix):
            found = _records(session, year)
            store = _store_named(found, key.removeprefix(prefix))
            return None if store is None else workshop_figures.rows_of(found, period=period, store=store,
                                                                       figure=figure)
    return None


def drill(session: Session, year: int, key: str) -> Select[Any] | list[dict[str, Any]] | None:
    return LISTS[key](year) if key in LISTS else _workshop_rows(session, year, key)


def _grams(session: Session, query: Select[Any]) -> int:
    rows = query.subquery()
    return int(session.scalar(select(func.sum(rows.c.grams))) or 0)


def _listed(key: str, year: int, value: int, unit: str) -> Figure:
    """A counted figure whose list is ``workshop_figures``' rows for the same records (the test proves equal)."""
    return Figure(value, unit, drill_url(NAME, key, year))


def _workshops(session: Session, year: int, out: Section) -> None:
    found = _records(session, year)
    period = Period.year(year)
    totals = workshop_figures.figures_of(found, period=period, store=None)
    out["workshops_held"] = _listed("workshops_held", year, totals.workshops_held, "workshops")
    if found.entries:
        keep(out, "participants", measured(NAME, "participants", year, totals.participants, "participants"))
        for store in _stores(found):
            mine = workshop_figures.figures_of(found, period=period, store=store)
            suffix = store.lower()
            out[HELD_PREFIX + suffix] = _listed(HELD_PREFIX + suffix, year, mine.workshops_held, "workshops")
            keep(out, PARTICIPANTS_PREFIX + suffix, measured(NAME, PARTICIPANTS_PREFIX + suffix, year,
                                                             mine.participants, "participants"))
    out["products_made"] = _listed("products_made", year, totals.products_made, "products")
    for kind, quantity in totals.products_by_type.items():
        out[PRODUCTS_PREFIX + kind] = _listed(PRODUCTS_PREFIX + kind, year, quantity, "products")
    if found.entries:
        keep(out, "kg_used_in_workshops", measured(NAME, "kg_used_in_workshops", year,
                                                   totals.reused_in_workshops_g / 1000, "kg"))
    out["remanufactured_made"] = _listed("remanufactured_made", year, totals.remanufactured_made, "garments")
    out["remanufactured_sold"] = _listed("remanufactured_sold", year, totals.remanufactured_sold, "garments")


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
    _workshops(session, year, out)
    return out
