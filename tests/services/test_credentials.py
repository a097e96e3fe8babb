"""Credentials as services: token expiry and scope, deactivation, password reset ending tokens, stores, account events."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cksloop.db.models import AccountEvent, ApiToken
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.services import accounts, tokens
from tests.builders import OTHER_STORE, PASSWORD, STORE, make_user


def _events(session, user) -> list[str]:
    session.rollback()
    return list(session.scalars(select(AccountEvent.action).where(AccountEvent.subject_id == user.id)
                                .order_by(AccountEvent.id)))


def test_a_token_stops_working_when_it_expires(db_session, now):
    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now, expires_at=now + dt.timedelta(days=7))
    assert tokens.user_for_token(db_session, token, now=now + dt.timedelta(days=6)) == user
    assert tokens.user_for_token(db_session, token, now=now + dt.timedelta(days=7)) is None


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_an_expiry_in_the_past_or_beyond_ten_years_is_refused_and_nothing_is_stored(db_session, now, days):
    user = make_user(db_session)
    with pytest.raises(InvalidDetails) as refused:
        tokens.create_token(db_session, email=user.email, now=now, expires_at=now + dt.timedelta(days=days))
    assert "expires" in refused.value.field_errors
    db_session.rollback()
    assert db_session.scalar(select(ApiToken.id)) is None


def test_a_password_reset_ends_sessions_and_revokes_every_token(db_session, now):
    user = make_user(db_session)
    issued = [tokens.create_token(db_session, email=user.email, label=f"t{i}", now=now) for i in range(2)]
    nonce = user.session_nonce
    revoked = accounts.reset_password(db_session, email=user.email, password="a brand new password", now=now)
    assert revoked == 2
    assert all(tokens.user_for_token(db_session, t, now=now) is None for t in issued)
    assert user.session_nonce != nonce
    assert _events(db_session, user)[-3:] == ["token_revoked", "token_revoked", "password_reset"]


def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    user = make_user(db_session)
    token = tokens.create_token(db_session, email=user.email, now=now)
    revoked = accounts.deactivate_user(db_session, email=user.email, now=now, by=admin, address="192.0.2.1")
    assert revoked == 1
    assert accounts.authenticate(db_session, email=user.email, password=PASSWORD) is None
    assert tokens.user_for_token(db_session, token, now=now) is None
    assert accounts.load_session_user(db_session, f"{user.id}:{user.session_nonce}") is None
    event = db_session.scalar(select(AccountEvent).where(AccountEvent.action == "user_deactivated"))
    assert (event.actor_id, event.subject_id, event.address) == (admin.id, user.id, "192.0.2.1")
    with pytest.raises(InvalidDetails):
        tokens.create_token(db_session, email=user.email, now=now)


def test_an_admin_cannot_deactivate_themselves(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    with pytest.raises(InvalidDetails):
        accounts.deactivate_user(db_session, email=admin.email, now=now, by=admin)
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(type(admin), admin.id).active


def test_role_home_and_extra_stores_change_together_and_are_recorded(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    user = make_user(db_session, Role.STORE_STAFF)
    old_nonce = user.session_nonce
    changed = accounts.change_role_and_stores(db_session, user_id=user.id, role=Role.WORKSHOP_ORGANISER,
                                              home_location=OTHER_STORE, stores=[OTHER_STORE, STORE],
                                              by=admin, address=None, now=now)
    assert changed.role is Role.WORKSHOP_ORGANISER and changed.session_nonce != old_nonce
    assert changed.home_location.code == OTHER_STORE
    assert accounts.store_codes(db_session, changed) == [STORE]  # the home is not repeated
    assert _events(db_session, user)[-2:] == ["role_changed", "stores_changed"]
    again = accounts.change_role_and_stores(db_session, user_id=user.id, role=Role.WORKSHOP_ORGANISER,
                                            home_location=OTHER_STORE, stores=[], by=admin, address=None, now=now)
    assert accounts.store_codes(db_session, again) == []
    assert _events(db_session, user)[-1] == "stores_changed"


def test_an_admin_cannot_take_away_their_own_admin_role(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    with pytest.raises(InvalidDetails) as refused:
        accounts.change_role_and_stores(db_session, user_id=admin.id, role=Role.MERCHANDISER, home_location=None,
                                        stores=[], by=admin, address=None, now=now)
    assert "role" in refused.value.field_errors


def test_an_unknown_store_is_refused_and_nothing_changes(db_session, now):
    admin = make_user(db_session, Role.ADMIN)
    user = make_user(db_session)
    with pytest.raises(InvalidDetails) as refused:
        accounts.change_role_and_stores(db_session, user_id=user.id, role=Role.MERCHANDISER, home_location=None,
                                        stores=["NO-SUCH"], by=admin, address=None, now=now)
    assert "stores" in refused.value.field_errors
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(type(user), user.id).role is Role.STORE_STAFF


def test_tokens_are_listed_with_their_scope_and_status(db_session, now):
    user = make_user(db_session)
    tokens.create_token(db_session, email=user.email, label="till", now=now, read_only=True)
    tokens.create_token(db_session, email=user.email, label="old", now=now - dt.timedelta(days=3),
                          expires_at=now - dt.timedelta(days=1))
    listed = {t.label: (t.read_only, tokens.token_status(t, now)) for t in
              tokens.list_tokens(db_session, email=user.email)}
    assert listed == {"till": (True, "active"), "old": (False, "expired")}


def test_account_events_cannot_be_changed_or_deleted_in_the_database(db_session, now):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    user = make_user(db_session)
    for statement in (update(AccountEvent).values(action="nothing_happened"), delete(AccountEvent)):
        with pytest.raises(DBAPIError):
            db_session.execute(statement.where(AccountEvent.subject_id == user.id))
            db_session.flush()
        db_session.rollback()
    assert db_session.scalar(select(AccountEvent.action).where(AccountEvent.subject_id == user.id)) == "user_created"
