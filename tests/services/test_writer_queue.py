"""Writers to one SQLite file take turns on a file lock, so the next one starts the moment the
last one ends (SQLite's own busy handler sleeps up to 100 ms between tries)."""
from __future__ import annotations

import fcntl
import os
import threading

import pytest
from sqlalchemy import text

from cksloop.db.session import WRITE, make_engine, make_session_factory
from tests.conftest import test_database_kind as database_kind

pytestmark = pytest.mark.skipif(database_kind() != "sqlite", reason="the queue is for writers to a SQLite file")


def _turn_is_free(lock_path: str) -> bool:
    """Whether another writer could take its turn now (tried without waiting)."""
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(handle)  # also lets go of a turn it took
    return True


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_a_write_holds_the_turn_until_it_commits_and_a_read_never_takes_it(engine, database_url):
    lock_path = database_url.removeprefix("sqlite:///") + ".writers"
    sessions = make_session_factory(engine)
    with sessions() as session:
        session.execute(text("SELECT count(*) FROM garments"))  # a read: no turn
        assert _turn_is_free(lock_path)
        session.rollback()
        session.connection(execution_options=WRITE)
        session.execute(text("UPDATE locations SET name = name"))
        assert not _turn_is_free(lock_path)  # a second writer would wait
        session.commit()
        assert _turn_is_free(lock_path)  # ...and goes as soon as the first has committed
        session.connection(execution_options=WRITE)
        session.rollback()
        assert _turn_is_free(lock_path)  # a rolled-back write gives its turn back too


def test_a_dropped_connection_gives_its_turn_back(engine, database_url):
    lock_path = database_url.removeprefix("sqlite:///") + ".writers"
    conn = engine.connect().execution_options(**WRITE)
    conn.begin()
    assert not _turn_is_free(lock_path)
    conn.invalidate()  # the connection is thrown away mid-transaction, as after an error
    conn.close()
    assert _turn_is_free(lock_path)


def test_writers_in_many_threads_all_get_their_turn(engine):
    sessions = make_session_factory(engine)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            with sessions() as session:
                for _ in range(20):
                    session.connection(execution_options=WRITE)
                    session.execute(text("UPDATE locations SET name = name WHERE id = :i"), {"i": i % 3 + 1})
                    session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)


def test_a_thread_that_holds_a_turn_and_writes_on_a_second_connection_is_refused_not_stuck(engine):
    # it would wait for itself for ever on the file lock; SQLite's busy timeout answers instead
    from sqlalchemy.exc import OperationalError

    outcome: list[str] = []

    def write_twice() -> None:
        first = engine.connect().execution_options(**WRITE)
        second = engine.connect()
        second.exec_driver_sql("PRAGMA busy_timeout=100")  # a short wait, for the test
        second.commit()
        first.begin()
        try:
            second.execution_options(**WRITE).begin()
            outcome.append("second write began")
        except OperationalError as error:
            outcome.append("refused: " + str(error.orig))
        finally:
            first.close()
            second.close()

    thread = threading.Thread(target=write_twice, daemon=True)  # a regression must not hang the run
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the second write waited for its own thread's turn"
    assert outcome == ["refused: database is locked"]
