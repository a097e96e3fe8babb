"""The users and tokens page: admins create users with role and stores, change them, deactivate,
reset passwords, issue tokens shown once and revoke them; everyone else is refused."""
from __future__ import annotations

import re

from sqlalchemy import select

from cksloop.db.models import AccountEvent, ApiToken, User
from cksloop.domain.lifecycle import Role
from cksloop.services import accounts, tokens
from tests.builders import OTHER_STORE, PASSWORD, STORE, make_user
from tests.conftest import sign_in


def _text(response) -> str:
    return response.get_data(as_text=True)


def _fresh(session, model, ident):
    """The row as the app committed it (the test session may hold an older copy)."""
    session.rollback()
    session.expire_all()
    return session.get(model, ident)


def _secret(html: str) -> str:
    match = re.search(r'<code class="secret">([^<]+)</code>', html)
    assert match, "no secret shown"
    return match.group(1)


def test_only_admins_open_the_users_page(login):
    for role in (Role.STORE_STAFF, Role.WORKSHOP_ORGANISER, Role.MERCHANDISER):
        assert login(role).get("/admin/users").status_code == 403, role
    page = login(Role.ADMIN).get("/admin/users")
    assert page.status_code == 200 and "New user" in _text(page)
    assert page.headers["Cache-Control"] == "no-store"


def test_an_admin_creates_a_user_with_role_and_stores_and_sees_the_password_once(app, login, db_session):
    admin = login(Role.ADMIN)
    response = admin.post("/admin/users", {"email": "Nina@CKS.example", "name": "Nina", "role": "store_staff",
                                           "home_location": STORE, "stores": [OTHER_STORE]})
    assert response.status_code == 201, _text(response)
    password = _secret(_text(response))
    db_session.rollback()
    user = db_session.scalar(select(User).where(User.email == "nina@cks.example"))
    assert user.role is Role.STORE_STAFF and user.home_location.code == STORE
    assert accounts.store_codes(db_session, user) == [OTHER_STORE]
    event = db_session.scalar(select(AccountEvent).where(AccountEvent.subject_id == user.id))
    assert event.action == "user_created" and event.actor_id == admin.user.id
    assert sign_in(app.test_client(), user.email, password).status_code == 302
    assert password not in _text(admin.get("/admin/users"))  # never shown again


def test_a_bad_new_user_is_refused_with_the_reason_and_nothing_is_created(login, db_session):
    admin = login(Role.ADMIN)
    before = db_session.scalar(select(User.id).order_by(User.id.desc()))
    for form, message in [({"email": "not-an-email", "name": "X", "role": "store_staff"}, "Not a valid email"),
                          ({"email": "a@cks.example", "name": "X", "role": "emperor"}, "Not a valid choice"),
                          ({"email": "a@cks.example", "name": "X", "role": "admin", "password": "short"}, "at least 10"),
                          ({"email": admin.user.email, "name": "X", "role": "admin"}, "already exists")]:
        response = admin.post("/admin/users", form)
        assert response.status_code == 422, form
        assert message in _text(response), form
    db_session.rollback()
    assert db_session.scalar(select(User.id).order_by(User.id.desc())) == before


def test_an_admin_changes_role_and_stores(login, db_session):
    admin = login(Role.ADMIN)
    user = make_user(db_session, Role.STORE_STAFF)
    response = admin.post(f"/admin/users/{user.id}/access", {"role": "merchandiser", "home_location": OTHER_STORE,
                                                            "stores": [STORE]})
    assert response.status_code == 302
    changed = _fresh(db_session, User, user.id)
    assert changed.role is Role.MERCHANDISER and changed.home_location.code == OTHER_STORE
    assert accounts.store_codes(db_session, changed) == [STORE]
    page = _text(admin.get(f"/admin/users/{user.id}"))
    assert "role changed" in page and "stores changed" in page


def test_a_token_is_shown_once_works_with_its_scope_and_can_be_revoked(app, login, db_session):
    admin = login(Role.ADMIN)
    user = make_user(db_session, Role.MERCHANDISER)
    issued = admin.post(f"/admin/users/{user.id}/tokens", {"label": "till", "expires_in_days": "30",
                                                          "read_only": "y"})
    assert issued.status_code == 201
    token = _secret(_text(issued))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    assert api.post("/api/v1/garments/CKS-00001/actions", headers=headers, json={}).status_code == 403
    assert token not in _text(admin.get(f"/admin/users/{user.id}"))
    db_session.rollback()
    row = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert admin.post(f"/admin/users/{user.id}/tokens/{row.id}/revoke").status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401


def test_a_bad_token_expiry_is_refused(login, db_session):
    admin = login(Role.ADMIN)
    user = make_user(db_session)
    response = admin.post(f"/admin/users/{user.id}/tokens", {"expires_in_days": "0"})
    assert response.status_code == 422
    db_session.rollback()
    assert db_session.scalar(select(ApiToken.id)) is None


def test_an_admin_resets_a_password_and_deactivates_a_user(app, login, db_session, now):
    admin = login(Role.ADMIN)
    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now)
    reset = admin.post(f"/admin/users/{user.id}/password", {"password": ""})
    assert reset.status_code == 200 and "1 API token was revoked" in _text(reset)
    password = _secret(_text(reset))
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 401
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    browser = app.test_client()
    assert sign_in(browser, user.email, password).status_code == 302
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert browser.get("/garments").status_code == 302
    assert sign_in(app.test_client(), user.email, password).status_code == 401
    assert "deactivated" in _text(admin.get("/admin/users"))


def test_an_admin_cannot_deactivate_or_demote_themselves(login, db_session):
    admin = login(Role.ADMIN)
    refused = admin.post(f"/admin/users/{admin.user.id}/deactivate")
    assert refused.status_code == 422 and "cannot deactivate yourself" in _text(refused)
    demoted = admin.post(f"/admin/users/{admin.user.id}/access", {"role": "store_staff"})
    assert demoted.status_code == 422 and "own administrator role" in _text(demoted)
    me = _fresh(db_session, User, admin.user.id)
    assert me.active and me.role is Role.ADMIN


def test_forms_without_csrf_change_nothing(app, login, db_session):
    login(Role.ADMIN)
    admin_user = make_user(db_session, Role.ADMIN)
    client = app.test_client()
    sign_in(client, admin_user.email)
    user = make_user(db_session)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 400
    assert _fresh(db_session, User, user.id).active


def test_an_unknown_user_is_404(login):
    admin = login(Role.ADMIN)
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.get(f"/admin/users/{2**70}").status_code == 404
