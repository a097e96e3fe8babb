"""Security headers on pages and the API, cookie flags, and no inline script on any rendered page."""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from cksloop import create_app
from cksloop.domain.lifecycle import Role
from tests.builders import make_garment, make_user
from tests.conftest import sign_in
from tests.route_map import ANONYMOUS, Caller, Values, rules, url_for_rule


def _csp(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_secure_headers(response: Any) -> None:
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, "no script-src or default-src in the CSP"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert "'unsafe-inline'" not in csp.get("style-src", csp.get("default-src", []))
    assert csp.get("object-src") == ["'none'"]
    framing = csp.get("frame-ancestors") == ["'none'"] or response.headers.get("X-Frame-Options") == "DENY"
    assert framing, "the page may be framed"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in {"no-referrer", "same-origin", "strict-origin",
                                                       "strict-origin-when-cross-origin"}


def test_sign_in_page_carries_the_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_signed_in_pages_and_error_pages_carry_the_security_headers(login, db_session, now):
    garment = make_garment(db_session, now=now)
    staff = login(Role.STORE_STAFF)
    for url, status in [("/", 200), ("/garments", 200), (f"/garments/{garment.code}", 200),
                        ("/garments/NO-SUCH-1", 404), ("/no/such/page", 404)]:
        response = staff.get(url)
        assert response.status_code == status, url
        assert_secure_headers(response)


def test_api_answers_and_api_errors_carry_the_security_headers(client, db_session, now):
    from cksloop.services import tokens

    garment = make_garment(db_session, now=now)
    user = make_user(db_session, Role.STORE_STAFF)
    token = tokens.create_token(db_session, email=user.email, now=now)
    bearer = {"Authorization": f"Bearer {token}"}
    for response, status in [(client.get(f"/api/v1/garments/{garment.code}", headers=bearer), 200),
                             (client.get("/api/v1/garments", headers={"Authorization": "Bearer wrong"}), 401),
                             (client.get("/api/v1/garments"), 401)]:
        assert response.status_code == status
        assert response.is_json
        assert_secure_headers(response)


def test_session_cookie_is_http_only_and_same_site(client, db_session):
    user = make_user(db_session, Role.STORE_STAFF)
    response = sign_in(client, user.email)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookies[-1].split(";")}
    assert "httponly" in flags
    assert flags.get("samesite", "").lower() in {"samesite=lax", "samesite=strict"}
    assert "secure" not in flags  # plain HTTP in development; production sets CKSLOOP_SECURE_COOKIES


def test_secure_cookies_setting_marks_the_session_cookie_secure_and_sends_hsts(database_url, db_session,
                                                                              monkeypatch, tmp_path):
    monkeypatch.setenv("CKSLOOP_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "s" * 32,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    try:
        user = make_user(db_session, Role.STORE_STAFF)
        client = app.test_client()
        response = sign_in(client, user.email)
        cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][-1]
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert response.headers.get("Strict-Transport-Security", "").startswith("max-age=")
    finally:
        app.extensions["cksloop.engine"].dispose()


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, event handlers, inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            # a data block (JSON, the passport's JSON-LD) is never run, so it may hold text
            data_block = names.get("type") in {"application/json", "application/ld+json"}
            self._in_script = not data_block
            if "src" not in names and not data_block:
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in names.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.found.append(f"<{tag} style=…> inline style")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("code inside a <script> element")


@pytest.mark.parametrize("role", [ANONYMOUS, Role.STORE_STAFF, Role.ADMIN], ids=str)
def test_no_rendered_page_has_inline_script_or_style(app, db_session, world, now, role):
    values = Values(db_session, app, now, world)
    caller = Caller(app, db_session, role, now)
    problems, pages = [], 0
    for rule, method in rules(app):
        if method != "GET" or rule.endpoint == "static":
            continue
        url, reason = url_for_rule(rule, values, role)
        assert url is not None, reason
        response = caller.ask("GET", url)
        if response.mimetype != "text/html":
            continue
        pages += 1
        assert_secure_headers(response)
        parser = _InlineCode()
        parser.feed(response.get_data(as_text=True))
        problems.extend(f"{url}: {found}" for found in parser.found)
    assert pages >= 1
    assert problems == [], "\n".join(problems)
