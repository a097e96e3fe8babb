"""The JSON API through real requests: garments, ledger, actions, retries, races, hostile input, OpenAPI."""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask import Blueprint, jsonify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from sqlalchemy import select

from cksloop.db.models import Garment
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import garments
from cksloop.web.api import openapi
from cksloop.web.guards import allow
from tests.builders import OUTLET, STORE, WAREHOUSE, make_garment, make_user
from tests.web.test_api_auth import assert_error_shape, bearer, ledger_size, token_for


@pytest.fixture
def merchandiser(db_session, now) -> str:
    return token_for(db_session, now, Role.MERCHANDISER)[1]


def act(client, token: str, code: str, body: Any, **headers: str) -> Any:
    return client.post(f"/api/v1/garments/{code}/actions", json=body,
                       headers={**bearer(token), **headers})


def fresh(session, code: str) -> Garment:
    session.rollback()
    garment = session.scalar(select(Garment).where(Garment.code == code))
    assert garment is not None
    return garment


# --- listing ------------------------------------------------------------------------------------

def test_garment_list_filters_by_state_location_style_and_season(client, db_session, merchandiser,
                                                                  world):
    in_stock = make_garment(db_session)
    pooled = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    blazer = make_garment(db_session, style=world["blazer"], location=WAREHOUSE)

    def codes(query: str) -> list[str]:
        response = client.get(f"/api/v1/garments{query}", headers=bearer(merchandiser))
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["code"] for item in response.get_json()["items"]]

    assert codes("") == [in_stock.code, pooled.code, blazer.code]
    assert codes("?state=in_rental_pool") == [pooled.code]
    assert codes(f"?location={WAREHOUSE}") == [blazer.code]
    assert codes("?style=SS25-0101") == [in_stock.code, pooled.code]
    assert codes("?season=aw25") == [blazer.code]
    assert codes(f"?state=in_stock&location={STORE}&season=SS25") == [in_stock.code]
    assert codes("?state=sold") == []


def test_garment_list_is_paginated_with_a_next_link(client, db_session, merchandiser):
    made = [make_garment(db_session).code for _ in range(5)]
    first = client.get("/api/v1/garments?per_page=2&state=in_stock", headers=bearer(merchandiser)).get_json()
    assert [i["code"] for i in first["items"]] == made[:2]
    assert first["total"] == 5 and first["total_capped"] is False and first["page"] == 1
    second = client.get(first["next"], headers=bearer(merchandiser)).get_json()
    assert [i["code"] for i in second["items"]] == made[2:4]
    third = client.get(second["next"], headers=bearer(merchandiser)).get_json()
    assert [i["code"] for i in third["items"]] == made[4:] and third["next"] is None
    summary = first["items"][0]
    assert summary["state"] == "in_stock" and summary["location"] == STORE
    assert summary["style_number"] == "SS25-0101" and summary["price_cents"] == 12995


BAD_LIST_PARAMETERS = [
    ("state=lost", "state"),
    ("state=IN_STOCK", "state"),
    ("location=NOWHERE", "location"),
    ("location=" + "X" * 41, "location"),
    ("location=ANT%00MEIR", "location"),
    ("style=XX99-9999", "style"),
    ("season=SU25", "season"),
    ("season=%3Cscript%3E", "season"),
    ("page=0", "page"),
    ("page=-1", "page"),
    ("page=abc", "page"),
    ("page=1.5", "page"),
    ("page=99999999999999999999999", "page"),
    ("page=%D9%A3", "page"),
    ("page=1&page=2", "page"),
    ("per_page=0", "per_page"),
    ("per_page=100000", "per_page"),
]


def test_bad_list_parameter_answers_422_naming_the_field(client, db_session, merchandiser):
    for query, field in BAD_LIST_PARAMETERS:
        response = client.get(f"/api/v1/garments?{query}", headers=bearer(merchandiser))
        assert response.status_code == 422, query
        body = assert_error_shape(response, 422, "invalid_details")
        assert field in body["details"]["fields"], query


# --- one garment and its ledger -------------------------------------------------------------------

def test_garment_answer_has_style_facts_state_price_version_and_allowed_actions(
        client, db_session, merchandiser):
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    response = client.get(f"/api/v1/garments/{garment.code}", headers=bearer(merchandiser))
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == garment.code and body["size"] == "S"
    assert body["state"] == "in_rental_pool" and body["version"] == 2
    assert body["price_cents"] == 12995
    assert body["location"] == {"code": STORE, "name": "CKS Antwerpen Meir", "kind": "store",
                                "city": "Antwerpen"}
    assert body["style"]["style_number"] == "SS25-0101" and body["style"]["season"] == "SS25"
    assert body["style"]["composition"] == [{"fibre": "viscose", "percent": 100, "sustainable": True,
                                             "certification": "LENZING™ ECOVERO™"}]
    assert body["gtin"] == "05400000001017"
    assert body["label_url"] == f"https://loop.cks.example/01/05400000001017/21/{garment.code}"
    assert set(body["allowed_actions"]) == {"remove_from_rental_pool", "check_out_rental",
                                            "start_care", "write_off"}


def test_unknown_garment_answers_404_with_the_code_in_the_message(client, db_session, merchandiser):
    make_garment(db_session)
    for code in ["CKS-99999", "cks-00001", "<script>", "CKS-00001%00", "x" * 5000, "%F0%9F%91%97",
                 "..%2F..%2Fetc", "CKS-00001%0A"]:
        for url in (f"/api/v1/garments/{code}", f"/api/v1/garments/{code}/events"):
            response = client.get(url, headers=bearer(merchandiser))
            assert response.status_code == 404, url
            assert response.get_json()["error"] == "not_found"
    assert client.get("/api/v1/garments/CKS-99999", headers=bearer(merchandiser)) \
        .get_json()["message"] == "No garment with code CKS-99999."


def test_events_are_the_ledger_oldest_first_with_actor_names_only(client, db_session, now):
    actor = make_user(db_session, Role.STORE_STAFF, name="Sofie Peeters")
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, actor=actor)
    _, token = token_for(db_session, now, Role.STORE_STAFF)
    response = client.get(f"/api/v1/garments/{garment.code}/events", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == garment.code and body["version"] == 3
    events = body["events"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert [e["action"] for e in events] == ["receive", "add_to_rental_pool", "check_out_rental"]
    assert [(e["from_state"], e["to_state"]) for e in events] == [
        (None, "in_stock"), ("in_stock", "in_rental_pool"), ("in_rental_pool", "rented_out")]
    assert all(e["actor"] == "Sofie Peeters" for e in events)
    assert actor.email not in response.get_data(as_text=True)
    assert events[0]["occurred_at"] == "2026-11-25T10:00:00Z"
    assert events[0]["location"] == STORE and events[0]["price_cents"] == 12995
    assert events[2]["details"]["due_on"] == "2026-12-05"


# --- actions ------------------------------------------------------------------------------------

def test_action_answers_the_new_state_and_adds_one_ledger_event(client, db_session, merchandiser):
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    response = act(client, merchandiser, garment.code,
                   {"action": "move_to_outlet", "expected_version": 1, "to_location": OUTLET,
                    "price_cents": 6495})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == garment.code and body["action"] == "move_to_outlet"
    assert body["from_state"] == "in_stock" and body["state"] == "in_stock"
    assert body["location"] == OUTLET and body["price_cents"] == 6495 and body["version"] == 2
    assert ledger_size(db_session) == before + 1
    after = client.get(f"/api/v1/garments/{garment.code}", headers=bearer(merchandiser)).get_json()
    assert after["version"] == 2 and after["location"]["code"] == OUTLET
    events = client.get(f"/api/v1/garments/{garment.code}/events",
                        headers=bearer(merchandiser)).get_json()["events"]
    assert events[-1]["action"] == "move_to_outlet" and events[-1]["seq"] == 2
    assert garments.replay_matches(db_session, fresh(db_session, garment.code))


def test_rental_return_with_inspection_through_the_api(client, db_session, now):
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT)
    _, token = token_for(db_session, now, Role.STORE_STAFF)
    response = act(client, token, garment.code, {
        "action": "return_rental", "expected_version": 3, "reason": "quality_return",
        "grade": "C", "defects": [{"code": "SNAG", "zone": "front", "severity": 2}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["state"] == "in_care" and body["details"]["care_kind"] == "repair"
    assert body["details"]["defects"][0]["code"] == "SNAG"


def test_action_not_allowed_now_answers_409_naming_state_and_allowed_actions(
        client, db_session, merchandiser):
    garment = make_garment(db_session, state=GarmentState.SOLD)
    before = ledger_size(db_session)
    response = act(client, merchandiser, garment.code, {"action": "mark_down", "price_cents": 100})
    body = assert_error_shape(response, 409, "not_allowed_now")
    assert body["details"] == {"state": "sold", "allowed_actions": ["customer_return"]}
    assert ledger_size(db_session) == before


def test_stale_expected_version_answers_409_with_current_state(client, db_session, merchandiser):
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    before = ledger_size(db_session)
    response = act(client, merchandiser, garment.code,
                   {"action": "remove_from_rental_pool", "expected_version": 1})
    body = assert_error_shape(response, 409, "version_conflict")
    assert body["details"]["state"] == "in_rental_pool"
    assert body["details"]["current_version"] == 2 and body["details"]["expected_version"] == 1
    assert "check_out_rental" in body["details"]["allowed_actions"]
    assert ledger_size(db_session) == before


INVALID_BODIES = [
    ({"action": "mark_down", "expected_version": 1}, "price_cents"),
    ({"action": "mark_down", "price_cents": 99999}, "price_cents"),
    ({"action": "mark_down", "price_cents": "cheap"}, "price_cents"),
    ({"action": "mark_down", "price_cents": 10**30}, "price_cents"),
    ({"action": "mark_down", "price_cents": 1e308}, "price_cents"),
    ({"action": "mark_down", "price_cents": [100]}, "price_cents"),
    ({"action": "mark_down", "price_cents": True}, "price_cents"),
    ({"action": "transfer", "to_location": STORE}, "to_location"),
    ({"action": "transfer", "to_location": {"code": WAREHOUSE}}, "to_location"),
    ({"action": "retire", "route": "recycling"}, "ground"),
    ({"action": "write_off", "reason": "destroyed"}, "reason"),
    ({"action": "transfer", "to_location": WAREHOUSE, "note": "a\x00b"}, "note"),
    ({"action": "transfer", "to_location": WAREHOUSE, "note": "x" * 5000}, "note"),
    ({"action": "destroy"}, "action"),
    ({"action": ["mark_down"]}, "action"),
    ({"action": None}, "action"),
    ({}, "action"),
    ({"action": "sell", "expected_version": "1"}, "expected_version"),
    ({"action": "sell", "expected_version": -1}, "expected_version"),
    ({"action": "sell", "expected_version": 2**63}, "expected_version"),
    ({"action": "sell", "expected_version": 1.5}, "expected_version"),  # 1.0 is 1 (JSON Schema)
    ({"action": "sell", "expected_version": False}, "expected_version"),
]


def test_invalid_details_answer_422_per_field_and_write_nothing(client, db_session, merchandiser):
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    for body, field in INVALID_BODIES:
        response = act(client, merchandiser, garment.code, body)
        assert response.status_code == 422, (body, response.get_json())
        answer = assert_error_shape(response, 422, "invalid_details")
        assert field in answer["details"]["fields"], (body, answer)
    assert ledger_size(db_session) == before


def test_defect_details_in_odd_digits_answer_422_not_500(client, db_session, merchandiser):
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT)
    before = ledger_size(db_session)
    for severity in ["²", "⑤", "1²", "", " ", "five", 2.5, None, [], {}]:
        response = act(client, merchandiser, garment.code, {
            "action": "return_rental", "reason": "quality_return", "grade": "C",
            "defects": [{"code": "SNAG", "zone": "front", "severity": severity}]})
        body = assert_error_shape(response, 422, "invalid_details")
        assert "defects.0.severity" in body["details"]["fields"], severity
    assert ledger_size(db_session) == before


def test_action_on_unknown_garment_answers_404(client, db_session, merchandiser):
    response = act(client, merchandiser, "CKS-99999", {"action": "sell"})
    assert_error_shape(response, 404, "not_found")


# --- hostile bodies -------------------------------------------------------------------------------

HOSTILE_BODIES = [
    ("action=sell", "application/x-www-form-urlencoded", 400),
    ("action=sell", "text/plain", 400),
    ("", "application/json", 400),
    ("{not json", "application/json", 400),
    ('{"action": "sell"', "application/json", 400),
    (b'{"action": "\xff\xfe"}', "application/json", 400),
    ('{"action": "\\ud800"}', "application/json", 400),
    ("[" * 100_000 + "]" * 100_000, "application/json", 413),
    ("[" * 5000 + "]" * 5000, "application/json", 400),
    ('{"a":' * 40 + "1" + "}" * 40, "application/json", 400),
    ('{"action": "sell", "price_cents": 1' + "0" * 5000 + "}", "application/json", 400),
    ('["sell"]', "application/json", 422),
    ('"sell"', "application/json", 422),
    ("null", "application/json", 422),
    ("12", "application/json", 422),
    ('{"action": "sell", "price_cents": NaN}', "application/json", 422),
    ('{"action": "mark_down", "price_cents": Infinity}', "application/json", 422),
    ('{"action": "sell", "note": "' + "x" * 70_000 + '"}', "application/json", 413),
]


def test_hostile_bodies_get_a_json_error_never_a_500(client, db_session, merchandiser):
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    for data, content_type, status in HOSTILE_BODIES:
        response = client.post(f"/api/v1/garments/{garment.code}/actions", data=data,
                               content_type=content_type, headers=bearer(merchandiser))
        assert response.status_code == status, (data[:60], response.get_data(as_text=True)[:300])
        assert set(response.get_json()) == {"error", "message", "details"}
    assert ledger_size(db_session) == before


_json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
_field = st.sampled_from(["price_cents", "to_location", "location", "partner", "due_on", "reason",
                          "grade", "defects", "care_kind", "outcome", "route", "ground", "note",
                          "receipt", "buyer_lot", "retire_route", "partner_reference"])
_defect = st.fixed_dictionaries({"code": st.sampled_from(["SNAG", "TEAR", "snag", "XX"]) | _json,
                                 "zone": st.sampled_from(["front", "hem"]) | _json,
                                 "severity": st.integers(-2, 7) | _json, "note": _json})
_value = _json | st.sampled_from([STORE, WAREHOUSE, OUTLET, "A", "B", "C", "E", "offcuts",
                                  "recycling", "repair", "done", "failed", "stolen",
                                  "end_of_rental", "quality_return", "2026-12-01", 1, 1000, 0])
_valid = st.sampled_from([
    {"action": "mark_down"}, {"action": "sell"}, {"action": "add_to_rental_pool"},
    {"action": "transfer", "to_location": WAREHOUSE}, {"action": "transfer", "to_location": STORE},
    {"action": "move_to_outlet", "to_location": OUTLET},
    {"action": "customer_return", "location": STORE}, {"action": "receive_rental_return"},
    {"action": "return_rental", "reason": "end_of_rental", "grade": "A"},
    {"action": "return_rental", "reason": "quality_return", "grade": "C",
     "defects": [{"code": "SNAG", "zone": "front", "severity": 2}]},
    {"action": "finish_care", "outcome": "done"}, {"action": "start_care", "care_kind": "cleaning"},
    {"action": "check_out_rental", "partner": 1, "due_on": "2026-12-24"},
    {"action": "remove_from_rental_pool"}, {"action": "inspect", "grade": "B"},
]).flatmap(lambda base: st.fixed_dictionaries(
    {}, optional={"price_cents": st.integers(-5, 20_000) | _json, "note": st.text(max_size=40),
                  "expected_version": st.integers(0, 12)}).map(lambda extra: {**base, **extra}))
_body = st.one_of(
    _valid, _valid, _valid,
    _json,
    st.fixed_dictionaries(
        {"action": st.sampled_from([a.value for a in Action]) | _json},
        optional={"expected_version": st.integers(-3, 8) | _json,
                  "defects": st.lists(_defect, max_size=3) | _json},
    ).flatmap(lambda base: st.dictionaries(_field | st.text(max_size=8), _value, max_size=5)
              .map(lambda extra: {**extra, **base})),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=_body.map(json.dumps) | st.binary(max_size=80) | st.text(max_size=80),
       which=st.integers(0, 3), key=st.none() | st.none() | st.none() | st.text(max_size=10))
def test_random_json_bodies_never_cause_a_500_or_break_the_ledger(app, db_session, now, payload,
                                                                   which, key):
    session = db_session
    if not hasattr(app, "_fuzz"):  # one set of garments per test run, reused by every example
        _, token = token_for(session, now, Role.ADMIN)
        codes = [make_garment(session, state=s).code for s in
                 (GarmentState.IN_STOCK, GarmentState.RENTED_OUT, GarmentState.IN_CARE,
                  GarmentState.SOLD)]
        app._fuzz = (token, codes)
    token, codes = app._fuzz
    headers = bearer(token)
    if key is not None and key.isascii() and key.isprintable():
        headers["Idempotency-Key"] = key or "k"
    response = app.test_client().post(f"/api/v1/garments/{codes[which]}/actions",
                                      data=payload, content_type="application/json",
                                      headers=headers)
    assert response.status_code in (200, 400, 403, 404, 409, 413, 422), response.get_data(as_text=True)
    answer = response.get_json()
    if response.status_code != 200:
        assert set(answer) == {"error", "message", "details"}
    assert garments.replay_matches(session, fresh(session, codes[which]))


# --- retries and races ----------------------------------------------------------------------------

def test_repeated_idempotency_key_returns_the_first_answer_and_writes_once(
        client, db_session, merchandiser):
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    body = {"action": "mark_down", "expected_version": 1, "price_cents": 8995}
    first = act(client, merchandiser, garment.code, body, **{"Idempotency-Key": "till-7-0001"})
    again = act(client, merchandiser, garment.code, body, **{"Idempotency-Key": "till-7-0001"})
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert ledger_size(db_session) == before + 1
    assert fresh(db_session, garment.code).version == 2


def test_idempotency_key_reused_for_another_request_answers_422_and_writes_nothing(
        client, db_session, merchandiser):
    garment = make_garment(db_session)
    act(client, merchandiser, garment.code, {"action": "mark_down", "price_cents": 8995},
        **{"Idempotency-Key": "key-1"})
    before = ledger_size(db_session)
    other = act(client, merchandiser, garment.code, {"action": "mark_down", "price_cents": 7995},
                **{"Idempotency-Key": "key-1"})
    assert_error_shape(other, 422, "idempotency_key_reused")
    assert ledger_size(db_session) == before


def test_same_idempotency_key_of_another_user_is_their_own(client, db_session, now, merchandiser):
    garment = make_garment(db_session)
    _, other = token_for(db_session, now, Role.ADMIN)
    body = {"action": "mark_down", "price_cents": 8995}
    assert act(client, merchandiser, garment.code, body, **{"Idempotency-Key": "k"}).status_code == 200
    # the other user's request is a new one: it reaches the rules (which refuse a non-lowering markdown)
    second = act(client, other, garment.code, body, **{"Idempotency-Key": "k"})
    assert_error_shape(second, 422, "invalid_details")


def test_malformed_idempotency_key_answers_422(client, db_session, merchandiser):
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    for key in ["", " ", "a b", "x" * 201, "tab\there", "ключ".encode().decode("latin-1")]:
        response = client.post(f"/api/v1/garments/{garment.code}/actions", json={"action": "sell"},
                               headers={**bearer(merchandiser), "Idempotency-Key": key})
        assert response.status_code == 422, key
        body = assert_error_shape(response, 422, "invalid_details")
        assert "idempotency_key" in body["details"]["fields"], key
    assert ledger_size(db_session) == before


def _fire_together(app, requests: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[Any]:
    barrier = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def fire(i: int) -> None:
        url, body, headers = requests[i]
        client = app.test_client()
        barrier.wait()
        answers[i] = client.post(url, json=body, headers=headers)

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_concurrent_retries_with_one_idempotency_key_write_once(app, db_session, merchandiser):
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    url = f"/api/v1/garments/{garment.code}/actions"
    body = {"action": "mark_down", "expected_version": 1, "price_cents": 8995}
    headers = {**bearer(merchandiser), "Idempotency-Key": "double-tap-1"}
    answers = _fire_together(app, [(url, body, headers)] * 6)
    assert [a.status_code for a in answers] == [200] * 6, [a.get_json() for a in answers]
    assert len({json.dumps(a.get_json(), sort_keys=True) for a in answers}) == 1
    assert ledger_size(db_session) == before + 1


def test_concurrent_actions_on_one_version_land_exactly_once(app, db_session, now):
    garment = make_garment(db_session)
    tokens = [token_for(db_session, now, Role.MERCHANDISER)[1] for _ in range(6)]
    before = ledger_size(db_session)
    url = f"/api/v1/garments/{garment.code}/actions"
    answers = _fire_together(app, [(url, {"action": "mark_down", "expected_version": 1,
                                          "price_cents": 9000 - i}, bearer(tokens[i]))
                                   for i in range(6)])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 5, [a.get_json() for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.get_json()["error"] == "version_conflict"
            assert answer.get_json()["details"]["state"] == "in_stock"
    assert ledger_size(db_session) == before + 1
    assert garments.replay_matches(db_session, fresh(db_session, garment.code))


# --- the OpenAPI document -------------------------------------------------------------------------

def test_openapi_document_is_valid_openapi_3_1(client, db_session, merchandiser):
    response = client.get("/api/v1/openapi.json", headers=bearer(merchandiser))
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    bearer_scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer_scheme["type"], bearer_scheme["scheme"]) == ("http", "bearer")
    assert {"bearerAuth": []} in document["security"]
    not_found = document["paths"]["/api/v1/garments/{code}"]["get"]["responses"]["404"]
    assert not_found["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(document["components"]["schemas"]["Error"]["required"]) == {"error", "message", "details"}


def test_every_api_route_is_in_the_openapi_document(app, client, db_session, merchandiser):
    """Other blueprints' /api/ routes fail here until their views carry @openapi.operation."""
    assert openapi.undocumented(app) == [], "document these routes with @openapi.operation"
    document = client.get("/api/v1/openapi.json", headers=bearer(merchandiser)).get_json()
    for method, rule, _ in openapi.api_operations(app):
        path, _ = openapi.openapi_path(rule)
        operation = document["paths"].get(path, {}).get(method.lower())
        assert operation is not None, f"{method} {rule} missing from openapi.json"
        assert operation["summary"] and operation["responses"]
        assert "401" in operation["responses"] and "403" in operation["responses"]
        assert operation["x-roles"], f"{method} {rule} names no roles"


def test_openapi_document_lists_only_real_routes(app, client, db_session, merchandiser):
    document = client.get("/api/v1/openapi.json", headers=bearer(merchandiser)).get_json()
    real = {(openapi.openapi_path(rule)[0], method.lower())
            for method, rule, _ in openapi.api_operations(app)}
    listed = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert listed == real
    operation_ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_an_undocumented_api_route_is_named_by_the_completeness_check(app):
    extra = Blueprint("undocumented_probe", __name__, url_prefix="/api/v1/probe")

    @extra.get("/things/<int:thing_id>")
    @allow()
    def things(thing_id: int):
        return jsonify(id=thing_id)

    app.register_blueprint(extra)
    assert openapi.undocumented(app) == ["GET /api/v1/probe/things/<int:thing_id>"]


def test_documented_route_of_another_blueprint_appears_with_its_roles(app, db_session, now):
    extra = Blueprint("documented_probe", __name__, url_prefix="/api/v1/probe")
    schema = openapi.schema("ProbeAnswer", {"type": "object", "properties": {"id": {"type": "integer"}}})

    @extra.post("/things/<int:thing_id>")
    @allow(Role.ADMIN, Role.MERCHANDISER)
    @openapi.operation(summary="Probe a thing", request={"type": "object"},
                       responses={200: ("The thing", schema), 404: "No such thing"})
    def probe(thing_id: int):
        return jsonify(id=thing_id)

    app.register_blueprint(extra)
    _, token = token_for(db_session, now, Role.ADMIN)
    document = app.test_client().get("/api/v1/openapi.json", headers=bearer(token)).get_json()
    validate(document)
    operation = document["paths"]["/api/v1/probe/things/{thing_id}"]["post"]
    assert operation["x-roles"] == ["admin", "merchandiser"]
    assert operation["parameters"][0] == {"name": "thing_id", "in": "path", "required": True,
                                          "schema": {"type": "integer", "minimum": 0}}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "429"}
