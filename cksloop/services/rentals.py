"""Rental facts that follow from lifecycle changes: open and close rental cycles, keep inspections."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import GarmentEvent, Inspection, InspectionDefect, RentalCycle, User
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.lifecycle import Action, Change


def open_cycle(session: Session, garment_id: int) -> RentalCycle | None:
    return session.scalar(select(RentalCycle).where(
        RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_(None)))


def on_change(session: Session, *, garment_id: int, change: Change, event: GarmentEvent,
              actor: User | None, now: dt.datetime) -> None:
    """Keep rental cycles and inspections in step with the ledger event just written."""
    d = change.details
    if change.action is Action.CHECK_OUT_RENTAL:
        session.add(RentalCycle(
            garment_id=garment_id, partner_id=d["partner"], started_on=dt.date.fromisoformat(d["started_on"]),
            due_on=dt.date.fromisoformat(d["due_on"]), partner_reference=d.get("partner_reference"),
            checked_out_at=now))
        return
    cycle = None
    if change.action in (Action.RETURN_RENTAL, Action.RECEIVE_RENTAL_RETURN, Action.WRITE_OFF) \
            and change.from_state is not None and change.from_state.value == "rented_out":
        cycle = open_cycle(session, garment_id)
        if cycle is not None:
            cycle.returned_at = now
            reason = d.get("reason")
            if change.action is Action.WRITE_OFF:
                reason = ReturnReason.LOST.value
            cycle.return_reason = ReturnReason(reason) if reason in ReturnReason._value2member_map_ else None
    if "grade" in d and change.action in (Action.RETURN_RENTAL, Action.INSPECT):
        if cycle is None:
            cycle = session.scalar(select(RentalCycle).where(RentalCycle.garment_id == garment_id)
                                   .order_by(RentalCycle.id.desc()).limit(1))
            if cycle is not None and change.action is Action.INSPECT and d.get("reason"):
                cycle.return_reason = ReturnReason(d["reason"])
        inspection = Inspection(
            garment_id=garment_id, rental_cycle_id=cycle.id if cycle else None, event_id=event.id,
            grade=Grade(d["grade"]), reason=ReturnReason(d["reason"]) if d.get("reason") else None,
            note=d.get("note", ""), inspector_id=actor.id if actor else None, inspected_at=now)
        inspection.defects = [InspectionDefect(code=DefectCode(x["code"]), zone=x["zone"],
                                               severity=x["severity"], note=x.get("note", ""))
                              for x in d.get("defects", [])]
        session.add(inspection)
    session.flush()
