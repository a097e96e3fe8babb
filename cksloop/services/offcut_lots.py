"""Use cases on offcut lots: register one, act on it through the ledger, read and list them, check the replay."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Location, OffcutLot, OffcutLotEvent, User
from cksloop.domain import offcuts
from cksloop.domain.clock import local_date
from cksloop.domain.errors import NotFound, VersionConflict
from cksloop.domain.lifecycle import Place
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import format_lot_code, is_lot_code
from cksloop.domain.offcuts import LotChange, LotContext, LotSnapshot, OffcutAction
from cksloop.services import ledger, offcut_sources, streams

#: the stand-in code a new lot is decided with on the plain read; the real one is allocated under the lock
_PROVISIONAL_CODE = "CKSR-00000"
#: how often a create retries when another writer took the same new code (PostgreSQL only)
_CODE_RETRIES = 3
MAX_PER_PAGE = 200


def _places(session: Session) -> tuple[dict[str, Place], dict[str, int], dict[int, str]]:
    """Open locations as the rules see them (a closed one is left out: nothing moves there),
    and the code ↔ id maps of every location."""
    rows = session.execute(select(Location.id, Location.code, Location.kind, Location.city, Location.active)).all()
    return ({code: Place(code, kind, city) for _, code, kind, city, active in rows if active},
            {code: id_ for id_, code, *_ in rows}, {id_: code for id_, code, *_ in rows})


def context(session: Session, *, actor: User, now: dt.datetime) -> tuple[LotContext, dict[str, int]]:
    """What the lot rules need besides the lot (workshops and projects come with their tables)."""
    places, ids, _ = _places(session)
    return LotContext(actor_role=actor.role, today=local_date(now), places=places), ids


def snapshot_of(lot: Any, location_code: str | None) -> LotSnapshot:
    """A lot row (or a row read with the same columns) as the domain's snapshot."""
    return LotSnapshot(code=lot.code, version=lot.version, location=location_code,
                       weight_in_g=lot.weight_in_g, split_out_g=lot.split_out_g, consumed_g=lot.consumed_g,
                       waste_g=lot.waste_g, remaining_g=lot.remaining_g,
                       consumed_by=MappingProxyType(dict(lot.consumed_by or {})))


def decision_for(lot_id: int, snapshot: LotSnapshot, change: LotChange, *, actor_id: int | None,
                 now: dt.datetime, location_ids: dict[str, int]) -> ledger.Decision:
    """The ledger decision recording ``change`` on the lot as read (``snapshot``)."""
    after = offcuts.apply(snapshot, change)
    location_id = location_ids.get(after.location) if after.location else None
    return ledger.Decision(
        aggregate_id=lot_id, seen_version=snapshot.version,
        values={"location_id": location_id, "weight_in_g": after.weight_in_g, "split_out_g": after.split_out_g,
                "consumed_g": after.consumed_g, "waste_g": after.waste_g, "remaining_g": after.remaining_g,
                "consumed_by": dict(after.consumed_by)},
        event={"action": change.action.value, "details": dict(change.details), "grams": change.remaining_delta_g,
               "location_id": location_id, "actor_id": actor_id, "occurred_at": now},
        change=change, subject=change.lot)


def change_of(event: Any, location_code: str | None) -> LotChange:
    """A stored lot event as the domain's change (its gram deltas follow from action and details)."""
    action, d = OffcutAction(event.action), dict(event.details or {})
    deltas: dict[str, Any] = {}
    if action is OffcutAction.CREATE:
        deltas["weight_in_g"] = d["weight_g"]
    elif action is OffcutAction.SPLIT:
        deltas["split_out_g"] = sum(d["parts_g"])
    elif action is OffcutAction.REWEIGH:
        deltas["waste_g"] = d["waste_g"]
    elif action is OffcutAction.CONSUME:
        deltas.update(consumed_g=d["grams"], consumer=offcuts.consumer_key(d))
    elif action is OffcutAction.RETURN_LEFTOVER:
        deltas.update(consumed_g=-d["grams"], consumer=offcuts.consumer_key(d))
    return LotChange(action, "", location_code, d, **deltas)


def _next_number(session: Session) -> int:
    # codes are allocated in order and zero-padded: the longest, then highest, code is the last
    last = session.scalar(select(OffcutLot.code).order_by(func.length(OffcutLot.code).desc(),
                                                          OffcutLot.code.desc()).limit(1))
    digits = last.removeprefix("CKSR-") if last else "0"
    return int(digits) + 1 if digits.isdigit() else 1


def _create_lots(session: Session, *, count: int, make: Callable[[list[str]], list[LotChange]],
                 actor_id: int | None, now: dt.datetime, location_ids: dict[str, int]) -> list[str]:
    """Allocate ``count`` new codes, insert the lots at version 0 and record their ``create`` events,
    in the open write transaction (the rows are new: nobody else can race their versions)."""
    first = _next_number(session)
    codes = [format_lot_code(first + i) for i in range(count)]
    decisions = []
    for change in make(codes):
        d = change.details
        lot_id = session.execute(insert(OffcutLot).returning(OffcutLot.id), {
            "code": change.lot, "version": 0, "location_id": None, "material": d["material"],
            "composition": list(d.get("composition") or []), "colour": d["colour"], "area_m2": d.get("area_m2"),
            "weight_in_g": 0, "split_out_g": 0, "consumed_g": 0, "waste_g": 0, "remaining_g": 0,
            "consumed_by": {}, "source": dict(d.get("source") or {}), "created_at": now}).scalar_one()
        decisions.append(decision_for(lot_id, LotSnapshot(), change, actor_id=actor_id, now=now,
                                      location_ids=location_ids))
    ledger.record(session, stream=streams.OFFCUT_LOTS, decisions=decisions, actor_id=actor_id, now=now)
    return codes


def create(session: Session, *, details: dict[str, Any], actor: User, now: dt.datetime,
           idempotency_key: str | None = None) -> dict[str, Any]:
    """Register a lot (its ``create`` event) under the next CKSR code; the lot as ``lot_dict`` answers.

    Garments named in ``source.garments`` are retired into the lot (route offcuts) in the same
    transaction, so their ledgers point to it. Raises NotPermitted or InvalidDetails (nothing
    written); with ``idempotency_key`` a retry
    answers the first answer and writes nothing.
    """
    idempotency = ledger.Idempotency(actor.id, idempotency_key, ledger.fingerprint(
        "offcut_lot_create", details=details)) if idempotency_key else None
    actor_id = actor.id
    for attempt in range(_CODE_RETRIES):
        if (stored := ledger.stored_answer(session, idempotency)) is not None:
            return stored
        ctx, location_ids = context(session, actor=actor, now=now)
        given = {k: v for k, v in details.items() if k != "code"}  # cksloop allocates the code
        change = offcuts.decide(LotSnapshot(), OffcutAction.CREATE, {**given, "code": _PROVISIONAL_CODE}, ctx)
        # garments named as the source are retired into the new lot, so their ledgers point to it
        retiring = offcut_sources.garments_to_retire(
            session, codes=change.details["source"]["garments"], actor=actor) \
            if change.details.get("source", {}).get("garments") else []
        made: list[str] = []

        def extra(s: Session, _: list[ledger.Recorded], change: LotChange = change, made: list[str] = made,
                  retiring: list[str] = retiring) -> None:
            made.extend(_create_lots(s, count=1, make=lambda codes: [replace(change, lot=codes[0])],
                                     actor_id=actor_id, now=now, location_ids=location_ids))
            offcut_sources.retire_into(s, lot_code=made[0], codes=retiring, actor=actor, now=now)

        plan = ledger.Plan[dict[str, Any]]([], answer=lambda _, made=made: lot_dict(session, made[0]), extra=extra)
        try:
            return ledger.write(session, stream=streams.OFFCUT_LOTS, plan=plan, actor_id=actor_id, now=now,
                                idempotency=idempotency)
        except IntegrityError:
            # another writer took the same code, or the same key won: read again and retry
            session.rollback()
            if attempt == _CODE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def get_lot(session: Session, code: str) -> OffcutLot:
    """The lot with ``code`` as stored now; NotFound otherwise."""
    lot = session.scalar(select(OffcutLot).where(OffcutLot.code == code)
                         .execution_options(populate_existing=True)) if is_lot_code(code) else None
    if lot is None:
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code)
    return lot


def _conflict(session: Session, *, lot_id: int, expected: int) -> VersionConflict:
    session.rollback()
    current = session.get(OffcutLot, lot_id, populate_existing=True)
    assert current is not None
    return VersionConflict(expected=expected, current=current.version,
                           state="open" if current.remaining_g else "used_up", allowed=_allowed(current.remaining_g))


def _allowed(remaining_g: int) -> list[str]:
    actions = [OffcutAction.CONSUME, OffcutAction.SPLIT, OffcutAction.MOVE, OffcutAction.REWEIGH] if remaining_g else []
    return [a.value for a in actions + [OffcutAction.RETURN_LEFTOVER]]


def act(session: Session, *, code: str, action: OffcutAction | str, details: dict[str, Any], actor: User,
        now: dt.datetime, expected_version: int | None = None,
        idempotency_key: str | None = None) -> dict[str, Any]:
    """Take ``action`` on lot ``code`` (split, move, reweigh, consume, return_leftover) and commit once.

    The answer is the lot as ``lot_dict`` (a split adds ``new_lots``: the codes of its parts).
    Raises NotFound, NotPermitted, InvalidDetails, InsufficientOffcut, LotActionNotPossible,
    VersionConflict (``expected_version`` is stale, or someone else wrote first) and
    IdempotencyKeyReused. Without ``expected_version`` a write that lost a race decides again on
    the new balance (so the loser of a race for the last grams hears how much is left).
    """
    actor_id = actor.id
    idempotency = ledger.Idempotency(actor_id, idempotency_key, ledger.fingerprint(
        "offcut_lot_action", action=str(action), code=code, details=details, v=expected_version)) \
        if idempotency_key else None

    def plan() -> ledger.Plan[dict[str, Any]]:
        lot = get_lot(session, code)
        if expected_version is not None and expected_version != lot.version:
            raise VersionConflict(expected=expected_version, current=lot.version,
                                  state="open" if lot.remaining_g else "used_up", allowed=_allowed(lot.remaining_g))
        ctx, location_ids = context(session, actor=actor, now=now)
        snapshot = snapshot_of(lot, lot.location.code if lot.location else None)
        change = offcuts.decide(snapshot, action, details, ctx)
        decision = decision_for(lot.id, snapshot, change, actor_id=actor_id, now=now, location_ids=location_ids)
        material = {"material": lot.material, "colour": lot.colour, "composition": lot.composition}
        made: list[str] = []
        extra = None
        if change.action is OffcutAction.SPLIT:
            def extra(s: Session, _: list[ledger.Recorded]) -> None:
                made.extend(_create_lots(
                    s, count=len(change.details["parts_g"]), actor_id=actor_id, now=now, location_ids=location_ids,
                    make=lambda codes: offcuts.split_children(change, codes=codes, material=material)))

        def answer(_: list[ledger.Recorded]) -> dict[str, Any]:
            found = lot_dict(session, code)
            return {**found, "new_lots": made} if change.action is OffcutAction.SPLIT else found
        return ledger.Plan([decision], answer=answer, extra=extra)

    return ledger.run(
        session, stream=streams.OFFCUT_LOTS, plan=plan, actor_id=actor_id, now=now, idempotency=idempotency,
        from_stored=lambda stored: stored, redecide=2 if expected_version is None else 0,
        conflict=lambda d: _conflict(session, lot_id=d.aggregate_id,
                                     expected=expected_version if expected_version is not None else d.seen_version))


_LOT_COLUMNS = (OffcutLot.id, OffcutLot.code, OffcutLot.version, Location.code.label("location"),
                OffcutLot.material, OffcutLot.composition, OffcutLot.colour, OffcutLot.area_m2, OffcutLot.source,
                OffcutLot.weight_in_g, OffcutLot.split_out_g, OffcutLot.consumed_g, OffcutLot.waste_g,
                OffcutLot.remaining_g, OffcutLot.consumed_by)


def _row_dict(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (
        "code", "version", "location", "material", "composition", "colour", "area_m2", "source", "weight_in_g",
        "split_out_g", "consumed_g", "waste_g", "remaining_g", "consumed_by")}


def lot_dict(session: Session, code: str) -> dict[str, Any]:
    """A lot as the API answers it (without its label URL): columns, balance and its ledger, oldest first."""
    row = session.execute(select(*_LOT_COLUMNS).outerjoin(Location, OffcutLot.location_id == Location.id)
                          .where(OffcutLot.code == code)).first()
    if row is None:
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code)
    events = session.execute(
        select(OffcutLotEvent.seq, OffcutLotEvent.action, OffcutLotEvent.details, OffcutLotEvent.grams,
               Location.code.label("location"), OffcutLotEvent.occurred_at)
        .outerjoin(Location, OffcutLotEvent.location_id == Location.id)
        .where(OffcutLotEvent.lot_id == row.id).order_by(OffcutLotEvent.seq)).all()
    return {**_row_dict(row), "events": [
        {"seq": e.seq, "action": e.action, "details": e.details, "grams": e.grams, "location": e.location,
         "occurred_at": e.occurred_at.isoformat()} for e in events]}


def list_lots(session: Session, *, location: str | None = None, material: str | None = None,
              code: str | None = None, page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], bool]:
    """One page of lots (without their ledgers) by code, and whether another page follows."""
    query = select(*_LOT_COLUMNS).outerjoin(Location, OffcutLot.location_id == Location.id)
    if code is not None:
        query = query.where(OffcutLot.code == code)  # a scan: one lot by its unique code
    if location:
        query = query.where(Location.code == location)
    if material:
        query = query.where(OffcutLot.material == material)
    rows = session.execute(query.order_by(OffcutLot.id).offset((page - 1) * per_page).limit(per_page + 1)).all()
    return [_row_dict(r) for r in rows[:per_page]], len(rows) > per_page


def replay_matches(session: Session, code: str) -> bool:
    """Whether the lot's row equals the replay of its ledger (the mass balance's proof)."""
    lot = get_lot(session, code)
    _, _, codes = _places(session)
    events = session.scalars(select(OffcutLotEvent).where(OffcutLotEvent.lot_id == lot.id)
                             .order_by(OffcutLotEvent.seq)).all()
    changes = [replace(change_of(e, codes.get(e.location_id)), lot=lot.code) for e in events]
    stored = snapshot_of(lot, lot.location.code if lot.location else None)
    return offcuts.replay(changes) == stored and lot.version == len(events) and stored.is_balanced
