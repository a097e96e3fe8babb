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

    migrate.upgrade(current_app.config["DATABASE_URL"])
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


def init_app(app: Flask) -> None:
    """Hook for the factory; the commands live on the ``main`` group above."""


from cksloop import cli_ops  # noqa: E402,F401  (registers backup and check on main)
