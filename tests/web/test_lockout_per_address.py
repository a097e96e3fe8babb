"""Nobody can lock someone else out: wrong passwords pause (account, address), wrong tokens never refuse a valid one.

Tried against a real server from two loopback addresses (127.0.0.21 guesses, 127.0.0.22 is the
owner), as well as with the test client.
"""
from __future__ import annotations

import http.client
import json
import urllib.parse
from http.cookies import SimpleCookie

from cksloop.services import throttle, tokens
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_from

GUESSER, OWNER = "127.0.0.21", "127.0.0.22"


class Browser:
    """A minimal HTTP client bound to one source address, keeping its cookies."""

    def __init__(self, base_url: str, source: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.source = parts.hostname, parts.port, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))
        try:
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            conn.close()

    def sign_in(self, email: str, password: str) -> tuple[int, dict[str, str]]:
        _status, _headers, page = self.request("GET", "/login")
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": csrf_from(page)})
        status, headers, _ = self.request("POST", "/login", body=form,
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        return status, headers


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_on_a_real_server(live_server, db_session):
    user = make_user(db_session, "store_staff")
    guesser = Browser(live_server, GUESSER)
    answers = [guesser.sign_in(user.email, "wrong password!")[0] for _ in range(throttle.ACCOUNT_LIMIT + 1)]
    assert answers == [401] * throttle.ACCOUNT_LIMIT + [429]
    status, headers = guesser.sign_in(user.email, PASSWORD)
    assert status == 429 and int(headers["Retry-After"]) > 0
    owner = Browser(live_server, OWNER)
    status, _ = owner.sign_in(user.email, PASSWORD)
    assert status == 302
    assert owner.request("GET", "/garments")[0] == 200


def test_wrong_tokens_from_one_address_never_refuse_a_valid_token_on_a_real_server(live_server, db_session, now):
    user = make_user(db_session, "store_staff")
    token = tokens.create_token(db_session, email=user.email, now=now)
    guesser = Browser(live_server, GUESSER)
    for i in range(throttle.ADDRESS_LIMIT):
        status, _, _ = guesser.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer ckl_wrong{i}"})
        assert status == 401
    status, headers, body = guesser.request("GET", "/api/v1/me", headers={"Authorization": "Bearer ckl_more"})
    assert status == 429 and int(headers["Retry-After"]) > 0 and json.loads(body)["error"] == "too_many_requests"
    # the valid token works from the very address that sent the wrong ones, and from another
    for client in (guesser, Browser(live_server, OWNER)):
        status, _, body = client.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert status == 200 and json.loads(body)["email"] == user.email


def _attempt(client, email, password, address):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_five_wrong_passwords_pause_only_that_address_for_that_account(app, db_session):
    user = make_user(db_session, "merchandiser")
    other = make_user(db_session, "merchandiser")
    guesser = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _attempt(guesser, user.email, "wrong password!", "198.51.100.40").status_code == 401
    assert _attempt(guesser, user.email, PASSWORD, "198.51.100.40").status_code == 429
    # the same address may still sign in to another account; the owner elsewhere goes ahead
    assert _attempt(app.test_client(), other.email, PASSWORD, "198.51.100.40").status_code == 302
    assert _attempt(app.test_client(), user.email, PASSWORD, "198.51.100.41").status_code == 302


def test_the_owner_signing_in_elsewhere_does_not_reset_the_guessers_pause(app, db_session):
    user = make_user(db_session, "store_staff")
    guesser = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT):
        _attempt(guesser, user.email, "wrong password!", "198.51.100.50")
    assert _attempt(app.test_client(), user.email, PASSWORD, "198.51.100.51").status_code == 302
    assert _attempt(guesser, user.email, "another guess!!", "198.51.100.50").status_code == 429
