"""The ``cksloop`` command: a Flask CLI group whose commands call services (never raw SQL)."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import Role


def _create_app() -> Flask:
    from cksloop.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """cksloop: keep every garment in the loop."""


def session():
    return current_app.extensions["cksloop.sessions"]()


def fail(error: DomainError) -> None:
    fields = getattr(error, "field_errors", {})
    message = error.render()
    for name, text in fields.items():
        message += f"\n  {name}: {text}"
    raise click.ClickException(message)


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


@main.group("users")
def users_group() -> None:
    """Accounts."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="", help="Display name (defaults to the part before @).")
@click.option("--location", "home_location", default=None, help="Home location code, e.g. a store.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(email: str, role: str, name: str, home_location: str | None, password_stdin: bool) -> None:
    """Create a user; the password is prompted (or read from standard input)."""
    from cksloop.services import accounts

    password = _read_password(password_stdin)
    with session() as s:
        try:
            user = accounts.create_user(s, email=email, name=name or email.split("@")[0], role=role,
                                        password=password, home_location=home_location)
        except DomainError as error:
            fail(error)
        click.echo(f"Created {user.email} ({user.role.value}).")


@users_group.command("reset-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password; the user's open sessions end."""
    from cksloop.services import accounts

    password = _read_password(password_stdin)
    with session() as s:
        try:
            accounts.reset_password(s, email=email, password=password)
        except DomainError as error:
            fail(error)
        click.echo(f"Password of {email} reset; their sessions have ended.")


@main.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.option("--email", required=True)
@click.option("--label", default="", help="What the token is for, e.g. 'Dressr integration'.")
@with_appcontext
def tokens_create(email: str, label: str) -> None:
    """Make a new API token for a user and print it once (only its hash is kept)."""
    import datetime as dt

    from cksloop.services import accounts

    with session() as s:
        try:
            token = accounts.create_token(s, email=email, label=label, now=dt.datetime.now(dt.UTC))
        except DomainError as error:
            fail(error)
        click.echo(token)


@tokens_group.command("revoke")
@click.option("--email", required=True)
@click.option("--label", default=None, help="Only the tokens with this label (default: all of the user's).")
@with_appcontext
def tokens_revoke(email: str, label: str | None) -> None:
    """Revoke a user's API tokens; requests with them are refused from now on."""
    import datetime as dt

    from cksloop.services import accounts

    with session() as s:
        try:
            count = accounts.revoke_tokens(s, email=email, label=label, now=dt.datetime.now(dt.UTC))
        except DomainError as error:
            fail(error)
        click.echo(f"Revoked {count} token(s) of {email}.")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List every user: email, role and home location."""
    from cksloop.services import accounts

    with session() as s:
        users = accounts.list_users(s)
        if not users:
            click.echo("No users yet. Create one with `cksloop users create` or `cksloop demo-data`.")
            return
        rows = [(u.email, u.role.value, _place(u.home_location), "" if u.active else "inactive")
                for u in users]
    _table(("email", "role", "home location", ""), rows)


def _place(location) -> str:
    return f"{location.code} ({location.name})" if location is not None else "-"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for row in [header, *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def _now():
    from cksloop.web.database import now

    return now()


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

    from cksloop.services import demo

    with session() as s:
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
    """Import styles and garments from CSV files (columns: docs/import-format.md)."""


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


@import_group.command("garments")
@click.argument("file", type=_CSV)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--by", "by_email", default=None,
              help="Email of the user recorded as receiving the garments (default: the first admin).")
@with_appcontext
def import_garments(file: str, dry_run: bool, by_email: str | None) -> None:
    """Receive the garments in FILE (a UTF-8 CSV) into the ledger; any error imports nothing."""
    from cksloop.services import accounts, imports

    data = _read_csv(file)
    with session() as s:
        try:
            actor = accounts.find_user(s, by_email) if by_email else imports.default_receiver(s)
        except DomainError as error:
            fail(error)
        report = imports.import_garments(s, data=data, actor=actor, now=_now(), dry_run=dry_run)
    _print_report(report, file)


def init_app(app: Flask) -> None:
    """Hook for the factory; the commands live on the ``main`` group above."""


from cksloop import cli_ops  # noqa: E402,F401  (registers backup and check on main)
