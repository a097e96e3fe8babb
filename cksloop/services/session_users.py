"""A worker's memory of the signed-in users it loaded lately, so a page does not read its reader's
row on every view (issue 19: the garment page's data in at most three statements on PostgreSQL).

The same promise as the API's ``token_cache``: a user the database confirmed is trusted for at
most ``token_cache.TTL_SECONDS`` (1 s). A commit in this process that touched ``users`` or
``locations`` (a sign-out everywhere, a new password, a deactivation, a role, a language, a home
store) is seen at once (``cksloop.db.changes``); one made by another worker or the CLI within the
second. The session id still has to carry the user's current nonce, checked on every request.

What is kept is a detached copy of the user and their home location that no session ever holds.
Each request gets its own instance of it in its own session (``Session.merge(load=False)``, no
statement), so a page can pass its reader to a service as before, and a change it makes to the
row is written and committed the ordinary way.
"""
from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from cksloop.db.models import Location, User
from cksloop.services import accounts
from cksloop.services.short_memory import MAX_ENTRIES, TrustedRows
from cksloop.services.token_cache import TTL_SECONDS

R = TypeVar("R", User, Location)

#: the tables whose changes can change who a session is (cksloop.db.changes)
_TABLES = (User.__table__.name, Location.__table__.name)


class SessionUsers:
    """Detached copies of users by id, each trusted for ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES):
        self.rows: TrustedRows[int, User] = TrustedRows(_TABLES, ttl=ttl, clock=clock, max_entries=max_entries)

    def load(self, session: Session, session_id: str) -> User | None:
        """The user behind a Flask-Login id ``"<user id>:<nonce>"`` as ``accounts.load_session_user``
        answers it, in ``session``; from memory when this worker confirmed it within the ttl."""
        user_id, _, nonce = session_id.partition(":")
        kept = self.rows.get(int(user_id)) if user_id.isdigit() and nonce else None
        if kept is not None and kept.active and hmac.compare_digest(kept.session_nonce, nonce):
            return session.merge(kept, load=False)
        read_in = self.rows.generation()
        user = accounts.load_session_user(session, session_id)
        if user is not None:
            home = user.home_location
            copy = _detached_copy(user, home_location=_detached_copy(home) if home is not None else None)
            self.rows.keep(user.id, copy, read_in=read_in)
        return user


def _detached_copy(row: R, **related: object) -> R:
    """A copy of ``row``'s columns (and the ``related`` rows given) that belongs to no session:
    ``merge(load=False)`` takes it as it is, with no statement."""
    copy = type(row)(**{c.key: getattr(row, c.key) for c in inspect(type(row)).column_attrs}, **related)
    make_transient_to_detached(copy)  # after the relationships: a detached copy must not be "dirty"
    return copy
