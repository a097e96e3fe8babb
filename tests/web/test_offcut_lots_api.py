"""The offcut lot API: register, read, list and act, with the mass balance in every answer (issue 15)."""
from __future__ import annotations

from typing import Any

import pytest

from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots
from tests.builders import OTHER_STORE, STORE, make_garment
from tests.web.test_api_auth import assert_error_shape, bearer, token_for

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
       "weight_g": 600, "location": STORE}


@pytest.fixture
def organiser(db_session, now) -> str:
    return token_for(db_session, now, Role.WORKSHOP_ORGANISER)[1]


def _balanced(lot: dict[str, Any]) -> bool:
    return lot["weight_in_g"] == lot["split_out_g"] + lot["consumed_g"] + lot["waste_g"] + lot["remaining_g"]


def _act(client, token: str, code: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v1/offcut-lots/{code}/actions", json=body, headers={**bearer(token), **headers})


def test_an_organiser_registers_a_lot_and_reads_it_with_its_label_and_balance(client, organiser):
    created = client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(organiser))
    assert created.status_code == 201, created.get_data(as_text=True)
    lot = created.get_json()
    assert lot["code"] == "CKSR-00001" and lot["label_url"] == "https://loop.cks.example/r/CKSR-00001"
    assert lot["remaining_g"] == 600 and _balanced(lot) and [e["action"] for e in lot["events"]] == ["create"]
    read = client.get("/api/v1/offcut-lots/CKSR-00001", headers=bearer(organiser)).get_json()
    assert read == lot


def test_actions_answer_the_balanced_lot_and_a_split_names_its_new_lots(client, organiser):
    code = client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(organiser)).get_json()["code"]
    split = _act(client, organiser, code, {"action": "split", "expected_version": 1, "parts_g": [400, 100]})
    assert split.status_code == 200 and split.get_json()["new_lots"] == ["CKSR-00002", "CKSR-00003"]
    moved = _act(client, organiser, code, {"action": "move", "expected_version": 2, "to_location": OTHER_STORE})
    assert moved.get_json()["location"] == OTHER_STORE
    used = _act(client, organiser, code, {"action": "consume", "expected_version": 3, "grams": 60, "note": "pouches"})
    lot = used.get_json()
    assert (lot["split_out_g"], lot["consumed_g"], lot["remaining_g"]) == (500, 60, 40) and _balanced(lot)


def test_consuming_more_than_remains_answers_409_insufficient_offcut_with_what_is_left(client, db_session, organiser):
    code = client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(organiser)).get_json()["code"]
    refused = _act(client, organiser, code, {"action": "consume", "grams": 601, "note": "too much"})
    body = assert_error_shape(refused, 409, "insufficient_offcut")
    assert body["details"]["lot"] == code and body["details"]["remaining_g"] == 600
    db_session.rollback()
    assert offcut_lots.lot_dict(db_session, code)["version"] == 1


def test_a_moved_version_answers_409_and_a_retried_key_writes_once(client, db_session, organiser):
    code = client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(organiser)).get_json()["code"]
    assert_error_shape(_act(client, organiser, code, {"action": "consume", "expected_version": 7, "grams": 5,
                                                      "note": "x"}), 409, "version_conflict")
    body = {"action": "consume", "expected_version": 1, "grams": 50, "note": "bracelets"}
    first, again = (_act(client, organiser, code, body, **{"Idempotency-Key": "lot-1"}) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()
    db_session.rollback()
    assert offcut_lots.lot_dict(db_session, code)["remaining_g"] == 550


def test_store_staff_read_and_list_lots_but_may_not_write(client, db_session, now, organiser):
    staff = token_for(db_session, now, Role.STORE_STAFF)[1]
    code = client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(organiser)).get_json()["code"]
    assert client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(staff)).status_code == 403
    assert _act(client, staff, code, {"action": "consume", "grams": 5, "note": "x"}).status_code == 403
    listed = client.get(f"/api/v1/offcut-lots?location={STORE}&material=denim", headers=bearer(staff)).get_json()
    assert [item["code"] for item in listed["items"]] == [code] and listed["has_next"] is False
    assert client.get(f"/api/v1/offcut-lots?location={OTHER_STORE}", headers=bearer(staff)).get_json()["items"] == []


def test_bad_weights_and_unknown_locations_are_422_and_register_nothing(client, db_session, organiser):
    for bad in ({**LOT, "weight_g": 0}, {**LOT, "weight_g": -5}, {**LOT, "weight_g": "lots"},
                {**LOT, "location": "NOWHERE"}):
        assert_error_shape(client.post("/api/v1/offcut-lots", json=bad, headers=bearer(organiser)),
                           422, "invalid_details")
    db_session.rollback()
    assert offcut_lots.list_lots(db_session)[0] == []


def test_a_scanned_lot_label_resolves_to_the_lot_and_a_garment_says_its_kind(client, db_session, now, organiser):
    staff = token_for(db_session, now, Role.STORE_STAFF)[1]
    code = client.post("/api/v1/offcut-lots", json=LOT, headers=bearer(organiser)).get_json()["code"]
    for payload in (code, "cksr-1", f"https://loop.cks.example/r/{code}"):
        scanned = client.post("/api/v1/scans", json={"payload": payload}, headers=bearer(staff))
        assert scanned.status_code == 200, scanned.get_data(as_text=True)
        body = scanned.get_json()
        assert (body["kind"], body["code"], body["url"]) == ("offcut_lot", code, f"/r/{code}")
        assert body["lot"]["remaining_g"] == 600 and "garment" not in body
    missing = client.post("/api/v1/scans", json={"payload": "CKSR-00999"}, headers=bearer(staff))
    assert_error_shape(missing, 404, "not_found")
    garment = make_garment(db_session, now=now)
    scanned = client.post("/api/v1/scans", json={"payload": garment.code}, headers=bearer(staff)).get_json()
    assert scanned["kind"] == "garment" and scanned["garment"]["code"] == garment.code
