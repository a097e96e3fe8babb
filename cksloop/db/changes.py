"""Which tables this process committed changes to, as a generation per table.

A worker remembers a few small answers between requests (a till's API token, the list of
locations). Each memory compares the generations of the tables it was read from: when this process
committed a change to one of them, the memory asks the database again at once. Other processes'
changes are not seen here; the memories bound that with a short time to live.

Every ORM session reports its changes: objects flushed (added, changed, deleted) and ORM-enabled
bulk INSERT/UPDATE/DELETE statements, counted when the transaction commits.
"""
from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

_counter = itertools.count(1)
_generations: dict[str, int] = {}
_PENDING = "cksloop_changed_tables"


def generation(*tables: str) -> tuple[int, ...]:
    """The tables' generations: a tuple that moves whenever this process committed a change to one of them."""
    return tuple(_generations.get(table, 0) for table in tables)


def has_pending(session: Session) -> bool:
    """Whether the session holds changes not committed yet: objects added, changed or deleted in
    memory, or flushed to the database in the open transaction."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_PENDING))


def _note(session: Session, table: str) -> None:
    session.info.setdefault(_PENDING, set()).add(table)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    for thing in itertools.chain(session.new, session.dirty, session.deleted):
        table = getattr(type(thing), "__tablename__", None)
        if table is not None:
            _note(session, table)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(state.session, table.name)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    for table in session.info.pop(_PENDING, ()):
        _generations[table] = next(_counter)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
