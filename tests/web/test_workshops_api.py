"""The workshop and remanufacturing API (issue 15): plan, list, log; products returned become sellable garments."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import render_template
from PIL import Image

from cksloop.domain.lifecycle import Role
from cksloop.services import garments, offcut_lots, remanufacturing
from tests.builders import STORE, make_user
from tests.web.test_api_auth import assert_error_shape, bearer, token_for
from tests.web.test_label_printing import decode

PARTNER = "REBELLE-ANT"
LOT = {"material": "wool", "composition": [{"fibre": "wool", "pct": 80}, {"fibre": "polyamide", "pct": 20}],
       "colour": "camel", "weight_g": 2000, "location": STORE}


@pytest.fixture
def organiser(db_session, now) -> str:
    return token_for(db_session, now, Role.WORKSHOP_ORGANISER)[1]


@pytest.fixture
def merchandiser(db_session, now) -> str:
    return token_for(db_session, now, Role.MERCHANDISER)[1]


@pytest.fixture
def clerk(db_session, now) -> str:
    return token_for(db_session, now, Role.STORE_STAFF)[1]


def _lot(client, token: str, **changes: Any) -> str:
    response = client.post("/api/v1/offcut-lots", json={**LOT, **changes}, headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["code"]


def _plan(client, token: str, now: dt.datetime, hours: int = -1, capacity: int = 10) -> int:
    response = client.post("/api/v1/workshops", headers=bearer(token), json={
        "store": STORE, "starts_at": (now + dt.timedelta(hours=hours)).isoformat(), "theme": "Bracelets",
        "capacity": capacity})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_an_organiser_plans_lists_and_logs_a_workshop(client, organiser, clerk, now):
    code = _lot(client, organiser)
    held, upcoming = _plan(client, organiser, now), _plan(client, organiser, now, hours=48)
    listed = client.get(f"/api/v1/workshops?store={STORE}&from={now.date().isoformat()}", headers=bearer(clerk))
    assert listed.status_code == 200 and [w["id"] for w in listed.get_json()["items"]] == [held, upcoming]
    logged = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(organiser), json={
        "participants": 8, "products": [{"type": "bracelet", "quantity": 8}], "lots": [{"code": code}, {"code": code}]})
    assert logged.status_code == 201, logged.get_data(as_text=True)
    body = logged.get_json()
    assert body["logged"] and body["lots"] == [{"code": code, "grams": 96, "remaining_g": 1904}]
    lot = client.get(f"/api/v1/offcut-lots/{code}", headers=bearer(clerk)).get_json()
    assert lot["consumed_g"] == 96 and lot["consumed_by"] == {f"workshop:{held}": 96}
    again = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(organiser), json={
        "participants": 8, "products": [{"type": "bracelet", "quantity": 8}], "lots": [{"code": code}]})
    assert_error_shape(again, 409, "already_logged")


def test_logging_a_workshop_that_has_not_started_is_422(client, organiser, now):
    code = _lot(client, organiser)
    later = _plan(client, organiser, now, hours=2)
    response = client.post(f"/api/v1/workshops/{later}/log", headers=bearer(organiser), json={
        "participants": 3, "products": [{"type": "bracelet", "quantity": 3}], "lots": [{"code": code}]})
    assert_error_shape(response, 422, "workshop_not_started")


def test_consuming_more_than_a_lot_holds_is_409_naming_the_lot(client, organiser, now):
    code = _lot(client, organiser, weight_g=100)
    held = _plan(client, organiser, now)
    response = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(organiser), json={
        "participants": 3, "products": [{"type": "toiletry_bag", "quantity": 3}], "lots": [{"code": code, "grams": 360}]})
    body = assert_error_shape(response, 409, "insufficient_offcut")
    assert body["details"]["lot"] == code and body["details"]["remaining_g"] == 100


def test_participants_over_capacity_are_logged_only_with_confirmation(client, organiser, now):
    code = _lot(client, organiser)
    held = _plan(client, organiser, now, capacity=4)
    log = {"participants": 6, "products": [{"type": "bracelet", "quantity": 6}], "lots": [{"code": code}]}
    warned = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(organiser), json=log)
    assert_error_shape(warned, 422, "confirmation_required")
    confirmed = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(organiser), json={**log, "confirm": True})
    assert confirmed.status_code == 201 and confirmed.get_json()["participants"] == 6


@pytest.mark.parametrize("change, field", [
    ({"participants": 0}, "participants"), ({"participants": -2}, "participants"),
    ({"participants": "many"}, "participants"), ({"products": [{"type": "bracelet", "quantity": 0}]}, "products.bracelet"),
    ({"products": [{"type": "spaceship", "quantity": 1}]}, "products"), ({"lots": []}, "lots"),
])
def test_bad_counts_are_refused_with_the_field_and_nothing_is_written(client, organiser, now, change, field):
    code = _lot(client, organiser)
    held = _plan(client, organiser, now)
    log = {"participants": 2, "products": [{"type": "bracelet", "quantity": 2}], "lots": [{"code": code}], **change}
    body = assert_error_shape(client.post(f"/api/v1/workshops/{held}/log", headers=bearer(organiser), json=log),
                              422, "invalid_details")
    assert field in body["details"]["fields"]
    assert client.get(f"/api/v1/offcut-lots/{code}", headers=bearer(organiser)).get_json()["remaining_g"] == 2000


def test_store_staff_read_workshops_but_may_not_plan_or_log(client, organiser, clerk, now):
    held = _plan(client, organiser, now)
    planned = client.post("/api/v1/workshops", headers=bearer(clerk), json={
        "store": STORE, "starts_at": now.isoformat(), "theme": "x", "capacity": 3})
    assert_error_shape(planned, 403, "forbidden")
    logged = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(clerk), json={})
    assert_error_shape(logged, 403, "forbidden")
    assert client.get("/api/v1/workshops", headers=bearer(clerk)).status_code == 200


def _partner(db_session) -> None:
    from cksloop.services import catalogue

    catalogue.create_location(db_session, code=PARTNER, name="Rebelle Antwerp", kind="partner", city="Antwerpen")
    db_session.commit()


def test_remanufactured_blazers_are_sellable_garments_whose_labels_open_pages_naming_their_source(
        app, client, db_session, organiser, merchandiser, now):
    _partner(db_session)
    first, second = _lot(client, organiser), _lot(client, organiser, colour="navy")
    started = client.post("/api/v1/remanufacturing-projects", headers=bearer(organiser), json={
        "partner_location": PARTNER, "name": "CKS x Rebelle blazers", "lots": [
            {"code": first, "grams": 1500}, {"code": second, "grams": 900}]})
    assert started.status_code == 201, started.get_data(as_text=True)
    project = started.get_json()
    assert project["status"] == "sent" and project["partner"] == "Rebelle Antwerp"
    assert client.get(f"/api/v1/offcut-lots/{first}", headers=bearer(organiser)).get_json()["remaining_g"] == 500
    refused = client.post(f"/api/v1/remanufacturing-projects/{project['id']}/products", headers=bearer(organiser),
                          json={"style_number": "RBL-BLZ-01", "size": "38", "price_cents": 24900})
    assert_error_shape(refused, 403, "forbidden")
    codes = []
    for size in ("38", "38"):
        made = client.post(f"/api/v1/remanufacturing-projects/{project['id']}/products", headers=bearer(merchandiser),
                           json={"style_number": "RBL-BLZ-01", "size": size, "price_cents": 24900})
        assert made.status_code == 201, made.get_data(as_text=True)
        product = made.get_json()
        assert product["made_from"]["lots"] == [{"code": first, "grams": 1500}, {"code": second, "grams": 900}]
        assert product["made_from"]["partner"] == "Rebelle Antwerp"
        assert product["made_from"]["fibres"] == ["polyamide", "wool"]
        codes.append(product["code"])
    assert len(set(codes)) == 2
    for code in codes:
        label = client.get(f"/api/v1/garments/{code}/label?format=png", headers=bearer(merchandiser))
        assert label.status_code == 200
        [found] = decode(Image.open(io.BytesIO(label.data)))
        path = urlsplit(found.text).path
        page = app.test_client().get(path)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert code in text and "Rebelle Antwerp" in text  # the remanufactured line names its partner
        garment = client.get(f"/api/v1/garments/{code}", headers=bearer(merchandiser)).get_json()
        assert garment["state"] == "in_stock"
    # sellable like any other garment: selling one goes through the ledger
    seller = make_user(db_session, Role.MERCHANDISER)
    sold = garments.act(db_session, code=codes[0], action="sell", details={}, actor=seller, now=now)
    assert sold is not None
    from sqlalchemy import select

    from cksloop.db.models import Garment
    garment_id = db_session.scalar(select(Garment.id).where(Garment.code == codes[1]))
    made_from = remanufacturing.made_from(db_session, garment_id)
    with app.test_request_context():
        partial = render_template("workshops/_made_from.html", made_from=made_from)
    assert first in partial and second in partial and "Rebelle Antwerp" in partial and "wool" in partial
    assert "24900" not in partial and "€" not in partial  # no price on the public record


def test_a_project_refuses_lots_that_hold_too_little_and_a_non_partner_location(client, db_session, organiser):
    _partner(db_session)
    code = _lot(client, organiser, weight_g=300)
    short = client.post("/api/v1/remanufacturing-projects", headers=bearer(organiser), json={
        "partner_location": PARTNER, "name": "Too much", "lots": [{"code": code, "grams": 301}]})
    assert assert_error_shape(short, 409, "insufficient_offcut")["details"]["remaining_g"] == 300
    wrong = client.post("/api/v1/remanufacturing-projects", headers=bearer(organiser), json={
        "partner_location": STORE, "name": "Not a partner", "lots": [{"code": code, "grams": 100}]})
    assert "partner_location" in assert_error_shape(wrong, 422, "invalid_details")["details"]["fields"]
    db_session.rollback()  # a fresh read: the app wrote in its own sessions
    assert offcut_lots.lot_dict(db_session, code)["remaining_g"] == 300
