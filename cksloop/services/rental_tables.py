"""The rental read-model (cycles, inspections, pool stays, care steps) as a projection of the garment ledger.

The ledger runs ``RentalTables`` inside the transaction of every garment event, so the ledger
stays the truth and these tables can always be rebuilt from it; the rollups it bumps are written
by the ``rental_rollups`` projection just before the commit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from cksloop.db.models import CareStep, Inspection, InspectionDefect, RentalCycle, RentalPoolStay
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.lifecycle import Action, CareKind, CareOutcome, Change, GarmentState
from cksloop.services import rental_rollups
from cksloop.services.ledger import Recorded

#: the states of a garment inside the rental programme (its pool stay is open)
RENTAL_STATES = frozenset({GarmentState.IN_RENTAL_POOL, GarmentState.RENTED_OUT,
                           GarmentState.AWAITING_INSPECTION, GarmentState.IN_CARE})


def open_cycle(session: Session, garment_id: int) -> RentalCycle | None:
    return session.scalar(select(RentalCycle).where(
        RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_(None)))


def uninspected_return(session: Session, garment_id: int) -> RentalCycle | None:
    """The cycle received back without inspection (a box of returns), awaiting its grade."""
    inspected = exists().where(Inspection.rental_cycle_id == RentalCycle.id)
    return session.scalar(select(RentalCycle).where(
        RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_not(None), ~inspected,
        RentalCycle.return_reason.is_distinct_from(ReturnReason.LOST))
        .order_by(RentalCycle.id.desc()).limit(1))


@dataclass(frozen=True)
class WrittenInspection:
    """The inspection a grading wrote: its id and its defects' ids, in the order they were given."""

    id: int
    defect_ids: tuple[int, ...]


@dataclass(frozen=True)
class _Cycle:
    """What the projection needs of the rental cycle an event closes or grades."""

    id: int
    partner_id: int
    returned_at: dt.datetime | None
    return_reason: ReturnReason | None


class RentalTables:
    """The rental read-model as a projection of the garment ledger (registered in ``streams``)."""

    def apply(self, session: Session, recorded: Recorded) -> None:
        garment = recorded.decision.subject  # what the plan read: id and style_id
        inspection = follow(session, garment_id=garment.id, style_id=garment.style_id,
                            change=recorded.decision.change, event_id=recorded.event_id,
                            actor_id=recorded.actor_id, now=recorded.now)
        if inspection is not None:
            recorded.notes["inspection"] = inspection

    def before_commit(self, session: Session) -> None:
        """Nothing gathered: every row is written as its event is. The rows are written with plain
        statements (issue 19: no unit of work while the write lock is held), so rental rows this
        session loaded before must not keep their old values after the commit."""
        for row in list(session.identity_map.values()):
            if isinstance(row, (RentalCycle, RentalPoolStay, CareStep, Inspection)):
                session.expire(row)

    def discard(self, session: Session) -> None:
        """Nothing gathered."""


# The projection's statements, built once: each a single round trip, with its parameters bound by
# name (``b_…``: SQLAlchemy keeps the column names for the values it fills in itself).
_CYCLES, _STAYS, _CARE = RentalCycle.__table__, RentalPoolStay.__table__, CareStep.__table__
_INSPECTIONS, _DEFECTS = Inspection.__table__, InspectionDefect.__table__
_EARLIER = _CYCLES.alias("earlier")
_CHECK_OUT = insert(_CYCLES).values(
    garment_id=bindparam("b_garment"), partner_id=bindparam("b_partner"), started_on=bindparam("b_started_on"),
    due_on=bindparam("b_due_on"), partner_reference=bindparam("b_reference"),
    checked_out_at=bindparam("b_now"),
    # when the garment was rented before, by anyone and by this partner (the charter's re-rental figures)
    previous_check_out_at=select(func.max(_EARLIER.c.checked_out_at)).where(
        _EARLIER.c.garment_id == bindparam("b_garment"), _EARLIER.c.checked_out_at < bindparam("b_now"))
    .scalar_subquery(),
    previous_check_out_with_partner_at=select(func.max(_EARLIER.c.checked_out_at)).where(
        _EARLIER.c.garment_id == bindparam("b_garment"), _EARLIER.c.partner_id == bindparam("b_partner"),
        _EARLIER.c.checked_out_at < bindparam("b_now")).scalar_subquery())
_CYCLE_COLUMNS = (_CYCLES.c.id, _CYCLES.c.partner_id, _CYCLES.c.returned_at, _CYCLES.c.return_reason)
_RETURN = (update(_CYCLES)
           .where(_CYCLES.c.id == select(_EARLIER.c.id).where(
               _EARLIER.c.garment_id == bindparam("b_garment"), _EARLIER.c.returned_at.is_(None))
               .order_by(_EARLIER.c.id).limit(1).scalar_subquery())
           .values(returned_at=bindparam("b_now"), return_reason=bindparam("b_reason"),
                   inspected_at=func.coalesce(_CYCLES.c.inspected_at, bindparam("b_inspected_at", type_=_CYCLES.c.inspected_at.type)))
           .returning(*_CYCLE_COLUMNS))
_UNINSPECTED = (select(*_CYCLE_COLUMNS)
                .where(_CYCLES.c.garment_id == bindparam("b_garment"), _CYCLES.c.returned_at.is_not(None),
                       ~exists().where(_INSPECTIONS.c.rental_cycle_id == _CYCLES.c.id),
                       _CYCLES.c.return_reason.is_distinct_from(ReturnReason.LOST))
                .order_by(_CYCLES.c.id.desc()).limit(1))
_GRADED = (update(_CYCLES).where(_CYCLES.c.id == bindparam("b_cycle"))
           .values(return_reason=func.coalesce(bindparam("b_reason", type_=_CYCLES.c.return_reason.type),
                                               _CYCLES.c.return_reason),
                   inspected_at=func.coalesce(_CYCLES.c.inspected_at, bindparam("b_now", type_=_CYCLES.c.inspected_at.type))))
_INSPECT = insert(_INSPECTIONS).returning(_INSPECTIONS.c.id)
_DEFECT = insert(_DEFECTS).returning(_DEFECTS.c.id, sort_by_parameter_order=True)
_END_STAY = (update(_STAYS).where(_STAYS.c.garment_id == bindparam("b_garment"), _STAYS.c.ended_at.is_(None))
             .values(ended_at=bindparam("b_now")).returning(_STAYS.c.partner_id))
_EARLIER_STAYS = _STAYS.alias("earlier")
# a stay opens only when none is open (the one-open index would refuse a second)
_START_STAY = insert(_STAYS).from_select(
    ["garment_id", "partner_id", "started_at", "previous_ended_at"],
    select(bindparam("b_garment", type_=_STAYS.c.garment_id.type), bindparam("b_partner", type_=_STAYS.c.partner_id.type),
           bindparam("b_now", type_=_STAYS.c.started_at.type),
           select(func.max(_EARLIER_STAYS.c.ended_at)).where(_EARLIER_STAYS.c.garment_id == bindparam("b_garment"))
           .scalar_subquery())
    .where(~exists().where(_STAYS.c.garment_id == bindparam("b_garment"), _STAYS.c.ended_at.is_(None)))
).returning(_STAYS.c.id)  # whether a row went in (the rowcount of an INSERT … SELECT read -1 on PostgreSQL)
_END_CARE = (update(_CARE).where(_CARE.c.garment_id == bindparam("b_garment"), _CARE.c.ended_at.is_(None))
             .values(ended_at=bindparam("b_now"), ended_event_id=bindparam("b_event"),
                     outcome=bindparam("b_outcome"), cost_cents=bindparam("b_cost"), note=bindparam("b_note")))
_START_CARE = insert(_CARE)
_READY = (update(_CYCLES).where(_CYCLES.c.garment_id == bindparam("b_garment"), _CYCLES.c.returned_at.is_not(None),
                                _CYCLES.c.ready_at.is_(None))
          .values(ready_at=bindparam("b_now")).returning(_CYCLES.c.partner_id, _CYCLES.c.returned_at))


def follow(session: Session, *, garment_id: int, style_id: int, change: Change, event_id: int,
           actor_id: int | None, now: dt.datetime) -> WrittenInspection | None:
    """Keep rental cycles, inspections, pool stays, care steps and the analytics rollups in step
    with one event. Returns the inspection it wrote, if the change graded the garment. Does not commit.
    """
    d = change.details
    inspection = None
    graded = "grade" in d and change.action in (Action.RETURN_RENTAL, Action.INSPECT)
    if change.action is Action.CHECK_OUT_RENTAL:
        session.execute(_CHECK_OUT, {
            "b_garment": garment_id, "b_partner": d["partner"], "b_started_on": dt.date.fromisoformat(d["started_on"]),
            "b_due_on": dt.date.fromisoformat(d["due_on"]), "b_reference": d.get("partner_reference"), "b_now": now})
        rental_rollups.bump(session, style_id=style_id, partner_id=d["partner"], at=now, cycles_started=1,
                            rent_start_n=1, rent_start_s=rental_rollups.seconds(now))
        rental_rollups.bump_open(session, style_id=style_id, partner_id=d["partner"], rented=1)
    cycle = None
    if change.from_state is GarmentState.RENTED_OUT and change.action in (
            Action.RETURN_RENTAL, Action.RECEIVE_RENTAL_RETURN, Action.WRITE_OFF):
        reason = ReturnReason.LOST.value if change.action is Action.WRITE_OFF else d.get("reason")
        row = session.execute(_RETURN, {
            "b_garment": garment_id, "b_now": now,
            "b_reason": ReturnReason(reason) if reason in ReturnReason._value2member_map_ else None,
            # graded on return: the charter's "returns inspected" reads it with the return
            "b_inspected_at": now if graded else None}).first()
        if row is not None:
            cycle = _Cycle(*row)
            rental_rollups.bump(session, style_id=style_id, partner_id=cycle.partner_id, at=now, returns=1,
                                rent_end_n=1, rent_end_s=rental_rollups.seconds(now),
                                quality_returns=int(cycle.return_reason is ReturnReason.QUALITY_RETURN))
            rental_rollups.bump_open(session, style_id=style_id, partner_id=cycle.partner_id, rented=-1)
    if graded:
        if change.action is Action.INSPECT:
            # only the first grading of a received return belongs to its cycle; a re-grade after
            # a failed repair does not count as another return
            row = session.execute(_UNINSPECTED, {"b_garment": garment_id}).first()
            cycle = _Cycle(*row) if row is not None else None
            if cycle is not None:
                new_reason = ReturnReason(d["reason"]) if d.get("reason") else None
                session.execute(_GRADED, {"b_cycle": cycle.id, "b_reason": new_reason, "b_now": now})
                if new_reason is not None:
                    cycle = _Cycle(cycle.id, cycle.partner_id, cycle.returned_at, new_reason)
                    if new_reason is ReturnReason.QUALITY_RETURN:
                        rental_rollups.bump(session, style_id=style_id, partner_id=cycle.partner_id,
                                            at=cycle.returned_at, quality_returns=1)  # type: ignore[arg-type]
        inspection_id = session.execute(_INSPECT, {
            "garment_id": garment_id, "rental_cycle_id": cycle.id if cycle else None, "event_id": event_id,
            "grade": Grade(d["grade"]), "reason": ReturnReason(d["reason"]) if d.get("reason") else None,
            "note": d.get("note", ""), "inspector_id": actor_id, "inspected_at": now}).scalar_one()
        defects = d.get("defects", [])
        defect_ids = tuple(session.execute(_DEFECT, [
            {"inspection_id": inspection_id, "code": DefectCode(x["code"]), "zone": x["zone"],
             "severity": x["severity"], "note": x.get("note", "")} for x in defects]).scalars()) if defects else ()
        inspection = WrittenInspection(inspection_id, defect_ids)
        _count_defects(session, style_id=style_id, defects=defects, cycle=cycle, now=now)
    _keep_pool_stay(session, garment_id=garment_id, style_id=style_id, change=change, now=now)
    _keep_care_step(session, garment_id=garment_id, style_id=style_id, change=change, event_id=event_id, now=now,
                    inspection=inspection, cycle=cycle)
    if change.to_state is GarmentState.IN_RENTAL_POOL:
        _mark_ready(session, garment_id=garment_id, style_id=style_id, now=now)
    return inspection


def _mark_ready(session: Session, *, garment_id: int, style_id: int, now: dt.datetime) -> None:
    """The garment is ready in the pool again: each of its returns not yet followed by that ends its
    turnaround now (a return straight into the pool ends it at once), counted in its return's month."""
    for partner_id, returned_at in session.execute(_READY, {"b_garment": garment_id, "b_now": now}):
        rental_rollups.bump_turnaround(session, style_id=style_id, partner_id=partner_id, returned_at=returned_at,
                                       ready_at=now)


def _count_defects(session: Session, *, style_id: int, defects: list[dict[str, Any]], cycle: _Cycle | None,
                   now: dt.datetime) -> None:
    partner = cycle.partner_id if cycle else None
    found: dict[str, int] = {}
    for defect in defects:
        code = DefectCode(defect["code"]).value
        found[code] = found.get(code, 0) + 1
    quality = cycle is not None and cycle.return_reason is ReturnReason.QUALITY_RETURN
    for code, n in sorted(found.items()):
        rental_rollups.bump_defect(session, style_id=style_id, partner_id=partner, at=now, code=code, defects=n)
        if quality:
            assert cycle is not None and cycle.returned_at is not None
            rental_rollups.bump_defect(session, style_id=style_id, partner_id=partner, at=cycle.returned_at,
                                       code=code, quality_returns=1)


def _keep_pool_stay(session: Session, *, garment_id: int, style_id: int, change: Change, now: dt.datetime) -> None:
    entering = change.to_state is GarmentState.IN_RENTAL_POOL and change.from_state not in RENTAL_STATES
    leaving = change.from_state in RENTAL_STATES and change.to_state not in RENTAL_STATES
    if leaving:
        ended = session.execute(_END_STAY, {"b_garment": garment_id, "b_now": now}).first()
        if ended is not None:
            rental_rollups.bump(session, style_id=style_id, partner_id=ended.partner_id, at=now, pool_end_n=1,
                                pool_end_s=rental_rollups.seconds(now))
            rental_rollups.bump_open(session, style_id=style_id, partner_id=ended.partner_id, pooled=-1)
    if entering:
        partner = change.details.get("partner")
        partner_id = partner if isinstance(partner, int) else None
        started = session.execute(_START_STAY, {"b_garment": garment_id, "b_partner": partner_id,
                                                "b_now": now}).first()
        if started is not None:
            rental_rollups.bump(session, style_id=style_id, partner_id=partner_id, at=now, pool_start_n=1,
                                pool_start_s=rental_rollups.seconds(now))
            rental_rollups.bump_open(session, style_id=style_id, partner_id=partner_id, pooled=1)


def _keep_care_step(session: Session, *, garment_id: int, style_id: int, change: Change, event_id: int,
                    now: dt.datetime, inspection: WrittenInspection | None, cycle: _Cycle | None) -> None:
    d = change.details
    if change.from_state is GarmentState.IN_CARE:
        finished = change.action is Action.FINISH_CARE
        # retired or written off while in care: the step ends without an outcome
        session.execute(_END_CARE, {
            "b_garment": garment_id, "b_now": now, "b_event": event_id,
            "b_outcome": CareOutcome(d["outcome"]) if finished else None,
            "b_cost": d.get("cost_cents") if finished else None, "b_note": d.get("note", "")})
    if change.to_state is GarmentState.IN_CARE:
        kind = CareKind(d.get("care_kind", CareKind.CLEANING.value))
        session.execute(_START_CARE, {"garment_id": garment_id, "inspection_id": inspection.id if inspection else None,
                                      "kind": kind, "started_at": now, "started_event_id": event_id, "note": ""})
        partner = cycle.partner_id if (inspection is not None and cycle is not None) else None
        rental_rollups.bump(session, style_id=style_id, partner_id=partner, at=now,
                            **{"repairs" if kind is CareKind.REPAIR else "cleanings": 1})
