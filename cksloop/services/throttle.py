"""Sign-in throttling: failed sign-ins per (account, client address) get growing pauses, an address
that fails too often overall gets a pause of its own.

Failures are rows in the database (``login_failures``), so every gunicorn worker counts the
same attempts. The account is identified by a hash of the typed email whether or not such a
user exists: an unknown email is throttled exactly like a known one, which tells a guesser
nothing (no user enumeration).

Why per (account, address) and not per account: five wrong passwords from one address used to
lock the account for everyone, so anyone could lock a colleague out by typing their email. Now
a guesser only slows themselves down; the owner signing in from another address goes ahead.
Each further failure of the pair doubles the pause (``pair_wait``). An address that fails on
many accounts, or sends wrong API tokens, is paused as a whole (``ADDRESS_LIMIT``). A success
clears only its own pair, never the address's failures, so signing in to one's own account
does not reset a guesser's count.

Check and record are not one atomic step: with W requests in flight at the moment a pair
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
from cksloop.domain.clock import utc

#: OWASP's usual advice: a handful of failures per account, a wider budget per address
#: (a shop's staff share one address behind the shop's router)
WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
#: the pause after the ACCOUNT_LIMIT-th failure of a pair; each further failure doubles it, up
#: to WINDOW. Failures of a pair count for KEEP, so a patient guesser stays at the longest pause.
FIRST_PAUSE = dt.timedelta(seconds=30)
#: failures older than this are deleted as new ones arrive, so the table stays small
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    window: dt.timedelta = WINDOW
    per_account: int = ACCOUNT_LIMIT
    per_address: int = ADDRESS_LIMIT
    first_pause: dt.timedelta = FIRST_PAUSE


DEFAULT_LIMITS = Limits()


def account_key(email: str | None) -> str | None:
    """The stored key of an account: a hash of the normalised email (None for no email)."""
    if not email or not email.strip():
        return None
    return hashlib.sha256(("account:" + email.strip().lower()).encode()).hexdigest()


def address_param(address: str | None) -> str | None:
    """An address as the failures table stores it."""
    return address[:64] if address else None


@lru_cache(maxsize=16)
def _limit_th_failure(limit: int) -> Select[Any]:
    # built once: every failed token asks it, and building the expression cost more than running it
    return (select(LoginFailure.failed_at)
            .where(LoginFailure.address == bindparam("value"), LoginFailure.failed_at > bindparam("since"))
            .order_by(LoginFailure.failed_at.desc()).limit(1).offset(limit - 1))


def wait_after(failed_at: dt.datetime | None, pause: dt.timedelta, now: dt.datetime) -> int:
    """Seconds to wait when a pause of ``pause`` started at ``failed_at`` (0: none)."""
    if failed_at is None:
        return 0
    return max(0, math.ceil((utc(failed_at) + pause - now).total_seconds()))


def pair_pause(failures: int, limits: Limits = DEFAULT_LIMITS) -> dt.timedelta:
    """The pause after ``failures`` failed sign-ins of one account from one address."""
    if failures < limits.per_account:
        return dt.timedelta(0)
    doublings = min(failures - limits.per_account, 16)
    return min(limits.window, limits.first_pause * 2**doublings)


def pair_wait(session: Session, *, account: str | None, address: str | None, now: dt.datetime,
              limits: Limits = DEFAULT_LIMITS) -> int:
    """Seconds this address must wait before trying this account again (0: go ahead)."""
    key = account_key(account)
    if key is None:
        return 0
    addr = address_param(address)
    # enough rows to reach the longest pause: more failures change nothing
    enough = limits.per_account + 16
    query = (select(LoginFailure.failed_at)
             .where(LoginFailure.account_key == key, LoginFailure.failed_at > now - KEEP,
                    LoginFailure.address == addr if addr is not None else LoginFailure.address.is_(None))
             .order_by(LoginFailure.failed_at.desc()).limit(enough))
    times = list(session.scalars(query))
    if len(times) < limits.per_account:
        return 0
    return wait_after(times[0], pair_pause(len(times), limits), now)


def address_wait(session: Session, *, address: str | None, now: dt.datetime,
                 limits: Limits = DEFAULT_LIMITS) -> int:
    """Seconds until fewer than ``per_address`` failures from ``address`` fall inside the window."""
    addr = address_param(address)
    if addr is None:
        return 0
    # the limit-th most recent failure: once it ages out of the window, one more try is allowed
    row = session.execute(_limit_th_failure(limits.per_address),
                          {"value": addr, "since": now - limits.window}).first()
    return wait_after(row[0], limits.window, now) if row else 0


def check(session: Session, *, account: str | None, address: str | None, now: dt.datetime,
          limits: Limits = DEFAULT_LIMITS) -> int | None:
    """Seconds to wait before another sign-in attempt, or None when one may be tried now.

    ``account`` is the typed email (or None for a bearer token), ``address`` the client's address.
    The account's failures from other addresses do not count here: they never pause its owner.
    """
    longest = max(pair_wait(session, account=account, address=address, now=now, limits=limits),
                  address_wait(session, address=address, now=now, limits=limits))
    return max(1, longest) if longest else None


def record_failure(session: Session, *, account: str | None, address: str | None,
                   now: dt.datetime) -> None:
    """Remember a failed attempt (and forget those too old to matter); commits."""
    begin_write(session)  # a fresh, short write: whatever the caller read is not part of it
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - KEEP))
    session.add(LoginFailure(account_key=account_key(account), address=address_param(address), failed_at=now))
    session.commit()


def record_success(session: Session, *, account: str | None, address: str | None, now: dt.datetime) -> None:
    """Forget the failures of this account from this address after a successful sign-in; commits.

    The address's failures stay: a guesser who also owns an account must not reset them. The
    account's failures from other addresses stay too: they are someone else's guesses.
    """
    key = account_key(account)
    if key is None:
        return
    addr = address_param(address)
    begin_write(session)
    # unlink rather than delete: the rows still count against the address they came from
    session.execute(update(LoginFailure).where(
        LoginFailure.account_key == key, LoginFailure.failed_at <= now,
        LoginFailure.address == addr if addr is not None else LoginFailure.address.is_(None),
    ).values(account_key=None))
    session.commit()
