"""Engine and session set-up for SQLite (the embedded default) and PostgreSQL."""
from __future__ import annotations

import os
import re
import stat
import threading
import time
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows has no fcntl: there SQLite's own busy handler queues the writers
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from cksloop.db import changes

WRITE = {"cksloop_write": True}
#: what a read session's engine carries (make_read_engine); its statements may not change anything
READ = {"cksloop_read": True}
#: a pooled PostgreSQL connection idle longer than this is checked before use (seconds)
PING_AFTER_IDLE = 10.0


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. On SQLite: WAL, foreign keys, a busy timeout, and write
    transactions that wait their turn (``_WriterQueue``) and start with BEGIN IMMEDIATE, so
    concurrent writers queue instead of failing with "database is locked". On PostgreSQL: pooled
    connections checked after they sat idle (``_ping_after_idle``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **kwargs)

        @event.listens_for(engine, "do_connect")
        def _before_connect(_dialect: Any, _record: Any, _args: Any, _kwargs: Any) -> None:
            keep_private(engine.url.database)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a process crash
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        queue = _writer_queue(engine)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get("cksloop_write"):
                if queue is not None:
                    queue.wait_turn(conn.connection.info)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN DEFERRED")

        _refuse_changes_outside_writes(engine)
        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    _refuse_changes_outside_writes(engine)
    return engine


def make_read_engine(engine: Engine) -> Engine:
    """The engine the app's sessions run on: reads as they come, writes only through begin_write.

    On PostgreSQL its connections are in autocommit: a read is one round trip, with no BEGIN before
    it and no ROLLBACK when the request hands the connection back (two of a page's five round
    trips). PostgreSQL's default READ COMMITTED takes a fresh snapshot per statement anyway, so a
    page sees what it saw before. On SQLite BEGIN DEFERRED costs no round trip and stays.

    Either way a statement that would change something on such a connection is refused
    (``ReadOnlyViolation``): in autocommit it would commit on its own, outside the write lock and
    the ledger's transaction. Every write goes through ``begin_write``. The engine shares the
    plain engine's pool.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(**READ, isolation_level="AUTOCOMMIT")
    return engine.execution_options(**READ)


class ReadOnlyViolation(RuntimeError):
    """A statement that changes data ran on a read connection, outside ``begin_write``."""


class UncommittedChanges(RuntimeError):
    """A new transaction (``begin_write``, a streamed or snapshot read) was asked of a session
    holding changes it has not committed."""


#: a statement's first word that says it changes something (text SQL; compiled ones say so themselves)
_CHANGES = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b", re.IGNORECASE)


def _refuse_changes_outside_writes(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _guard(conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any,
               _executemany: bool) -> None:
        options = conn.get_execution_options()
        if not options.get("cksloop_read") or options.get("cksloop_write"):
            return
        if (context is not None and (context.isinsert or context.isupdate or context.isdelete)) \
                or _CHANGES.match(statement):
            raise ReadOnlyViolation(
                "a change outside begin_write: " + statement.split("\n", 1)[0][:120])


def keep_private(database: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600), and take group and other rights
    off an existing one and its -wal/-shm files: they hold the password and token hashes.

    SQLite gives the -wal, -shm and -journal files the mode of the database file, so a database
    created 0600 keeps its companions 0600 too.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process created it meanwhile; the chmod below still applies
    for companion in (path, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            mode = companion.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                companion.chmod(stat.S_IMODE(mode) & 0o700)
        except (FileNotFoundError, PermissionError):
            pass  # not there (yet), or not ours to change: SQLite reports what matters


class _WriterQueue:
    """Writers to one SQLite file take turns on a file lock before BEGIN IMMEDIATE.

    SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps 1, 2,
    5, 10 … 100 ms between tries, so a waiting writer idles long after the lock is free (at eight
    concurrent clients a write's p99 was 133 ms for 3 ms of work). A lock on ``<database>.writers``
    makes the kernel wake the next writer the moment the last one ends. Each connection holds its
    own open file (flock works between threads and processes alike); the turn ends when the
    connection goes back to the pool, or with the connection or the process.
    """

    def __init__(self, path: str):
        self.path = path
        self.mine = threading.local()  # the turns this thread holds

    def wait_turn(self, info: dict[str, Any]) -> None:
        if getattr(self.mine, "turns", 0):
            # a second write connection in a thread that holds a turn would wait for itself
            # for ever: it goes straight to SQLite, whose busy timeout ends such a wait
            return
        handle = info.get("cksloop_writer_lock")
        if handle is None:
            handle = info["cksloop_writer_lock"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        info["cksloop_writer_turn"] = True
        self.mine.turns = getattr(self.mine, "turns", 0) + 1

    def end_turn(self, info: dict[str, Any]) -> None:
        if info.pop("cksloop_writer_turn", False):
            fcntl.flock(info["cksloop_writer_lock"], fcntl.LOCK_UN)
            self._count_down()

    def close(self, info: dict[str, Any]) -> None:
        handle = info.pop("cksloop_writer_lock", None)
        if info.pop("cksloop_writer_turn", False):
            self._count_down()
        if handle is not None:
            os.close(handle)  # also ends a turn still held

    def _count_down(self) -> None:
        self.mine.turns = max(0, getattr(self.mine, "turns", 0) - 1)


def _writer_queue(engine: Engine) -> _WriterQueue | None:
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        return None  # an in-memory database has one connection: nobody to queue behind
    queue = _WriterQueue(database + ".writers")

    # the turn ends when the connection goes back to the pool: after COMMIT or ROLLBACK (a
    # session hands its connection back as its transaction ends; the engine's commit event
    # would come before COMMIT and wake the next writer into SQLite's own lock)
    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            queue.end_turn(record.info)

    @event.listens_for(engine.pool, "close")
    @event.listens_for(engine.pool, "invalidate")
    def _closed(_dbapi_conn: Any, record: Any, *_exc: Any) -> None:
        if record is not None:
            queue.close(record.info)

    return queue


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it has been idle for a while.

    A server restart or an idle timeout kills connections while they sit in the pool; checking
    them on every checkout (pool_pre_ping) costs a round trip per request, ~0.2 ms of a 2.3 ms
    scan. A connection in steady use is alive: only one idle for PING_AFTER_IDLE seconds is
    pinged, and a dead one is replaced before the request sees it. If the server goes away
    under load, SQLAlchemy retires the pool's older connections at the first failure.
    """

    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["cksloop_idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _lent(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("cksloop_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception as error:  # any failure: this connection is no use; the pool retries
            raise exc.DisconnectionError(str(error)) from error


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: pages render objects after the unit of work committed
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Open the unit of work's write transaction.

    Whatever the session read before (the logged-in user, say) is ended first, so the write
    transaction starts fresh: on SQLite as BEGIN IMMEDIATE (one writer at a time, no stale
    snapshot), on PostgreSQL as a normal transaction guarded by version checks (READ COMMITTED,
    which the ledger's compare-and-set is built for, also on the read engine's connections).
    """
    _begin_afresh(session, WRITE, isolation_level="READ COMMITTED")


def begin_streaming_read(session: Session) -> None:
    """Give a read that streams its rows (``yield_per``: an export) the transaction it needs.

    On PostgreSQL such a read is a server-side cursor, which lives only inside a transaction; the
    read engine's connections are in autocommit, so this opens one (READ COMMITTED; the read
    engine's guard still refuses any change in it). A plain session, or SQLite, reads in a
    transaction already: nothing to do.
    """
    if _reads_in_autocommit(session):
        _begin_afresh(session, {}, isolation_level="READ COMMITTED")


def begin_snapshot_read(session: Session) -> None:
    """Let a report's statements see one snapshot, taken now.

    On the read engine's autocommit connections each statement would see the ledger as it stands at
    that statement, and a write landing between two of them could make the figures disagree: on
    PostgreSQL this opens a REPEATABLE READ transaction (the guard keeps it a read). On SQLite a
    transaction is one snapshot already; the one the session has open is ended so the report reads
    from now. A plain session (tests, tools) keeps the transaction it has.
    """
    if session.get_bind().get_execution_options().get("cksloop_read"):
        _begin_afresh(session, {}, isolation_level="REPEATABLE READ")


def _begin_afresh(session: Session, options: dict[str, Any], *, isolation_level: str) -> None:
    """End what the session read and open the transaction ``options`` ask for. ``isolation_level``
    applies on the read engine's autocommit connections; elsewhere the engine's own stands.

    Changes the session holds and has not committed would be lost with that read: refused
    (``UncommittedChanges``), so a caller that wrote first finds out instead of losing it.
    """
    if session.in_transaction():
        if changes.has_pending(session):
            raise UncommittedChanges("a new transaction would discard changes this session has not committed")
        session.rollback()
    if _reads_in_autocommit(session):
        options = {**options, "isolation_level": isolation_level}
    if options:
        session.connection(execution_options=options)


def _reads_in_autocommit(session: Session) -> bool:
    return session.get_bind().get_execution_options().get("isolation_level") == "AUTOCOMMIT"
