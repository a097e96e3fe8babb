"""Login throttling: too many failed sign-ins per account or per client address get a pause.

Failures are rows in the database (``login_failures``), so every gunicorn worker counts the
same attempts. The account is identified by a hash of the typed email whether or not such a
user exists: an unknown email is throttled exactly like a known one, which tells a guesser
nothing (no user enumeration). A success clears only that account's failures, never the
address's, so signing in to one's own account does not reset a guesser's count.

Check and record are not one atomic step: with W requests in flight at the moment an account
crosses the limit, up to W-1 more guesses may slip through. With gunicorn's sync workers W is
the number of workers, which keeps the bound small.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.orm import Session

from cksloop.db.models import LoginFailure
from cksloop.db.session import begin_write

#: OWASP's usual advice: a handful of failures per account, a wider budget per address
#: (a shop's staff share one address behind the shop's router)
WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
#: failures older than this are deleted as new ones arrive, so the table stays small
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    window: dt.timedelta = WINDOW
    per_account: int = ACCOUNT_LIMIT
    per_address: int = ADDRESS_LIMIT


DEFAULT_LIMITS = Limits()


def account_key(email: str | None) -> str | None:
    """The stored key of an account: a hash of the normalised email (None for no email)."""
    if not email or not email.strip():
        return None
    return hashlib.sha256(("account:" + email.strip().lower()).encode()).hexdigest()


@lru_cache(maxsize=16)
def _limit_th_failure(column: Any, limit: int) -> Select[Any]:
    # built once: every API request asks it, and building the expression cost more than running it
    return (select(LoginFailure.failed_at)
            .where(column == bindparam("value"), LoginFailure.failed_at > bindparam("since"))
            .order_by(LoginFailure.failed_at.desc()).limit(1).offset(limit - 1))


def _wait(session: Session, column: object, value: str, limit: int, window: dt.timedelta,
          now: dt.datetime) -> int:
    """Seconds until fewer than ``limit`` failures for ``value`` fall inside the window."""
    # the limit-th most recent failure: once it ages out of the window, one more try is allowed
    row = session.execute(_limit_th_failure(column, limit), {"value": value, "since": now - window}).first()
    return wait_after(row[0] if row else None, window, now)


def wait_after(failed_at: dt.datetime | None, window: dt.timedelta, now: dt.datetime) -> int:
    """Seconds to wait when the limit-th most recent failure happened at ``failed_at`` (0: none)."""
    if failed_at is None:
        return 0
    if failed_at.tzinfo is None:  # SQLite hands back naive UTC
        failed_at = failed_at.replace(tzinfo=dt.UTC)
    return max(1, math.ceil((failed_at + window - now).total_seconds()))


def address_failure(limits: Limits = DEFAULT_LIMITS) -> Any:
    """The limit-th most recent failure from an address as a scalar subquery (bind parameters
    ``value``: the address, ``since``: the start of the window), for a caller that asks it
    together with something else; ``wait_after`` turns its answer into seconds."""
    return _limit_th_failure(LoginFailure.address, limits.per_address).scalar_subquery()


def address_param(address: str | None) -> str | None:
    """An address as the failures table stores it."""
    return address[:64] if address else None


def check(session: Session, *, account: str | None, address: str | None, now: dt.datetime,
          limits: Limits = DEFAULT_LIMITS) -> int | None:
    """Seconds to wait before another sign-in attempt, or None when one may be tried now.

    ``account`` is the typed email (or None for a bearer token), ``address`` the client's address.
    """
    waits = []
    key = account_key(account)
    if key is not None:
        waits.append(_wait(session, LoginFailure.account_key, key, limits.per_account,
                           limits.window, now))
    addr = address_param(address)
    if addr is not None:
        waits.append(_wait(session, LoginFailure.address, addr, limits.per_address, limits.window, now))
    longest = max(waits, default=0)
    return longest or None


def record_failure(session: Session, *, account: str | None, address: str | None,
                   now: dt.datetime) -> None:
    """Remember a failed attempt (and forget those too old to matter); commits."""
    begin_write(session)  # a fresh, short write: whatever the caller read is not part of it
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - KEEP))
    session.add(LoginFailure(account_key=account_key(account), address=address_param(address), failed_at=now))
    session.commit()


def record_success(session: Session, *, account: str | None, now: dt.datetime) -> None:
    """Forget the account's failures after a successful sign-in; commits.

    The address's failures stay: a guesser who also owns an account must not reset them.
    """
    key = account_key(account)
    if key is None:
        return
    begin_write(session)
    # unlink rather than delete: the rows still count against the address they came from
    session.execute(update(LoginFailure).where(LoginFailure.account_key == key,
                                               LoginFailure.failed_at <= now).values(account_key=None))
    session.commit()
