"""Account commands on the ``cksloop`` CLI: ``users`` (create, list, reset-password, deactivate) and ``tokens``.

Changes made here are recorded as account events with no actor: the command line is whoever has
access to the server.
"""
from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import with_appcontext

from cksloop.cli_support import fail, now as _now, session
from cksloop.domain.clock import utc
from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import Role


@click.group("users")
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
                                        password=password, home_location=home_location, now=_now())
        except DomainError as error:
            fail(error)
        click.echo(f"Created {user.email} ({user.role.value}).")


@users_group.command("reset-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password; the user's open sessions end and their API tokens are revoked."""
    from cksloop.services import accounts

    password = _read_password(password_stdin)
    with session() as s:
        try:
            revoked = accounts.reset_password(s, email=email, password=password, now=_now())
        except DomainError as error:
            fail(error)
        click.echo(f"Password of {email} reset; their sessions have ended and {revoked} API token(s) "
                   "were revoked.")


@users_group.command("deactivate")
@click.option("--email", required=True)
@with_appcontext
def users_deactivate(email: str) -> None:
    """Deactivate a user: no more sign-in, open sessions end, every API token is revoked."""
    from cksloop.services import accounts

    with session() as s:
        try:
            revoked = accounts.deactivate_user(s, email=email, now=_now())
        except DomainError as error:
            fail(error)
        click.echo(f"Deactivated {email}: their sessions have ended and {revoked} API token(s) were revoked.")


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


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.option("--email", required=True)
@click.option("--label", default="", help="What the token is for, e.g. 'Dressr integration'.")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None,
              help="The token stops working after this many days.")
@click.option("--expires-on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The token stops working at the start of this day (UTC), e.g. 2027-06-30.")
@click.option("--read-only", is_flag=True, help="The token may only read (GET and HEAD requests).")
@with_appcontext
def tokens_create(email: str, label: str, expires_in_days: int | None, expires_on: dt.datetime | None,
                  read_only: bool) -> None:
    """Make a new API token for a user and print it once (only its hash is kept)."""
    from cksloop.services import tokens

    if expires_in_days is not None and expires_on is not None:
        raise click.UsageError("Give --expires-in-days or --expires-on, not both.")
    now = _now()
    expires_at = None
    if expires_in_days is not None:
        expires_at = now + dt.timedelta(days=expires_in_days)
    elif expires_on is not None:
        expires_at = utc(expires_on)  # --expires-on is read as a UTC date
    with session() as s:
        try:
            token = tokens.create_token(s, email=email, label=label, now=now, expires_at=expires_at,
                                          read_only=read_only)
        except DomainError as error:
            fail(error)
        click.echo(token)


@tokens_group.command("revoke")
@click.option("--email", required=True)
@click.option("--label", default=None, help="Only the tokens with this label (default: all of the user's).")
@with_appcontext
def tokens_revoke(email: str, label: str | None) -> None:
    """Revoke a user's API tokens; requests with them are refused from now on."""
    from cksloop.services import tokens

    with session() as s:
        try:
            count = tokens.revoke_tokens(s, email=email, label=label, now=_now())
        except DomainError as error:
            fail(error)
        click.echo(f"Revoked {count} token(s) of {email}.")


@tokens_group.command("list")
@click.option("--email", default=None, help="Only this user's tokens.")
@with_appcontext
def tokens_list(email: str | None) -> None:
    """List API tokens (never the tokens themselves): user, label, scope, created, expires, status."""
    from cksloop.services import tokens

    now = _now()
    with session() as s:
        try:
            rows = tokens.list_tokens(s, email=email)
        except DomainError as error:
            fail(error)
        if not rows:
            click.echo("No API tokens." + ("" if email else " Make one with `cksloop tokens create`."))
            return
        rows = [(str(t.id), t.user.email, t.label or "-", "read-only" if t.read_only else "read-write",
                 _day(t.created_at), _day(t.expires_at) if t.expires_at else "never",
                 tokens.token_status(t, now)) for t in rows]
    _table(("id", "user", "label", "scope", "created", "expires", "status"), rows)


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def register(group: click.Group) -> None:
    """Add ``users`` and ``tokens`` to the ``cksloop`` group (cli.py calls this: no import cycle)."""
    group.add_command(users_group)
    group.add_command(tokens_group)
