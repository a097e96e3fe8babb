"""``cksloop settings``: show and set the chain-wide settings (the store discount limit)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from cksloop.cli_support import fail
from cksloop.domain.errors import DomainError


@click.group("settings")
def settings_group() -> None:
    """Chain-wide settings an admin changes."""


@settings_group.command("show")
@with_appcontext
def show() -> None:
    """List every setting with its value."""
    from cksloop.services import settings

    with current_app.extensions["cksloop.sessions"]() as session:
        for key in sorted(settings.KNOWN):
            click.echo(f"{key} = {settings.get_int(session, key)}")


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@with_appcontext
def set_(key: str, value: str) -> None:
    """Set KEY to VALUE, e.g. ``cksloop settings set store_discount_limit_pct 20``."""
    import datetime as dt

    from cksloop.services import settings

    with current_app.extensions["cksloop.sessions"]() as session:
        try:
            number = settings.set_value(session, key=key, value=value, actor=None, now=dt.datetime.now(dt.UTC))
        except DomainError as error:
            fail(error)
    click.echo(f"{key} = {number}")


def register(group: click.Group) -> None:
    """Add ``settings`` to the ``cksloop`` group (cli.py calls this: no import cycle)."""
    group.add_command(settings_group)
