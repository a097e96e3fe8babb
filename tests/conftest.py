"""Shared fixtures: a clean database per test on SQLite or PostgreSQL, the app, signed-in clients.

Which database: CKSLOOP_TEST_DATABASE=sqlite (default) or postgresql. The test script runs the
suite once for each. PostgreSQL that cannot be reached fails the run; it is never skipped.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from cksloop import create_app
from cksloop.db import migrate
from cksloop.db.models import Base
from cksloop.db.session import make_session_factory
from cksloop.domain.lifecycle import Role
from tests.builders import PASSWORD, make_user, seed_world

FIXED_NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
PG_ADMIN_URL = os.environ.get("CKSLOOP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_database_kind() -> str:
    kind = os.environ.get("CKSLOOP_TEST_DATABASE", "sqlite")
    if kind not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"CKSLOOP_TEST_DATABASE must be sqlite or postgresql, not {kind!r}")
    return kind


def pytest_configure(config: pytest.Config) -> None:
    # The .mo files are built, never committed (scripts/venv.sh builds them too): the tests read
    # the catalogue the .po holds now. Once, in the process that starts any xdist workers.
    if not hasattr(config, "workerinput"):
        compile_catalogues()


def compile_catalogues() -> None:
    """Each messages.po into its messages.mo, replaced atomically and only when it differs."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parents[1] / "cksloop" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        fresh = io.BytesIO()
        write_mo(fresh, catalog, use_fuzzy=False)
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != fresh.getvalue():
            partial = mo.with_name(f".{mo.name}.{os.getpid()}")
            partial.write_bytes(fresh.getvalue())
            partial.replace(mo)


def pytest_report_header(config: pytest.Config) -> str:
    return f"cksloop test database: {test_database_kind()}"


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per test session (and xdist worker); tests get clean copies of it."""
    if test_database_kind() == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        migrate.upgrade(f"sqlite:///{path}")
        yield str(path)
        return
    name = f"cksloop_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a missing server fails the run, never skips it
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}", pytrace=False)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                          "AND pid <> pg_backend_pid()"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def database_url(_template_database: str, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database for one test."""
    if test_database_kind() == "sqlite":
        path = tmp_path / "cksloop.sqlite3"
        shutil.copyfile(_template_database, path)
        yield f"sqlite:///{path}"
        return
    yield _template_database
    engine = create_engine(_template_database)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # TRUNCATE does not fire the ledger's row triggers: this is test clean-up, not a ledger change
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def now() -> dt.datetime:
    return FIXED_NOW


@pytest.fixture
def app(database_url: str, tmp_path: Path, now: dt.datetime) -> Iterator[Any]:
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "BASE_URL": "https://loop.cks.example",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "NOW": now,
        # tests read English messages; Dutch is checked by the translation tests
        "BABEL_DEFAULT_LOCALE": "en",
    })
    yield app
    app.extensions["cksloop.engine"].dispose()


@pytest.fixture
def db_session(app: Any) -> Iterator[Session]:
    # a plain session: tests set up their world by hand, outside the app's one write path
    session = make_session_factory(app.extensions["cksloop.engine"])()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def world(db_session: Session) -> dict[str, Any]:
    return seed_world(db_session)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class SignedInClient:
    """A test client signed in as a user, with the CSRF token its forms need."""

    def __init__(self, client: Any, user: Any):
        self.client = client
        self.user = user
        self.csrf = csrf_from(client.get("/").get_data(as_text=True))

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.client.get(*args, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf)
        return self.client.post(url, data=data, **kwargs)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)})


@pytest.fixture
def login(app: Any, db_session: Session) -> Any:
    """``login(role=...)`` → a SignedInClient for a new user with that role (at the Antwerp store)."""

    def _login(role: Role | str = Role.STORE_STAFF, **kwargs: Any) -> SignedInClient:
        user = make_user(db_session, role, **kwargs)
        client = app.test_client()
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return SignedInClient(client, user)

    return _login


class LiveServer:
    """The test app served by a real threaded HTTP server on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, app: Any):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """Base URL of the test app running in a real server (for browsers and concurrent clients)."""
    server = LiveServer(app)
    try:
        yield server.url
    finally:
        server.stop()
