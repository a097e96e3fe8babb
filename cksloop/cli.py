"""The ``cksloop`` command: a Flask CLI group whose commands call services (never raw SQL)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from cksloop import cli_accounts, cli_ops, cli_settings
from cksloop.cli_support import fail, now as _now, seeding_session, session
from cksloop.domain.errors import DomainError


def _create_app() -> Flask:
    from cksloop.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """cksloop: keep every garment in the loop."""


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    from cksloop.db import migrate

    done = migrate.upgrade(current_app.config["DATABASE_URL"])
    if done.created:
        click.echo(f"Created the database at {done.created} and applied {done.applied} migrations.")
    elif done.applied:
        click.echo(f"Applied {done.applied} migration{'s' if done.applied != 1 else ''}: the database is up to date.")
    else:
        click.echo("Database is up to date.")


# --- demo data and first start ----------------------------------------------------------------


@main.command("demo-data")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and say so) when the database already holds garments: for first start.")
@click.option("--seed", type=int, default=None, help="Random seed; the same seed gives the same data.")
@click.option("--garments", "count", type=click.IntRange(16, 5000), default=None,
              help="How many garments (default 400; at least 16 so every state appears).")
@with_appcontext
def demo_data(if_empty: bool, seed: int | None, count: int | None) -> None:
    """Fill an empty database with a demo CKS chain; print each new user's password once."""
    import time

    from cksloop import demo

    with seeding_session() as s:
        if not demo.database_ready(s):
            raise click.ClickException("The database has no tables yet: run `cksloop db upgrade` first.")
        existing = demo.garment_count(s)
        if existing:
            if if_empty:
                click.echo(f"The database already holds {existing} garments: no demo data added.")
                return
            raise click.ClickException(
                f"The database already holds {existing} garments. Demo data only goes into an empty "
                "database (--if-empty skips this quietly).")
        click.echo("Loading demo data (every garment history goes through the ledger) ...")
        started = time.perf_counter()
        try:
            result = demo.load_demo_data(s, now=_now(), seed=demo.DEFAULT_SEED if seed is None else seed,
                                         count=demo.DEFAULT_GARMENTS if count is None else count)
        except DomainError as error:
            fail(error)
        seconds = time.perf_counter() - started
    click.echo(f"Demo data ready in {seconds:.1f} s: {result.locations} locations, {result.styles} styles, "
               f"{result.garments} garments, {result.events} ledger events.")
    click.echo("Garments by state: " + ", ".join(f"{state} {n}" for state, n in sorted(result.states.items())))
    for email in result.existing_users:
        click.echo(f"{email} already existed: password unchanged (`cksloop users reset-password`).")
    if result.created_users:
        _password_box(result.created_users, current_app.config["BASE_URL"] + "/login")


def _password_box(users, login_url: str) -> None:
    """The new sign-ins in a box that stands out in a terminal; this is the only time they show."""
    lines = [f"Sign in at {login_url}",
             "These passwords are shown ONLY NOW. Store them safely;",
             "`cksloop users reset-password --email E` sets a new one.", ""]
    width = max(len(u.email) for u in users)
    roles = max(len(u.role) for u in users)
    lines += [f"{u.email.ljust(width)}  {u.role.ljust(roles)}  {u.password}" for u in users]
    inner = max(len(line) for line in lines)
    click.echo("+" + "-" * (inner + 4) + "+")
    for line in lines:
        click.echo("|  " + line.ljust(inner) + "  |")
    click.echo("+" + "-" * (inner + 4) + "+")


# --- CSV import -------------------------------------------------------------------------------


@main.group("import")
def import_group() -> None:
    """Import styles, garments and style plans from CSV files (columns: docs/import-format.md)."""


_CSV = click.Path(exists=True, dir_okay=False, readable=True, path_type=str)


def _read_csv(path: str) -> bytes:
    from cksloop.services import imports

    try:
        with open(path, "rb") as fh:
            return fh.read(imports.MAX_BYTES + 1)  # one byte more tells the service it is too big
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror or exc}") from None


def _print_report(report, path: str) -> None:
    """Print what the import found; exit non-zero when anything is wrong."""
    noun = report.kind if report.rows != 1 else report.kind.rstrip("s")
    if report.errors:
        click.echo(f"{path}: {len(report.errors)} problem(s) in {report.rows} row(s); nothing was imported.",
                   err=True)
        for error in report.errors:
            where = "file" if error.row is None else f"row {error.row}"
            if error.column:
                where += f", column {error.column}"
            click.echo(f"  {where}: {error.render()}", err=True)
        if report.truncated:
            click.echo("  ... and more: fix these first.", err=True)
        raise click.exceptions.Exit(1)
    if report.dry_run:
        click.echo(f"Dry run: all {report.rows} {noun} in {path} are valid; nothing was written.")
    else:
        click.echo(f"Imported {report.imported} {noun} from {path}.")
    if report.skipped:
        click.echo(f"Skipped {report.skipped} line(s) imported before.")


@import_group.command("styles")
@click.argument("file", type=_CSV)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_styles(file: str, dry_run: bool) -> None:
    """Add the styles in FILE (a UTF-8 CSV); any error imports nothing."""
    from cksloop.services import imports

    data = _read_csv(file)
    with session() as s:
        report = imports.import_styles(s, data=data, dry_run=dry_run)
    _print_report(report, file)


@import_group.command("plans")
@click.argument("file", type=_CSV)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_plans(file: str, dry_run: bool) -> None:
    """Set the planned quantity (and short-term share) of the styles in FILE; any error imports nothing."""
    from cksloop.services import imports

    data = _read_csv(file)
    with session() as s:
        report = imports.import_plans(s, data=data, now=_now(), dry_run=dry_run)
    _print_report(report, file)


@import_group.command("sales")
@click.argument("file", type=_CSV)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--by", "by_email", default=None,
              help="Email of the user recorded as selling labelled garments (default: the first admin).")
@with_appcontext
def import_sales(file: str, dry_run: bool, by_email: str | None) -> None:
    """Import the tills' sales lines in FILE; each receipt line once, any error imports nothing."""
    from cksloop.services import imports

    _import_by(file, by_email, lambda s, data, actor: imports.import_sales(
        s, data=data, actor=actor, now=_now(), dry_run=dry_run))


@import_group.command("garments")
@click.argument("file", type=_CSV)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--by", "by_email", default=None,
              help="Email of the user recorded as receiving the garments (default: the first admin).")
@with_appcontext
def import_garments(file: str, dry_run: bool, by_email: str | None) -> None:
    """Receive the garments in FILE (a UTF-8 CSV) into the ledger; any error imports nothing."""
    from cksloop.services import imports

    _import_by(file, by_email, lambda s, data, actor: imports.import_garments(
        s, data=data, actor=actor, now=_now(), dry_run=dry_run))


def _import_by(file: str, by_email: str | None, run: Callable[[Any, Any, Any], Any]) -> None:
    """Read FILE, find the user the import acts for (``--by``, else the first admin), run, report."""
    from cksloop.services import accounts, imports

    data = _read_csv(file)
    with session() as s:
        try:
            actor = accounts.find_user(s, by_email) if by_email else imports.default_receiver(s)
        except DomainError as error:
            fail(error)
        report = run(s, data, actor)
    _print_report(report, file)


# the command modules define their commands; they join ``main`` here, so none imports this module
cli_accounts.register(main)
cli_ops.register(main)
cli_settings.register(main)
