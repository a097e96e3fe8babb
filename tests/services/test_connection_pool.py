"""PostgreSQL connections that die in the pool (a server restart, an idle timeout) are replaced
before a request uses them, without a round trip on every checkout."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, exc, text

from cksloop.db import session as engine_setup
from cksloop.db.session import make_engine
from tests.conftest import PG_ADMIN_URL
from tests.conftest import test_database_kind as database_kind

pytestmark = pytest.mark.skipif(database_kind() != "postgresql",
                                reason="a SQLite file has no server connection to lose")


def _kill_connections(url: str) -> int:
    """End the server side of every connection to the database, as a server restart does."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name "
                "AND pid <> pg_backend_pid()"), {"name": url.rsplit("/", 1)[1]}).all())
    finally:
        admin.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_that_died_while_idle_is_replaced_before_a_request_uses_it(database_url, monkeypatch):
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        first = _backend(engine)
        assert _kill_connections(database_url) >= 1
        monkeypatch.setattr(engine_setup, "PING_AFTER_IDLE", 0.0)  # it has been idle long enough
        assert _backend(engine) != first  # a fresh connection; the request never saw the dead one
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_checked_and_the_pool_recovers_after_a_failure(
        database_url, monkeypatch):
    # no check while connections are busy: this is what saves a round trip on every request.
    # The price: a request that meets a connection killed a moment ago fails once, and the
    # pool replaces its connections for the next one
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        first = _backend(engine)
        _kill_connections(database_url)
        monkeypatch.setattr(engine_setup, "PING_AFTER_IDLE", 3600.0)
        with pytest.raises(exc.OperationalError):
            _backend(engine)
        assert _backend(engine) != first
    finally:
        engine.dispose()
