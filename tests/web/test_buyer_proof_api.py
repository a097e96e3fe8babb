"""Issue 14 over HTTP: proof of a lot to proven, overdue by date, files checked by content, the
disclosure and its drill, discards needing ground and evidence, buyer figures, 403 for store staff."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import func, select

from cksloop.db.models import BuyerLotProof, DiscardEvidence, GarmentEvent
from cksloop.domain.buyer_contracts import Restrictions
from cksloop.domain.buyer_lots import Shipment
from cksloop.domain.destinations import EndUse
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import buyer_lots, buyers, tokens
from tests.builders import make_garment, make_user
from tests.proof_files import RENAMED_HTML, pdf_bytes, png_bytes
from tests.services.test_disclosure import evidence_id, merch, year_of_discards  # noqa: F401  # fixtures


def _headers(session, now, role: Role) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, label='t', now=now)}"}


def _shipped_lot(session, now, *, shipped_on: dt.date) -> int:
    actor = make_user(session, Role.MERCHANDISER)
    buyer = buyers.create_buyer(session, name="Opkoop NV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(proof_days=30), actor_id=actor.id, now=now)
    lot_id = buyer_lots.create_lot(session, buyer_id=buyer.id, destination_country="NL", end_use=EndUse.REUSE,
                                   planned_ship_on=shipped_on, codes=[make_garment(session).code], actor=actor,
                                   now=now)
    buyer_lots.confirm(session, lot_id=lot_id, actor=actor, now=now)
    buyer_lots.ship(session, lot_id=lot_id, actor=actor, now=now, shipment=Shipment(
        shipped_on=shipped_on, carrier="DHL", transport_document="CMR-9", gross_weight_g=1200))
    return lot_id


def _file(raw: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(raw), name


def test_a_lot_is_proven_through_the_api_and_a_renamed_html_file_is_refused(client, db_session, now):
    lot_id = _shipped_lot(db_session, now, shipped_on=now.date())
    headers = _headers(db_session, now, Role.MERCHANDISER)
    url = f"/api/v1/buyer-lots/{lot_id}"
    refused = client.post(f"{url}/proof", headers=headers,
                          data={"kind": "destination_declaration", "file": _file(RENAMED_HTML, "proof.pdf")})
    assert refused.status_code == 422 and set(refused.get_json()["details"]["fields"]) == {"file"}
    assert db_session.scalar(select(func.count()).select_from(BuyerLotProof)) == 0
    first = client.post(f"{url}/proof", headers=headers,
                        data={"kind": "destination_declaration", "file": _file(pdf_bytes(), "declaration.pdf")})
    assert first.status_code == 201 and first.get_json()["proof_missing"] == ["destination_declaration",
                                                                               "transport_document"]
    missing = client.post(f"{url}/accept-proof", headers=headers)
    assert missing.status_code == 409
    assert missing.get_json()["error"] == "proof_missing"
    assert missing.get_json()["details"]["missing"] == ["transport_document"]
    assert client.post(f"{url}/proof", headers=headers, data={"kind": "transport_document",
                                                                "file": _file(png_bytes(), "cmr.png")}).status_code == 201
    proven = client.post(f"{url}/accept-proof", headers=headers)
    assert proven.status_code == 200 and proven.get_json()["status"] == "proven"
    proof = proven.get_json()["proof"]
    download = client.get(f"{url}/proof/{proof[0]['id']}", headers=headers)
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.mimetype == "application/pdf" and download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"{url}/proof/999999", headers=headers).status_code == 404


def test_a_lot_past_its_deadline_is_overdue_in_its_answer_and_in_the_overdue_list(client, db_session, now):
    late = _shipped_lot(db_session, now, shipped_on=dt.date(2026, 9, 1))  # due 1 October
    fresh = _shipped_lot(db_session, now, shipped_on=now.date())
    headers = _headers(db_session, now, Role.ADMIN)
    assert client.get(f"/api/v1/buyer-lots/{late}", headers=headers).get_json()["status"] == "overdue"
    assert client.get(f"/api/v1/buyer-lots/{fresh}", headers=headers).get_json()["status"] == "shipped"
    listed = client.get("/api/v1/buyer-lots?status=overdue", headers=headers).get_json()["items"]
    assert [lot["id"] for lot in listed] == [late]
    figures = client.get("/api/v1/buyer-lots/figures?from=2026-01-01&to=2026-12-31", headers=headers).get_json()
    assert [lot["id"] for lot in figures["overdue_lots"]] == [late]
    assert figures["totals"] == {"lots": 2, "pieces": 2, "weight_kg": 2.4, "value_cents": 2 * 12995}
    assert figures["by_destination_country"] == [{"destination_country": "NL", "pieces": 2, "weight_kg": 2.4,
                                                  "value_cents": 2 * 12995}]
    # two garments shipped to a buyer and nothing sold in own channels in the period
    assert figures["overstock_share"] == {"own_channel_units": 0, "buyer_units": 2, "own_channel_pct": 0,
                                          "buyer_pct": 100}


def test_the_contract_pdf_is_uploaded_and_read_back_and_a_photo_is_refused(client, db_session, now):
    actor = make_user(db_session, Role.MERCHANDISER)
    buyer = buyers.create_buyer(db_session, name="Opkoop NV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(db_session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(), actor_id=actor.id, now=now)
    headers = _headers(db_session, now, Role.MERCHANDISER)
    url = f"/api/v1/buyers/{buyer.id}/contracts/1/document"
    assert client.get(url, headers=headers).status_code == 404
    assert client.post(url, headers=headers, data={"file": _file(png_bytes(), "c.pdf")}).status_code == 422
    assert client.post(url, headers=headers, data={"file": _file(pdf_bytes("signed"), "c.pdf")}).status_code == 201
    got = client.get(url, headers=headers)
    assert got.status_code == 200 and got.data == pdf_bytes("signed")
    assert client.post(f"/api/v1/buyers/{buyer.id}/contracts/7/document", headers=headers,
                       data={"file": _file(pdf_bytes(), "c.pdf")}).status_code == 404


def test_the_disclosure_answers_the_issue_shape_and_each_drill_count_equals_its_figure(
        client, db_session, now, year_of_discards):  # noqa: F811
    headers = _headers(db_session, now, Role.MERCHANDISER)
    body = client.get("/api/v1/reports/unsold-disclosure?year=2026", headers=headers).get_json()
    assert set(body) >= {"year", "entity", "categories", "measures"}
    assert [(c["cn_code"], c["units"]) for c in body["categories"]] == [("61", 3), ("62", 1)]
    for category in body["categories"]:
        drilled = client.get(category["garments_url"], headers=headers).get_json()
        assert drilled["count"] == category["units"] == len(drilled["items"])
        for ground, units in category["grounds"].items():
            by_ground = client.get(f"/api/v1/reports/unsold-disclosure/garments?year=2026&cn_code={category['cn_code']}"
                                   f"&ground={ground}", headers=headers).get_json()
            assert by_ground["count"] == units
        assert sum(category["treatment_pct"].values()) == 100
    assert client.get("/api/v1/reports/unsold-disclosure?year=1999", headers=headers).status_code == 422


def test_a_discard_through_the_api_needs_a_ground_and_stored_evidence(client, db_session, now):
    garment = make_garment(db_session)
    headers = _headers(db_session, now, Role.MERCHANDISER)
    url = f"/api/v1/garments/{garment.code}/actions"
    before = db_session.scalar(select(func.count()).select_from(GarmentEvent))
    for body, field in (({"action": "retire", "route": "recycling", "ground": "end_of_season"}, "ground"),
                        ({"action": "retire", "route": "recycling", "ground": "g_unfixable_defects"}, "evidence"),
                        ({"action": "retire", "route": "recycling", "ground": "g_unfixable_defects",
                          "evidence": 4242}, "evidence")):
        refused = client.post(url, json=body, headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["details"]["fields"]
    assert db_session.scalar(select(func.count()).select_from(GarmentEvent)) == before
    bad = client.post("/api/v1/discard-evidence", headers=headers, data={"file": _file(RENAMED_HTML, "e.pdf")})
    assert bad.status_code == 422 and db_session.scalar(select(func.count()).select_from(DiscardEvidence)) == 0
    stored = client.post("/api/v1/discard-evidence", headers=headers, data={"file": _file(png_bytes(), "e.png")})
    assert stored.status_code == 201 and stored.get_json()["keep_until"] == "2031-11-25"
    done = client.post(url, headers=headers, json={"action": "retire", "route": "recycling",
                                                   "ground": "g_unfixable_defects", "evidence": stored.get_json()["id"]})
    assert done.status_code == 200 and done.get_json()["state"] == GarmentState.RETIRED.value
    evidence = client.get(f"/api/v1/discard-evidence/{stored.get_json()['id']}", headers=headers)
    assert evidence.status_code == 200 and evidence.data == png_bytes()


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/v1/reports/unsold-disclosure?year=2026"),
    ("GET", "/api/v1/reports/unsold-disclosure/garments?year=2026"),
    ("GET", "/api/v1/buyer-lots/figures"),
    ("POST", "/api/v1/buyer-lots/1/proof"),
    ("POST", "/api/v1/buyer-lots/1/accept-proof"),
    ("GET", "/api/v1/buyer-lots/1/proof/1"),
    ("POST", "/api/v1/buyers/1/contracts/1/document"),
    ("POST", "/api/v1/discard-evidence"),
    ("GET", "/api/v1/discard-evidence/1"),
])
def test_store_staff_get_403_from_every_proof_and_disclosure_endpoint(client, db_session, now, method: str,
                                                                      url: str):
    answer = client.open(url, method=method, headers=_headers(db_session, now, Role.STORE_STAFF))
    assert answer.status_code == 403 and answer.get_json()["error"] == "forbidden"


