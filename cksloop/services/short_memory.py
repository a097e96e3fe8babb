"""Rows a worker trusts for a moment after the database confirmed them (issue 19).

The shared mechanism of the API's token cache and the signed-in page readers: each kept row is
trusted until ``ttl`` seconds after it was read, and every row is forgotten at once when this
process commits to one of ``tables`` (``cksloop.db.changes``). A row read before such a commit is
not kept. Other processes' changes show within the ttl.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cksloop.db import changes

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: rows a worker remembers; a till or a browser uses one each, so this is many shops' worth
MAX_ENTRIES = 4096


class TrustedRows(Generic[K, V]):
    def __init__(self, tables: tuple[str, ...], *, ttl: float, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES):
        self.tables, self.ttl, self.clock, self.max_entries = tables, ttl, clock, max_entries
        self._rows: dict[K, tuple[V, float]] = {}
        self._generation = self.generation()
        self._lock = threading.Lock()  # gthread workers share one memory

    def generation(self) -> tuple[int, ...]:
        """Moves whenever this process committed a change to one of the tables."""
        return changes.generation(*self.tables)

    def get(self, key: K) -> V | None:
        """The kept row, or None (not kept, too old, or this process changed the tables)."""
        if self._generation != self.generation():
            with self._lock:
                self._rows.clear()
                self._generation = self.generation()
            return None
        entry = self._rows.get(key)
        if entry is None:
            return None
        if self.clock() >= entry[1]:
            self._rows.pop(key, None)
            return None
        return entry[0]

    def forget(self, key: K) -> None:
        self._rows.pop(key, None)

    def keep(self, key: K, row: V, *, read_in: tuple[int, ...]) -> None:
        """Keep ``row``, read while ``generation()`` was ``read_in`` (not kept if it moved since)."""
        with self._lock:
            if read_in != self.generation():
                return
            if len(self._rows) >= self.max_entries:
                self._rows.clear()  # a flood of distinct keys; the live ones come back at once
            self._rows[key] = (row, self.clock() + self.ttl)
