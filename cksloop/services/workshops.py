"""Use cases on workshops: plan one, list them, log a held one (with its lots' consume events) or correct it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cksloop.db.models import Location, OffcutLot, User, Workshop, WorkshopEntry, WorkshopProductType
from cksloop.db.session import begin_write
from cksloop.domain import workshop_logs, workshops as rules
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import lot_code_in
from cksloop.domain.offcuts import LotSnapshot, apply
from cksloop.domain.workshop_logs import AlreadyLogged, EntryKind, LotUse
from cksloop.services import defect_photos, ledger, offcut_lots, streams

MAX_LIST = 500
MAX_PHOTOS = 6


# --- product types ------------------------------------------------------------------------------

def product_types(session: Session) -> dict[str, rules.ProductType]:
    """The built-in product types and those an admin added, by key."""
    added = session.execute(select(WorkshopProductType.key, WorkshopProductType.name,
                                   WorkshopProductType.typical_use_g)).all()
    return {**rules.BUILTIN_PRODUCT_TYPES, **{k: rules.ProductType(k, n, g) for k, n, g in added}}


def add_product_type(session: Session, *, key: Any, name: Any, typical_use_g: Any, now: dt.datetime) -> rules.ProductType:
    """Add a product type with its typical material use; InvalidDetails when a field is wrong."""
    begin_write(session)
    kind = rules.define_product_type(key=key, name=name, typical_use_g=typical_use_g, existing=product_types(session))
    session.add(WorkshopProductType(key=kind.key, name=kind.name, typical_use_g=kind.typical_use_g, created_at=now))
    session.commit()
    return kind


# --- planning and reading -----------------------------------------------------------------------

def _open_places(session: Session) -> dict[str, Any]:
    places, _, _ = offcut_lots._places(session)  # noqa: SLF001 - the one reader of open locations
    return places


def organiser_ids(session: Session) -> frozenset[int]:
    return frozenset(session.scalars(select(User.id).where(User.role == Role.WORKSHOP_ORGANISER,
                                                           User.active.is_(True))))


def workshop_dict(row: Workshop, *, logged: bool | None = None) -> dict[str, Any]:
    """A workshop as the API and the pages read it (no participant is ever named)."""
    return {"id": row.id, "store": row.store.code, "store_name": row.store.name,
            "starts_at": row.starts_at.astimezone(dt.UTC).isoformat(), "theme": row.theme,
            "capacity": row.capacity, "organiser": row.organiser_id,
            "logged": row.version > 0 if logged is None else logged}


def plan(session: Session, *, store: Any, starts_at: Any, theme: Any, capacity: Any, organiser: Any,
         actor: User, now: dt.datetime) -> dict[str, Any]:
    """Plan a workshop; an organiser who plans one organises it unless another is named.

    Raises InvalidDetails naming each wrong field (nothing written).
    """
    begin_write(session)
    if organiser in (None, "") and actor.role is Role.WORKSHOP_ORGANISER:
        organiser = actor.id
    errors: dict[str, str] = {}
    if organiser in (None, ""):
        organiser = None
    elif isinstance(organiser, str) and organiser.strip().isdigit():
        organiser = int(organiser)
    elif isinstance(organiser, bool) or not isinstance(organiser, int):
        errors["organiser"] = N_("No such workshop organiser.")
        organiser = None
    try:
        planned = rules.plan_workshop(store=store, starts_at=starts_at, theme=theme, capacity=capacity,
                                      organiser=organiser, places=_open_places(session),
                                      organisers=organiser_ids(session))
    except InvalidDetails as refused:
        refused.field_errors.update(errors)
        raise
    if errors:
        raise InvalidDetails(errors)
    store_id = session.scalar(select(Location.id).where(Location.code == planned.store))
    row = Workshop(store_id=store_id, starts_at=planned.starts_at, theme=planned.theme, capacity=planned.capacity,
                   organiser_id=planned.organiser, version=0, created_at=now)
    session.add(row)
    session.commit()
    return workshop_dict(row)


def get(session: Session, workshop_id: int) -> Workshop:
    row = session.get(Workshop, workshop_id, populate_existing=True) if 0 < workshop_id < 2**31 else None
    if row is None:
        raise NotFound(N_("No workshop with number %(id)s."), id=workshop_id)
    return row


def list_workshops(session: Session, *, store: str | None = None, start: dt.datetime | None = None,
                   end: dt.datetime | None = None, organiser: int | None = None,
                   limit: int = MAX_LIST) -> list[dict[str, Any]]:
    """Workshops starting in [start, end) (in ``store``), soonest first."""
    query = select(Workshop).join(Location, Workshop.store_id == Location.id)
    if store:
        query = query.where(Location.code == store)
    if start is not None:
        query = query.where(Workshop.starts_at >= start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    if organiser is not None:
        query = query.where(Workshop.organiser_id == organiser)
    rows = session.scalars(query.order_by(Workshop.starts_at, Workshop.id).limit(limit)).all()
    return [workshop_dict(r) for r in rows]


def workshop_of(row: Workshop) -> rules.Workshop:
    return rules.Workshop(row.id, row.store.code, row.starts_at.astimezone(dt.UTC), row.theme, row.capacity,
                          row.organiser_id)


def entry_of(row: WorkshopEntry, workshop: rules.Workshop) -> workshop_logs.WorkshopEntry:
    return workshop_logs.WorkshopEntry(
        row.workshop_id, EntryKind(row.kind), workshop.store, workshop.held_on, workshop.organiser,
        row.participants, tuple((p["type"], p["quantity"]) for p in row.products),
        tuple(LotUse(u["code"], u["consumed_g"], u.get("returned_g", 0)) for u in row.lots), row.note)


def entries(session: Session, workshop: Workshop) -> list[WorkshopEntry]:
    return list(session.scalars(select(WorkshopEntry).where(WorkshopEntry.workshop_id == workshop.id)
                                .order_by(WorkshopEntry.seq)))


def codes_in(raw: Any) -> set[str]:
    found = set()
    for item in raw if isinstance(raw, list) else []:
        code = lot_code_in(item.get("code")) if isinstance(item, dict) else None
        if code:
            found.add(code)
    return found


def read_lots(session: Session, codes: Iterable[str]) -> dict[str, tuple[int, LotSnapshot]]:
    rows = session.scalars(select(OffcutLot).where(OffcutLot.code.in_(sorted(set(codes))))
                           .execution_options(populate_existing=True)).all()
    return {r.code: (r.id, offcut_lots.snapshot_of(r, r.location.code if r.location else None)) for r in rows}


def lot_decisions(steps: Sequence[Any], lots: dict[str, tuple[int, LotSnapshot]], *, actor_id: int,
               now: dt.datetime, location_ids: dict[str, int]) -> list[ledger.Decision]:
    """Each lot's changes as ledger decisions, one after another on the same lot's versions."""
    decisions = []
    for step in steps:
        lot_id, snapshot = lots[step.code]
        for change in step.changes:
            decisions.append(offcut_lots.decision_for(lot_id, snapshot, replace(change, lot=step.code),
                                                      actor_id=actor_id, now=now, location_ids=location_ids))
            snapshot = apply(snapshot, replace(change, lot=step.code))
    return decisions


def _check_photos(photos: Sequence[bytes]) -> list[defect_photos.CheckedPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise InvalidDetails({"photos": N_("At most 6 photos.")})
    checked = []
    for raw in photos:
        try:
            checked.append(defect_photos.check(raw))
        except defect_photos.PhotoRefused as refused:
            raise InvalidDetails({"photos": refused.reason}) from None
    return checked


def _write_entry(session: Session, *, workshop: Workshop, seen: int, entry: workshop_logs.WorkshopEntry,
                 actor_id: int, now: dt.datetime, photos: list[str]) -> Any:
    """The rows the lot events name, written first under the write lock: the workshop's
    compare-and-set (a second log of the same workshop loses here) and its entry."""
    def first(s: Session) -> None:
        table = Workshop.__table__  # plain Core: no ORM bookkeeping while the write lock is held
        moved = s.execute(update(table).where(table.c.id == workshop.id, table.c.version == seen)
                          .values(version=seen + 1)).rowcount != 1
        if moved:
            raise AlreadyLogged() if entry.kind is EntryKind.LOG else InvalidDetails(
                {"workshop": N_("Someone else changed this workshop meanwhile: look again and retry.")})
        s.execute(insert(WorkshopEntry.__table__), {
            "workshop_id": workshop.id, "seq": seen + 1, "kind": entry.kind.value, "participants": entry.participants,
            "products": [{"type": k, "quantity": q} for k, q in entry.products],
            "lots": [{"code": u.code, "consumed_g": u.consumed_g, "returned_g": u.returned_g} for u in entry.lots],
            "note": entry.note, "photos": photos, "actor_id": actor_id, "recorded_at": now})
    return first


def log(session: Session, *, workshop_id: int, participants: Any, products: Any, lots: Any,
        leftovers: Any = None, confirmed: bool = False, photos: Sequence[bytes] = (), actor: User,
        now: dt.datetime, upload_dir: str | None = None) -> dict[str, Any]:
    """Log a held workshop: its entry and every lot's ``consume`` / ``return_leftover`` events in one
    transaction, or nothing. Answers the workshop's log with the lots as they are afterwards.

    Raises NotFound, WorkshopNotStarted, AlreadyLogged, ConfirmationRequired (more participants than
    places, until ``confirmed``), InsufficientOffcut (naming the lot and its remaining grams),
    NotPermitted, InvalidDetails, or VersionConflict when lots keep moving under it.
    """
    checked = _check_photos(photos)
    actor_id = actor.id

    def decide() -> ledger.Plan[dict[str, Any]]:
        row = get(session, workshop_id)
        workshop = workshop_of(row)
        earlier = [entry_of(e, workshop) for e in entries(session, row)]
        found = read_lots(session, codes_in(lots) | codes_in(leftovers))
        ctx, location_ids = offcut_lots.context(session, actor=actor, now=now)
        logged = workshop_logs.log_workshop(
            workshop=workshop, participants=participants, products=products, lots=lots, leftovers=leftovers,
            product_types=product_types(session), snapshots={c: s for c, (_, s) in found.items()},
            entries=earlier, ctx=ctx, now=now, confirmed=confirmed)
        decisions = lot_decisions(logged.lot_steps, found, actor_id=actor_id, now=now, location_ids=location_ids)
        first = _write_entry(session, workshop=row, seen=row.version, entry=logged.entry, actor_id=actor_id,
                             now=now, photos=names)
        return ledger.Plan(decisions, answer=lambda _: log_dict(session, workshop_id), first=first)

    # photos are stored before the write and removed again when it writes nothing
    names = [defect_photos.store(p, upload_dir=upload_dir) for p in checked] if upload_dir else []
    try:
        return ledger.run(session, stream=streams.OFFCUT_LOTS, plan=decide, actor_id=actor_id, now=now,
                          redecide=2, conflict=lambda d: offcut_lots._conflict(  # noqa: SLF001
                              session, lot_id=d.aggregate_id, expected=d.seen_version))
    except BaseException:
        for name in names:
            defect_photos.remove(name, upload_dir=upload_dir or "")
        raise


def correct(session: Session, *, workshop_id: int, participants: Any, products: Any, lots: Any, note: Any,
            confirmed: bool = False, actor: User, now: dt.datetime) -> dict[str, Any]:
    """Record a compensating entry that brings a logged workshop to the corrected figures given
    (the whole corrected log); lots used more get ``consume``, lots used less ``return_leftover``.
    History is never edited. Raises as ``log`` does, and InvalidDetails when nothing differs."""
    actor_id = actor.id

    def decide() -> ledger.Plan[dict[str, Any]]:
        row = get(session, workshop_id)
        workshop = workshop_of(row)
        earlier = [entry_of(e, workshop) for e in entries(session, row)]
        used = {u.code for e in earlier for u in e.lots}
        found = read_lots(session, codes_in(lots) | used)
        ctx, location_ids = offcut_lots.context(session, actor=actor, now=now)
        corrected = workshop_logs.correct_workshop(
            workshop=workshop, participants=participants, products=products, lots=lots, note=note,
            product_types=product_types(session), snapshots={c: s for c, (_, s) in found.items()},
            entries=earlier, ctx=ctx, confirmed=confirmed)
        decisions = lot_decisions(corrected.lot_steps, found, actor_id=actor_id, now=now, location_ids=location_ids)
        first = _write_entry(session, workshop=row, seen=row.version, entry=corrected.entry, actor_id=actor_id,
                             now=now, photos=[])
        return ledger.Plan(decisions, answer=lambda _: log_dict(session, workshop_id), first=first)

    return ledger.run(session, stream=streams.OFFCUT_LOTS, plan=decide, actor_id=actor_id, now=now, redecide=2,
                      conflict=lambda d: offcut_lots._conflict(  # noqa: SLF001
                          session, lot_id=d.aggregate_id, expected=d.seen_version))


def log_dict(session: Session, workshop_id: int) -> dict[str, Any]:
    """A workshop with its totals over all entries and the lots it used as they are now."""
    row = get(session, workshop_id)
    workshop = workshop_of(row)
    rows = entries(session, row)
    participants, made, grams = workshop_logs.totals([entry_of(e, workshop) for e in rows])
    found = read_lots(session, grams)
    return {**workshop_dict(row), "participants": participants,
            "products": [{"type": k, "quantity": q} for k, q in made.items()],
            "lots": [{"code": code, "grams": net, "remaining_g": found[code][1].remaining_g if code in found else None}
                     for code, net in sorted(grams.items())],
            "entries": [{"seq": e.seq, "kind": e.kind, "participants": e.participants, "products": e.products,
                         "lots": e.lots, "note": e.note, "recorded_at": e.recorded_at.astimezone(dt.UTC).isoformat()}
                        for e in rows]}
