"""Accounts: users with hashed passwords, API tokens stored as hashes, sign-in checks."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import ApiToken, Location, User
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.services import throttle

# scrypt parameters (RFC 7914 interactive-login strength); stored with the hash so they can grow
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
TOKEN_PREFIX = "ckl_"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                   p=int(p), dklen=len(bytes.fromhex(digest)))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


# a fixed hash to check against when the email is unknown, so both paths take the same time
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidDetails({"password": N_("A password needs at least 10 characters.")})
    if len(password) > 1024:
        raise InvalidDetails({"password": N_("Too long.")})


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, *, email: str, name: str, role: Role | str, password: str,
                home_location: str | None = None) -> User:
    """Create a user and commit; InvalidDetails for a bad email, role, password or location."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not _EMAIL.match(email):
        errors["email"] = N_("Not a valid email address.")
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = N_("Not one of the allowed values.")
    if not name.strip() or len(name) > 120:
        errors["name"] = N_("This field is required.")
    location_id = None
    if home_location:
        location_id = session.scalar(select(Location.id).where(Location.code == home_location))
        if location_id is None:
            errors["home_location"] = N_("No such location.")
    if not errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = N_("A user with this email already exists.")
    if errors:
        raise InvalidDetails(errors)
    validate_password(password)
    user = User(email=email, name=name.strip(), role=Role(role), home_location_id=location_id,
                password_hash=hash_password(password), session_nonce=secrets.token_hex(16))
    session.add(user)
    session.commit()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(N_("No user with email %(email)s."), email=email)
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same work either way)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password(_DUMMY_HASH, password)
        return None
    if not check_password(user.password_hash, password) or not user.active:
        return None
    return user


def reset_password(session: Session, *, email: str, password: str) -> User:
    """Set a new password and end every session the user had."""
    user = find_user(session, email)
    validate_password(password)
    user.password_hash = hash_password(password)
    user.session_nonce = secrets.token_hex(16)
    session.commit()
    return user


def end_sessions(session: Session, *, user_id: int) -> None:
    """Invalidate every browser session of the user (sign-out)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_nonce = secrets.token_hex(16)
        session.commit()


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user behind a Flask-Login id ``"<user id>:<nonce>"``, if still valid."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_nonce, nonce):
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, email: str, label: str = "", now: dt.datetime) -> str:
    """Make a new API token for the user; only its hash is stored, the token is returned once."""
    user = find_user(session, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:120],
                         created_at=now))
    session.commit()
    return token


def revoke_tokens(session: Session, *, email: str, now: dt.datetime, label: str | None = None) -> int:
    """Revoke the user's active API tokens (only those with ``label`` when given); returns how many."""
    user = find_user(session, email)
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if label is not None:
        query = query.where(ApiToken.label == label)
    tokens = list(session.scalars(query))
    for token in tokens:
        token.revoked_at = now
    session.commit()
    return len(tokens)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning ``token``, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return session.scalar(_USER_FOR_TOKEN, {"token_hash": _token_hash(token)})


#: one statement, built once: every API request asks it
_USER_FOR_TOKEN = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True))


def caller_for_token(session: Session, token: str, *, address: str | None, now: dt.datetime,
                     limits: throttle.Limits = throttle.DEFAULT_LIMITS) -> tuple[User | None, int | None]:
    """The active user owning ``token`` and the seconds ``address`` must wait after too many
    failed authentications (None: it may go ahead).

    For a valid token both come from one statement: every API call asks, and on PostgreSQL a
    round trip costs as much as the rest of a scan's SQL. For an unknown token the wait is asked
    on its own, so a paused address is refused whatever it sends.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None, throttle.check(session, account=None, address=address, now=now, limits=limits)
    row = session.execute(_caller_statement(limits), {
        "token_hash": _token_hash(token), "value": throttle.address_param(address),
        "since": now - limits.window}).first()
    if row is None:
        return None, throttle.check(session, account=None, address=address, now=now, limits=limits)
    return row[0], throttle.wait_after(row[1], limits.window, now) or None


@lru_cache(maxsize=4)
def _caller_statement(limits: throttle.Limits) -> Any:
    return _USER_FOR_TOKEN.add_columns(throttle.address_failure(limits))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def list_users(session: Session) -> list[User]:
    """Every user, ordered by email, with the home location loaded."""
    return list(session.scalars(select(User).order_by(User.email)))
