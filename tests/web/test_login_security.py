"""Sign-in security: throttling with 429 + Retry-After, no enumeration, fresh sessions, cookie flags."""
from __future__ import annotations

import datetime as dt
import re
import uuid

from cksloop import create_app
from cksloop.services import accounts, throttle, tokens
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_from, sign_in

TOO_MANY = "Too many failed sign-ins."


def _attempt(client, email, password, address="127.0.0.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)},
                       environ_base={"REMOTE_ADDR": address})


def _flash(response) -> str:
    match = re.search(r'class="flash flash-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


def test_sixth_attempt_after_five_wrong_passwords_gets_429_even_with_the_right_password(client, db_session):
    user = make_user(db_session, "store_staff")
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _attempt(client, user.email, "wrong password!").status_code == 401
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == throttle.FIRST_PAUSE.total_seconds()
    assert TOO_MANY in _flash(response)
    assert client.get("/").status_code == 302  # still not signed in


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(app, db_session):
    user = make_user(db_session, "merchandiser")
    answers = []
    for email in (user.email, "nobody@cks.example"):
        client = app.test_client()
        first = [_attempt(client, email, "wrong password!") for _ in range(throttle.ACCOUNT_LIMIT)]
        last = _attempt(client, email, "wrong password!")
        answers.append(([r.status_code for r in first], _flash(first[0]), last.status_code,
                         last.headers.get("Retry-After"), _flash(last)))
    assert answers[0] == answers[1]
    assert answers[0][2] == 429


def test_unknown_email_costs_the_same_password_hashing_as_a_known_one(db_session, monkeypatch):
    user = make_user(db_session, "store_staff")
    calls = []
    real = accounts.check_password
    monkeypatch.setattr(accounts, "check_password", lambda stored, pw: calls.append(1) or real(stored, pw))
    accounts.authenticate(db_session, email=user.email, password="wrong password!")
    accounts.authenticate(db_session, email="nobody@cks.example", password="wrong password!")
    assert len(calls) == 2


def test_signing_in_works_again_once_the_window_has_passed(app, client, db_session, now):
    user = make_user(db_session, "store_staff")
    for _ in range(throttle.ACCOUNT_LIMIT):
        _attempt(client, user.email, "wrong password!")
    assert _attempt(client, user.email, PASSWORD).status_code == 429
    app.config["NOW"] = now + throttle.WINDOW + dt.timedelta(seconds=1)
    assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_account_count(app, db_session):
    user = make_user(db_session, "store_staff")
    client = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        _attempt(client, user.email, "wrong password!")
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    other = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert _attempt(other, user.email, "wrong password!").status_code == 401
    assert _attempt(other, user.email, PASSWORD).status_code == 302


def test_many_emails_tried_from_one_address_pause_that_address_only(app, db_session):
    user = make_user(db_session, "store_staff")
    client = app.test_client()
    for i in range(throttle.ADDRESS_LIMIT):
        assert _attempt(client, f"guess{i}@cks.example", "wrong password!", "198.51.100.9").status_code == 401
    blocked = _attempt(client, user.email, PASSWORD, "198.51.100.9")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert _attempt(app.test_client(), user.email, PASSWORD, "198.51.100.10").status_code == 302


def test_a_form_without_csrf_or_email_is_not_counted_as_a_failure(client, db_session):
    user = make_user(db_session, "store_staff")
    for _ in range(throttle.ACCOUNT_LIMIT + 2):
        assert client.post("/login", data={"email": user.email, "password": "x"}).status_code == 400
    assert sign_in(client, user.email).status_code == 302


def test_signing_in_starts_a_fresh_session_without_planted_values(client, db_session):
    user = make_user(db_session, "store_staff")
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["lang"] = "en"
    before = client.get_cookie("session").value
    assert sign_in(client, user.email).status_code == 302
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s.get("lang") == "en"  # the language choice survives
        assert s.get("_user_id", "").startswith(f"{user.id}:")
    assert client.get_cookie("session").value != before


def test_sign_out_makes_the_old_cookie_useless_for_reading_and_for_writing(app, db_session):
    user = make_user(db_session, "store_staff")
    client = app.test_client()
    sign_in(client, user.email)
    cookie = client.get_cookie("session").value
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 302
    assert thief.post("/logout", data={"csrf_token": token}).status_code in (302, 400)
    db_session.expire_all()
    with thief.session_transaction() as s:
        assert accounts.load_session_user(db_session, s.get("_user_id", "")) is None


def test_a_password_reset_ends_sessions_on_other_devices(app, db_session):
    user = make_user(db_session, "store_staff")
    phone = app.test_client()
    sign_in(phone, user.email)
    assert phone.get("/").status_code == 200
    accounts.reset_password(db_session, email=user.email, password="another long password")
    assert phone.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_but_not_secure_on_plain_http(client, db_session):
    user = make_user(db_session, "store_staff")
    response = sign_in(client, user.email)
    cookie = _set_cookie(response, "session")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookies_setting_marks_the_session_cookie_secure(database_url, db_session, monkeypatch, now):
    monkeypatch.setenv("CKSLOOP_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "NOW": now,
                      "SECRET_KEY": "test-secret-" + uuid.uuid4().hex})
    try:
        user = make_user(db_session, "store_staff")
        client = app.test_client()
        response = sign_in(client, user.email)
        cookie = _set_cookie(response, "session")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers.get("Strict-Transport-Security")
    finally:
        app.extensions["cksloop.engine"].dispose()


def _set_cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie set")


def test_repeated_wrong_api_tokens_from_one_address_get_429_but_a_valid_token_passes(client, db_session, now):
    user = make_user(db_session, "store_staff")
    token = tokens.create_token(db_session, email=user.email, now=now)
    here = {"REMOTE_ADDR": "198.51.100.20"}
    for i in range(throttle.ADDRESS_LIMIT):
        wrong = client.get("/api/v1/me", headers={"Authorization": f"Bearer ckl_wrong{i}"}, environ_base=here)
        assert wrong.status_code == 401
    blocked = client.get("/api/v1/me", headers={"Authorization": "Bearer ckl_wrong_again"}, environ_base=here)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) == 15 * 60
    assert blocked.get_json()["error"] == "too_many_requests" and blocked.get_json()["message"]
    # a valid token is never refused because others failed from its address
    valid = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}, environ_base=here)
    assert valid.status_code == 200
    elsewhere = client.get("/api/v1/me", headers={"Authorization": "Bearer ckl_wrong"},
                           environ_base={"REMOTE_ADDR": "198.51.100.21"})
    assert elsewhere.status_code == 401


def test_api_requests_without_a_token_do_not_count_as_failures(client, db_session, now):
    user = make_user(db_session, "store_staff")
    token = tokens.create_token(db_session, email=user.email, now=now)
    for _ in range(throttle.ADDRESS_LIMIT + 3):
        assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_failed_sign_ins_and_wrong_tokens_share_the_address_budget(client, db_session):
    user = make_user(db_session, "store_staff")
    here = "198.51.100.30"
    for i in range(throttle.ADDRESS_LIMIT - 1):
        client.get("/api/v1/me", headers={"Authorization": f"Bearer ckl_wrong{i}"},
                   environ_base={"REMOTE_ADDR": here})
    assert _attempt(client, "someone@cks.example", "wrong password!", here).status_code == 401
    assert _attempt(client, user.email, PASSWORD, here).status_code == 429


def test_the_pause_is_explained_in_the_visitors_language(client, db_session):
    with client.session_transaction() as s:
        s["lang"] = "nl"
    for _ in range(throttle.ACCOUNT_LIMIT):
        _attempt(client, "iemand@cks.example", "fout wachtwoord!")
    response = _attempt(client, "iemand@cks.example", "fout wachtwoord!")
    assert response.status_code == 429
    assert "Te veel mislukte aanmeldingen. Wacht 1 minuut" in _flash(response)


def _attempt_via_proxy(client, email, password, forwarded_for):
    # every request reaches the app from the proxy's address; the client is in X-Forwarded-For
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/login", environ_base=proxy, headers=headers).get_data(as_text=True)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)},
                       environ_base=proxy, headers=headers)


def test_behind_a_proxy_the_throttle_pauses_the_client_not_everyone(database_url, db_session, monkeypatch, now):
    monkeypatch.setenv("CKSLOOP_PROXY_HOPS", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "NOW": now,
                      "SECRET_KEY": "test-secret-" + uuid.uuid4().hex})
    try:
        user = make_user(db_session, "store_staff")
        client = app.test_client()
        for i in range(throttle.ADDRESS_LIMIT):
            assert _attempt_via_proxy(client, f"guess{i}@cks.example", "wrong!", "203.0.113.7").status_code == 401
        assert _attempt_via_proxy(client, user.email, PASSWORD, "203.0.113.7").status_code == 429
        assert _attempt_via_proxy(app.test_client(), user.email, PASSWORD, "203.0.113.8").status_code == 302
    finally:
        app.extensions["cksloop.engine"].dispose()
