"""The SQLite database and its -wal/-shm files are readable by their owner only, as the secret key is."""
from __future__ import annotations

import os
import stat

from sqlalchemy import text

from cksloop.db.session import make_engine


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_and_its_wal_and_shm_files_are_created_0600(tmp_path):
    database = tmp_path / "new.sqlite3"
    old = os.umask(0o022)  # the usual umask, which made them 0644
    try:
        engine = make_engine(f"sqlite:///{database}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as conn:  # WAL files exist while a connection is open
            assert conn.execute(text("SELECT x FROM t")).scalar() == 1
            for name in ("new.sqlite3", "new.sqlite3-wal", "new.sqlite3-shm"):
                assert (tmp_path / name).exists(), name
                assert _mode(tmp_path / name) == 0o600, name
        engine.dispose()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_private_on_connect(tmp_path):
    database = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    database.chmod(0o644)
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t"))
        assert _mode(database) == 0o600
        assert _mode(f"{database}-wal") == 0o600
    engine.dispose()


def test_a_backup_copy_is_readable_by_its_owner_only(tmp_path):
    from cksloop.services import backup

    database = tmp_path / "live.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    old = os.umask(0o022)
    try:
        result = backup.backup_sqlite(database_url=f"sqlite:///{database}", target=tmp_path / "copy.sqlite3")
    finally:
        os.umask(old)
    assert _mode(result.path) == 0o600
