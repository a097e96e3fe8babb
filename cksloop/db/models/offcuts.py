"""Offcut lots (reststoffen) and their append-only ledger (issue 15)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from cksloop.db.models.base import Base, utcnow
from cksloop.db.models.catalogue import Location


class OffcutLot(Base):
    """One lot of offcuts. Its location and balance columns always equal the replay of its events:
    weight_in_g = split_out_g + consumed_g + waste_g + remaining_g."""

    __tablename__ = "offcut_lots"
    __table_args__ = (Index("ix_offcut_lots_location_material", "location_id", "material"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: number of events recorded; every action names the version it saw (optimistic locking)
    version: Mapped[int] = mapped_column(Integer, default=0)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    material: Mapped[str] = mapped_column(String(80))
    composition: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    colour: Mapped[str] = mapped_column(String(80))
    area_m2: Mapped[float | None] = mapped_column(Float)
    weight_in_g: Mapped[int] = mapped_column(Integer, default=0)
    split_out_g: Mapped[int] = mapped_column(Integer, default=0)
    consumed_g: Mapped[int] = mapped_column(Integer, default=0)
    waste_g: Mapped[int] = mapped_column(Integer, default=0)
    remaining_g: Mapped[int] = mapped_column(Integer, default=0)
    #: net grams each consumer still holds ("workshop:12" …), so leftovers return only what was taken
    consumed_by: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    location: Mapped[Location | None] = relationship(lazy="joined")


class OffcutLotEvent(Base):
    """One line of a lot's append-only ledger: nothing updates or deletes it (a trigger refuses)."""

    __tablename__ = "offcut_lot_events"
    __table_args__ = (UniqueConstraint("lot_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("offcut_lots.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … per lot; equals the lot's version after it
    action: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the signed change of the lot's remaining grams this event made
    grams: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))  # where the lot is after
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(index=True)


@event.listens_for(Session, "before_flush")
def _lot_ledger_is_append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, OffcutLotEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("the offcut lot ledger is append-only")
