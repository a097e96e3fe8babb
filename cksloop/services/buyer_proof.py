"""Proof after shipping a buyer lot and the signed contract documents: upload, accept, download.

The lot's version is compared and set on every change (two merchandisers accepting at once: one
wins, the other is told to reload), and each change adds a line to the lot's append-only history.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerContract, BuyerLot, BuyerLotProof, ContractDocument, User
from cksloop.db.session import begin_write
from cksloop.domain import buyer_proof
from cksloop.domain.buyer_contracts import ProofKind
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.messages import N_
from cksloop.services import buyer_lot_history, buyer_lots, buyers, stored_files

PROOF_DIR = "buyer-lot-proof"
CONTRACT_DIR = "contract-documents"


def _checked(raw: bytes, accepted: frozenset[str]) -> stored_files.CheckedFile:
    try:
        return stored_files.check(raw, accepted=accepted)
    except stored_files.FileRefused as refusal:
        raise InvalidDetails({"file": refusal.reason}) from None


def _domain_lot(session: Session, lot_id: int) -> Any:
    row = buyer_lots.load_lot(session, lot_id)
    return row, buyer_lots.as_domain(row, [])


def _write(session: Session, *, lot_id: int, seen: int, status: LotStatus | None = None,
           accepted: list[str] | None = None) -> int:
    """Compare and set the lot's version; the new version, or LotChanged with nothing written."""
    values: dict[str, Any] = {"version": seen + 1}
    if status is not None:
        values["status"] = status
    if accepted is not None:
        values["proof_accepted"] = accepted
    moved = session.execute(update(BuyerLot).where(BuyerLot.id == lot_id, BuyerLot.version == seen)
                            .values(**values)).rowcount
    if moved != 1:
        raise buyer_lots.LotChanged()
    return seen + 1


def upload_proof(session: Session, *, lot_id: int, kind: str | None, filename: str | None, raw: bytes,
                 upload_dir: str, actor: User, now: dt.datetime) -> int:
    """Keep one proof document of a shipped lot (PDF, JPEG or PNG by content); its id.

    Raises NotFound, LotNotAllowedNow (not shipped), InvalidDetails (a kind the lot does not owe,
    a file that is not a document or photo), LotChanged."""
    row, lot = _domain_lot(session, lot_id)
    proof_kind = buyer_proof.check_upload(lot, kind=kind)
    checked = _checked(raw, stored_files.DOCUMENT_OR_PHOTO)
    seen = row.version
    stored_files.store(checked, upload_dir=upload_dir, subdir=PROOF_DIR)
    begin_write(session)
    try:
        version = _write(session, lot_id=lot_id, seen=seen)
        proof = BuyerLotProof(lot_id=lot_id, kind=proof_kind.value, sha256=checked.sha256,
                              content_type=checked.content_type, size_bytes=len(checked.data),
                              original_name=stored_files.clean_name(filename), uploaded_at=now,
                              uploaded_by=actor.id)
        session.add(proof)
        session.flush()
        buyer_lot_history.record(session, lot_id=lot_id, seq=version, kind="proof_uploaded", actor_id=actor.id, now=now,
                         details={"proof_id": proof.id, "kind": proof_kind.value, "sha256": checked.sha256})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return proof.id


def accept_proof(session: Session, *, lot_id: int, actor: User, now: dt.datetime) -> int:
    """A merchandiser accepts the lot's uploaded proof; the lot becomes proven when all owed proof is in.

    Raises NotFound, LotNotAllowedNow, ProofMissing (naming what is still missing), LotChanged."""
    row, lot = _domain_lot(session, lot_id)
    uploaded = {ProofKind(k) for k in session.scalars(
        select(BuyerLotProof.kind).where(BuyerLotProof.lot_id == lot_id).distinct())}
    step = buyer_proof.accept_all(lot, uploaded=uploaded)
    seen, was_overdue = row.version, buyer_proof.status_on(lot, today=local_date(now)) is LotStatus.OVERDUE
    newly = sorted(k.value for k in step.lot.proof_accepted - lot.proof_accepted)
    begin_write(session)
    try:
        version = _write(session, lot_id=lot_id, seen=seen, status=step.lot.status,
                         accepted=sorted(k.value for k in step.lot.proof_accepted))
        session.execute(update(BuyerLotProof).where(BuyerLotProof.lot_id == lot_id,
                                                    BuyerLotProof.accepted_at.is_(None))
                        .values(accepted_at=now, accepted_by=actor.id))
        buyer_lot_history.record(session, lot_id=lot_id, seq=version, kind=f"status_{step.lot.status.value}",
                         actor_id=actor.id, now=now, details={"accepted": newly, "late": was_overdue})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return lot_id


def proofs_of(session: Session, lot_id: int) -> list[dict[str, Any]]:
    """The lot's proof documents, oldest first, as the API and the proof panel show them."""
    return [{"id": p.id, "kind": p.kind, "content_type": p.content_type, "size_bytes": p.size_bytes,
             "original_name": p.original_name, "sha256": p.sha256, "uploaded_at": p.uploaded_at.isoformat(),
             "accepted": p.accepted_at is not None}
            for p in session.scalars(select(BuyerLotProof).where(BuyerLotProof.lot_id == lot_id)
                                     .order_by(BuyerLotProof.id))]


def proof_file(session: Session, *, lot_id: int, proof_id: int, upload_dir: str) -> tuple[BuyerLotProof, str]:
    """A stored proof document and its path; NotFound when either is gone."""
    proof = session.get(BuyerLotProof, proof_id)
    path = stored_files.path_of(proof.sha256, proof.content_type, upload_dir=upload_dir, subdir=PROOF_DIR) \
        if proof is not None and proof.lot_id == lot_id else None
    if proof is None or path is None:
        raise NotFound(N_("No proof document with number %(id)s for this lot."), id=proof_id)
    return proof, path


def lot_answer(session: Session, lot_id: int, *, today: dt.date) -> dict[str, Any]:
    """The lot as the API answers it, with its status on ``today`` and its proof."""
    view = buyer_lots.lot_view(session, lot_id)
    row = buyer_lots.load_lot(session, lot_id)
    lot = buyer_lots.as_domain(row, [])
    view["status"] = buyer_proof.status_on(lot, today=today).value
    view["proof_accepted"] = sorted(k.value for k in lot.proof_accepted)
    view["proof_missing"] = sorted(k.value for k in lot.proof_missing) if row.shipped_on else []
    view["proof"] = proofs_of(session, lot_id)
    view["proof_not_uploaded"] = sorted(set(view["proof_missing"]) - {p["kind"] for p in view["proof"]})
    return view


def list_lots(session: Session, *, status: LotStatus | None, today: dt.date) -> list[dict[str, Any]]:
    """Lots by their status on ``today``: ``overdue`` is a shipped lot past its deadline, ``shipped`` one before."""
    stored = LotStatus.SHIPPED if status is LotStatus.OVERDUE else status
    answer = []
    # every lot still waiting for proof is read: the late ones are the oldest, and a cut at the
    # newest 500 would hide exactly them (once proven, a lot leaves this working set)
    for view in buyer_lots.list_lots(session, status=stored, everything=stored is LotStatus.SHIPPED):
        due = view["proof_due_on"]
        late = view["status"] == LotStatus.SHIPPED.value and due is not None and today > dt.date.fromisoformat(due)
        if late:
            view["status"] = LotStatus.OVERDUE.value
        if status is None or view["status"] == status.value:
            answer.append(view)
    return answer


def overdue_lots(session: Session, *, today: dt.date) -> list[dict[str, Any]]:
    """Shipped lots whose proof is late, oldest deadline first (the merchandiser's list)."""
    late = list_lots(session, status=LotStatus.OVERDUE, today=today)
    names = {b.id: b.name for b in buyers.list_buyers(session)}
    for view in late:
        view["buyer_name"] = names.get(view["buyer_id"], "")
        view["days_late"] = (today - dt.date.fromisoformat(view["proof_due_on"])).days
    return sorted(late, key=lambda v: (v["proof_due_on"], v["id"]))


def count_overdue(session: Session, *, today: dt.date) -> int:
    """How many lots ``overdue_lots`` lists on ``today`` (the home page's task)."""
    return len(list_lots(session, status=LotStatus.OVERDUE, today=today))


# --- contract documents -------------------------------------------------------------------------


def _contract(session: Session, buyer_id: int, version: int) -> BuyerContract:
    buyers.get_buyer(session, buyer_id)
    found = session.scalar(select(BuyerContract).where(BuyerContract.buyer_id == buyer_id,
                                                       BuyerContract.version == version))
    if found is None:
        raise NotFound(N_("This buyer has no contract version %(version)s."), version=version)
    return found


def upload_contract_document(session: Session, *, buyer_id: int, version: int, filename: str | None, raw: bytes,
                             upload_dir: str, actor: User, now: dt.datetime) -> dict[str, Any]:
    """Keep the signed PDF of a contract version (a PDF by content); a new upload replaces the shown one."""
    contract = _contract(session, buyer_id, version)
    contract_id = contract.id
    checked = _checked(raw, stored_files.PDF_ONLY)
    stored_files.store(checked, upload_dir=upload_dir, subdir=CONTRACT_DIR)
    begin_write(session)
    try:
        row = ContractDocument(contract_id=contract_id, sha256=checked.sha256, content_type=checked.content_type,
                               size_bytes=len(checked.data), original_name=stored_files.clean_name(filename),
                               uploaded_at=now, uploaded_by=actor.id)
        session.add(row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return document_json(row, version=version)


def document_json(row: ContractDocument, *, version: int) -> dict[str, Any]:
    return {"id": row.id, "contract_id": row.contract_id, "version": version, "sha256": row.sha256,
            "size_bytes": row.size_bytes, "original_name": row.original_name,
            "uploaded_at": row.uploaded_at.isoformat()}


def contract_document(session: Session, *, buyer_id: int, version: int,
                      upload_dir: str) -> tuple[ContractDocument, str]:
    """The latest signed document of a contract version and its path; NotFound when there is none."""
    contract = _contract(session, buyer_id, version)
    row = session.scalars(select(ContractDocument).where(ContractDocument.contract_id == contract.id)
                          .order_by(ContractDocument.id.desc()).limit(1)).first()
    path = stored_files.path_of(row.sha256, row.content_type, upload_dir=upload_dir, subdir=CONTRACT_DIR) \
        if row is not None else None
    if row is None or path is None:
        raise NotFound(N_("No signed document for contract version %(version)s."), version=version)
    return row, path

