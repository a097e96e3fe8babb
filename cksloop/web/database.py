"""One database session per request, closed at teardown."""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from cksloop.db.session import make_engine, make_read_engine, make_session_factory
from cksloop.services import remembered


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["cksloop.engine"] = engine
    # requests and commands read on the read engine; their writes go through begin_write
    app.extensions["cksloop.sessions"] = make_session_factory(make_read_engine(engine))
    app.extensions["cksloop.memory"] = remembered.Memory()

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def db() -> Session:
    """The request's session (opened on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["cksloop.sessions"]()
    return g.db_session


def memory() -> remembered.Memory:
    """What this worker keeps between requests (cksloop.services.remembered)."""
    return current_app.extensions["cksloop.memory"]


def now() -> dt.datetime:
    """The request's clock; tests may pin it with the NOW config key."""
    pinned = current_app.config.get("NOW")
    return pinned if pinned is not None else dt.datetime.now(dt.UTC)
