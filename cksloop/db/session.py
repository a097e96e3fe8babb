"""Engine and session set-up for SQLite (the embedded default) and PostgreSQL."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

WRITE = {"cksloop_write": True}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. On SQLite: WAL, foreign keys, a busy timeout, and write
    transactions that start with BEGIN IMMEDIATE so concurrent writers queue instead of failing
    with "database is locked"."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a process crash
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get("cksloop_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: pages render objects after the unit of work committed
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Open the unit of work's write transaction.

    Whatever the session read before (the logged-in user, say) is ended first, so the write
    transaction starts fresh: on SQLite as BEGIN IMMEDIATE (one writer at a time, no stale
    snapshot), on PostgreSQL as a normal transaction guarded by version checks.
    """
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options=WRITE)
