"""The app's sessions read on the read engine and write only through begin_write (issue 19).

On PostgreSQL a read is one round trip in autocommit (no BEGIN, no ROLLBACK); a change outside
begin_write would commit on its own there, so the read engine refuses it on both databases.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from cksloop.db.models import Location
from cksloop.db.session import (ReadOnlyViolation, UncommittedChanges, begin_snapshot_read, begin_streaming_read,
                                begin_write, make_engine, make_read_engine, make_session_factory)
from cksloop.domain.lifecycle import LocationKind
from tests.conftest import test_database_kind as database_kind


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def reads(engine):
    return make_session_factory(make_read_engine(engine))


def _locations(engine) -> int:
    with make_session_factory(engine)() as other:
        return other.scalar(select(func.count()).select_from(Location))


def test_the_apps_sessions_are_read_sessions(app):
    with app.extensions["cksloop.sessions"]() as session:
        assert session.get_bind().get_execution_options()["cksloop_read"] is True
        with pytest.raises(ReadOnlyViolation):
            session.execute(text("DELETE FROM locations"))


def test_a_change_outside_begin_write_is_refused_and_nothing_is_written(engine, reads):
    before = _locations(engine)
    with reads() as session:
        session.add(Location(code="NEW-1", name="New", kind=LocationKind.STORE, city="Brugge"))
        with pytest.raises(ReadOnlyViolation, match="INSERT INTO locations"):
            session.flush()
        session.rollback()
        for statement in ("UPDATE locations SET city = 'x'", "  delete from locations", "CREATE TABLE t (a int)"):
            with pytest.raises(ReadOnlyViolation):
                session.execute(text(statement))
            session.rollback()
    assert _locations(engine) == before


def test_the_same_change_through_begin_write_is_written(engine, reads):
    before = _locations(engine)
    with reads() as session:
        assert session.scalar(select(func.count()).select_from(Location)) == before  # a read first
        begin_write(session)
        session.add(Location(code="NEW-2", name="New", kind=LocationKind.STORE, city="Brugge"))
        session.commit()
        # and the session reads on afterwards
        assert session.scalar(select(func.count()).select_from(Location)) == before + 1
    assert _locations(engine) == before + 1


def test_reads_are_autocommit_on_postgresql_and_writes_real_transactions(engine, reads):
    with reads() as session:
        session.scalar(select(func.count()).select_from(Location))
        dbapi = session.connection().connection.dbapi_connection
        if database_kind() == "postgresql":
            # no transaction was opened for the read: nothing to BEGIN, nothing to ROLLBACK
            assert dbapi.autocommit is True
            assert dbapi.info.transaction_status.name == "IDLE"
        else:
            assert dbapi.in_transaction  # SQLite's BEGIN DEFERRED: local, no round trip
        begin_write(session)
        dbapi = session.connection().connection.dbapi_connection
        session.execute(text("UPDATE locations SET city = city WHERE id = -1"))
        if database_kind() == "postgresql":
            assert dbapi.autocommit is False
            assert dbapi.info.transaction_status.name == "INTRANS"
        else:
            assert dbapi.in_transaction
        session.commit()
        session.scalar(select(func.count()).select_from(Location))
        if database_kind() == "postgresql":  # back to autocommit for the next read
            assert session.connection().connection.dbapi_connection.autocommit is True


def test_a_streamed_read_gets_the_transaction_its_cursor_needs(engine, reads):
    with make_session_factory(engine)() as setup:
        setup.add_all(Location(code=f"S-{i}", name=f"Store {i}", kind=LocationKind.STORE, city="Gent") for i in range(5))
        setup.commit()
    with reads() as session:
        session.scalar(select(func.count()).select_from(Location))
        begin_streaming_read(session)
        codes = [code for (code,) in session.execute(
            select(Location.code).order_by(Location.code).execution_options(yield_per=2))]
        with pytest.raises(ReadOnlyViolation):
            session.execute(text("DELETE FROM locations"))  # still a read session
    assert codes == [f"S-{i}" for i in range(5)]  # in batches of two, all of them


def test_a_report_reads_one_snapshot_while_others_write(engine, reads):
    """The overstock review and the charter report read in one snapshot: a location added by
    someone else half-way through is in none of their figures, and in the next report's."""
    def add(code: str) -> None:
        with make_session_factory(engine)() as other:
            other.add(Location(code=code, name=code, kind=LocationKind.STORE, city="Gent"))
            other.commit()

    with reads() as session:
        begin_snapshot_read(session)
        first = session.scalar(select(func.count()).select_from(Location))
        add("MEANWHILE")
        assert session.scalar(select(func.count()).select_from(Location)) == first
        begin_snapshot_read(session)  # the next report
        assert session.scalar(select(func.count()).select_from(Location)) == first + 1


@pytest.mark.parametrize("flushed", [False, True])
def test_begin_write_refuses_to_drop_what_the_session_has_not_committed(engine, flushed):
    before = _locations(engine)
    with make_session_factory(engine)() as session:
        session.add(Location(code="PENDING", name="Pending", kind=LocationKind.STORE, city="Gent"))
        if flushed:
            session.flush()
        with pytest.raises(UncommittedChanges):
            begin_write(session)
        session.commit()  # still there to commit: nothing was rolled back
    assert _locations(engine) == before + 1
