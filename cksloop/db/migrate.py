"""Apply the Alembic migrations in ``migrations/`` to a database URL."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did: whether it created the (SQLite) database file, how many migrations ran."""

    created: str | None  # the path of a database file that did not exist before
    applied: int


def upgrade(url: str, revision: str = "head") -> Upgrade:
    created = None
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        created = None if path.exists() else str(path.resolve())
    before = None if created else _revision(url)
    config = alembic_config(url)
    command.upgrade(config, revision)
    after = _revision(url)
    steps = 0
    if after != before and after is not None:
        steps = sum(1 for _ in ScriptDirectory.from_config(config).iterate_revisions(after, before or "base"))
    return Upgrade(created, steps)


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def current(url: str) -> None:
    command.current(alembic_config(url), verbose=False)
