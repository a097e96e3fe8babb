"""Signing in and out as a person does in the browser."""
from __future__ import annotations

from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_from, sign_in


def test_home_page_sends_anonymous_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_staff_member_signs_in_and_sees_todays_work(client, db_session):
    user = make_user(db_session, "store_staff")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert user.name in page


def test_wrong_password_and_unknown_email_get_the_same_message(client, db_session):
    user = make_user(db_session, "merchandiser")
    wrong = sign_in(client, user.email, "not the password")
    unknown = sign_in(client, "nobody@cks.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert _flash(wrong) == _flash(unknown) != ""


def test_sign_in_without_csrf_token_is_refused(client, db_session):
    user = make_user(db_session, "store_staff")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, db_session):
    user = make_user(db_session, "store_staff")
    client = app.test_client()
    sign_in(client, user.email)
    cookie = client.get_cookie("session").value
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 302


def _flash(response) -> str:
    import re

    match = re.search(r'class="flash flash-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""
