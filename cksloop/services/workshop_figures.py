"""Workshop, offcut and remanufacturing figures per period and store, each with its drill list (issue 15).

One read per kind of record, filtered to the period and store once; the domain counts those
records (``domain.offcut_figures``) and the drill lists show the very same records, so a figure
and its list can never disagree. The charter report (issue 16) calls ``figures``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cksloop.db.models import (Garment, GarmentEvent, GarmentExit, Location, OffcutLot, OffcutLotEvent,
                               RemanufacturedGarment, User, Workshop, WorkshopEntry)
from cksloop.domain import offcut_figures as rules
from cksloop.domain.clock import local_date, start_of_local_day
from cksloop.domain.lifecycle import Action, RetireRoute
from cksloop.domain.offcut_figures import LotEvent, OffcutFigures, Period, RemanufacturedGarment as Made, RetiredGarment
from cksloop.domain.offcuts import OffcutAction
from cksloop.domain.workshop_logs import EntryKind
from cksloop.services import offcut_lots
from cksloop.services.workshops import workshop_of, entry_of

#: the figures that have a drill list, in the order the page shows them
FIGURES = ("workshops_held", "participants", "products_made", "reused_in_workshops_g", "reused_by_partners_g",
           "wasted_g", "garments_retired_into_offcuts", "remanufactured_made", "remanufactured_sold")


@dataclass(frozen=True)
class Records:
    """The period's records for the store, as the figures and their drill lists both read them."""

    entries: list[tuple[Any, Any]]  # (domain entry, row facts: theme, starts_at, organiser name)
    lot_events: list[tuple[LotEvent, str]]  # (event, lot code)
    retired: list[RetiredGarment]
    remanufactured: list[Made]


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    return start_of_local_day(period.start), start_of_local_day(period.end)


def _here(location: str | None, store: str | None) -> bool:
    return store is None or location == store


def records(session: Session, *, period: Period, store: str | None) -> Records:
    start, end = _bounds(period)
    rows = session.execute(
        select(WorkshopEntry, Workshop, User.name).join(Workshop, WorkshopEntry.workshop_id == Workshop.id)
        .outerjoin(User, Workshop.organiser_id == User.id)
        .where(Workshop.starts_at >= start, Workshop.starts_at < end)
        .order_by(Workshop.starts_at, WorkshopEntry.workshop_id, WorkshopEntry.seq)).all()
    entries = []
    for entry_row, workshop_row, organiser in rows:
        entry = entry_of(entry_row, workshop_of(workshop_row))
        if entry.held_on in period and _here(entry.store, store):
            entries.append((entry, {"theme": workshop_row.theme, "starts_at": workshop_row.starts_at,
                                    "organiser": organiser}))
    _, _, codes = offcut_lots._places(session)  # noqa: SLF001
    events = session.execute(
        select(OffcutLotEvent, OffcutLot.code).join(OffcutLot, OffcutLotEvent.lot_id == OffcutLot.id)
        .where(OffcutLotEvent.occurred_at >= start, OffcutLotEvent.occurred_at < end,
               OffcutLotEvent.action.in_([OffcutAction.CONSUME.value, OffcutAction.RETURN_LEFTOVER.value,
                                          OffcutAction.REWEIGH.value]))
        .order_by(OffcutLotEvent.id)).all()
    lot_events = []
    for event, code in events:
        change = offcut_lots.change_of(event, codes.get(event.location_id))
        if _here(change.location, store) and (change.action is OffcutAction.REWEIGH
                                              or (change.consumer or "").startswith("project:")):
            lot_events.append((LotEvent(change, local_date(event.occurred_at)), code))
    place = aliased(Location)
    # the retire action's exits into offcuts (services.garment_exits), not every retirement's details;
    # each code looked up by its key (a join let PostgreSQL scan every garment of the chain for them)
    code_of = select(Garment.code).where(Garment.id == GarmentExit.garment_id).scalar_subquery()
    retired = [RetiredGarment(code, local_date(at), loc) for code, at, loc in session.execute(
        select(code_of, GarmentExit.occurred_at, place.code)
        .select_from(GarmentExit).outerjoin(place, GarmentExit.location_id == place.id)
        .where(GarmentExit.action == Action.RETIRE, GarmentExit.route == RetireRoute.OFFCUTS.value,
               GarmentExit.occurred_at >= start, GarmentExit.occurred_at < end).order_by(GarmentExit.event_id)).all()]
    retired = [g for g in retired if g.retired_on in period and _here(g.location, store)]
    return Records(entries, lot_events, retired, _remanufactured(session, period=period, store=store))


def _remanufactured(session: Session, *, period: Period, store: str | None) -> list[Made]:
    """One record per remanufactured garment: made in the period, or sold in it (a garment sold, taken back
    and sold again is still one garment; its sale is the first in the period, else its latest)."""
    received, sold = aliased(Location), aliased(Location)
    sale = aliased(GarmentEvent)
    first = aliased(GarmentEvent)
    rows = session.execute(
        select(Garment.code, RemanufacturedGarment.made_at, received.code, sale.occurred_at, sold.code)
        .join(Garment, RemanufacturedGarment.garment_id == Garment.id)
        .join(first, (first.garment_id == Garment.id) & (first.seq == 1))
        .outerjoin(received, first.location_id == received.id)
        .outerjoin(sale, (sale.garment_id == Garment.id) & (sale.action == Action.SELL))
        # ordered by the remanufactured table's own key: ordering by the garment's id made SQLite walk
        # every garment of the chain to skip a sort of a few rows
        .outerjoin(sold, sale.location_id == sold.id).order_by(RemanufacturedGarment.garment_id, sale.seq)).all()
    by_code: dict[str, list[Made]] = {}
    for code, at, where, sold_at, sold_where in rows:
        by_code.setdefault(code, []).append(
            Made(code, local_date(at), where, local_date(sold_at) if sold_at else None, sold_where))
    made = []
    for sales in by_code.values():
        here = [g for g in sales if g.sold_on is not None and g.sold_on in period and _here(g.sold_at, store)]
        made.append(here[0] if here else sales[-1])
    return [g for g in made if (g.made_on in period and _here(g.received_at, store))
            or (g.sold_on is not None and g.sold_on in period and _here(g.sold_at, store))]


def figures(session: Session, *, period: Period, store: str | None) -> OffcutFigures:
    """Every offcut figure of ``period`` for ``store`` (None: all stores and places)."""
    return figures_of(records(session, period=period, store=store), period=period, store=store)


def figures_of(found: Records, *, period: Period, store: str | None) -> OffcutFigures:
    """``figures`` on records already read: those of ``store``, or of all stores to pick a store's workshops
    from (a remanufactured garment sold twice in the period carries the sale the records were read for)."""
    return rules.offcut_figures(period=period, store=store, workshop_entries=[e for e, _ in found.entries],
                                lot_events=[e for e, _ in found.lot_events], retired=found.retired,
                                remanufactured=found.remanufactured)


def by_organiser(session: Session, *, period: Period, store: str | None) -> list[tuple[str, int]]:
    """(organiser's name, workshops held) in the period, most first."""
    found = records(session, period=period, store=store)
    names = {e.organiser: facts["organiser"] for e, facts in found.entries}
    counts = rules.workshops_by_organiser([e for e, _ in found.entries], period=period, store=store)
    return sorted(((names.get(o) or "—", n) for o, n in counts.items()), key=lambda p: (-p[1], p[0]))


def drill(session: Session, *, period: Period, store: str | None, figure: str) -> list[dict[str, Any]]:
    """The records behind one figure, as rows (the same records ``figures`` counted)."""
    return rows_of(records(session, period=period, store=store), period=period, store=store, figure=figure)


def rows_of(found: Records, *, period: Period, store: str | None, figure: str) -> list[dict[str, Any]]:
    """``drill`` on records already read (those of ``store``, or of all stores to pick ``store`` from)."""
    if figure in ("workshops_held", "participants", "products_made", "reused_in_workshops_g"):
        rows = []
        for entry, facts in found.entries:
            if (figure == "workshops_held" and entry.kind is not EntryKind.LOG) or not _here(entry.store, store):
                continue
            rows.append({"workshop": entry.workshop_id, "kind": entry.kind.value, "store": entry.store,
                         "held_on": entry.held_on.isoformat(), "theme": facts["theme"],
                         "organiser": facts["organiser"] or "", "participants": entry.participants,
                         "products": sum(q for _, q in entry.products),
                         "grams": sum(u.net_g for u in entry.lots)})
        return rows
    if figure in ("reused_by_partners_g", "wasted_g"):
        wanted = OffcutAction.REWEIGH if figure == "wasted_g" else None
        return [{"lot": code, "on": e.on.isoformat(), "location": e.change.location or "",
                 "action": e.change.action.value,
                 "grams": e.change.waste_g if wanted else e.change.consumed_g}
                for e, code in found.lot_events if (e.change.action is OffcutAction.REWEIGH) == bool(wanted)
                and (e.change.waste_g if wanted else e.change.consumed_g) and _here(e.change.location, store)]
    if figure == "garments_retired_into_offcuts":
        return [{"garment": g.code, "on": g.retired_on.isoformat(), "location": g.location or ""}
                for g in found.retired if _here(g.location, store)]
    if figure == "remanufactured_made":
        return [{"garment": g.code, "on": g.made_on.isoformat(), "location": g.received_at or ""}
                for g in found.remanufactured if g.made_on in period and _here(g.received_at, store)]
    if figure == "remanufactured_sold":
        return [{"garment": g.code, "on": g.sold_on.isoformat(), "location": g.sold_at or ""}
                for g in found.remanufactured
                if g.sold_on is not None and g.sold_on in period and _here(g.sold_at, store)]
    raise ValueError(figure)


def products_of(found: Records, *, store: str | None, product_type: str | None = None) -> list[dict[str, Any]]:
    """One row per product made in the records' workshops (of ``product_type``, if given), so the list is as
    long as ``products_by_type`` counts: each workshop's quantities net of its corrections."""
    made: dict[tuple[int, str], int] = {}
    facts_of: dict[int, tuple[Any, Any]] = {}
    for entry, facts in found.entries:
        if not _here(entry.store, store):
            continue
        facts_of.setdefault(entry.workshop_id, (entry, facts))
        for key, quantity in entry.products:
            if product_type is None or key == product_type:
                made[(entry.workshop_id, key)] = made.get((entry.workshop_id, key), 0) + quantity
    rows = []
    for (workshop_id, key), quantity in made.items():
        entry, facts = facts_of[workshop_id]
        rows += [{"workshop": workshop_id, "store": entry.store, "held_on": entry.held_on.isoformat(),
                  "theme": facts["theme"], "type": key, "product": n}
                 for n in range(1, quantity + 1)]
    return rows
