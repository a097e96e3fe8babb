"""Online backups of the SQLite database, and the checks that prove a database (or a backup) sound.

The backup uses SQLite's own online backup API (``sqlite3.Connection.backup``), not a file
copy: a file copy taken while the app writes can tear a page or miss the write-ahead log, the
backup API copies one consistent snapshot while writers carry on. PostgreSQL has ``pg_dump``.

The check is what a restore must pass: the database's own integrity check, the ledger's
append-only guard in place, and every garment equal to the replay of its events.
"""
from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from cksloop.db.models import Base, Garment, GarmentEvent, Location
from cksloop.domain import lifecycle
from cksloop.domain.errors import DomainError, IllegalTransition
from cksloop.domain.lifecycle import Change, Snapshot
from cksloop.domain.messages import N_


class BackupRefused(DomainError):
    code = "backup_refused"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    pages: int
    seconds: float


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL; None for another database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def pg_dump_command(database_url: str, target: str = "cksloop-$(date +%F).dump") -> str:
    """The pg_dump command line for a PostgreSQL URL (any password left out)."""
    given = make_url(database_url)
    url = URL.create("postgresql", username=given.username, host=given.host, port=given.port,
                     database=given.database, query=given.query)
    return f"pg_dump --format=custom --file={target} '{url.render_as_string(hide_password=False)}'"


def backup_sqlite(*, database_url: str, target: Path) -> BackupResult:
    """Copy the live SQLite database to ``target`` as one consistent snapshot.

    Safe while the app is writing. The copy is written next to ``target`` and renamed into place,
    so a half-written file never carries the backup's name. Raises BackupRefused for PostgreSQL
    (use pg_dump), a missing database, or an existing ``target`` (never overwritten).
    """
    source_path = sqlite_path(database_url)
    if source_path is None:
        if make_url(database_url).get_backend_name() == "postgresql":
            raise BackupRefused(N_("cksloop backup copies the embedded SQLite database. For PostgreSQL "
                                   "use pg_dump: %(command)s"), command=pg_dump_command(database_url))
        raise BackupRefused(N_("Only a SQLite database file can be backed up this way."))
    if not source_path.exists():
        raise BackupRefused(N_("There is no database at %(path)s."), path=str(source_path))
    target = Path(target)
    if target.exists():
        raise BackupRefused(N_("%(path)s already exists; choose a new file name."), path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # the copy holds the password and token hashes too: owner only, like the database
    os.close(os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    started = time.monotonic()
    source = sqlite3.connect(source_path, timeout=30)
    dest = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step under one read snapshot. In WAL mode that
        # snapshot does not block the app's writers, and nothing they commit meanwhile leaks in.
        source.backup(dest, pages=-1)
        # a backup is a single self-contained file: no -wal/-shm companions to forget
        dest.execute("PRAGMA journal_mode=DELETE")
        pages = dest.execute("PRAGMA page_count").fetchone()[0]
        dest.commit()
    finally:
        dest.close()
        source.close()
    with open(partial, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return BackupResult(path=target, bytes=target.stat().st_size, pages=pages,
                        seconds=time.monotonic() - started)


@dataclass
class CheckReport:
    """What ``check_database`` found; ``ok`` only when nothing is wrong."""

    database: str
    integrity: list[str] = field(default_factory=list)  # problems the database itself reports
    guards: list[str] = field(default_factory=list)  # missing append-only guards
    garments: int = 0
    events: int = 0
    mismatches: int = 0
    mismatched_codes: list[str] = field(default_factory=list)  # the first few, to look at
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.integrity and not self.guards and self.mismatches == 0


MAX_LISTED = 50


def check_database(session: Session, *, chunk: int = 1000, quick: bool = False) -> CheckReport:
    """The database's integrity check plus 'every garment equals the replay of its events'.

    Garments are checked ``chunk`` at a time with one query for their events, so a ledger of
    millions of events is checked in minutes and in bounded memory. ``quick`` uses SQLite's
    quick_check (no index cross-check: a fraction of the time on a large file).
    """
    started = time.monotonic()
    conn = session.connection()
    report = CheckReport(database=conn.dialect.name)
    report.integrity = _integrity_problems(conn, quick=quick)
    report.guards = _missing_guards(conn)
    codes = dict(session.execute(select(Location.id, Location.code)).all())
    last_id = 0
    while True:
        garments = session.execute(
            select(Garment.id, Garment.code, Garment.state, Garment.location_id, Garment.price_cents,
                   Garment.care_return_state, Garment.version)
            .where(Garment.id > last_id).order_by(Garment.id).limit(chunk)).all()
        if not garments:
            break
        last_id = garments[-1].id
        events: dict[int, list[Change]] = {g.id: [] for g in garments}
        seqs: dict[int, list[int]] = {g.id: [] for g in garments}
        rows = session.execute(
            select(GarmentEvent.garment_id, GarmentEvent.seq, GarmentEvent.action, GarmentEvent.from_state,
                   GarmentEvent.to_state, GarmentEvent.location_id, GarmentEvent.price_cents,
                   GarmentEvent.details)
            .where(GarmentEvent.garment_id.in_(list(events)))
            .order_by(GarmentEvent.garment_id, GarmentEvent.seq))
        for row in rows:
            events[row.garment_id].append(Change(
                row.action, row.from_state, row.to_state,
                codes.get(row.location_id) if row.location_id else None, row.price_cents,
                dict(row.details or {})))
            seqs[row.garment_id].append(row.seq)
            report.events += 1
        for g in garments:
            report.garments += 1
            if not _matches(g, events[g.id], seqs[g.id], codes):
                report.mismatches += 1
                if len(report.mismatched_codes) < MAX_LISTED:
                    report.mismatched_codes.append(g.code)
        session.expunge_all()
    session.rollback()
    report.seconds = time.monotonic() - started
    return report


def _matches(garment: object, changes: list[Change], seqs: list[int], codes: dict[int, str]) -> bool:
    if seqs != list(range(1, len(seqs) + 1)) or garment.version != len(seqs):  # type: ignore[attr-defined]
        return False
    try:
        replayed = lifecycle.replay(changes)
    except (IllegalTransition, ValueError, KeyError):
        return False
    row = Snapshot(state=garment.state,  # type: ignore[attr-defined]
                   location=codes.get(garment.location_id) if garment.location_id else None,  # type: ignore[attr-defined]
                   price_cents=garment.price_cents,  # type: ignore[attr-defined]
                   care_return_state=garment.care_return_state)  # type: ignore[attr-defined]
    return replayed == row


def _integrity_problems(conn: Connection, *, quick: bool = False) -> list[str]:
    if conn.dialect.name == "sqlite":
        pragma = "quick_check" if quick else "integrity_check"
        problems = [r[0] for r in conn.exec_driver_sql(f"PRAGMA {pragma}").all() if r[0] != "ok"]
        problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}"
                     for r in conn.exec_driver_sql("PRAGMA foreign_key_check").all()]
        return problems
    # PostgreSQL checks its pages itself; here: every table is there and can be read through
    problems = []
    for table in Base.metadata.sorted_tables:
        try:
            with conn.begin_nested():
                conn.execute(text(f'SELECT count(*) FROM "{table.name}"'))
        except Exception as exc:  # noqa: BLE001 - report, do not stop the check
            problems.append(f"{table.name}: {type(exc).__name__}")
    return problems


def _missing_guards(conn: Connection) -> list[str]:
    """The triggers that make the ledger append-only in the database itself."""
    if conn.dialect.name == "sqlite":
        names = {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'garment_events'")}
        wanted = {"garment_events_no_update", "garment_events_no_delete"}
    else:
        names = {r[0] for r in conn.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'garment_events'::regclass AND NOT tgisinternal"))}
        wanted = {"garment_events_append_only"}
    return sorted(f"trigger {name} is missing" for name in wanted - names)

