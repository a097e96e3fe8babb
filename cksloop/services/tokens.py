"""API tokens: made once and kept only as hashes, listed, revoked, and checked on every API request."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from cksloop.db.models import ApiToken, User
from cksloop.db.session import begin_write
from cksloop.domain.clock import utc
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.messages import N_
from cksloop.services import accounts, throttle

TOKEN_PREFIX = "ckl_"
#: the longest a token may live when it is given an expiry (ten years: "no expiry" is None)
MAX_TOKEN_DAYS = 3650


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, email: str, label: str = "", now: dt.datetime,
                 expires_at: dt.datetime | None = None, read_only: bool = False, by: User | None = None,
                 address: str | None = None) -> str:
    """Make a new API token for the user; only its hash is stored, the token is returned once.

    ``expires_at`` (None: until revoked) must lie in the future, at most MAX_TOKEN_DAYS away; a
    read-only token may only read (GET, HEAD). InvalidDetails for an inactive user or a bad expiry.
    """
    begin_write(session)
    user = accounts.find_user(session, email)
    if not user.active:
        raise InvalidDetails({"email": N_("This user is deactivated.")})
    if expires_at is not None and not now < expires_at <= now + dt.timedelta(days=MAX_TOKEN_DAYS):
        raise InvalidDetails({"expires": N_("The expiry must lie in the future, at most ten years away.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_hash(token), label=label.strip()[:120], created_at=now,
                   expires_at=expires_at, read_only=read_only)
    session.add(row)
    session.flush()
    accounts.record_event(session, action=accounts.TOKEN_CREATED, subject=user, actor=by, token=row, address=address, now=now,
                 details={"label": row.label, "read_only": read_only,
                          "expires_at": expires_at.isoformat() if expires_at else None})
    session.commit()
    return token


def revoke_tokens(session: Session, *, email: str, now: dt.datetime, label: str | None = None,
                  token_id: int | None = None, by: User | None = None, address: str | None = None) -> int:
    """Revoke the user's active API tokens (only those with ``label``, or the one with
    ``token_id``, when given); returns how many; commits."""
    begin_write(session)
    user = accounts.find_user(session, email)
    count = accounts.revoke_all_tokens(session, user, now=now, by=by, address=address, label=label, token_id=token_id)
    session.commit()
    return count


def list_tokens(session: Session, *, email: str | None = None) -> list[ApiToken]:
    """API tokens (of one user when ``email`` is given), newest first, with their user loaded."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if email is not None:
        query = query.where(ApiToken.user_id == accounts.find_user(session, email).id)
    return list(session.scalars(query))


def token_status(token: ApiToken, now: dt.datetime) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    expires = None if token.expires_at is None else utc(token.expires_at)
    return "expired" if expires is not None and expires <= now else "active"


#: one statement, built once: every API request asks it
_TOKEN = select(ApiToken).join(User, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True),
    or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")))


def token_for(session: Session, token: str, *, now: dt.datetime) -> ApiToken | None:
    """The live token row (not revoked, not expired, of an active user), its user loaded, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return session.scalar(_TOKEN, {"token_hash": token_hash(token), "now": now})


def user_for_token(session: Session, token: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user owning ``token`` (not revoked, not expired), or None."""
    row = token_for(session, token, now=now or dt.datetime.now(dt.UTC))
    return row.user if row else None


def caller_for_token(session: Session, token: str, *, address: str | None, now: dt.datetime,
                     limits: throttle.Limits = throttle.DEFAULT_LIMITS) -> tuple[ApiToken | None, int | None]:
    """The live token row and, for a token that is not valid, the seconds ``address`` must wait
    after too many failed authentications (None: it may go ahead).

    A valid token always goes ahead, however many wrong ones came from its address before: the
    pause slows a guesser down, it must not turn away the till that shares the shop's address.
    """
    row = token_for(session, token, now=now)
    if row is not None:
        return row, None
    return None, throttle.check(session, account=None, address=address, now=now, limits=limits)
