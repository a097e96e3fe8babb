"""/api/v1/overstock/reviews: open, decide, execute once; 403 for other roles; two executes racing, one wins."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from cksloop.db.models import Garment, GarmentEvent, User
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.lifecycle import Action, Role
from cksloop.domain.overstock_sessions import AlreadyExecuted, GarmentsMoved
from cksloop.services import overstock_execution, tokens
from tests.builders import make_user
from tests.services.test_overstock import build_fixture


def _token(session, now, role) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, label='t', now=now)}"}


@pytest.fixture
def merch(client, db_session, now):
    build_fixture(db_session, now)
    return _token(db_session, now, Role.MERCHANDISER)


def _open(client, headers, **body):
    return client.post("/api/v1/overstock/reviews", json={"season": "AW26", **body}, headers=headers)


def test_a_merchandiser_opens_decides_and_executes_a_markdown_once(client, db_session, now, merch):
    opened = _open(client, merch)
    assert opened.status_code == 201, opened.get_data(as_text=True)
    review = opened.get_json()
    assert review["season"] == "AW26" and review["as_of"] == now.date().isoformat()
    assert [line["style"] for line in review["lines"]] == ["AW26-0301"]
    assert review["rules_version"] == 2 and review["policy_version"] == 1
    url = f"/api/v1/overstock/reviews/{review['id']}"
    decided = client.post(f"{url}/decisions", headers=merch, json={
        "style": "AW26-0301", "decision": "mark_down", "reason": "14 weeks of cover", "percent": 30})
    assert decided.status_code == 201, decided.get_data(as_text=True)
    decision = decided.get_json()
    assert decision["executed"] is False and decision["garments"] == 7 and decision["params"] == {"percent": 30}
    done = client.post(f"{url}/decisions/{decision['id']}/execute", headers=merch)
    assert done.status_code == 200 and done.get_json() == {"garments": 5, "events": 5}
    again = client.post(f"{url}/decisions/{decision['id']}/execute", headers=merch)
    assert again.status_code == 409 and again.get_json()["error"] == "already_executed"
    shown = client.get(url, headers=merch).get_json()
    (recorded,) = shown["decisions"]
    assert recorded["executed"] and recorded["wrote"] == {"garments": 5, "events": 5}
    assert recorded["decided_by"] == recorded["executed_by"] and recorded["reason"] == "14 weeks of cover"
    listed = client.get("/api/v1/overstock/reviews?season=AW26", headers=merch).get_json()["items"]
    assert [(r["id"], r["decisions"], r["executed"]) for r in listed] == [(review["id"], 1, 1)]


@pytest.mark.parametrize("body, field", [({"as_of": "2026-11-26"}, "as_of"), ({"as_of": "soon"}, "as_of"),
                                         ({"season": "XX26"}, "season"), ({"season": 26}, "season")])
def test_a_bad_season_or_a_future_date_is_refused_by_name(client, merch, body, field):
    response = _open(client, merch, **body)
    assert response.status_code == 422 and field in response.get_json()["details"]["fields"]


def test_a_decision_for_a_style_not_in_the_review_answers_422(client, merch):
    review = _open(client, merch).get_json()
    response = client.post(f"/api/v1/overstock/reviews/{review['id']}/decisions", headers=merch, json={
        "style": "SS25-0101", "decision": "hold", "reason": "not in it"})
    assert response.status_code == 422
    assert response.get_json()["details"]["fields"] == {"style": "This style is not in the review."}


def test_a_markdown_over_100_percent_or_under_the_floor_is_refused_with_the_reason(client, merch):
    review = _open(client, merch).get_json()
    url = f"/api/v1/overstock/reviews/{review['id']}/decisions"
    over = client.post(url, headers=merch, json={"style": "AW26-0301", "decision": "mark_down", "reason": "x",
                                                 "percent": 120})
    assert over.status_code == 422 and "percent" in over.get_json()["details"]["fields"]
    floor = client.post(url, headers=merch, json={"style": "AW26-0301", "decision": "mark_down", "reason": "x",
                                                  "percent": 80})
    assert floor.status_code == 422 and floor.get_json()["error"] == "markdown_refused"
    assert floor.get_json()["details"]["reason"] == "under_floor"


def test_unknown_reviews_and_decisions_answer_404(client, merch):
    assert client.get("/api/v1/overstock/reviews/999", headers=merch).status_code == 404
    review = _open(client, merch).get_json()
    response = client.post(f"/api/v1/overstock/reviews/{review['id']}/decisions/999/execute", headers=merch)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
def test_other_roles_are_refused_every_review_operation(client, db_session, now, merch, role):
    review = _open(client, merch).get_json()
    headers = _token(db_session, now, role)
    for method, url in [("post", "/api/v1/overstock/reviews"), ("get", "/api/v1/overstock/reviews"),
                        ("get", f"/api/v1/overstock/reviews/{review['id']}"),
                        ("post", f"/api/v1/overstock/reviews/{review['id']}/decisions"),
                        ("post", f"/api/v1/overstock/reviews/{review['id']}/decisions/1/execute")]:
        response = getattr(client, method)(url, headers=headers, **({"json": {}} if method == "post" else {}))
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden", url


def test_two_executes_at_the_same_moment_write_once(client, db_session, now, merch, database_url):
    review = _open(client, merch).get_json()
    decision = client.post(f"/api/v1/overstock/reviews/{review['id']}/decisions", headers=merch, json={
        "style": "AW26-0301", "decision": "outlet", "reason": "last chance", "to_location": "OUTLET-WOMMELGEM"}
    ).get_json()
    actor_id = db_session.scalar(select(User.id).where(User.role == Role.MERCHANDISER))
    engine = make_engine(database_url, pool_size=4, max_overflow=2)
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(2, timeout=60)

    def attempt(_: int):
        with sessions() as session:
            actor = session.get(User, actor_id)
            barrier.wait()
            try:
                return overstock_execution.execute(session, review_id=review["id"], decision_id=decision["id"],
                                                   actor=actor, now=now)
            except (AlreadyExecuted, GarmentsMoved) as refusal:
                return refusal

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [f.result(timeout=60) for f in [pool.submit(attempt, i) for i in range(2)]]
    finally:
        engine.dispose()
    wins = [r for r in results if isinstance(r, dict)]
    assert wins == [{"garments": 6, "events": 6}], results  # the store's two and the warehouse's four
    assert len([r for r in results if isinstance(r, (AlreadyExecuted, GarmentsMoved))]) == 1
    db_session.rollback()
    moves = db_session.scalar(select(func.count()).select_from(GarmentEvent)
                              .where(GarmentEvent.action == Action.MOVE_TO_OUTLET))
    assert moves == 2 + 6  # the fixture's two, and this decision's six, once
    for garment in db_session.scalars(select(Garment)):
        assert garment.version == db_session.scalar(select(func.count()).select_from(GarmentEvent)
                                                    .where(GarmentEvent.garment_id == garment.id))
