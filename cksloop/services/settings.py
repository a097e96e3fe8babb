"""Chain-wide settings an admin changes: read with their defaults, set with a check."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Setting, User
from cksloop.db.session import begin_write
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.messages import N_
from cksloop.domain.sale_price import DEFAULT_LIMIT_PCT

STORE_DISCOUNT_LIMIT = "store_discount_limit_pct"


@dataclass(frozen=True)
class Known:
    """A setting cksloop knows: its default and the whole numbers it accepts."""

    default: int
    lowest: int
    highest: int


KNOWN = {STORE_DISCOUNT_LIMIT: Known(default=DEFAULT_LIMIT_PCT, lowest=0, highest=90)}


def get_int(session: Session, key: str) -> int:
    """The setting's value, or its default when no admin set it."""
    stored = session.scalar(select(Setting.value).where(Setting.key == key))
    return int(stored) if stored is not None else KNOWN[key].default


def store_discount_limit(session: Session) -> int:
    """How many percent off a store may give at most (issue 12 §4.3)."""
    return get_int(session, STORE_DISCOUNT_LIMIT)


def set_value(session: Session, *, key: str, value: object, actor: User | None, now: dt.datetime) -> int:
    """Set a known setting and commit; InvalidDetails for an unknown key or a value out of range."""
    known = KNOWN.get(key)
    if known is None:
        raise InvalidDetails({"key": N_("No such setting.")})
    text = str(value).strip()
    if not (text.isdecimal() and len(text) <= 3 and known.lowest <= int(text) <= known.highest):
        raise InvalidDetails({"value": N_("A whole number from 0 to 90.")})
    number = int(text)
    actor_id = actor.id if actor is not None else None
    begin_write(session)
    try:
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=str(number), updated_at=now, updated_by=actor_id))
        else:
            row.value, row.updated_at, row.updated_by = str(number), now, actor_id
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return number
