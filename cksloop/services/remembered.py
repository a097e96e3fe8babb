"""Small answers a worker keeps between requests (issue 19: a page asks the database only for what changes).

The active locations and the rental partners fill the choices of the garment page's forms on every
view, and their names the garment's history; they change a few times a year. A worker keeps each list for ``TTL_SECONDS``; a commit in
this process that touched its tables makes it ask again at once (``cksloop.db.changes``), a change
made by another worker or process shows within the time to live.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from cksloop.db import changes, queries
from cksloop.db.models import Location, RentalPartner
from cksloop.services.session_users import SessionUsers

T = TypeVar("T")

#: seconds a worker keeps a list before it asks again (another worker's change shows within this)
TTL_SECONDS = 2.0


class Remembered(Generic[T]):
    """One answer, read with ``load`` and kept until ``ttl`` passed or this process changed ``tables``."""

    def __init__(self, load: Callable[[Session], T], tables: tuple[str, ...], *, ttl: float = TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.load, self.tables, self.ttl, self.clock = load, tables, ttl, clock
        self._kept: tuple[tuple[int, ...], float, T] | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> T:
        seen = changes.generation(*self.tables)
        kept = self._kept
        if kept is not None and kept[0] == seen and self.clock() < kept[1]:
            return kept[2]
        value = self.load(session)
        with self._lock:
            if changes.generation(*self.tables) == seen:  # not changed while we read it
                self._kept = (seen, self.clock() + self.ttl, value)
        return value


class Memory:
    """What one worker (one app) remembers."""

    def __init__(self) -> None:
        self.active_locations: Remembered[tuple[queries.LocationChoice, ...]] = Remembered(
            lambda s: tuple(queries.active_locations(s)), (Location.__table__.name,))
        self.rental_partners: Remembered[tuple[queries.PartnerChoice, ...]] = Remembered(
            lambda s: tuple(queries.rental_partners(s)), (RentalPartner.__table__.name,))
        #: every location's and partner's name, for the places and partners a history names
        self.names: Remembered[queries.NamesInDetails] = Remembered(
            queries.every_name, (Location.__table__.name, RentalPartner.__table__.name))
        #: the users behind the browser sessions this worker served in the last second
        self.session_users = SessionUsers()
