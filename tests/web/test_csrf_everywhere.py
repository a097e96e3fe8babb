"""CSRF on every state-changing request, walked from the URL map so new routes are covered.

A signed-in browser that posts without the token (HTML forms) or without the X-CSRFToken header
(the API with the session cookie) is refused with 400 and nothing is written.
"""
from __future__ import annotations

from sqlalchemy import func, select

from cksloop.db.models import GarmentEvent, User
from cksloop.domain.lifecycle import Role
from tests.route_map import UNKNOWN_API_URL, Caller, Values, url_for_rule

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _counts(session):
    session.rollback()
    return (session.scalar(select(func.count()).select_from(GarmentEvent)),
            session.scalar(select(func.count()).select_from(User)))


def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(app, db_session, world, now):
    values = Values(db_session, app, now, world)
    admin = Caller(app, db_session, Role.ADMIN, now)
    checked, problems = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == UNKNOWN_API_URL:
            continue  # the API's 404/405 for URLs no view serves: it changes nothing
        for method in sorted((rule.methods or set()) & WRITES):
            url, reason = url_for_rule(rule, values, Role.ADMIN)
            assert url is not None, reason
            before = _counts(db_session)
            if url.startswith("/api/"):  # the session cookie, but no X-CSRFToken header
                response = admin.client.open(url, method=method, json={})
            else:  # a form post without its csrf_token field
                response = admin.client.open(url, method=method, data={"note": "x"})
            checked.append(f"{method} {rule.rule}")
            if response.status_code != 400 or _counts(db_session) != before:
                problems.append(f"{method} {rule.rule}: {response.status_code}")
    assert checked, "no state-changing route found"
    assert not problems, problems
    assert any(c.startswith("POST /garments/") for c in checked)
    assert any(c.startswith("POST /api/v1/") for c in checked)
