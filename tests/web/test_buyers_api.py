"""The buyers API (issue 14): buyers, contract versions and lots, with the issue's bodies and errors."""
from __future__ import annotations

from sqlalchemy import func, select

from cksloop.db.models import BuyerLot, GarmentEvent
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import tokens
from tests.builders import make_garment, make_user


def _token(session, now, role) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, label='t', now=now)}"}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "details"} and body["error"] == code
    return body


def _buyer_with_contract(client, headers, **contract) -> int:
    created = client.post("/api/v1/buyers", headers=headers, json={
        "name": "Textiel Opkoop NV", "vat_number": "BE0417497106", "country": "BE",
        "contact_email": "inkoop@opkoop.example"})
    assert created.status_code == 201, created.get_data(as_text=True)
    buyer_id = created.get_json()["id"]
    body = {"valid_from": "2026-01-01", "allowed_groups": ["EU"], "allowed_end_uses": ["reuse"], **contract}
    added = client.post(f"/api/v1/buyers/{buyer_id}/contracts", headers=headers, json=body)
    assert added.status_code == 201, added.get_data(as_text=True)
    return buyer_id


def test_buyers_and_lots_are_for_merchandisers_and_admins_only(client, db_session, now, world):
    staff = _token(db_session, now, Role.STORE_STAFF)
    _error(client.get("/api/v1/buyers", headers=staff), 403, "forbidden")
    _error(client.post("/api/v1/buyer-lots", headers=staff, json={}), 403, "forbidden")
    _error(client.get("/api/v1/buyer-lots"), 401, "unauthorized")
    assert client.get("/api/v1/buyers", headers=_token(db_session, now, Role.ADMIN)).status_code == 200


def test_a_buyer_with_a_wrong_vat_number_is_refused_naming_the_field(client, db_session, now, world):
    headers = _token(db_session, now, Role.MERCHANDISER)
    refused = _error(client.post("/api/v1/buyers", headers=headers, json={
        "name": "X", "vat_number": "BE0417497107", "country": "BE", "contact_email": "a@b.example"}),
        422, "invalid_details")
    assert set(refused["details"]["fields"]) == {"vat_number"}


def test_each_contract_is_a_new_version_and_a_country_outside_the_oecd_is_not_stored(client, db_session, now, world):
    headers = _token(db_session, now, Role.MERCHANDISER)
    buyer_id = _buyer_with_contract(client, headers)
    second = client.post(f"/api/v1/buyers/{buyer_id}/contracts", headers=headers,
                         json={"valid_from": "2026-06-01", "allowed_countries": ["CH"],
                               "allowed_end_uses": ["reuse"]})
    assert (second.status_code, second.get_json()["version"]) == (201, 2)
    refused = _error(client.post(f"/api/v1/buyers/{buyer_id}/contracts", headers=headers,
                                 json={"valid_from": "2026-06-01", "allowed_countries": ["GH"],
                                       "allowed_end_uses": ["reuse"]}), 422, "invalid_contract")
    assert refused["details"]["rules"]["allowed_countries"] == "outside_oecd"
    buyer = client.get(f"/api/v1/buyers/{buyer_id}", headers=headers).get_json()
    assert [c["version"] for c in buyer["contracts"]] == [1, 2]
    assert buyer["contracts"][1]["proof_days"] == 60  # the default of DOMAIN.md §5


def test_a_lot_is_declared_confirmed_and_shipped_through_the_api(client, db_session, now, world):
    headers = _token(db_session, now, Role.MERCHANDISER)
    buyer_id = _buyer_with_contract(client, headers)
    codes = sorted(make_garment(db_session).code for _ in range(2))
    made = client.post("/api/v1/buyer-lots", headers=headers, json={
        "buyer_id": buyer_id, "destination_country": "nl", "end_use": "reuse", "planned_ship_on": "2026-11-20",
        "garments": codes})
    assert made.status_code == 201, made.get_data(as_text=True)
    lot = made.get_json()
    assert (lot["status"], lot["contract_version"], lot["garments"]) == ("draft", 1, codes)
    lot_id = lot["id"]
    assert client.post(f"/api/v1/buyer-lots/{lot_id}/confirm", headers=headers).get_json()["status"] == "confirmed"
    _error(client.post(f"/api/v1/buyer-lots/{lot_id}/ship", headers=headers, json={
        "shipped_on": "2026-11-20", "carrier": "DHL", "transport_document": "CMR-1", "gross_weight_kg": 0}),
        422, "invalid_details")
    shipped = client.post(f"/api/v1/buyer-lots/{lot_id}/ship", headers=headers, json={
        "shipped_on": "2026-11-20", "carrier": "DHL", "transport_document": "CMR-1", "gross_weight_kg": 1.5})
    assert (shipped.status_code, shipped.get_json()["status"], shipped.get_json()["gross_weight_kg"]) == \
        (200, "shipped", 1.5)
    listed = client.get("/api/v1/buyer-lots?status=shipped", headers=headers).get_json()["items"]
    assert [item["id"] for item in listed] == [lot_id]
    _error(client.post(f"/api/v1/buyer-lots/{lot_id}/cancel", headers=headers), 409, "not_allowed_now")


def test_a_forbidden_destination_answers_the_contract_violation_and_writes_nothing(client, db_session, now, world):
    headers = _token(db_session, now, Role.MERCHANDISER)
    buyer_id = _buyer_with_contract(client, headers, forbidden_countries=["FR"])
    code = make_garment(db_session).code
    events = db_session.scalar(select(func.count()).select_from(GarmentEvent))
    body = {"buyer_id": buyer_id, "destination_country": "FR", "end_use": "reuse",
            "planned_ship_on": "2026-11-20", "garments": [code]}
    refused = _error(client.post("/api/v1/buyer-lots", headers=headers, json=body), 422, "contract_violation")
    assert refused["details"]["rule"] == "country_forbidden" and refused["details"]["contract_version"] == 1
    assert "FR" in refused["message"]
    landfill = _error(client.post("/api/v1/buyer-lots", headers=headers,
                                  json={**body, "destination_country": "NL", "end_use": "landfill"}),
                      422, "contract_violation")
    assert landfill["details"]["rule"] == "use_never_allowed"
    assert db_session.scalar(select(func.count()).select_from(BuyerLot)) == 0
    assert db_session.scalar(select(func.count()).select_from(GarmentEvent)) == events


def test_a_garment_that_cannot_join_answers_409_naming_it_and_nothing_is_written(client, db_session, now, world):
    headers = _token(db_session, now, Role.MERCHANDISER)
    buyer_id = _buyer_with_contract(client, headers)
    free, sold = make_garment(db_session).code, make_garment(db_session, state=GarmentState.SOLD).code
    refused = _error(client.post("/api/v1/buyer-lots", headers=headers, json={
        "buyer_id": buyer_id, "destination_country": "NL", "end_use": "reuse", "planned_ship_on": "2026-11-20",
        "garments": [free, sold]}), 409, "garment_cannot_join")
    assert refused["details"]["garments"][0]["code"] == sold and sold in refused["message"]
    assert refused["details"]["garments"][0]["state"] == "sold"
    assert db_session.scalar(select(func.count()).select_from(BuyerLot)) == 0


def test_cancelling_through_the_api_releases_the_garments(client, db_session, now, world):
    headers = _token(db_session, now, Role.MERCHANDISER)
    buyer_id = _buyer_with_contract(client, headers)
    first, second = make_garment(db_session).code, make_garment(db_session).code
    lot_id = client.post("/api/v1/buyer-lots", headers=headers, json={
        "buyer_id": buyer_id, "destination_country": "NL", "end_use": "reuse", "planned_ship_on": "2026-11-20",
        "garments": [first]}).get_json()["id"]
    changed = client.post(f"/api/v1/buyer-lots/{lot_id}/garments", headers=headers, json={"add": [second]})
    assert changed.get_json()["garments"] == sorted([first, second])
    cancelled = client.post(f"/api/v1/buyer-lots/{lot_id}/cancel", headers=headers).get_json()
    assert (cancelled["status"], cancelled["garments"]) == ("cancelled", [])
    for code in (first, second):
        assert client.get(f"/api/v1/garments/{code}", headers=headers).get_json()["state"] == "in_stock"
