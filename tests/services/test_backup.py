"""Online backup of SQLite while writers commit, and the checks a restore must pass."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from cksloop import create_app
from cksloop.cli import main
from cksloop.db import migrate
from cksloop.db.models import Garment, User
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.errors import VersionConflict
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import backup, garments
from tests.builders import make_garment, make_user


@pytest.fixture(scope="module")
def _sqlite_template(tmp_path_factory) -> str:
    # backups are SQLite's business: these tests use SQLite on the PostgreSQL run too
    path = tmp_path_factory.mktemp("backup") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def live(_sqlite_template, tmp_path, now):
    """A live SQLite database with a dozen garments, and its session factory."""
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as s:
        admin = make_user(s, Role.ADMIN)
        codes = [make_garment(s, actor=admin, now=now).code for _ in range(12)]
        admin_id = admin.id
    yield {"url": url, "path": path, "sessions": sessions, "codes": codes, "admin_id": admin_id}
    engine.dispose()


def _check(url: str) -> backup.CheckReport:
    engine = create_engine(url)
    try:
        with make_session_factory(engine)() as s:
            return backup.check_database(s, chunk=5)
    finally:
        engine.dispose()


def test_a_backup_of_a_quiet_database_passes_every_check(live, tmp_path):
    result = backup.backup_sqlite(database_url=live["url"], target=tmp_path / "b" / "copy.sqlite3")
    assert result.path.exists() and result.bytes > 0 and result.pages > 0
    report = _check(f"sqlite:///{result.path}")
    assert report.ok, report
    assert report.garments == 12 and report.events == 12


def test_backup_taken_while_writers_commit_is_consistent_and_restorable(live, tmp_path, now):
    stop = threading.Event()
    committed: list[int] = []
    errors: list[BaseException] = []

    def writer(codes: list[str]) -> None:
        with live["sessions"]() as s:
            actor = s.get(User, live["admin_id"])
            while not stop.is_set():
                for code in codes:
                    state = s.scalar(select(Garment.state).where(Garment.code == code))
                    action = (Action.ADD_TO_RENTAL_POOL if state is GarmentState.IN_STOCK
                              else Action.REMOVE_FROM_RENTAL_POOL)
                    try:
                        result = garments.act(s, code=code, action=action, details={}, actor=actor, now=now)
                        committed.append(result.event_id)
                    except VersionConflict:
                        pass
                    except BaseException as exc:  # surfaced by the assertion below
                        errors.append(exc)
                        return

    codes = live["codes"]
    threads = [threading.Thread(target=writer, args=(codes[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    backups = []
    try:
        while len(committed) < 30:
            threading.Event().wait(0.01)
        for i in range(3):
            before = len(committed)
            backups.append((backup.backup_sqlite(database_url=live["url"], target=tmp_path / f"b{i}.sqlite3"),
                            before))
            threading.Event().wait(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors
    assert len(committed) > 30
    live_events = sqlite3.connect(live["path"]).execute(
        "SELECT garment_id, seq, action FROM garment_events ORDER BY garment_id, seq").fetchall()
    for result, acknowledged_before in backups:
        report = _check(f"sqlite:///{result.path}")
        assert report.ok, report
        # everything acknowledged before the backup started is in it ...
        assert report.events >= 12 + acknowledged_before
        # ... and what it holds is exactly the start of the live ledger of each garment
        copied = sqlite3.connect(result.path).execute(
            "SELECT garment_id, seq, action FROM garment_events ORDER BY garment_id, seq").fetchall()
        assert set(copied) <= set(live_events)


def test_the_backup_is_a_single_file_without_a_write_ahead_log(live, tmp_path):
    result = backup.backup_sqlite(database_url=live["url"], target=tmp_path / "single.sqlite3")
    mode = sqlite3.connect(result.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "delete"
    assert not Path(str(result.path) + "-wal").exists()


def test_an_existing_file_is_never_overwritten(live, tmp_path):
    target = tmp_path / "taken.sqlite3"
    target.write_bytes(b"precious")
    with pytest.raises(backup.BackupRefused):
        backup.backup_sqlite(database_url=live["url"], target=target)
    assert target.read_bytes() == b"precious"


def test_postgresql_is_refused_with_the_pg_dump_command():
    url = "postgresql+psycopg://cks:s3cret@db.example:5432/cksloop"
    with pytest.raises(backup.BackupRefused) as refused:
        backup.backup_sqlite(database_url=url, target=Path("/tmp/never.sqlite3"))
    message = refused.value.render()
    assert "pg_dump --format=custom" in message
    assert "postgresql://cks@db.example:5432/cksloop" in message
    assert "s3cret" not in message and "+psycopg" not in message


def test_check_finds_a_garment_whose_row_disagrees_with_its_ledger(live):
    engine = create_engine(live["url"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE garments SET state = 'sold' WHERE code = :c"), {"c": live["codes"][3]})
    engine.dispose()
    report = _check(live["url"])
    assert not report.ok
    assert report.mismatches == 1 and report.mismatched_codes == [live["codes"][3]]


def test_check_finds_a_missing_append_only_guard(live):
    engine = create_engine(live["url"])
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER garment_events_no_delete"))
    engine.dispose()
    report = _check(live["url"])
    assert report.guards == ["trigger garment_events_no_delete is missing"]
    assert not report.ok


def test_check_command_reports_counts_and_exits_non_zero_on_a_mismatch(live, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": live["url"], "SECRET_KEY": uuid.uuid4().hex})
    runner = app.test_cli_runner()
    good = runner.invoke(main, ["check"])
    assert good.exit_code == 0, good.output
    assert "Garments checked: 12; events replayed: 12; state ≠ replay: 0" in good.output
    copy = tmp_path / "cli-backup.sqlite3"
    made = runner.invoke(main, ["backup", "--to", str(copy)])
    assert made.exit_code == 0, made.output
    assert copy.exists() and "OK" in made.output
    engine = create_engine(live["url"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE garments SET version = version + 1 WHERE code = :c"), {"c": live["codes"][0]})
    engine.dispose()
    bad = runner.invoke(main, ["check"])
    assert bad.exit_code == 1
    assert "state ≠ replay: 1" in bad.output and live["codes"][0] in bad.output
    restored = runner.invoke(main, ["check", "--database", f"sqlite:///{copy}"])
    assert restored.exit_code == 0 and "state ≠ replay: 0" in restored.output
    app.extensions["cksloop.engine"].dispose()
