"""Proof after shipping: a lot goes to proven, or overdue by date; wrong files and missing proof write nothing."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLot, BuyerLotProof, GarmentEvent, User
from cksloop.domain.buyer_contracts import Restrictions
from cksloop.domain.buyer_lots import LotNotAllowedNow, LotStatus, Shipment
from cksloop.domain.buyer_proof import ProofMissing
from cksloop.domain.clock import local_date
from cksloop.domain.destinations import EndUse
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.services import buyer_lot_history, buyer_lots, buyer_proof, buyers
from tests.builders import make_garment, make_user
from tests.proof_files import RENAMED_HTML, pdf_bytes, png_bytes

PLANNED = dt.date(2026, 11, 20)


@pytest.fixture
def merch(db_session: Session) -> User:
    return make_user(db_session, Role.MERCHANDISER)


@pytest.fixture
def buyer_id(db_session: Session, now: dt.datetime, merch: User) -> int:
    buyer = buyers.create_buyer(db_session, name="Textiel Opkoop NV", vat_number="BE0417497106", country="be",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(db_session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(proof_days=30), actor_id=merch.id, now=now)
    return buyer.id


@pytest.fixture
def upload_dir(tmp_path: Path) -> str:
    return str(tmp_path / "uploads")


def _shipped_lot(session: Session, buyer_id: int, merch: User, now: dt.datetime, *, shipped_on: dt.date) -> int:
    codes = [make_garment(session).code for _ in range(2)]
    lot_id = buyer_lots.create_lot(session, buyer_id=buyer_id, destination_country="NL", end_use=EndUse.REUSE,
                                   planned_ship_on=shipped_on, codes=codes, actor=merch, now=now)
    buyer_lots.confirm(session, lot_id=lot_id, actor=merch, now=now)
    buyer_lots.ship(session, lot_id=lot_id, actor=merch, now=now, shipment=Shipment(
        shipped_on=shipped_on, carrier="DHL", transport_document="CMR-77", gross_weight_g=2500))
    return lot_id


def _upload(session: Session, lot_id: int, kind: str, merch: User, now: dt.datetime, upload_dir: str,
            raw: bytes | None = None) -> int:
    return buyer_proof.upload_proof(session, lot_id=lot_id, kind=kind, filename=f"{kind}.pdf",
                                    raw=pdf_bytes(kind) if raw is None else raw, upload_dir=upload_dir,
                                    actor=merch, now=now)


def test_a_shipped_lot_becomes_proven_once_all_owed_proof_is_uploaded_and_accepted(
        db_session: Session, now, buyer_id: int, merch: User, upload_dir: str):
    lot_id = _shipped_lot(db_session, buyer_id, merch, now, shipped_on=local_date(now))
    today = local_date(now)
    answer = buyer_proof.lot_answer(db_session, lot_id, today=today)
    assert answer["status"] == "shipped"
    assert answer["proof_missing"] == ["destination_declaration", "transport_document"]
    proof_id = _upload(db_session, lot_id, "destination_declaration", merch, now, upload_dir)
    _upload(db_session, lot_id, "transport_document", merch, now, upload_dir, raw=png_bytes())
    buyer_proof.accept_proof(db_session, lot_id=lot_id, actor=merch, now=now)
    answer = buyer_proof.lot_answer(db_session, lot_id, today=today)
    assert answer["status"] == "proven"
    assert answer["proof_missing"] == [] and answer["proof_accepted"] == ["destination_declaration",
                                                                          "transport_document"]
    assert [p["accepted"] for p in answer["proof"]] == [True, True]
    assert [p["content_type"] for p in answer["proof"]] == ["application/pdf", "image/png"]
    kinds = [e.kind for e in buyer_lot_history.of_lot(db_session, lot_id)]
    assert kinds == ["status_draft", "status_confirmed", "status_shipped", "proof_uploaded", "proof_uploaded",
                     "status_proven"]
    assert [e.seq for e in buyer_lot_history.of_lot(db_session, lot_id)] == list(range(1, 7))
    stored, path = buyer_proof.proof_file(db_session, lot_id=lot_id, proof_id=proof_id, upload_dir=upload_dir)
    assert Path(path).read_bytes() == pdf_bytes("destination_declaration")
    assert Path(path).name == f"{stored.sha256}.pdf" and not path.startswith(str(Path("static").resolve()))


def test_accepting_with_proof_missing_is_refused_naming_it_and_writes_nothing(
        db_session: Session, now, buyer_id: int, merch: User, upload_dir: str):
    lot_id = _shipped_lot(db_session, buyer_id, merch, now, shipped_on=local_date(now))
    _upload(db_session, lot_id, "transport_document", merch, now, upload_dir)
    version = buyer_lots.load_lot(db_session, lot_id).version
    with pytest.raises(ProofMissing) as refused:
        buyer_proof.accept_proof(db_session, lot_id=lot_id, actor=merch, now=now)
    assert refused.value.details["missing"] == ["destination_declaration"]
    row = buyer_lots.load_lot(db_session, lot_id)
    assert (row.version, row.status, row.proof_accepted) == (version, LotStatus.SHIPPED, [])
    assert db_session.scalar(select(func.count()).select_from(BuyerLotProof)
                             .where(BuyerLotProof.accepted_at.is_not(None))) == 0


def test_a_shipped_lot_past_its_deadline_reads_overdue_by_date_and_late_proof_still_proves_it(
        db_session: Session, now, buyer_id: int, merch: User, upload_dir: str):
    shipped_on = dt.date(2026, 9, 1)  # 30 proof days: due 1 October, the test's today is later
    lot_id = _shipped_lot(db_session, buyer_id, merch, now, shipped_on=shipped_on)
    on_time = _shipped_lot(db_session, buyer_id, merch, now, shipped_on=local_date(now))
    today = local_date(now)
    assert buyer_proof.lot_answer(db_session, lot_id, today=dt.date(2026, 10, 1))["status"] == "shipped"
    assert buyer_proof.lot_answer(db_session, lot_id, today=dt.date(2026, 10, 2))["status"] == "overdue"
    assert [v["id"] for v in buyer_proof.list_lots(db_session, status=LotStatus.OVERDUE, today=today)] == [lot_id]
    assert [v["id"] for v in buyer_proof.list_lots(db_session, status=LotStatus.SHIPPED, today=today)] == [on_time]
    late = buyer_proof.overdue_lots(db_session, today=today)
    assert [(v["id"], v["days_late"]) for v in late] == [(lot_id, (today - dt.date(2026, 10, 1)).days)]
    assert db_session.get(BuyerLot, lot_id).status is LotStatus.SHIPPED  # derived, never stored
    for kind in ("destination_declaration", "transport_document"):
        _upload(db_session, lot_id, kind, merch, now, upload_dir)
    buyer_proof.accept_proof(db_session, lot_id=lot_id, actor=merch, now=now)
    assert buyer_proof.lot_answer(db_session, lot_id, today=today)["status"] == "proven"
    assert buyer_lot_history.of_lot(db_session, lot_id)[-1].details["late"] is True


def test_proof_as_a_renamed_html_file_is_refused_and_nothing_is_written(
        db_session: Session, now, buyer_id: int, merch: User, upload_dir: str):
    lot_id = _shipped_lot(db_session, buyer_id, merch, now, shipped_on=local_date(now))
    version = buyer_lots.load_lot(db_session, lot_id).version
    for raw in (RENAMED_HTML, b"", pdf_bytes()[:200]):
        with pytest.raises(InvalidDetails) as refused:
            _upload(db_session, lot_id, "destination_declaration", merch, now, upload_dir, raw=raw)
        assert set(refused.value.field_errors) == {"file"}
    with pytest.raises(InvalidDetails) as wrong_kind:
        _upload(db_session, lot_id, "sorting_record", merch, now, upload_dir)
    assert set(wrong_kind.value.field_errors) == {"kind"}
    assert db_session.scalar(select(func.count()).select_from(BuyerLotProof)) == 0
    assert buyer_lots.load_lot(db_session, lot_id).version == version
    assert not Path(upload_dir, buyer_proof.PROOF_DIR).exists() or not any(Path(upload_dir, buyer_proof.PROOF_DIR).iterdir())


def test_proof_for_a_lot_not_yet_shipped_is_refused(db_session: Session, now, buyer_id: int, merch: User,
                                                   upload_dir: str):
    code = make_garment(db_session).code
    lot_id = buyer_lots.create_lot(db_session, buyer_id=buyer_id, destination_country="NL", end_use=EndUse.REUSE,
                                   planned_ship_on=PLANNED, codes=[code], actor=merch, now=now)
    with pytest.raises(LotNotAllowedNow):
        _upload(db_session, lot_id, "destination_declaration", merch, now, upload_dir)
    with pytest.raises(LotNotAllowedNow):
        buyer_proof.accept_proof(db_session, lot_id=lot_id, actor=merch, now=now)


@pytest.mark.parametrize("shipment, field", [
    (Shipment(shipped_on=PLANNED, carrier="DHL", transport_document="CMR-1", gross_weight_g=0), "gross_weight_kg"),
    (Shipment(shipped_on=PLANNED, carrier="DHL", transport_document="CMR-1", gross_weight_g=-5), "gross_weight_kg"),
    (Shipment(shipped_on=PLANNED, carrier="DHL", transport_document="  ", gross_weight_g=900), "transport_document"),
    (Shipment(shipped_on=PLANNED, carrier="", transport_document="CMR-1", gross_weight_g=900), "carrier"),
])
def test_shipping_without_documents_or_with_weight_zero_is_refused_and_writes_nothing(
        db_session: Session, now, buyer_id: int, merch: User, shipment: Shipment, field: str):
    code = make_garment(db_session).code
    lot_id = buyer_lots.create_lot(db_session, buyer_id=buyer_id, destination_country="NL", end_use=EndUse.REUSE,
                                   planned_ship_on=PLANNED, codes=[code], actor=merch, now=now)
    buyer_lots.confirm(db_session, lot_id=lot_id, actor=merch, now=now)
    events = db_session.scalar(select(func.count()).select_from(GarmentEvent))
    with pytest.raises(InvalidDetails) as refused:
        buyer_lots.ship(db_session, lot_id=lot_id, actor=merch, now=now, shipment=shipment)
    assert field in refused.value.field_errors
    row = buyer_lots.load_lot(db_session, lot_id)
    assert (row.status, row.shipped_on, row.gross_weight_g) == (LotStatus.CONFIRMED, None, None)
    assert db_session.scalar(select(func.count()).select_from(GarmentEvent)) == events
    assert len(buyer_lot_history.of_lot(db_session, lot_id)) == 2


def test_the_signed_contract_pdf_is_kept_by_content_and_a_renamed_html_is_refused(
        db_session: Session, now, buyer_id: int, merch: User, upload_dir: str):
    with pytest.raises(InvalidDetails):
        buyer_proof.upload_contract_document(db_session, buyer_id=buyer_id, version=1, filename="contract.pdf",
                                             raw=RENAMED_HTML, upload_dir=upload_dir, actor=merch, now=now)
    with pytest.raises(InvalidDetails):  # a photo is no signed contract
        buyer_proof.upload_contract_document(db_session, buyer_id=buyer_id, version=1, filename="c.png",
                                             raw=png_bytes(), upload_dir=upload_dir, actor=merch, now=now)
    answer = buyer_proof.upload_contract_document(db_session, buyer_id=buyer_id, version=1, filename="../c.pdf",
                                                  raw=pdf_bytes("contract"), upload_dir=upload_dir, actor=merch,
                                                  now=now)
    assert answer["original_name"] == "c.pdf" and answer["version"] == 1
    row, path = buyer_proof.contract_document(db_session, buyer_id=buyer_id, version=1, upload_dir=upload_dir)
    assert Path(path).read_bytes() == pdf_bytes("contract") and row.sha256 == answer["sha256"]
