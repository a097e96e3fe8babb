"""Evidence for discarding an unsold garment: a document or photo checked by content, kept 5 years.

Delegated Regulation 2026/296: a discard is lawful only on a ground *with* evidence, kept
electronically for 5 years and producible within 30 days. The evidence is stored first; the
``retire`` action then names it by number, and the house rules refuse a number that was never stored.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import DiscardEvidence, User
from cksloop.db.session import begin_write
from cksloop.domain.clock import local_date
from cksloop.domain.disclosure import evidence_kept_until, treatment_of_retirement
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Action, Change, RetireRoute
from cksloop.domain.messages import N_
from cksloop.services import stored_files

SUBDIR = "discard-evidence"


def keep(session: Session, *, filename: str | None, raw: bytes, upload_dir: str, actor: User,
         now: dt.datetime) -> DiscardEvidence:
    """Store one piece of evidence (PDF, JPEG or PNG by content) and commit; InvalidDetails otherwise."""
    try:
        checked = stored_files.check(raw, accepted=stored_files.DOCUMENT_OR_PHOTO)
    except stored_files.FileRefused as refusal:
        raise InvalidDetails({"evidence_file": refusal.reason}) from None
    actor_id = actor.id
    stored_files.store(checked, upload_dir=upload_dir, subdir=SUBDIR)
    begin_write(session)
    try:
        row = DiscardEvidence(sha256=checked.sha256, content_type=checked.content_type, size_bytes=len(checked.data),
                              original_name=stored_files.clean_name(filename), uploaded_at=now, uploaded_by=actor_id,
                              keep_until=evidence_kept_until(local_date(now)))
        session.add(row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row


def stored_ids(session: Session) -> frozenset[int]:
    return frozenset(session.scalars(select(DiscardEvidence.id)))


def is_discard(change: Change) -> bool:
    """Whether the change discards the garment in the regulation's sense (recycling counts)."""
    if change.action is not Action.RETIRE:
        return False
    try:
        return treatment_of_retirement(RetireRoute(change.details.get("route"))) is not None
    except ValueError:
        return False


def check_named(change: Change, *, stored: frozenset[int]) -> None:
    """A discard must name evidence that was stored; InvalidDetails on the ``evidence`` field otherwise."""
    if is_discard(change) and change.details.get("evidence") not in stored:
        raise InvalidDetails({"evidence": N_("No stored evidence with this number: upload the document or "
                                             "photo first.")})


def evidence_file(session: Session, *, evidence_id: int, upload_dir: str) -> tuple[DiscardEvidence, str]:
    row = session.get(DiscardEvidence, evidence_id)
    path = stored_files.path_of(row.sha256, row.content_type, upload_dir=upload_dir, subdir=SUBDIR) \
        if row is not None else None
    if row is None or path is None:
        raise NotFound(N_("No stored evidence with number %(id)s."), id=evidence_id)
    return row, path
