"""A worker's memory of the API tokens it checked lately, so a busy till's token is not looked up
on every request (issue 19: the lookup was a third of an authenticated request that does nothing).

A live token is trusted for at most ``TokenCache.ttl`` seconds (1 s) after the database said so,
and never past its own expiry. What changes a token's answer (a revocation, a user deactivated, a
new role or language, a new password) is forgotten at once by the worker whose unit of work
committed it (a commit that touched ``users``, ``api_tokens`` or ``locations`` moves their
generation in ``cksloop.db.changes``, which empties this process's caches), and by every other
worker within the ttl.

The entries are the token rows with their user and home location, detached from the session that
read them: read-only snapshots that requests share. API views read the caller's id, role, name,
email, language and home location from them; nothing adds them to a session.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from cksloop.db.models import ApiToken, Location, User
from cksloop.domain.clock import utc
from cksloop.services.short_memory import MAX_ENTRIES, TrustedRows

#: seconds a worker trusts a token the database confirmed (the issue allows 2 s for revocation)
TTL_SECONDS = 1.0

#: the tables whose changes can change a token's answer (cksloop.db.changes)
_TABLES = (User.__table__.name, ApiToken.__table__.name, Location.__table__.name)


class TokenCache:
    """Live token rows by token hash, each trusted for ``ttl`` seconds and never past its expiry."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES):
        self.rows: TrustedRows[str, ApiToken] = TrustedRows(_TABLES, ttl=ttl, clock=clock, max_entries=max_entries)

    def generation(self) -> tuple[int, ...]:
        """Moves whenever this process committed a change to users, API tokens or locations."""
        return self.rows.generation()

    def get(self, token_hash: str, *, now: dt.datetime) -> ApiToken | None:
        """The remembered live row, or None (not remembered, too old, expired, or something changed)."""
        row = self.rows.get(token_hash)
        if row is not None and row.expires_at is not None and utc(row.expires_at) <= now:
            self.rows.forget(token_hash)
            return None
        return row

    def keep(self, session: Session, token_hash: str, row: ApiToken, *, read_in: tuple[int, ...]) -> None:
        """Remember ``row`` (just read as live, while ``generation()`` was ``read_in``) and detach
        it, its user and their home location from ``session``, so it outlives the request as a
        snapshot. A row read before this process committed a change to callers is not kept."""
        user = row.user
        home = user.home_location
        for thing in (row, user, home):
            if thing is not None and thing in session:
                session.expunge(thing)
        self.rows.keep(token_hash, row, read_in=read_in)
