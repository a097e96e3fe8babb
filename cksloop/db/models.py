"""SQLAlchemy 2.0 typed models; they reuse the domain's enums so there is one word per concept."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (JSON, text, BigInteger, Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, event)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.lifecycle import Action, GarmentState, LocationKind, Role


def _enum(enum: type[StrEnum], length: int = 32) -> Enum:
    # stored as the enum's value in a plain string column: readable in SQL and portable
    return Enum(enum, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class Base(DeclarativeBase):
    type_annotation_map = {
        dict[str, Any]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Location(Base):
    """A store, the warehouse, the outlet or a partner's site."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind))
    city: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Style(Base):
    """An article of a collection: what every garment of it shares."""

    __tablename__ = "styles"

    id: Mapped[int] = mapped_column(primary_key=True)
    style_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    season: Mapped[str] = mapped_column(String(8), index=True)  # SS25, AW25
    category: Mapped[str] = mapped_column(String(60))
    colour: Mapped[str] = mapped_column(String(60))
    size_run: Mapped[str] = mapped_column(String(120))  # "XS,S,M,L,XL" in shop order
    country_of_manufacture: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    supplier: Mapped[str] = mapped_column(String(120))
    retail_price_cents: Mapped[int] = mapped_column(Integer)
    care: Mapped[str] = mapped_column(Text, default="")

    sizes: Mapped[list[StyleSize]] = relationship(back_populates="style", cascade="all, delete-orphan",
                                                  order_by="StyleSize.id")
    materials: Mapped[list[StyleMaterial]] = relationship(back_populates="style",
                                                          cascade="all, delete-orphan",
                                                          order_by="StyleMaterial.percent.desc()")

    @property
    def size_list(self) -> list[str]:
        return [s for s in self.size_run.split(",") if s]

    def gtin_for(self, size: str) -> str | None:
        for s in self.sizes:
            if s.size == size:
                return s.gtin
        return None


class StyleSize(Base):
    """A size of a style, with its GTIN where the style has one."""

    __tablename__ = "style_sizes"
    __table_args__ = (UniqueConstraint("style_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"))
    size: Mapped[str] = mapped_column(String(12))
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)  # GTIN-14, left-padded

    style: Mapped[Style] = relationship(back_populates="sizes")


class StyleMaterial(Base):
    """One fibre of a style's composition, in percent by weight."""

    __tablename__ = "style_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"), index=True)
    fibre: Mapped[str] = mapped_column(String(60))  # EU fibre name: "cotton", "polyester", "lyocell"
    percent: Mapped[int] = mapped_column(Integer)
    sustainable: Mapped[bool] = mapped_column(Boolean, default=False)
    certification: Mapped[str] = mapped_column(String(80), default="")  # "organic", "recycled", "LENZING™ TENCEL™"

    style: Mapped[Style] = relationship(back_populates="materials")


class User(Base):
    """A person who works with cksloop; the role decides what they may do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role))
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: changes on password reset and logout-everywhere, so old sessions stop working
    session_nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    home_location: Mapped[Location | None] = relationship(lazy="joined")


class UserStore(Base):
    """A location a user works at besides their home location; an admin assigns them.

    Store staff and workshop organisers act on garments at their home location and these; the
    home location is always one of a user's stores, so it is not repeated here.
    """

    __tablename__ = "user_stores"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)


class Setting(Base):
    """A chain-wide setting an admin changes (``cksloop settings set``, the admin page), as text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ApiToken(Base):
    """A bearer token for the API, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class Garment(Base):
    """One physical piece. Its state, location and price always equal the replay of its events."""

    __tablename__ = "garments"
    __table_args__ = (
        # the garment list's filters, answered from the index alone (migration 0007)
        Index("ix_garments_state_location_style", "state", "location_id", "style_id"),
        Index("ix_garments_style_size", "style_id", "size"),
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


class RentalPartner(Base):
    """A rental platform CKS rents garments through (Dressr)."""

    __tablename__ = "rental_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    default_rental_days: Mapped[int] = mapped_column(Integer, default=10)
    terms: Mapped[str] = mapped_column(Text, default="")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))


class RentalCycle(Base):
    """One rental: from check-out to the partner until the garment is back (or lost)."""

    __tablename__ = "rental_cycles"
    __table_args__ = (
        Index("ix_rental_cycles_open", "garment_id", "returned_at"),
        # the overdue list and the home page's count ask only about open cycles, by due date
        Index("ix_rental_cycles_open_due", "due_on", sqlite_where=text("returned_at IS NULL"),
              postgresql_where=text("returned_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("rental_partners.id"), index=True)
    started_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    partner_reference: Mapped[str | None] = mapped_column(String(64))
    checked_out_at: Mapped[dt.datetime]
    returned_at: Mapped[dt.datetime | None]
    return_reason: Mapped[ReturnReason | None] = mapped_column(_enum(ReturnReason))
    # when the same garment was last checked out before this cycle (with any partner, and with
    # this cycle's partner): a cycle is its garment's first in a period exactly when these fall
    # before the period, so "garments rented in a period" is a count, not a distinct count
    previous_check_out_at: Mapped[dt.datetime | None]
    previous_check_out_with_partner_at: Mapped[dt.datetime | None]

    partner: Mapped[RentalPartner] = relationship(lazy="joined")


class Inspection(Base):
    """The graded check of a returned garment."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"), index=True)
    rental_cycle_id: Mapped[int | None] = mapped_column(ForeignKey("rental_cycles.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("garment_events.id"))
    grade: Mapped[Grade] = mapped_column(_enum(Grade, 1))
    reason: Mapped[ReturnReason | None] = mapped_column(_enum(ReturnReason))
    note: Mapped[str] = mapped_column(Text, default="")
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspected_at: Mapped[dt.datetime] = mapped_column(index=True)

    defects: Mapped[list[InspectionDefect]] = relationship(cascade="all", order_by="InspectionDefect.id")


class InspectionDefect(Base):
    """One defect found in an inspection (DOMAIN.md §3 taxonomy)."""

    __tablename__ = "inspection_defects"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    code: Mapped[DefectCode] = mapped_column(_enum(DefectCode, 8))
    zone: Mapped[str] = mapped_column(String(20))
    severity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    photo_path: Mapped[str | None] = mapped_column(String(200))


@event.listens_for(Session, "before_flush")
def _ledger_is_append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, GarmentEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("the garment ledger is append-only")


class LoginFailure(Base):
    """One failed sign-in (form or API token), kept a short while to throttle guessing.

    In the database rather than in memory so every gunicorn worker sees the same count. The
    account is kept only as a hash of the typed email: people sometimes type a password there.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account", "account_key", "failed_at"),
        Index("ix_login_failures_address", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(index=True)


# the audit view filters the ledger by place and by action, newest first, on a large ledger
Index("ix_garment_events_location_occurred", GarmentEvent.location_id, GarmentEvent.occurred_at)
Index("ix_garment_events_action_occurred", GarmentEvent.action, GarmentEvent.occurred_at)
Index("ix_garment_events_actor_occurred", GarmentEvent.actor_id, GarmentEvent.occurred_at)


# --- rental: pool stays, care steps, defect photos, attention acknowledgements ----------------

from cksloop.domain.lifecycle import CareKind, CareOutcome  # noqa: E402  (appended section)
from sqlalchemy import text as _sql  # noqa: E402


class RentalPoolStay(Base):
    """A garment's time in the rental programme: from entering the pool until it leaves rental
    (taken out, graded D or E, lost). Rented out, awaiting inspection and in care count as in it."""

    __tablename__ = "rental_pool_stays"
    __table_args__ = (
        Index("ix_rental_pool_stays_one_open", "garment_id", unique=True,
              sqlite_where=_sql("ended_at IS NULL"), postgresql_where=_sql("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("rental_partners.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]

    partner: Mapped[RentalPartner | None] = relationship(lazy="joined")


class CareStep(Base):
    """Cleaning or repair of one garment: start, end, outcome and optional cost."""

    __tablename__ = "care_steps"
    __table_args__ = (
        Index("ix_care_steps_one_open", "garment_id", unique=True,
              sqlite_where=_sql("ended_at IS NULL"), postgresql_where=_sql("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    kind: Mapped[CareKind] = mapped_column(_enum(CareKind, 16))
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]
    outcome: Mapped[CareOutcome | None] = mapped_column(_enum(CareOutcome, 16))
    cost_cents: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    started_event_id: Mapped[int] = mapped_column(ForeignKey("garment_events.id"))
    ended_event_id: Mapped[int | None] = mapped_column(ForeignKey("garment_events.id"))


class DefectPhoto(Base):
    """A checked, re-encoded photo of a defect, stored under UPLOAD_DIR (never under static/)."""

    __tablename__ = "defect_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    defect_id: Mapped[int] = mapped_column(ForeignKey("inspection_defects.id"), unique=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random; no user input
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime]


class AttentionAcknowledgement(Base):
    """A merchandiser's note on an attention point (a style or material), for the next collection."""

    __tablename__ = "attention_acknowledgements"
    __table_args__ = (Index("ix_attention_ack_subject", "subject_kind", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))  # "style" or "material"
    subject_key: Mapped[str] = mapped_column(String(120))  # style number or material label
    note: Mapped[str] = mapped_column(Text)
    quality_returns: Mapped[int] = mapped_column(Integer)  # the evidence as it stood then
    defects: Mapped[int] = mapped_column(Integer)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime]

    user: Mapped[User | None] = relationship(lazy="joined")


# the analytics read rental cycles and inspections by period; this one counts the garments
# rented in a period (each garment's first cycle in it) without touching the table rows
Index("ix_rental_cycles_started_first", RentalCycle.checked_out_at, RentalCycle.partner_id,
      RentalCycle.previous_check_out_at, RentalCycle.previous_check_out_with_partner_at)
Index("ix_rental_cycles_returned_at", RentalCycle.returned_at)
Index("ix_rental_cycles_one_open", RentalCycle.garment_id, unique=True,
      sqlite_where=_sql("returned_at IS NULL"), postgresql_where=_sql("returned_at IS NULL"))
Index("ix_inspections_rental_cycle_id", Inspection.rental_cycle_id)
Index("ix_inspections_event_id", Inspection.event_id)


# --- rental analytics: additive rollups kept by rentals.on_change ------------------------------


class RentalRollup(Base):
    """Additive rental figures per style and partner, per day (grain "d") and per month ("m").

    The quality analytics read a period's whole months from the month rows and its loose days from
    the day rows: thousands of rows instead of millions. Start and end times of rentals and pool
    stays are summed as whole seconds since 1970 (UTC), which is enough to derive exactly how many
    days of them fall inside any period (see services.rental_reports). ``partner_id`` 0 means none.
    """

    __tablename__ = "rental_rollups"
    # SQLite keeps the rows in key order (no rowid): a period's rows are read in one sweep
    __table_args__ = {"sqlite_with_rowid": False}

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    bucket_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the Brussels day, or the 1st
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cycles_started: Mapped[int] = mapped_column(Integer, default=0)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    quality_returns: Mapped[int] = mapped_column(Integer, default=0)
    rent_start_n: Mapped[int] = mapped_column(Integer, default=0)
    rent_start_s: Mapped[int] = mapped_column(BigInteger, default=0)
    rent_end_n: Mapped[int] = mapped_column(Integer, default=0)
    rent_end_s: Mapped[int] = mapped_column(BigInteger, default=0)
    pool_start_n: Mapped[int] = mapped_column(Integer, default=0)
    pool_start_s: Mapped[int] = mapped_column(BigInteger, default=0)
    pool_end_n: Mapped[int] = mapped_column(Integer, default=0)
    pool_end_s: Mapped[int] = mapped_column(BigInteger, default=0)
    repairs: Mapped[int] = mapped_column(Integer, default=0)
    cleanings: Mapped[int] = mapped_column(Integer, default=0)


class RentalDefectRollup(Base):
    """Defects found per style, partner, bucket and code; and in how many quality returns."""

    __tablename__ = "rental_defect_rollups"
    __table_args__ = {"sqlite_with_rowid": False}

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    bucket_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[DefectCode] = mapped_column(_enum(DefectCode, 8), primary_key=True)
    defects: Mapped[int] = mapped_column(Integer, default=0)  # found in inspections of the bucket
    quality_returns: Mapped[int] = mapped_column(Integer, default=0)  # quality returns ended in it


class RentalOpenCount(Base):
    """Rentals and pool stays open now, per style and partner: with the rollups they give how
    many were open at any earlier moment."""

    __tablename__ = "rental_open_counts"

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rented: Mapped[int] = mapped_column(Integer, default=0)
    pooled: Mapped[int] = mapped_column(Integer, default=0)
