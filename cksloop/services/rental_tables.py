"""The rental read-model (cycles, inspections, pool stays, care steps) as a projection of the garment ledger.

The ledger runs ``RentalTables`` inside the transaction of every garment event, so the ledger
stays the truth and these tables can always be rebuilt from it; the rollups it bumps are written
by the ``rental_rollups`` projection just before the commit.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, exists, func, select, update
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


def _open_stay(session: Session, garment_id: int) -> RentalPoolStay | None:
    return session.scalar(select(RentalPoolStay).where(
        RentalPoolStay.garment_id == garment_id, RentalPoolStay.ended_at.is_(None)))


def _open_care(session: Session, garment_id: int) -> CareStep | None:
    return session.scalar(select(CareStep).where(
        CareStep.garment_id == garment_id, CareStep.ended_at.is_(None)))


def uninspected_return(session: Session, garment_id: int) -> RentalCycle | None:
    """The cycle received back without inspection (a box of returns), awaiting its grade."""
    inspected = exists().where(Inspection.rental_cycle_id == RentalCycle.id)
    return session.scalar(select(RentalCycle).where(
        RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_not(None), ~inspected,
        RentalCycle.return_reason.is_distinct_from(ReturnReason.LOST))
        .order_by(RentalCycle.id.desc()).limit(1))


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
        """Nothing gathered: every row is written as its event is."""

    def discard(self, session: Session) -> None:
        """Nothing gathered."""


def follow(session: Session, *, garment_id: int, style_id: int, change: Change, event_id: int,
           actor_id: int | None, now: dt.datetime) -> Inspection | None:
    """Keep rental cycles, inspections, pool stays, care steps and the analytics rollups in step
    with one event. Returns the inspection it wrote, if the change graded the garment. Does not commit.
    """
    d = change.details
    inspection = None
    if change.action is Action.CHECK_OUT_RENTAL:
        previous, previous_with_partner = session.execute(
            select(func.max(RentalCycle.checked_out_at),
                   func.max(case((RentalCycle.partner_id == d["partner"], RentalCycle.checked_out_at))))
            .where(RentalCycle.garment_id == garment_id, RentalCycle.checked_out_at < now)).one()
        session.add(RentalCycle(
            garment_id=garment_id, partner_id=d["partner"], started_on=dt.date.fromisoformat(d["started_on"]),
            due_on=dt.date.fromisoformat(d["due_on"]), partner_reference=d.get("partner_reference"),
            checked_out_at=now, previous_check_out_at=previous,
            previous_check_out_with_partner_at=previous_with_partner))
        rental_rollups.bump(session, style_id=style_id, partner_id=d["partner"], at=now, cycles_started=1,
                            rent_start_n=1, rent_start_s=rental_rollups.seconds(now))
        rental_rollups.bump_open(session, style_id=style_id, partner_id=d["partner"], rented=1)
    cycle = None
    if change.from_state is GarmentState.RENTED_OUT and change.action in (
            Action.RETURN_RENTAL, Action.RECEIVE_RENTAL_RETURN, Action.WRITE_OFF):
        cycle = open_cycle(session, garment_id)
        if cycle is not None:
            cycle.returned_at = now
            reason = ReturnReason.LOST.value if change.action is Action.WRITE_OFF else d.get("reason")
            cycle.return_reason = ReturnReason(reason) if reason in ReturnReason._value2member_map_ else None
            rental_rollups.bump(session, style_id=style_id, partner_id=cycle.partner_id, at=now, returns=1,
                                rent_end_n=1, rent_end_s=rental_rollups.seconds(now),
                                quality_returns=int(cycle.return_reason is ReturnReason.QUALITY_RETURN))
            rental_rollups.bump_open(session, style_id=style_id, partner_id=cycle.partner_id, rented=-1)
    if "grade" in d and change.action in (Action.RETURN_RENTAL, Action.INSPECT):
        if change.action is Action.INSPECT:
            # only the first grading of a received return belongs to its cycle; a re-grade after
            # a failed repair does not count as another return
            cycle = uninspected_return(session, garment_id)
            if cycle is not None and d.get("reason"):
                cycle.return_reason = ReturnReason(d["reason"])
                if cycle.return_reason is ReturnReason.QUALITY_RETURN:
                    rental_rollups.bump(session, style_id=style_id, partner_id=cycle.partner_id,
                                        at=cycle.returned_at, quality_returns=1)  # type: ignore[arg-type]
        inspection = Inspection(
            garment_id=garment_id, rental_cycle_id=cycle.id if cycle else None, event_id=event_id,
            grade=Grade(d["grade"]), reason=ReturnReason(d["reason"]) if d.get("reason") else None,
            note=d.get("note", ""), inspector_id=actor_id, inspected_at=now)
        inspection.defects = [InspectionDefect(code=DefectCode(x["code"]), zone=x["zone"],
                                               severity=x["severity"], note=x.get("note", ""))
                              for x in d.get("defects", [])]
        session.add(inspection)
        if cycle is not None and cycle.inspected_at is None:
            cycle.inspected_at = now  # the charter's "returns inspected" reads it with the return
        session.flush()
        _count_defects(session, style_id=style_id, inspection=inspection, cycle=cycle, now=now)
    _keep_pool_stay(session, garment_id=garment_id, style_id=style_id, change=change, now=now)
    _keep_care_step(session, garment_id=garment_id, style_id=style_id, change=change, event_id=event_id, now=now,
                    inspection=inspection, cycle=cycle)
    session.flush()
    if change.to_state is GarmentState.IN_RENTAL_POOL:
        _mark_ready(session, garment_id=garment_id, style_id=style_id, now=now)
    return inspection


def _mark_ready(session: Session, *, garment_id: int, style_id: int, now: dt.datetime) -> None:
    """The garment is ready in the pool again: each of its returns not yet followed by that ends its
    turnaround now (a return straight into the pool ends it at once), counted in its return's month."""
    cycles = RentalCycle.__table__
    for partner_id, returned_at in session.execute(
            update(cycles).where(cycles.c.garment_id == garment_id, cycles.c.returned_at.is_not(None),
                                 cycles.c.ready_at.is_(None))
            .values(ready_at=now).returning(cycles.c.partner_id, cycles.c.returned_at)):
        rental_rollups.bump_turnaround(session, style_id=style_id, partner_id=partner_id, returned_at=returned_at,
                                       ready_at=now)


def _count_defects(session: Session, *, style_id: int, inspection: Inspection, cycle: RentalCycle | None,
                   now: dt.datetime) -> None:
    partner = cycle.partner_id if cycle else None
    found: dict[str, int] = {}
    for defect in inspection.defects:
        found[defect.code.value] = found.get(defect.code.value, 0) + 1
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
        stay = _open_stay(session, garment_id)
        if stay is not None:
            stay.ended_at = now
            rental_rollups.bump(session, style_id=style_id, partner_id=stay.partner_id, at=now, pool_end_n=1,
                                pool_end_s=rental_rollups.seconds(now))
            rental_rollups.bump_open(session, style_id=style_id, partner_id=stay.partner_id, pooled=-1)
    if entering and _open_stay(session, garment_id) is None:
        partner = change.details.get("partner")
        partner_id = partner if isinstance(partner, int) else None
        previous = session.scalar(select(func.max(RentalPoolStay.ended_at))
                                  .where(RentalPoolStay.garment_id == garment_id))
        session.add(RentalPoolStay(garment_id=garment_id, partner_id=partner_id, started_at=now,
                                   previous_ended_at=previous))
        rental_rollups.bump(session, style_id=style_id, partner_id=partner_id, at=now, pool_start_n=1,
                            pool_start_s=rental_rollups.seconds(now))
        rental_rollups.bump_open(session, style_id=style_id, partner_id=partner_id, pooled=1)


def _keep_care_step(session: Session, *, garment_id: int, style_id: int, change: Change, event_id: int,
                    now: dt.datetime, inspection: Inspection | None, cycle: RentalCycle | None) -> None:
    d = change.details
    if change.from_state is GarmentState.IN_CARE:
        step = _open_care(session, garment_id)
        if step is not None:
            step.ended_at = now
            step.ended_event_id = event_id
            if change.action is Action.FINISH_CARE:
                step.outcome = CareOutcome(d["outcome"])
                step.cost_cents = d.get("cost_cents")
                step.note = d.get("note", "")
            else:  # retired or written off while in care: the step ends without an outcome
                step.note = d.get("note", "")
            session.flush()
    if change.to_state is GarmentState.IN_CARE:
        kind = CareKind(d.get("care_kind", CareKind.CLEANING.value))
        session.add(CareStep(garment_id=garment_id, inspection_id=inspection.id if inspection else None,
                             kind=kind, started_at=now, started_event_id=event_id, note=""))
        partner = cycle.partner_id if (inspection is not None and cycle is not None) else None
        rental_rollups.bump(session, style_id=style_id, partner_id=partner, at=now,
                            **{"repairs" if kind is CareKind.REPAIR else "cleanings": 1})
