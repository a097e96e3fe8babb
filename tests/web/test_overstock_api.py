"""GET /api/v1/overstock: the review's figures for merchandisers and admins, 403 for others, 422 naming a bad parameter."""
from __future__ import annotations

import pytest

from cksloop.domain.lifecycle import Role
from cksloop.services import tokens
from tests.builders import make_user
from tests.services.test_overstock import build_fixture


def _token(session, now, role) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, label='t', now=now)}"}


def _fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "invalid_details"
    return body["details"]["fields"]


def test_a_merchandiser_reads_the_review_with_the_figures_the_service_computes(client, db_session, now):
    build_fixture(db_session, now)
    headers = _token(db_session, now, Role.MERCHANDISER)
    body = client.get("/api/v1/overstock?season=AW26", headers=headers).get_json()
    assert body["season"] == "AW26" and body["as_of"] == now.date().isoformat()
    (line,) = body["lines"]
    assert {k: line[k] for k in ("style", "planned", "received", "sold", "on_hand", "sell_through_pct",
                                 "weeks_of_cover", "age_days", "markdown_depth_pct")} == {
        "style": "AW26-0301", "planned": 20, "received": 12, "sold": 5, "on_hand": 7, "sell_through_pct": 42,
        "weeks_of_cover": 14.0, "age_days": 70, "markdown_depth_pct": 13}
    assert [f["rule"] for f in line["flags"]] == ["below_plan", "cover"]
    assert [p["action"] for p in line["proposals"]] == ["transfer", "mark_down", "outlet", "buyer_lot"]
    assert all(p["reason"] for p in line["proposals"])


def test_without_a_season_the_review_takes_the_latest_collection_with_stock(client, db_session, now):
    build_fixture(db_session, now)  # AW26, later than the seeded SS25 and AW25 styles
    body = client.get("/api/v1/overstock", headers=_token(db_session, now, Role.ADMIN)).get_json()
    assert body["season"] == "AW26" and len(body["lines"]) == 1


def test_a_review_at_a_location_counts_that_location_only(client, db_session, now):
    build_fixture(db_session, now)
    body = client.get("/api/v1/overstock?season=AW26&location=ANT-MEIR",
                      headers=_token(db_session, now, Role.MERCHANDISER)).get_json()
    assert body["location"] == "ANT-MEIR" and body["lines"][0]["sold"] == 4 and body["lines"][0]["on_hand"] == 2


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
def test_other_roles_are_refused_the_review(client, db_session, now, role):
    response = client.get("/api/v1/overstock", headers=_token(db_session, now, role))
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_the_review_needs_a_caller(client):
    assert client.get("/api/v1/overstock").status_code == 401


@pytest.mark.parametrize("query, field", [
    ("season=XX26", "season"), ("as_of=2026-13-01", "as_of"), ("as_of=yesterday", "as_of"),
    ("as_of=2026-11-26", "as_of"), ("location=NOWHERE", "location"), ("season=AW26&season=SS26", "season"),
])
def test_a_bad_parameter_is_refused_by_name(client, db_session, now, query, field):
    response = client.get(f"/api/v1/overstock?{query}", headers=_token(db_session, now, Role.MERCHANDISER))
    assert field in _fields(response)


def test_a_future_review_date_is_refused_with_the_reason(client, db_session, now):
    response = client.get("/api/v1/overstock?as_of=2027-01-01", headers=_token(db_session, now, Role.MERCHANDISER))
    assert _fields(response) == {"as_of": "A review cannot look at a date in the future."}
