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

#: the header of the unsold-goods disclosure (Implementing Regulation 2026/2 Annex I): text settings
LEGAL_ENTITY_NAME = "legal_entity_name"
LEGAL_ENTITY_IDENTIFIER = "legal_entity_identifier"  # e.g. the company number in the Belgian KBO/BCE
TEXT_KNOWN = {LEGAL_ENTITY_NAME: "CKS", LEGAL_ENTITY_IDENTIFIER: ""}
MAX_TEXT = 200


def get_text(session: Session, key: str) -> str:
    """A text setting, or its default when no admin set it."""
    stored = session.scalar(select(Setting.value).where(Setting.key == key))
    return stored if stored is not None else TEXT_KNOWN[key]


def get_int(session: Session, key: str) -> int:
    """The setting's value, or its default when no admin set it."""
    stored = session.scalar(select(Setting.value).where(Setting.key == key))
    return int(stored) if stored is not None else KNOWN[key].default


def store_discount_limit(session: Session) -> int:
    """How many percent off a store may give at most (issue 12 §4.3)."""
    return get_int(session, STORE_DISCOUNT_LIMIT)


def set_value(session: Session, *, key: str, value: object, actor: User | None, now: dt.datetime) -> int | str:
    """Set a known setting and commit; InvalidDetails for an unknown key or a value out of range."""
    known = KNOWN.get(key)
    text = str(value).strip()
    if key in TEXT_KNOWN:
        if len(text) > MAX_TEXT or not text.isprintable():
            raise InvalidDetails({"value": N_("At most 200 characters on one line.")})
        return _store(session, key=key, text=text, actor=actor, now=now)
    if known is None:
        raise InvalidDetails({"key": N_("No such setting.")})
    if not (text.isdecimal() and len(text) <= 3 and known.lowest <= int(text) <= known.highest):
        raise InvalidDetails({"value": N_("A whole number from 0 to 90.")})
    number = int(text)
    _store(session, key=key, text=str(number), actor=actor, now=now)
    return number


def _store(session: Session, *, key: str, text: str, actor: User | None, now: dt.datetime) -> str:
    actor_id = actor.id if actor is not None else None
    begin_write(session)
    try:
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=text, updated_at=now, updated_by=actor_id))
        else:
            row.value, row.updated_at, row.updated_by = text, now, actor_id
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return text
