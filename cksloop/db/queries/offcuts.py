"""Reads for the offcut lot pages: the materials lots have, a lot's history with who did what, the
garments a lot came from, and the grams left under a filter."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, OffcutLot, OffcutLotEvent, User
from cksloop.domain.lifecycle import Action


def lot_materials(session: Session) -> list[str]:
    """Every material a lot has, alphabetically (the list filter's choices)."""
    return list(session.scalars(select(OffcutLot.material).distinct().order_by(OffcutLot.material)))


def remaining_total(session: Session, *, location: str | None = None, material: str | None = None) -> tuple[int, int]:
    """(lots, grams left) under the list's filters."""
    query = select(func.count(OffcutLot.id), func.coalesce(func.sum(OffcutLot.remaining_g), 0)) \
        .outerjoin(Location, OffcutLot.location_id == Location.id)
    if location:
        query = query.where(Location.code == location)
    if material:
        query = query.where(OffcutLot.material == material)
    count, grams = session.execute(query).one()
    return int(count), int(grams)


@dataclass(frozen=True)
class LotHistoryLine:
    seq: int
    action: str
    details: dict[str, Any]
    grams: int
    location: str | None
    occurred_at: dt.datetime
    actor_name: str | None
    actor_role: Any


def lot_history(session: Session, code: str) -> list[LotHistoryLine]:
    """The lot's ledger with who wrote each line, newest first (the present is what a person came for)."""
    rows = session.execute(
        select(OffcutLotEvent.seq, OffcutLotEvent.action, OffcutLotEvent.details, OffcutLotEvent.grams,
               Location.code, OffcutLotEvent.occurred_at, User.name, User.role)
        .join(OffcutLot, OffcutLot.id == OffcutLotEvent.lot_id)
        .outerjoin(Location, OffcutLotEvent.location_id == Location.id)
        .outerjoin(User, OffcutLotEvent.actor_id == User.id)
        .where(OffcutLot.code == code).order_by(OffcutLotEvent.seq.desc())).all()
    return [LotHistoryLine(*row[:3], row[3], row[4], row[5], row[6], row[7]) for row in rows]


def garments_retired_into(session: Session, code: str) -> list[str]:
    """Codes of the garments whose ``retire`` event names this lot, oldest retirement first."""
    rows = session.execute(
        select(Garment.code, GarmentEvent.details).join(Garment, Garment.id == GarmentEvent.garment_id)
        .where(GarmentEvent.action == Action.RETIRE,
               GarmentEvent.details["offcut_lot"].as_string() == code)
        .order_by(GarmentEvent.occurred_at, GarmentEvent.id)).all()
    return list(dict.fromkeys(garment for garment, _ in rows))
