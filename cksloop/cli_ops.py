"""Operations commands on the ``cksloop`` CLI: ``backup`` (SQLite online backup) and ``check``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cksloop.cli_support import fail
from cksloop.domain.errors import DomainError


@click.command("backup")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (must not exist yet).")
@click.option("--check/--no-check", default=True, show_default=True,
              help="Run the same checks as `cksloop check` on the finished backup.")
@with_appcontext
def backup(target: Path, check: bool) -> None:
    """Make a consistent online backup of the SQLite database (safe while the app runs)."""
    from cksloop.services import backup as backups

    try:
        result = backups.backup_sqlite(database_url=current_app.config["DATABASE_URL"], target=target)
    except DomainError as error:
        fail(error)
    click.echo(f"Backup written to {result.path} ({result.bytes} bytes, {result.pages} pages, "
               f"{result.seconds:.2f} s).")
    if check:
        report = _check_url(f"sqlite:///{result.path.resolve()}")
        _print(report)
        if not report.ok:
            raise SystemExit(1)


@click.command("check")
@click.option("--database", "database_url", default=None,
              help="Check this database URL (e.g. a restored backup: sqlite:///path) instead of the app's.")
@click.option("--chunk", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Garments replayed per query.")
@click.option("--quick", is_flag=True, help="SQLite quick_check instead of the full integrity_check.")
@with_appcontext
def check(database_url: str | None, chunk: int, quick: bool) -> None:
    """Integrity check and 'every garment equals the replay of its events'; exit 1 on any problem."""
    report = _check_url(database_url or current_app.config["DATABASE_URL"], chunk=chunk, quick=quick)
    _print(report)
    if not report.ok:
        raise SystemExit(1)


def _check_url(url: str, chunk: int = 1000, quick: bool = False):  # noqa: ANN202 - CheckReport, imported lazily
    from sqlalchemy import create_engine

    from cksloop.db.session import make_engine, make_session_factory
    from cksloop.services import backup as backups

    if url.startswith("sqlite:///"):
        if not Path(url.removeprefix("sqlite:///")).exists():
            raise click.ClickException(f"There is no database at {url.removeprefix('sqlite:///')}.")
        # a plain engine: the app's engine would switch the file (say, a backup) to WAL mode
        engine = create_engine(url)
    else:
        engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return backups.check_database(session, chunk=chunk, quick=quick)
    finally:
        engine.dispose()


def _print(report) -> None:  # noqa: ANN001
    click.echo(f"Database ({report.database}) integrity: "
               + ("ok" if not report.integrity else f"{len(report.integrity)} problem(s)"))
    for problem in report.integrity[:20]:
        click.echo(f"  {problem}")
    click.echo("Ledger append-only guard: " + ("in place" if not report.guards else "; ".join(report.guards)))
    click.echo(f"Garments checked: {report.garments}; events replayed: {report.events}; "
               f"state ≠ replay: {report.mismatches} ({report.seconds:.2f} s)")
    if report.mismatched_codes:
        click.echo("  first mismatched garments: " + ", ".join(report.mismatched_codes))
    click.echo("OK" if report.ok else "PROBLEMS FOUND")


def register(group: click.Group) -> None:
    """Add the operations commands to the ``cksloop`` group (cli.py calls this: no import cycle)."""
    group.add_command(backup)
    group.add_command(check)
