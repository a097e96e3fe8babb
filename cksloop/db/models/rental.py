"""Rental with partners: cycles, inspections and defects, pool stays, care steps, photos, rollups."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cksloop.db.models.accounts import User
from cksloop.db.models.base import Base, _enum
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.lifecycle import CareKind, CareOutcome


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
    #: when the garment was next ready in the rental pool after this return (the turnaround's end),
    #: written by the projection with that event; None until then
    ready_at: Mapped[dt.datetime | None]
    #: when the return was first graded (the projection writes it with the inspection); None if never
    inspected_at: Mapped[dt.datetime | None]
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


class RentalPoolStay(Base):
    """A garment's time in the rental programme: from entering the pool until it leaves rental
    (taken out, graded D or E, lost). Rented out, awaiting inspection and in care count as in it."""

    __tablename__ = "rental_pool_stays"
    __table_args__ = (
        Index("ix_rental_pool_stays_one_open", "garment_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("rental_partners.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]
    #: when the garment's stay before this one ended (None for its first): a stay is the garment's
    #: first in a period exactly when it overlaps the period and this falls before it
    previous_ended_at: Mapped[dt.datetime | None]

    partner: Mapped[RentalPartner | None] = relationship(lazy="joined")


class CareStep(Base):
    """Cleaning or repair of one garment: start, end, outcome and optional cost."""

    __tablename__ = "care_steps"
    __table_args__ = (
        Index("ix_care_steps_one_open", "garment_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
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
# returns by period, their turnaround and whether they were inspected, read from the index alone
Index("ix_rental_cycles_returned", RentalCycle.returned_at, RentalCycle.ready_at, RentalCycle.inspected_at)
# the garments in the pool in a period (each garment's first stay overlapping it), from the index alone
Index("ix_rental_pool_stays_overlap", RentalPoolStay.started_at, RentalPoolStay.ended_at,
      RentalPoolStay.previous_ended_at)
Index("ix_rental_cycles_one_open", RentalCycle.garment_id, unique=True,
      sqlite_where=text("returned_at IS NULL"), postgresql_where=text("returned_at IS NULL"))
Index("ix_inspections_rental_cycle_id", Inspection.rental_cycle_id)
Index("ix_inspections_event_id", Inspection.event_id)


# --- rental analytics: additive rollups kept by rentals.on_change ------------------------------


class RentalRollup(Base):
    """Additive rental figures per style and partner, per day (grain "d") and per month ("m").

    The quality analytics read a period's whole months from the month rows and its loose days from
    the day rows: thousands of rows instead of millions. Start and end times of rentals and pool
    stays are summed as whole seconds since 1970 (UTC), which is enough to derive exactly how many
    days of them fall inside any period (see services.rental_figures). ``partner_id`` 0 means none.
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


class RentalTurnaround(Base):
    """Returns that are ready in the pool again, per style, partner and month of their return
    (Brussels), with the seconds from return to ready added up: a year's average turnaround is two
    sums over twelve months of rows, where it averaged every return of the year row by row.

    The rental projection adds to the row of the return's month when the garment is ready again
    (``rental_tables._mark_ready``); ``rental_rollups.rebuild_turnarounds`` recomputes them."""

    __tablename__ = "rental_turnarounds"
    __table_args__ = {"sqlite_with_rowid": False}

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the 1st of the return's month
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ready_n: Mapped[int] = mapped_column(Integer, default=0)
    ready_s: Mapped[int] = mapped_column(BigInteger, default=0)


class RentalOpenCount(Base):
    """Rentals and pool stays open now, per style and partner: with the rollups they give how
    many were open at any earlier moment."""

    __tablename__ = "rental_open_counts"

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rented: Mapped[int] = mapped_column(Integer, default=0)
    pooled: Mapped[int] = mapped_column(Integer, default=0)
