"""Rental use cases: partners, the pool, check-out, returns with inspection, care, lists and summaries.

``on_change`` keeps the rental read-model (cycles, inspections, pool stays, care steps) in step
with every ledger event; ``garments.act`` calls it inside the same transaction, so the ledger stays
the truth and the rental tables can always be rebuilt from it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import (CareStep, DefectPhoto, Garment, GarmentEvent, Inspection,
                               InspectionDefect, Location, RentalCycle, RentalPartner, RentalPoolStay,
                               Style, User)
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.errors import InvalidDetails, NotFound, VersionConflict
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.lifecycle import Action, CareKind, CareOutcome, Change, GarmentState
from cksloop.domain.messages import N_
from cksloop.domain.rental_quality import days_overdue
from cksloop.services import defect_photos, rental_rollups
from cksloop.services import garments as garment_service

#: the states of a garment inside the rental programme (its pool stay is open)
RENTAL_STATES = frozenset({GarmentState.IN_RENTAL_POOL, GarmentState.RENTED_OUT,
                           GarmentState.AWAITING_INSPECTION, GarmentState.IN_CARE})
PAGE_SIZE = 100

# --- keeping the read-model in step with the ledger --------------------------------------------


def open_cycle(session: Session, garment_id: int) -> RentalCycle | None:
    return session.scalar(select(RentalCycle).where(
        RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_(None)))


def _open_stay(session: Session, garment_id: int) -> RentalPoolStay | None:
    return session.scalar(select(RentalPoolStay).where(
        RentalPoolStay.garment_id == garment_id, RentalPoolStay.ended_at.is_(None)))


def _open_care(session: Session, garment_id: int) -> CareStep | None:
    return session.scalar(select(CareStep).where(
        CareStep.garment_id == garment_id, CareStep.ended_at.is_(None)))


def _uninspected_return(session: Session, garment_id: int) -> RentalCycle | None:
    """The cycle received back without inspection (a box of returns), awaiting its grade."""
    inspected = exists().where(Inspection.rental_cycle_id == RentalCycle.id)
    return session.scalar(select(RentalCycle).where(
        RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_not(None), ~inspected,
        RentalCycle.return_reason.is_distinct_from(ReturnReason.LOST))
        .order_by(RentalCycle.id.desc()).limit(1))


def on_change(session: Session, *, garment_id: int, change: Change, event: GarmentEvent,
              actor: User | None, now: dt.datetime) -> Inspection | None:
    """Keep rental cycles, inspections, pool stays, care steps and the analytics rollups in step
    with ``event``. Returns the inspection it wrote, if the change graded the garment. Does not commit.
    """
    d = change.details
    style_id = session.get(Garment, garment_id).style_id  # type: ignore[union-attr]  (act() loaded it)
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
            cycle = _uninspected_return(session, garment_id)
            if cycle is not None and d.get("reason"):
                cycle.return_reason = ReturnReason(d["reason"])
                if cycle.return_reason is ReturnReason.QUALITY_RETURN:
                    rental_rollups.bump(session, style_id=style_id, partner_id=cycle.partner_id,
                                        at=cycle.returned_at, quality_returns=1)  # type: ignore[arg-type]
        inspection = Inspection(
            garment_id=garment_id, rental_cycle_id=cycle.id if cycle else None, event_id=event.id,
            grade=Grade(d["grade"]), reason=ReturnReason(d["reason"]) if d.get("reason") else None,
            note=d.get("note", ""), inspector_id=actor.id if actor else None, inspected_at=now)
        inspection.defects = [InspectionDefect(code=DefectCode(x["code"]), zone=x["zone"],
                                               severity=x["severity"], note=x.get("note", ""))
                              for x in d.get("defects", [])]
        session.add(inspection)
        session.flush()
        _count_defects(session, style_id=style_id, inspection=inspection, cycle=cycle, now=now)
    _keep_pool_stay(session, garment_id=garment_id, style_id=style_id, change=change, now=now)
    _keep_care_step(session, garment_id=garment_id, style_id=style_id, change=change, event=event, now=now,
                    inspection=inspection, cycle=cycle)
    session.flush()
    return inspection


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
        session.add(RentalPoolStay(garment_id=garment_id, partner_id=partner_id, started_at=now))
        rental_rollups.bump(session, style_id=style_id, partner_id=partner_id, at=now, pool_start_n=1,
                            pool_start_s=rental_rollups.seconds(now))
        rental_rollups.bump_open(session, style_id=style_id, partner_id=partner_id, pooled=1)


def _keep_care_step(session: Session, *, garment_id: int, style_id: int, change: Change, event: GarmentEvent,
                    now: dt.datetime, inspection: Inspection | None, cycle: RentalCycle | None) -> None:
    d = change.details
    if change.from_state is GarmentState.IN_CARE:
        step = _open_care(session, garment_id)
        if step is not None:
            step.ended_at = now
            step.ended_event_id = event.id
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
                             kind=kind, started_at=now, started_event_id=event.id, note=""))
        partner = cycle.partner_id if (inspection is not None and cycle is not None) else None
        rental_rollups.bump(session, style_id=style_id, partner_id=partner, at=now,
                            **{"repairs" if kind is CareKind.REPAIR else "cleanings": 1})


# --- rental partners ---------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")


def list_partners(session: Session) -> list[RentalPartner]:
    return list(session.scalars(select(RentalPartner).order_by(RentalPartner.name)))


def get_partner(session: Session, partner_id: int) -> RentalPartner:
    """The partner with ``partner_id``; NotFound otherwise."""
    partner = session.get(RentalPartner, partner_id)
    if partner is None:
        raise NotFound(N_("No rental partner with number %(id)s."), id=partner_id)
    return partner


def _clean_text(value: Any, name: str, errors: dict[str, str], *, required: bool = False,
                max_len: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors[name] = N_("This field is required.")
    elif len(text) > max_len:
        errors[name] = N_("Too long.")
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        errors[name] = N_("Contains control characters.")
    return text


def _partner_fields(session: Session, *, partner_id: int | None, name: Any, contact_email: Any,
                    default_rental_days: Any, terms: Any, location_code: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean_name = _clean_text(name, "name", errors, required=True, max_len=120)
    email = _clean_text(contact_email, "contact_email", errors, max_len=254)
    if email and "contact_email" not in errors and not _EMAIL.match(email):
        errors["contact_email"] = N_("Not an email address.")
    clean_terms = _clean_text(terms, "terms", errors, max_len=5000)
    days = default_rental_days
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        errors["default_rental_days"] = N_("A whole number of days from 1 to 365.")
    location_id = None
    code = _clean_text(location_code, "location", errors, max_len=40)
    if code:
        location_id = session.scalar(select(Location.id).where(Location.code == code))
        if location_id is None:
            errors["location"] = N_("No such location.")
    if clean_name and "name" not in errors:
        clash = session.scalar(select(RentalPartner.id).where(
            func.lower(RentalPartner.name) == clean_name.lower()))
        if clash is not None and clash != partner_id:
            errors["name"] = N_("A rental partner with this name already exists.")
    if errors:
        raise InvalidDetails(errors)
    return {"name": clean_name, "contact_email": email, "default_rental_days": days,
            "terms": clean_terms, "location_id": location_id}


def create_partner(session: Session, *, name: str, contact_email: str = "", default_rental_days: Any = 10,
                   terms: str = "", location_code: str | None = None) -> RentalPartner:
    """Add a rental partner and commit. Raises InvalidDetails (field → reason)."""
    begin_write(session)
    try:
        fields = _partner_fields(session, partner_id=None, name=name, contact_email=contact_email,
                                 default_rental_days=default_rental_days, terms=terms,
                                 location_code=location_code)
        partner = RentalPartner(**fields)
        session.add(partner)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidDetails({"name": N_("A rental partner with this name already exists.")}) from None
    except BaseException:
        session.rollback()
        raise
    return partner


def update_partner(session: Session, *, partner_id: int, name: str, contact_email: str = "",
                   default_rental_days: Any = 10, terms: str = "",
                   location_code: str | None = None) -> RentalPartner:
    """Change a rental partner's details and commit. Raises NotFound, InvalidDetails."""
    begin_write(session)
    try:
        partner = get_partner(session, partner_id)
        fields = _partner_fields(session, partner_id=partner_id, name=name, contact_email=contact_email,
                                 default_rental_days=default_rental_days, terms=terms,
                                 location_code=location_code)
        for key, value in fields.items():
            setattr(partner, key, value)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidDetails({"name": N_("A rental partner with this name already exists.")}) from None
    except BaseException:
        session.rollback()
        raise
    return partner


def partner_locations(session: Session) -> list[Location]:
    """Locations a partner can be tied to (its own sites)."""
    return list(session.scalars(select(Location).where(Location.kind == lifecycle.LocationKind.PARTNER)
                                .order_by(Location.name)))


# --- the pool, check-out, returns, care: one ledger action each ---------------------------------


def add_to_pool(session: Session, *, code: str, actor: User, now: dt.datetime, partner_id: int | None = None,
                note: str = "") -> garment_service.ActionResult:
    """Put a garment in stock into the rental pool (earmarked for ``partner_id`` when given)."""
    details: dict[str, Any] = {"note": note}
    if partner_id:
        details["partner"] = partner_id
    return garment_service.act(session, code=code, action=Action.ADD_TO_RENTAL_POOL, details=details,
                               actor=actor, now=now)


def take_out_of_pool(session: Session, *, code: str, actor: User, now: dt.datetime,
                     note: str = "") -> garment_service.ActionResult:
    """Take a garment that is ready in the pool back into stock."""
    return garment_service.act(session, code=code, action=Action.REMOVE_FROM_RENTAL_POOL,
                               details={"note": note}, actor=actor, now=now)


def check_out(session: Session, *, code: str, partner_id: Any, due_on: Any, actor: User, now: dt.datetime,
              partner_reference: str | None = None, expected_version: int | None = None,
              ) -> garment_service.ActionResult:
    """Rent a pooled garment out to a partner until ``due_on``; the start is today.

    Raises IllegalTransition when the garment is not ready in the pool (or already out) and
    InvalidDetails for an unknown partner or a due date before the start.
    """
    details: dict[str, Any] = {"partner": partner_id, "due_on": due_on}
    if partner_reference:
        details["partner_reference"] = partner_reference
    return garment_service.act(session, code=code, action=Action.CHECK_OUT_RENTAL, details=details,
                               actor=actor, now=now, expected_version=expected_version)


def receive_return(session: Session, *, code: str, actor: User, now: dt.datetime,
                   location_code: str | None = None) -> garment_service.ActionResult:
    """Take a garment back from the partner without grading it yet (a box of returns)."""
    details = {"location": location_code} if location_code else {}
    return garment_service.act(session, code=code, action=Action.RECEIVE_RENTAL_RETURN, details=details,
                               actor=actor, now=now)


def finish_care(session: Session, *, code: str, outcome: str, actor: User, now: dt.datetime,
                cost_cents: int | None = None, note: str = "") -> garment_service.ActionResult:
    """End a cleaning or repair step; a failed one sends the garment back to inspection."""
    details: dict[str, Any] = {"outcome": outcome, "note": note}
    if cost_cents is not None:
        details["cost_cents"] = cost_cents
    return garment_service.act(session, code=code, action=Action.FINISH_CARE, details=details,
                               actor=actor, now=now)


def start_care(session: Session, *, code: str, care_kind: str, actor: User, now: dt.datetime,
               note: str = "") -> garment_service.ActionResult:
    """Send a garment to cleaning or repair."""
    return garment_service.act(session, code=code, action=Action.START_CARE,
                               details={"care_kind": care_kind, "note": note}, actor=actor, now=now)


def record_return(session: Session, *, code: str, details: Mapping[str, Any], actor: User, now: dt.datetime,
                  photos: Mapping[int, bytes] | None = None, upload_dir: str | None = None,
                  max_photo_bytes: int = defect_photos.MAX_BYTES,
                  expected_version: int | None = None) -> garment_service.ActionResult:
    """End the garment's rental with its mandatory inspection (reason, grade, defects, photos).

    ``photos`` maps a defect's index in ``details["defects"]`` to the uploaded bytes. Everything
    is checked before anything is written; the ledger event, cycle end, inspection, care step and
    photos are committed together. Raises IllegalTransition (not rented out), InvalidDetails (no
    grade, a quality return without a defect, a bad photo …), VersionConflict.
    """
    return _grade(session, action=Action.RETURN_RENTAL, code=code, details=details, actor=actor, now=now,
                  photos=photos, upload_dir=upload_dir, max_photo_bytes=max_photo_bytes,
                  expected_version=expected_version)


def record_inspection(session: Session, *, code: str, details: Mapping[str, Any], actor: User,
                      now: dt.datetime, photos: Mapping[int, bytes] | None = None,
                      upload_dir: str | None = None, max_photo_bytes: int = defect_photos.MAX_BYTES,
                      expected_version: int | None = None) -> garment_service.ActionResult:
    """Grade a garment awaiting inspection (a received return, or a re-grade after failed care).

    The same checks and single commit as ``record_return``.
    """
    return _grade(session, action=Action.INSPECT, code=code, details=details, actor=actor, now=now,
                  photos=photos, upload_dir=upload_dir, max_photo_bytes=max_photo_bytes,
                  expected_version=expected_version)


def _grade(session: Session, *, action: Action, code: str, details: Mapping[str, Any], actor: User,
           now: dt.datetime, photos: Mapping[int, bytes] | None, upload_dir: str | None,
           max_photo_bytes: int, expected_version: int | None) -> garment_service.ActionResult:
    defects = details.get("defects") or []
    checked: dict[int, defect_photos.CheckedPhoto] = {}
    errors: dict[str, str] = {}
    for index, data in (photos or {}).items():
        if not isinstance(index, int) or not isinstance(defects, list) or not 0 <= index < len(defects):
            errors[f"defects.{index}.photo"] = N_("A photo needs a defect to belong to.")
            continue
        try:
            checked[index] = defect_photos.check(data, max_bytes=max_photo_bytes)
        except defect_photos.PhotoRefused as refusal:
            errors[f"defects.{index}.photo"] = refusal.reason
    if checked and not upload_dir:
        raise ValueError("an upload directory is needed to keep photos")
    begin_write(session)
    written: list[str] = []
    try:
        garment = garment_service.get_garment(session, code)
        if expected_version is not None and expected_version != garment.version:
            raise VersionConflict(expected=expected_version, current=garment.version,
                                  state=garment.state.value if garment.state else "new",
                                  allowed=[a.value for a in garment_service.allowed_actions_for(garment, actor)])
        places, location_ids = garment_service.load_locations(session)
        ctx = garment_service.build_context(session, actor=actor, now=now, places=places)
        try:
            change = lifecycle.decide(garment_service.snapshot_of(garment), action, dict(details), ctx)
        except InvalidDetails as invalid:
            raise InvalidDetails({**invalid.field_errors, **errors}) from None
        if errors:
            raise InvalidDetails(errors)
        event = garment_service.record_change(session, garment=garment, change=change, actor=actor, now=now,
                                              location_ids=location_ids)
        inspection = on_change(session, garment_id=garment.id, change=change, event=event, actor=actor, now=now)
        if checked and inspection is not None:
            for index, photo in checked.items():
                if index >= len(inspection.defects):
                    continue
                assert upload_dir is not None
                name = defect_photos.store(photo, upload_dir=upload_dir)
                written.append(name)
                session.add(DefectPhoto(defect_id=inspection.defects[index].id, stored_name=name,
                                        content_type=photo.content_type, size_bytes=len(photo.data),
                                        width=photo.width, height=photo.height, uploaded_by=actor.id,
                                        uploaded_at=now))
        result = garment_service.ActionResult(
            code=code, action=action.value, from_state=change.from_state.value if change.from_state else None,
            state=change.to_state.value, version=event.seq, location=change.location,
            price_cents=change.price_cents, event_id=event.id, details=change.details)
        session.commit()
        return result
    except IntegrityError:
        session.rollback()
        _forget(written, upload_dir)
        garment = garment_service.get_garment(session, code)
        raise VersionConflict(expected=expected_version if expected_version is not None else -1,
                              current=garment.version, state=garment.state.value if garment.state else "new",
                              allowed=[a.value for a in garment_service.allowed_actions_for(garment, actor)]) from None
    except BaseException:
        session.rollback()
        _forget(written, upload_dir)
        raise


def _forget(names: list[str], upload_dir: str | None) -> None:
    for name in names:
        defect_photos.remove(name, upload_dir=upload_dir or "")


# --- reading: the pool, open and overdue cycles, care, summaries ---------------------------------


@dataclass(frozen=True)
class PoolEntry:
    code: str
    style_number: str
    style_name: str
    size: str
    location: str | None
    partner: str | None
    since: dt.datetime | None


def pool(session: Session, *, partner_id: int | None = None, location_code: str | None = None,
         limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[PoolEntry], int]:
    """Garments ready in the rental pool (optionally for one partner or at one location), and how many."""
    query = (select(Garment.code, Style.style_number, Style.name, Garment.size, Location.code,
                    RentalPartner.name, RentalPoolStay.started_at)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(Location, Location.id == Garment.location_id)
             .outerjoin(RentalPoolStay, and_(RentalPoolStay.garment_id == Garment.id,
                                             RentalPoolStay.ended_at.is_(None)))
             .outerjoin(RentalPartner, RentalPartner.id == RentalPoolStay.partner_id)
             .where(Garment.state == GarmentState.IN_RENTAL_POOL))
    if partner_id is not None:
        query = query.where(RentalPoolStay.partner_id == partner_id)
    if location_code:
        query = query.where(Location.code == location_code)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(Garment.code).limit(limit).offset(offset)).all()
    return [PoolEntry(*row) for row in rows], count


@dataclass(frozen=True)
class PoolCount:
    partner: str | None
    partner_id: int | None
    location: str | None
    location_name: str | None
    ready: int


def pool_counts(session: Session) -> list[PoolCount]:
    """How many garments are ready in the pool, per partner and location (one grouped query)."""
    rows = session.execute(
        select(RentalPartner.name, RentalPartner.id, Location.code, Location.name, func.count())
        .select_from(Garment)
        .outerjoin(Location, Location.id == Garment.location_id)
        .outerjoin(RentalPoolStay, and_(RentalPoolStay.garment_id == Garment.id, RentalPoolStay.ended_at.is_(None)))
        .outerjoin(RentalPartner, RentalPartner.id == RentalPoolStay.partner_id)
        .where(Garment.state == GarmentState.IN_RENTAL_POOL)
        .group_by(RentalPartner.name, RentalPartner.id, Location.code, Location.name)
        .order_by(RentalPartner.name, Location.code)).all()
    return [PoolCount(*row) for row in rows]


@dataclass(frozen=True)
class OpenCycle:
    id: int
    code: str
    style_number: str
    style_name: str
    size: str
    partner: str
    partner_id: int
    started_on: dt.date
    due_on: dt.date
    partner_reference: str | None
    days_overdue: int

    def as_dict(self) -> dict[str, Any]:
        return {"cycle": self.id, "code": self.code, "style_number": self.style_number, "size": self.size,
                "partner": self.partner_id, "partner_name": self.partner, "started_on": self.started_on.isoformat(),
                "due_on": self.due_on.isoformat(), "partner_reference": self.partner_reference,
                "days_overdue": self.days_overdue}


def open_cycles(session: Session, *, today: dt.date, partner_id: int | None = None, overdue_only: bool = False,
                limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[OpenCycle], int]:
    """Rental cycles not yet ended (or only those past their due date), most overdue first."""
    query = (select(RentalCycle.id, Garment.code, Style.style_number, Style.name, Garment.size,
                    RentalPartner.name, RentalPartner.id, RentalCycle.started_on, RentalCycle.due_on,
                    RentalCycle.partner_reference)
             .join(Garment, Garment.id == RentalCycle.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
             .where(RentalCycle.returned_at.is_(None)))
    if partner_id is not None:
        query = query.where(RentalCycle.partner_id == partner_id)
    if overdue_only:
        query = query.where(RentalCycle.due_on < today)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(RentalCycle.due_on, RentalCycle.id).limit(limit).offset(offset)).all()
    return [OpenCycle(*row, days_overdue=days_overdue(row[8], today)) for row in rows], count


@dataclass(frozen=True)
class CareEntry:
    code: str
    style_number: str
    style_name: str
    kind: CareKind
    started_at: dt.datetime
    location: str | None


def open_care(session: Session, *, location_code: str | None = None, limit: int = PAGE_SIZE,
              offset: int = 0) -> tuple[list[CareEntry], int]:
    """Garments in cleaning or repair, longest waiting first."""
    query = (select(Garment.code, Style.style_number, Style.name, CareStep.kind, CareStep.started_at, Location.code)
             .join(Garment, Garment.id == CareStep.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(Location, Location.id == Garment.location_id)
             .where(CareStep.ended_at.is_(None)))
    if location_code:
        query = query.where(Location.code == location_code)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(CareStep.started_at).limit(limit).offset(offset)).all()
    return [CareEntry(*row) for row in rows], count


def awaiting_inspection(session: Session, *, location_code: str | None = None, limit: int = PAGE_SIZE,
                        offset: int = 0) -> tuple[list[tuple[str, str, str, str, str | None]], int]:
    """Returned garments waiting to be graded: (code, style number, style name, size, location)."""
    query = (select(Garment.code, Style.style_number, Style.name, Garment.size, Location.code)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(Location, Location.id == Garment.location_id)
             .where(Garment.state == GarmentState.AWAITING_INSPECTION))
    if location_code:
        query = query.where(Location.code == location_code)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(Garment.code).limit(limit).offset(offset)).all()
    return [tuple(row) for row in rows], count


def needs_reason(session: Session, garment_id: int) -> bool:
    """Whether the garment's next grading closes a returned rental (and so must say why it ended)."""
    return _uninspected_return(session, garment_id) is not None


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class GarmentRentalSummary:
    """One garment's life in rental. ``public()`` is what its public product page may show."""

    turns: int
    days_rented: float
    quality_returns: int
    repairs: int
    cleanings: int
    care_cost_cents: int
    open_cycle_due_on: dt.date | None
    open_cycle_partner: str | None
    last_grade: Grade | None
    last_inspected_at: dt.datetime | None

    @classmethod
    def none(cls) -> GarmentRentalSummary:
        """A garment that was never rented out nor cared for."""
        return cls(turns=0, days_rented=0.0, quality_returns=0, repairs=0, cleanings=0, care_cost_cents=0,
                   open_cycle_due_on=None, open_cycle_partner=None, last_grade=None, last_inspected_at=None)

    def public(self) -> dict[str, int]:
        return {"rental_cycles": self.turns, "days_rented": int(round(self.days_rented)),
                "repairs": self.repairs}

    def as_dict(self) -> dict[str, Any]:
        return {"rental_cycles": self.turns, "days_rented": round(self.days_rented, 2),
                "quality_returns": self.quality_returns, "repairs": self.repairs, "cleanings": self.cleanings,
                "care_cost_cents": self.care_cost_cents,
                "open_cycle": None if self.open_cycle_due_on is None else
                {"partner": self.open_cycle_partner, "due_on": self.open_cycle_due_on.isoformat()},
                "last_grade": self.last_grade.value if self.last_grade else None}


def garment_rental_summary(session: Session, garment_id: int, *, now: dt.datetime | None = None
                           ) -> GarmentRentalSummary:
    """Turns (rental cycles), days rented, quality returns, repairs and cleanings of one garment.

    Days rented count finished cycles, plus the open one up to ``now`` when it is given.
    """
    cycles = session.execute(
        select(RentalCycle.checked_out_at, RentalCycle.returned_at, RentalCycle.return_reason,
               RentalCycle.due_on, RentalPartner.name)
        .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
        .where(RentalCycle.garment_id == garment_id).order_by(RentalCycle.id)).all()
    days = 0.0
    open_due, open_partner = None, None
    for out_at, back_at, _reason, due_on, partner in cycles:
        end = back_at if back_at is not None else now
        if back_at is None:
            open_due, open_partner = due_on, partner
        if end is not None:
            days += max(0.0, (_utc(end) - _utc(out_at)).total_seconds() / 86400)
    care_rows = session.execute(select(CareStep.kind, func.count(), func.sum(CareStep.cost_cents))
                                .where(CareStep.garment_id == garment_id).group_by(CareStep.kind)).all()
    care = {kind: count for kind, count, _ in care_rows}
    cost = sum(spent or 0 for _, _, spent in care_rows)
    last = session.execute(select(Inspection.grade, Inspection.inspected_at)
                           .where(Inspection.garment_id == garment_id)
                           .order_by(Inspection.id.desc()).limit(1)).first()
    return GarmentRentalSummary(
        turns=len(cycles), days_rented=days,
        quality_returns=sum(1 for c in cycles if c[2] is ReturnReason.QUALITY_RETURN),
        repairs=care.get(CareKind.REPAIR, 0), cleanings=care.get(CareKind.CLEANING, 0),
        care_cost_cents=int(cost), open_cycle_due_on=open_due, open_cycle_partner=open_partner,
        last_grade=last[0] if last else None, last_inspected_at=_utc(last[1]) if last else None)


@dataclass(frozen=True)
class InspectionView:
    """An inspection with its defects and photo ids, for the evidence and garment pages."""

    id: int
    code: str
    grade: Grade
    reason: ReturnReason | None
    note: str
    inspected_at: dt.datetime
    defects: list[dict[str, Any]]


def inspections_of(session: Session, garment_id: int) -> list[InspectionView]:
    """A garment's inspections, newest first, each with its defects and their photos."""
    rows = session.execute(
        select(Inspection.id, Inspection.grade, Inspection.reason, Inspection.note, Inspection.inspected_at,
               Garment.code)
        .join(Garment, Garment.id == Inspection.garment_id)
        .where(Inspection.garment_id == garment_id).order_by(Inspection.id.desc())).all()
    defects = defects_for(session, [r[0] for r in rows])
    return [InspectionView(r[0], r[5], r[1], r[2], r[3], _utc(r[4]), defects.get(r[0], [])) for r in rows]


def defects_for(session: Session, inspection_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Defects (with photo id or None) of the given inspections, in one query."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not inspection_ids:
        return out
    rows = session.execute(
        select(InspectionDefect.inspection_id, InspectionDefect.code, InspectionDefect.zone,
               InspectionDefect.severity, InspectionDefect.note, DefectPhoto.id)
        .outerjoin(DefectPhoto, DefectPhoto.defect_id == InspectionDefect.id)
        .where(InspectionDefect.inspection_id.in_(inspection_ids)).order_by(InspectionDefect.id)).all()
    for inspection_id, code, zone, severity, note, photo_id in rows:
        out.setdefault(inspection_id, []).append(
            {"code": code.value, "zone": zone, "severity": severity, "note": note, "photo_id": photo_id})
    return out


def photo(session: Session, photo_id: int, *, upload_dir: str) -> tuple[DefectPhoto, str]:
    """A defect photo's record and its file path; NotFound when either is missing."""
    record = session.get(DefectPhoto, photo_id)
    path = defect_photos.path_of(record.stored_name, upload_dir=upload_dir) if record else None
    if record is None or path is None:
        raise NotFound(N_("No such photo."))
    return record, path


def iter_rows(session: Session, query: Any, batch: int = 1000) -> Iterator[Any]:
    """Stream a large result without holding it all in memory (CSV exports)."""
    yield from session.execute(query.execution_options(yield_per=batch))
