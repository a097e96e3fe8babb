"""Accounts: users with hashed passwords, their stores, sign-in checks (API tokens: services/tokens.py),
and the append-only account events that say who changed which user or credential.

A deactivated user can neither sign in nor use a token; deactivating ends their sessions and
revokes their tokens. A password reset ends sessions and revokes tokens too: a reset means the
old secret may be known to someone else, and a token made with it is no safer.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import AccountEvent, ApiToken, Location, User, UserStore
from cksloop.db.session import begin_write
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_

# scrypt parameters (RFC 7914 interactive-login strength); stored with the hash so they can grow
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")

#: what an account event records (stored as these values; the labels are for the admin page)
USER_CREATED = "user_created"
ROLE_CHANGED = "role_changed"
STORES_CHANGED = "stores_changed"
USER_DEACTIVATED = "user_deactivated"
PASSWORD_RESET = "password_reset"
TOKEN_CREATED = "token_created"
TOKEN_REVOKED = "token_revoked"
SIGNED_IN = "signed_in"
SIGN_IN_FAILED = "sign_in_failed"  # recorded for an existing account only (no stranger's typing kept)
SIGNED_OUT = "signed_out"
EVENT_LABELS = {
    USER_CREATED: N_("user created"), ROLE_CHANGED: N_("role changed"), STORES_CHANGED: N_("stores changed"),
    USER_DEACTIVATED: N_("user deactivated"), PASSWORD_RESET: N_("password reset"),
    TOKEN_CREATED: N_("API token issued"), TOKEN_REVOKED: N_("API token revoked"),
    SIGNED_IN: N_("signed in"), SIGN_IN_FAILED: N_("failed sign-in"), SIGNED_OUT: N_("signed out"),
}


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


def record_event(session: Session, *, action: str, subject: User, now: dt.datetime, actor: User | None = None,
                 token: ApiToken | None = None, address: str | None = None, details: dict | None = None) -> None:
    """Add an account event to the caller's unit of work (which commits it with the change)."""
    session.add(AccountEvent(at=now, action=action, actor_id=actor.id if actor else None, subject_id=subject.id,
                             token_id=token.id if token else None, address=address[:64] if address else None,
                             details=details or {}))


def record_sign_in(session: Session, *, user: User, address: str | None, now: dt.datetime) -> None:
    """A successful sign-in, for the audit trail; commits."""
    begin_write(session)
    record_event(session, action=SIGNED_IN, subject=user, actor=user, address=address, now=now)
    session.commit()


def record_failed_sign_in(session: Session, *, email: str, address: str | None, now: dt.datetime) -> None:
    """A failed sign-in on an existing account, for the audit trail; commits. Typing that matches no
    account is not kept (it may be someone's password typed in the wrong field)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        return
    begin_write(session)
    record_event(session, action=SIGN_IN_FAILED, subject=user, address=address, now=now)
    session.commit()


def record_sign_out(session: Session, *, user_id: int, now: dt.datetime) -> None:
    begin_write(session)
    user = session.get(User, user_id)
    if user is not None:
        record_event(session, action=SIGNED_OUT, subject=user, actor=user, now=now)
        session.commit()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _location_ids(session: Session, codes: Iterable[str], errors: dict[str, str], field: str) -> list[int]:
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return []
    found = {code: id_ for code, id_ in session.execute(select(Location.code, Location.id)
                                                         .where(Location.code.in_(wanted)))}
    if len(found) != len(wanted):
        errors[field] = N_("No such location.")
    return [found[c] for c in wanted if c in found]


def create_user(session: Session, *, email: str, name: str, role: Role | str, password: str,
                home_location: str | None = None, stores: Iterable[str] = (), by: User | None = None,
                address: str | None = None, now: dt.datetime | None = None) -> User:
    """Create a user (with extra stores besides the home location) and commit; InvalidDetails for
    a bad email, role, password or location. ``by`` is the admin (None: the command line)."""
    begin_write(session)
    now = now or _utcnow()
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
    extra = _location_ids(session, stores, errors, "stores")
    if not errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = N_("A user with this email already exists.")
    if errors:
        raise InvalidDetails(errors)
    validate_password(password)
    user = User(email=email, name=name.strip(), role=Role(role), home_location_id=location_id,
                password_hash=hash_password(password), session_nonce=secrets.token_hex(16))
    session.add(user)
    session.flush()
    session.add_all(UserStore(user_id=user.id, location_id=i) for i in extra if i != location_id)
    record_event(session, action=USER_CREATED, subject=user, actor=by, address=address, now=now,
                 details={"role": user.role.value, "home_location": home_location or None,
                          "stores": sorted(set(stores) - {home_location})})
    session.commit()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(N_("No user with email %(email)s."), email=email)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return user


def store_codes(session: Session, user: User) -> list[str]:
    """The codes of the user's extra stores (besides the home location), sorted."""
    return list(session.scalars(select(Location.code).join(UserStore, UserStore.location_id == Location.id)
                                .where(UserStore.user_id == user.id).order_by(Location.code)))


def change_role_and_stores(session: Session, *, user_id: int, role: Role | str, home_location: str | None,
                           stores: Iterable[str], by: User | None, address: str | None,
                           now: dt.datetime) -> User:
    """Give a user a role, a home location and extra stores; records what changed; commits.

    InvalidDetails for an unknown role or location. An admin may not take away their own admin
    role: the last way back into this page would go with it.
    """
    begin_write(session)
    user = get_user(session, user_id)
    errors: dict[str, str] = {}
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = N_("Not one of the allowed values.")
    if by is not None and by.id == user.id and role != Role.ADMIN:
        errors["role"] = N_("You cannot take away your own administrator role.")
    location_id = None
    if home_location:
        location_id = session.scalar(select(Location.id).where(Location.code == home_location))
        if location_id is None:
            errors["home_location"] = N_("No such location.")
    stores = sorted(set(stores) - {home_location or ""})
    extra = _location_ids(session, stores, errors, "stores")
    if errors:
        raise InvalidDetails(errors)
    before_stores = store_codes(session, user)
    before_home = user.home_location.code if user.home_location else None
    if user.role != role:
        record_event(session, action=ROLE_CHANGED, subject=user, actor=by, address=address, now=now,
                     details={"from": user.role.value, "to": Role(role).value})
        user.role = Role(role)
        user.session_nonce = secrets.token_hex(16)  # pages open with the old rights close
    if before_home != (home_location or None) or before_stores != stores:
        record_event(session, action=STORES_CHANGED, subject=user, actor=by, address=address, now=now,
                     details={"home_location": {"from": before_home, "to": home_location or None},
                              "stores": {"from": before_stores, "to": stores}})
        user.home_location_id = location_id
        session.execute(delete(UserStore).where(UserStore.user_id == user.id))
        session.add_all(UserStore(user_id=user.id, location_id=i) for i in extra)
    session.commit()
    session.refresh(user)
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


def generate_password() -> str:
    """A new random password for an admin to hand over (shown once)."""
    return secrets.token_urlsafe(12)


def reset_password(session: Session, *, email: str, password: str, now: dt.datetime | None = None,
                   by: User | None = None, address: str | None = None) -> int:
    """Set a new password, end every session and revoke every API token of the user; commits.
    Returns how many tokens were revoked."""
    begin_write(session)
    now = now or _utcnow()
    user = find_user(session, email)
    validate_password(password)
    user.password_hash = hash_password(password)
    user.session_nonce = secrets.token_hex(16)
    revoked = revoke_all_tokens(session, user, now=now, by=by, address=address)
    record_event(session, action=PASSWORD_RESET, subject=user, actor=by, address=address, now=now,
                 details={"tokens_revoked": revoked})
    session.commit()
    return revoked


def deactivate_user(session: Session, *, email: str, now: dt.datetime, by: User | None = None,
                    address: str | None = None) -> int:
    """Deactivate a user: no sign-in, every session ends, every token is revoked; commits.
    Returns how many tokens were revoked. InvalidDetails for an admin deactivating themselves."""
    begin_write(session)
    user = find_user(session, email)
    if by is not None and by.id == user.id:
        raise InvalidDetails({"user": N_("You cannot deactivate yourself.")})
    revoked = revoke_all_tokens(session, user, now=now, by=by, address=address)
    if user.active or revoked:
        user.active = False
        user.session_nonce = secrets.token_hex(16)
        record_event(session, action=USER_DEACTIVATED, subject=user, actor=by, address=address, now=now,
                     details={"tokens_revoked": revoked})
    session.commit()
    return revoked


def end_sessions(session: Session, *, user_id: int) -> None:
    """Invalidate every browser session of the user (sign-out)."""
    begin_write(session)
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



def revoke_all_tokens(session: Session, user: User, *, now: dt.datetime, by: User | None, address: str | None,
            label: str | None = None, token_id: int | None = None) -> int:
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if label is not None:
        query = query.where(ApiToken.label == label)
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    tokens = list(session.scalars(query))
    for token in tokens:
        token.revoked_at = now
        record_event(session, action=TOKEN_REVOKED, subject=user, actor=by, token=token, address=address,
                     now=now, details={"label": token.label})
    return len(tokens)


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def list_users(session: Session) -> list[User]:
    """Every user, ordered by email, with the home location loaded."""
    return list(session.scalars(select(User).order_by(User.email)))


def stores_by_user(session: Session) -> dict[int, list[str]]:
    """Each user's extra store codes (besides the home location)."""
    rows = session.execute(select(UserStore.user_id, Location.code)
                           .join(Location, Location.id == UserStore.location_id).order_by(Location.code))
    stores: dict[int, list[str]] = {}
    for user_id, code in rows:
        stores.setdefault(user_id, []).append(code)
    return stores


def events_of(session: Session, *, user_id: int, limit: int = 50) -> list[AccountEvent]:
    """The newest account events about one user."""
    return list(session.scalars(select(AccountEvent).where(AccountEvent.subject_id == user_id)
                                .order_by(AccountEvent.at.desc(), AccountEvent.id.desc()).limit(limit)))
