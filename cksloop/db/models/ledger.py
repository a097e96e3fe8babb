"""The garment ledger: garments, their append-only events, and stored answers for idempotent retries."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from cksloop.db.models.accounts import User
from cksloop.db.models.base import Base, _enum, utcnow
from cksloop.db.models.catalogue import Location, Style
from cksloop.domain.lifecycle import Action, GarmentState


class Garment(Base):
    """One physical piece. Its state, location and price always equal the replay of its events."""

    __tablename__ = "garments"
    __table_args__ = (
        # the garment list's filters, answered from the index alone (migration 0007)
        Index("ix_garments_state_location_style", "state", "location_id", "style_id"),
        # a collection's garments by style and size with what its figures read (migrations 0019, 0020):
        # the overstock review's receipts and stock, and the charter's garments received, from the index alone
        Index("ix_garments_style_stock", "style_id", "size", "state", "location_id", "price_cents", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"))
    size: Mapped[str] = mapped_column(String(12))
    state: Mapped[GarmentState | None] = mapped_column(_enum(GarmentState))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    care_return_state: Mapped[GarmentState | None] = mapped_column(_enum(GarmentState))
    #: number of events recorded; every action names the version it saw (optimistic locking)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: the day in Brussels of its first event (receive_garment writes both): the charter's "received"
    #: figures and the overstock review's stock age, both counted in shop days
    received_on: Mapped[dt.date | None]

    style: Mapped[Style] = relationship(lazy="joined", innerjoin=True)
    location: Mapped[Location | None] = relationship(lazy="joined")


class GarmentEvent(Base):
    """One line of the append-only ledger: nothing updates or deletes it (a trigger refuses)."""

    __tablename__ = "garment_events"
    __table_args__ = (UniqueConstraint("garment_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … per garment; equals the garment's version after it
    action: Mapped[Action] = mapped_column(_enum(Action))
    from_state: Mapped[GarmentState | None] = mapped_column(_enum(GarmentState))
    to_state: Mapped[GarmentState] = mapped_column(_enum(GarmentState))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))  # where it is after
    price_cents: Mapped[int | None] = mapped_column(Integer)  # its price after
    # indexed with occurred_at below (ix_garment_events_actor_occurred)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="select")
    location: Mapped[Location | None] = relationship(lazy="select")


class IdempotencyRecord(Base):
    """The first answer to an API request carrying an Idempotency-Key, replayed on a retry."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # hash of method, path and body
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@event.listens_for(Session, "before_flush")
def _ledger_is_append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, GarmentEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("the garment ledger is append-only")


# the audit view filters the ledger by place and by action, newest first, on a large ledger
Index("ix_garment_events_location_occurred", GarmentEvent.location_id, GarmentEvent.occurred_at)
Index("ix_garment_events_action_occurred", GarmentEvent.action, GarmentEvent.occurred_at)
Index("ix_garment_events_actor_occurred", GarmentEvent.actor_id, GarmentEvent.occurred_at)
# the year's figures (charter report, disclosure) count the events that reached a state in a period:
# a few thousand among millions, found without reading the whole period
Index("ix_garment_events_to_state_occurred", GarmentEvent.to_state, GarmentEvent.occurred_at)


class GarmentExit(Base):
    """A garment leaving the loop unsold: retired (by route, and for recycling its legal ground) or
    written off. One row per such event, written with it (services.garment_exits, migration 0023).

    The charter's unsold section and the workshop figures count these by year, route and ground
    from the index alone, where the events kept the route in their JSON details.
    """

    __tablename__ = "garment_exits"
    __table_args__ = (
        Index("ix_garment_exits_counted", "occurred_at", "to_state", "action", "route", "ground"),
    )

    event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                          ForeignKey("garment_events.id"), primary_key=True, autoincrement=False)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"))
    action: Mapped[Action] = mapped_column(_enum(Action))
    to_state: Mapped[GarmentState] = mapped_column(_enum(GarmentState))
    occurred_at: Mapped[dt.datetime]
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    #: the retire action's route, or the one an inspection graded D/E named (``retire_route``)
    route: Mapped[str | None] = mapped_column(String(24))
    ground: Mapped[str | None] = mapped_column(String(40))
