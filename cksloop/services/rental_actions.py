"""Rental actions on one garment: the pool, check-out, returns, care, and grading with its photos.

Each is one ledger action through ``garments.act`` (or, for a grading with photos, the ledger's
unit of work directly, so the photos land in the same transaction as the event).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from cksloop.db.models import DefectPhoto, User
from cksloop.domain import lifecycle
from cksloop.domain.errors import InvalidDetails, VersionConflict
from cksloop.domain.lifecycle import Action
from cksloop.domain.messages import N_
from cksloop.services import defect_photos, house_rules, ledger, streams
from cksloop.services import garments as garment_service


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
    written: list[str] = []
    actor_id = actor.id

    def keep_photos(session: Session, recorded: list[ledger.Recorded]) -> None:
        inspection = recorded[0].notes.get("inspection")
        if inspection is None:
            return
        for index, photo in checked.items():
            if index >= len(inspection.defect_ids):
                continue
            assert upload_dir is not None
            name = defect_photos.store(photo, upload_dir=upload_dir)
            written.append(name)
            session.add(DefectPhoto(defect_id=inspection.defect_ids[index], stored_name=name,
                                    content_type=photo.content_type, size_bytes=len(photo.data),
                                    width=photo.width, height=photo.height, uploaded_by=actor_id,
                                    uploaded_at=now))
        session.flush()

    def plan() -> ledger.Plan[garment_service.ActionResult]:
        garment = garment_service.get_garment(session, code)
        if expected_version is not None and expected_version != garment.version:
            raise VersionConflict(expected=expected_version, current=garment.version,
                                  state=garment.state.value if garment.state else "new",
                                  allowed=[a.value for a in garment_service.allowed_actions_for(garment, actor)])
        places, location_ids = garment_service.load_locations(session)
        ctx = garment_service.build_context(session, actor=actor, now=now, places=places)
        snapshot = garment_service.snapshot_of(garment)
        try:
            change = lifecycle.decide(snapshot, action, dict(details), ctx)
        except InvalidDetails as invalid:
            raise InvalidDetails({**invalid.field_errors, **errors}) from None
        if errors:
            raise InvalidDetails(errors)
        change = house_rules.check(session, actor=actor, snapshot=snapshot, change=change, details=dict(details))
        decision = garment_service.decision_for(garment, change, actor_id=actor_id, now=now,
                                                location_ids=location_ids)
        return ledger.Plan([decision], answer=lambda recorded: garment_service.result_of(recorded[0]),
                           extra=keep_photos)

    try:
        return ledger.run(
            session, stream=streams.GARMENTS, plan=plan, actor_id=actor_id, now=now,
            conflict=lambda d: garment_service.conflict_for(
                session, garment_id=d.aggregate_id, actor=actor,
                expected=expected_version if expected_version is not None else -1))
    except BaseException:
        _forget(written, upload_dir)
        raise


def _forget(names: list[str], upload_dir: str | None) -> None:
    for name in names:
        defect_photos.remove(name, upload_dir=upload_dir or "")
