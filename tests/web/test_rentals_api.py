"""The rental API for the partner's own system: partners, open and overdue cycles, the quality report,
and check-out and return through the generic garment actions."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cksloop.db.models import Inspection, RentalCycle
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import garments, rentals, tokens
from tests.builders import make_garment, make_user


def _token(session, now, role) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, label='t', now=now)}"}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "details"} and body["error"] == code
    return body


def _act(client, headers, code, body):
    return client.post(f"/api/v1/garments/{code}/actions", json=body, headers=headers)


def test_rental_partners_are_listed_for_a_token(client, db_session, now, world):
    response = client.get("/api/v1/rental-partners", headers=_token(db_session, now, Role.STORE_STAFF))
    assert response.status_code == 200
    assert response.get_json()["items"] == [{"id": world["partner"].id, "name": "Dressr",
                                             "contact_email": "ops@dressr.example", "default_rental_days": 10,
                                             "terms": ""}]


def test_rental_api_needs_a_caller_and_a_rental_role(client, db_session, now, world):
    _error(client.get("/api/v1/rentals/open"), 401, "unauthorized")
    workshop = _token(db_session, now, Role.WORKSHOP_ORGANISER)
    _error(client.get("/api/v1/rental-partners", headers=workshop), 403, "forbidden")
    staff = _token(db_session, now, Role.STORE_STAFF)
    refused = _error(client.get("/api/v1/reports/rental-quality", headers=staff), 403, "forbidden")
    assert refused["message"]


def test_partner_system_checks_out_and_returns_through_garment_actions(client, db_session, now, world):
    headers = _token(db_session, now, Role.STORE_STAFF)
    g = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    due = (now.date() + dt.timedelta(days=10)).isoformat()
    out = _act(client, headers, g.code, {"action": "check_out_rental", "partner": world["partner"].id,
                                         "due_on": due, "partner_reference": "DR-5521"})
    assert out.status_code == 200 and out.get_json()["state"] == "rented_out"
    open_ = client.get("/api/v1/rentals/open", headers=headers).get_json()
    assert open_["total"] == 1
    assert open_["items"][0] == {"cycle": open_["items"][0]["cycle"], "code": g.code, "style_number": "SS25-0101",
                                 "size": "S", "partner": world["partner"].id, "partner_name": "Dressr",
                                 "started_on": now.date().isoformat(), "due_on": due,
                                 "partner_reference": "DR-5521", "days_overdue": 0}
    back = _act(client, headers, g.code, {"action": "return_rental", "reason": "quality_return", "grade": "C",
                                          "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 3,
                                                       "note": "loop"}]})
    assert back.status_code == 200 and back.get_json()["state"] == "in_care"
    db_session.rollback()
    cycle = db_session.scalar(select(RentalCycle))
    assert cycle.return_reason.value == "quality_return" and cycle.returned_at is not None
    inspection = db_session.scalar(select(Inspection))
    assert [d.code.value for d in inspection.defects] == ["SNAG"] and inspection.rental_cycle_id == cycle.id
    assert client.get("/api/v1/rentals/open", headers=headers).get_json()["total"] == 0


@pytest.mark.parametrize("body, status, code", [
    ({"action": "return_rental", "reason": "quality_return", "grade": "C", "defects": []}, 409, "not_allowed_now"),
    ({"action": "check_out_rental", "partner": 1, "due_on": "2020-01-01"}, 409, "not_allowed_now"),
])
def test_actions_on_a_garment_in_the_wrong_state_are_refused_and_write_nothing(client, db_session, now, world,
                                                                                body, status, code):
    headers = _token(db_session, now, Role.STORE_STAFF)
    g = make_garment(db_session, now=now)  # in stock: neither pooled nor rented out
    before = garments.count_events(db_session)
    _error(_act(client, headers, g.code, body), status, code)
    db_session.rollback()
    assert garments.count_events(db_session) == before


def test_quality_return_without_defect_or_check_out_due_before_start_answer_422(client, db_session, now, world):
    headers = _token(db_session, now, Role.STORE_STAFF)
    rented = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    pooled = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    body = _error(_act(client, headers, rented.code, {"action": "return_rental", "reason": "quality_return",
                                                      "grade": "C", "defects": []}), 422, "invalid_details")
    assert "defects" in body["details"]["fields"]
    body = _error(_act(client, headers, pooled.code, {"action": "check_out_rental", "partner": world["partner"].id,
                                                      "due_on": (now.date() - dt.timedelta(days=2)).isoformat()}),
                  422, "invalid_details")
    assert "due_on" in body["details"]["fields"]
    body = _error(_act(client, headers, rented.code, {"action": "return_rental", "reason": "end_of_rental"}),
                  422, "invalid_details")
    assert "grade" in body["details"]["fields"]


def test_overdue_cycles_carry_days_overdue(app, client, db_session, now, world):
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)  # due in ten days
    headers = _token(db_session, now, Role.MERCHANDISER)
    assert client.get("/api/v1/rentals/overdue", headers=headers).get_json()["total"] == 0
    app.config["NOW"] = now + dt.timedelta(days=12)
    late = client.get(f"/api/v1/rentals/overdue?partner={world['partner'].id}", headers=headers).get_json()
    assert [(c["code"], c["days_overdue"]) for c in late["items"]] == [(g.code, 2)]
    other = client.get("/api/v1/rentals/overdue?partner=9999", headers=headers).get_json()
    assert other["total"] == 0


def test_rental_quality_report_as_json_with_statement_and_attention_points(client, db_session, now, world):
    merch = make_user(db_session, Role.MERCHANDISER)
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now - dt.timedelta(days=6), actor=merch)
    rentals.record_return(db_session, code=g.code, actor=merch, now=now, details={
        "reason": "quality_return", "grade": "C", "defects": [{"code": "SNAG", "zone": "front", "severity": 3}]})
    headers = _token(db_session, now, Role.MERCHANDISER)
    response = client.get("/api/v1/reports/rental-quality?from=2026-01-01&to=2026-12-31", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["totals"]["rental_cycles"] == 1 and body["totals"]["quality_returns"] == 1
    assert body["totals"]["days_rented"] == 6.0 and body["totals"]["defects"] == {"SNAG": 1}
    assert body["by_style"][0]["key"] == "SS25-0101" and body["by_season"][0]["key"] == "SS25"
    assert body["by_supplier"][0]["quality_return_rate"] == 1.0
    assert body["statement"]["text"].endswith("1 garment, 1 rental cycle, 1 quality return "
                                              "(reasons: snag, pulled yarn, loop (1))")
    assert {(p["kind"], p["key"]) for p in body["attention_points"]} == {
        ("style", "SS25-0101"), ("material", "viscose (LENZING™ ECOVERO™)")}
    stricter = client.get("/api/v1/reports/rental-quality?from=2026-01-01&to=2026-12-31&min_quality_returns=2",
                          headers=headers).get_json()
    assert stricter["attention_points"] == [] and stricter["thresholds"]["min_quality_returns"] == 2


@pytest.mark.parametrize("query", ["from=2026-02-30", "to=tomorrow", "from=2026-12-01&to=2026-01-01",
                                   "from=99999-01-01", "min_defects=0", "min_quality_rate=abc"])
def test_bad_report_parameters_answer_422(client, db_session, now, world, query):
    headers = _token(db_session, now, Role.MERCHANDISER)
    body = _error(client.get(f"/api/v1/reports/rental-quality?{query}", headers=headers), 422, "invalid_details")
    assert body["details"]["fields"]


def test_rental_routes_are_in_the_openapi_document(client, db_session, now):
    document = client.get("/api/v1/openapi.json", headers=_token(db_session, now, Role.ADMIN)).get_json()
    for path in ("/api/v1/rental-partners", "/api/v1/rentals/open", "/api/v1/rentals/overdue",
                 "/api/v1/reports/rental-quality"):
        assert "get" in document["paths"][path]
    assert "RentalPartner" in document["components"]["schemas"]
