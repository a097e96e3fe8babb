"""What every ``cksloop`` command module shares: a database session, the clock, errors as CLI messages."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app

from cksloop.domain.errors import DomainError


def session():
    """The app's session: reads as they come, writes through the services' begin_write."""
    return current_app.extensions["cksloop.sessions"]()


def seeding_session():
    """A session on the plain engine, for the demo loader alone: it lays out a whole chain by hand
    (locations, users, styles, receipts in one transaction) into an empty database before anyone
    uses it, beside the service calls that go through the write path as in the shop."""
    from cksloop.db.session import make_session_factory

    return make_session_factory(current_app.extensions["cksloop.engine"])()


def fail(error: DomainError) -> None:
    fields = getattr(error, "field_errors", {})
    message = error.render()
    for name, text in fields.items():
        message += f"\n  {name}: {text}"
    raise click.ClickException(message)


def now() -> dt.datetime:
    from cksloop.web.database import now as app_now  # the app's clock (tests fix it)

    return app_now()
