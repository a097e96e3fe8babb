"""Credentials from the command line and at the API: token list, expiry, read-only scope, deactivation, reset."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cksloop import cli
from cksloop.db.models import ApiToken
from cksloop.domain.lifecycle import Role
from cksloop.services import tokens
from tests.builders import PASSWORD, make_garment, make_user
from tests.conftest import sign_in


def run(runner, *args: str, input: str | None = None):
    return runner.invoke(cli.main, list(args), input=input)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_read_only_token_reads_but_a_write_answers_403_read_only_token(client, db_session, now):
    user = make_user(db_session, Role.MERCHANDISER)
    token = tokens.create_token(db_session, email=user.email, now=now, read_only=True)
    garment = make_garment(db_session, now=now)
    assert client.get("/api/v1/garments", headers=bearer(token)).status_code == 200
    assert client.head(f"/api/v1/garments/{garment.code}", headers=bearer(token)).status_code == 200
    refused = client.post(f"/api/v1/garments/{garment.code}/actions", headers=bearer(token),
                          json={"action": "mark_down", "expected_version": 1, "price_cents": 9995})
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "read_only_token" and "read" in refused.get_json()["message"]
    db_session.rollback()
    assert garments_price(db_session, garment.code) != 9995


def garments_price(session, code):
    from cksloop.db.models import Garment

    return session.scalar(select(Garment.price_cents).where(Garment.code == code))


def test_an_expired_token_answers_401(app, client, db_session, now):
    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now, expires_at=now + dt.timedelta(days=1))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    app.config["NOW"] = now + dt.timedelta(days=1, seconds=1)
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_tokens_create_with_expiry_and_read_only_then_tokens_list_shows_them_without_secrets(runner, db_session):
    user = make_user(db_session, Role.MERCHANDISER)
    made = run(runner, "tokens", "create", "--email", user.email, "--label", "till", "--read-only",
               "--expires-in-days", "30")
    dated = run(runner, "tokens", "create", "--email", user.email, "--label", "dressr", "--expires-on", "2030-01-31")
    assert made.exit_code == dated.exit_code == 0, made.output + dated.output
    secret = made.output.strip()
    listed = run(runner, "tokens", "list", "--email", user.email)
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    till = next(line for line in lines if " till " in line)
    assert "read-only" in till and "active" in till
    assert "2030-01-31 00:00" in next(line for line in lines if " dressr " in line)
    assert secret not in listed.output
    db_session.rollback()
    row = db_session.scalar(select(ApiToken).where(ApiToken.label == "till"))
    assert row.read_only and row.expires_at is not None


def test_tokens_create_refuses_two_expiries_and_a_bad_date(runner, db_session):
    user = make_user(db_session)
    both = run(runner, "tokens", "create", "--email", user.email, "--expires-in-days", "3", "--expires-on", "2030-01-01")
    bad = run(runner, "tokens", "create", "--email", user.email, "--expires-on", "31/01/2030")
    assert both.exit_code == 2 and "not both" in both.output
    assert bad.exit_code == 2 and "expires-on" in bad.output
    db_session.rollback()
    assert db_session.scalar(select(ApiToken.id)) is None


def test_users_deactivate_ends_sign_in_sessions_and_tokens(app, runner, db_session, now):
    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now)
    browser = app.test_client()
    assert sign_in(browser, user.email).status_code == 302
    result = run(runner, "users", "deactivate", "--email", user.email)
    assert result.exit_code == 0 and "1 API token(s) were revoked" in result.output
    assert browser.get("/garments").status_code == 302  # the open session ended
    assert sign_in(app.test_client(), user.email).status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert "inactive" in run(runner, "users", "list").output


def test_users_reset_password_also_stops_the_users_api_tokens(app, runner, db_session, now):
    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now)
    result = run(runner, "users", "reset-password", "--email", user.email, "--password-stdin",
                 input="a brand new password\n")
    assert result.exit_code == 0 and "1 API token(s) were revoked" in result.output
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert sign_in(app.test_client(), user.email, "a brand new password").status_code == 302
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 401
