"""What every ``cksloop`` command module shares: a database session, the clock, errors as CLI messages."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app

from cksloop.domain.errors import DomainError


def session():
    return current_app.extensions["cksloop.sessions"]()


def fail(error: DomainError) -> None:
    fields = getattr(error, "field_errors", {})
    message = error.render()
    for name, text in fields.items():
        message += f"\n  {name}: {text}"
    raise click.ClickException(message)


def now() -> dt.datetime:
    from cksloop.web.database import now as app_now  # the app's clock (tests fix it)

    return app_now()
