"""A buyer lot's append-only history: one line per change, numbered by the lot's version after it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLotEvent


def record(session: Session, *, lot_id: int, seq: int, kind: str, details: dict[str, Any],
           actor_id: int | None, now: dt.datetime) -> None:
    """Append one line in the caller's write (the lot's compare-and-set makes ``seq`` unique)."""
    session.add(BuyerLotEvent(lot_id=lot_id, seq=seq, kind=kind, details=details, actor_id=actor_id,
                              occurred_at=now))


def of_lot(session: Session, lot_id: int) -> list[BuyerLotEvent]:
    """The lot's history, oldest first."""
    return list(session.scalars(select(BuyerLotEvent).where(BuyerLotEvent.lot_id == lot_id)
                                .order_by(BuyerLotEvent.seq)))
