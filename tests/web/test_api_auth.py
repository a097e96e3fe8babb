"""Who may call the API: bearer tokens, the browser session with its CSRF token, and roles per route."""
from __future__ import annotations

import re

from flask import jsonify
from sqlalchemy import select, update

from cksloop.db.models import ApiToken, User
from cksloop.domain.lifecycle import Role
from cksloop.services import garments, tokens
from cksloop.web.api import openapi
from cksloop.web.api.auth import api_user
from cksloop.web.guards import allow
from tests.builders import make_garment, make_user


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(session, now, role=Role.MERCHANDISER, **kwargs) -> tuple[User, str]:
    user = make_user(session, role, **kwargs)
    return user, tokens.create_token(session, email=user.email, label="test", now=now)


def ledger_size(session) -> int:
    session.rollback()  # end the test session's read snapshot: the app wrote in its own sessions
    return garments.count_events(session)


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def elsewhere(i: int) -> dict[str, str]:
    """A client address of its own, so a loop of wrong tokens tests the answer, not the throttle."""
    return {"REMOTE_ADDR": f"10.9.{i // 250}.{i % 250 + 1}"}


def concrete(rule: str) -> str:
    """A URL for a rule: path arguments filled with harmless values."""
    return re.sub(r"<(?:int(?:\([^)]*\))?:)?[a-z_]+>",
                  lambda m: "1" if m.group(0).startswith("<int") else "CKS-00001", rule)


# --- bearer tokens ----------------------------------------------------------------------------

def test_request_without_token_is_refused_with_a_bearer_challenge(client, db_session):
    response = client.get("/api/v1/me")
    assert_error_shape(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


WRONG_AUTHORIZATIONS = [
    "Bearer ckl_not-a-real-token",
    "Bearer ",
    "Bearer",
    "Basic dXNlcjpwYXNz",
    "ckl_token-without-scheme",
    "Bearer " + "ckl_" + "x" * 5000,
    "Bearer ckl_\x01control",
    "Bearer ckl_é-non-ascii",
    "",
]


def test_wrong_or_malformed_token_is_refused(client, db_session, now):
    _, token = token_for(db_session, now)
    for i, header in enumerate([*WRONG_AUTHORIZATIONS, f"Bearer {token}x", f"Bearer {token[:-1]}"]):
        response = client.get("/api/v1/me", headers={"Authorization": header},
                              environ_base=elsewhere(i))
        assert response.status_code == 401, header
        assert_error_shape(response, 401, "unauthorized")
        assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_valid_token_identifies_its_user_and_role(client, db_session, now):
    user, token = token_for(db_session, now, Role.WORKSHOP_ORGANISER)
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"id": user.id, "email": user.email, "name": user.name,
                                   "role": "workshop_organiser", "home_location": "ANT-MEIR",
                                   "auth": "bearer"}


def test_scheme_name_is_case_insensitive(client, db_session, now):
    _, token = token_for(db_session, now)
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_revoked_token_is_refused(client, db_session, now):
    _, token = token_for(db_session, now)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    db_session.execute(update(ApiToken).values(revoked_at=now))
    db_session.commit()
    assert_error_shape(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")


def test_token_of_a_deactivated_user_is_refused(client, db_session, now):
    user, token = token_for(db_session, now)
    db_session.execute(update(User).where(User.id == user.id).values(active=False))
    db_session.commit()
    assert_error_shape(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")


def test_bearer_answer_sets_no_session_cookie(client, db_session, now):
    _, token = token_for(db_session, now)
    response = client.get("/api/v1/garments", headers=bearer(token))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_bearer_post_needs_no_csrf_token(client, db_session, now):
    _, token = token_for(db_session, now)
    garment = make_garment(db_session)
    response = client.post(f"/api/v1/garments/{garment.code}/actions", headers=bearer(token),
                           json={"action": "mark_down", "expected_version": 1, "price_cents": 9995})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["price_cents"] == 9995


def test_every_api_route_refuses_a_caller_without_credentials(app, client, db_session):
    """Read from the URL map, so routes other blueprints add under /api/ are covered too."""
    checked = 0
    for method, rule, _ in openapi.api_operations(app):
        response = client.open(concrete(rule), method=method, json={})
        assert response.status_code == 401, f"{method} {rule} answered {response.status_code}"
        assert response.get_json()["error"] == "unauthorized"
        checked += 1
    assert checked >= 6


def test_every_api_route_refuses_a_wrong_token(app, client, db_session):
    for i, (method, rule, _) in enumerate(openapi.api_operations(app)):
        response = client.open(concrete(rule), method=method, json={},
                               headers=bearer("ckl_wrong"), environ_base=elsewhere(i))
        assert response.status_code == 401, f"{method} {rule} answered {response.status_code}"


# --- the browser session ----------------------------------------------------------------------

def test_signed_in_browser_reads_the_api_with_its_session(login):
    staff = login(Role.STORE_STAFF)
    response = staff.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["auth"] == "session"
    assert response.get_json()["email"] == staff.user.email


def test_session_post_without_csrf_header_is_refused_and_writes_nothing(login, db_session):
    merchandiser = login(Role.MERCHANDISER)
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    response = merchandiser.client.post(f"/api/v1/garments/{garment.code}/actions",
                                        json={"action": "mark_down", "price_cents": 100})
    assert_error_shape(response, 400, "csrf_failed")
    forged = merchandiser.client.post(f"/api/v1/garments/{garment.code}/actions",
                                      json={"action": "mark_down", "price_cents": 100},
                                      headers={"X-CSRFToken": "forged"})
    assert_error_shape(forged, 400, "csrf_failed")
    assert ledger_size(db_session) == before


def test_session_post_with_csrf_header_takes_the_action(login, db_session):
    merchandiser = login(Role.MERCHANDISER)
    garment = make_garment(db_session)
    before = ledger_size(db_session)
    response = merchandiser.client.post(f"/api/v1/garments/{garment.code}/actions",
                                        json={"action": "mark_down", "price_cents": 100},
                                        headers={"X-CSRFToken": merchandiser.csrf})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert ledger_size(db_session) == before + 1


def test_wrong_token_is_not_rescued_by_a_signed_in_session(login):
    staff = login(Role.STORE_STAFF)
    response = staff.get("/api/v1/me", headers=bearer("ckl_wrong"))
    assert_error_shape(response, 401, "unauthorized")


def test_signed_out_session_is_refused(login):
    staff = login(Role.STORE_STAFF)
    staff.post("/logout")
    assert_error_shape(staff.get("/api/v1/me"), 401, "unauthorized")


# --- roles ------------------------------------------------------------------------------------

def _add_probe_routes(app) -> None:
    """Views on the API blueprint (endpoint ``api.…``), as a new resource module adds them."""
    @allow(Role.ADMIN)
    def admins_only():
        return jsonify(email=api_user().email)

    def unmarked():  # no @allow: denied to everyone
        return jsonify(ok=True)

    app.add_url_rule("/api/v1/probe/admins", endpoint="api.probe_admins", view_func=admins_only,
                     methods=["POST"])
    app.add_url_rule("/api/v1/probe/unmarked", endpoint="api.probe_unmarked", view_func=unmarked)


def test_every_api_route_is_on_the_api_blueprint_whose_hooks_check_callers(app):
    # the hooks (token auth, no form CSRF, JSON errors) belong to the blueprint, not to the path
    outside = [rule.rule for rule in app.url_map.iter_rules()
               if rule.rule.startswith("/api/") and not rule.endpoint.startswith("api.")]
    assert outside == []


def test_roles_of_every_api_view_are_enforced(app, client, db_session, now):
    _add_probe_routes(app)
    for role in Role:
        user, token = token_for(db_session, now, role)
        response = client.post("/api/v1/probe/admins", headers=bearer(token))
        if role is Role.ADMIN:
            assert response.status_code == 200
            assert response.get_json() == {"email": user.email}
        else:
            body = assert_error_shape(response, 403, "forbidden")
            assert body["details"] == {"role": role.value, "roles_allowed": ["admin"]}
        unmarked = client.get("/api/v1/probe/unmarked", headers=bearer(token))
        assert_error_shape(unmarked, 403, "forbidden")


def test_every_api_view_gets_the_session_csrf_check(app, db_session, login):
    _add_probe_routes(app)
    admin = login(Role.ADMIN)
    assert_error_shape(admin.client.post("/api/v1/probe/admins"), 400, "csrf_failed")
    ok = admin.client.post("/api/v1/probe/admins", headers={"X-CSRFToken": admin.csrf})
    assert ok.status_code == 200


def test_role_that_may_not_take_an_action_gets_403_and_nothing_is_written(client, db_session, now):
    garment = make_garment(db_session)
    tokens = {role: token_for(db_session, now, role)[1]
              for role in (Role.STORE_STAFF, Role.WORKSHOP_ORGANISER)}
    before = ledger_size(db_session)
    for role, action, details in [
        (Role.STORE_STAFF, "mark_down", {"price_cents": 100}),
        (Role.STORE_STAFF, "move_to_outlet", {"to_location": "OUTLET-WOMMELGEM"}),
        (Role.STORE_STAFF, "allocate_to_buyer_lot", {"buyer_lot": 1}),
        (Role.WORKSHOP_ORGANISER, "sell", {}),
        (Role.WORKSHOP_ORGANISER, "transfer", {"to_location": "GENT-VELD"}),
        (Role.WORKSHOP_ORGANISER, "write_off", {"reason": "stolen"}),
    ]:
        response = client.post(f"/api/v1/garments/{garment.code}/actions", headers=bearer(tokens[role]),
                               json={"action": action, "expected_version": 1, **details})
        assert response.status_code == 403, (role, action)
        body = assert_error_shape(response, 403, "forbidden")
        assert role.value not in body["details"]["roles_allowed"]
    assert ledger_size(db_session) == before


def test_allowed_actions_follow_the_callers_role(client, db_session, now):
    garment = make_garment(db_session)
    seen = {}
    for role in Role:
        _, token = token_for(db_session, now, role)
        seen[role] = client.get(f"/api/v1/garments/{garment.code}", headers=bearer(token)) \
            .get_json()["allowed_actions"]
    assert "mark_down" in seen[Role.MERCHANDISER] and "mark_down" not in seen[Role.STORE_STAFF]
    assert seen[Role.WORKSHOP_ORGANISER] == ["retire"]
    assert set(seen[Role.STORE_STAFF]) < set(seen[Role.ADMIN])


# --- unknown places -----------------------------------------------------------------------------

def test_unknown_api_path_answers_json_404(client, db_session, now):
    _, token = token_for(db_session, now)
    assert_error_shape(client.get("/api/v1/no-such-thing", headers=bearer(token)), 404, "not_found")
    assert_error_shape(client.get("/api/v2/garments"), 404, "not_found")


def test_wrong_method_answers_json_405(client, db_session, now):
    _, token = token_for(db_session, now)
    assert_error_shape(client.delete("/api/v1/garments", headers=bearer(token)), 405,
                       "method_not_allowed")


def test_token_is_stored_only_as_a_hash(db_session, now):
    _, token = token_for(db_session, now)
    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)
