"""Workshops with offcuts, their append-only log entries, and remanufacturing projects (issue 15)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cksloop.db.models.base import Base, utcnow
from cksloop.db.models.catalogue import Location


class WorkshopProductType(Base):
    """A product type an admin added (the built-in ones live in domain/workshops.py)."""

    __tablename__ = "workshop_product_types"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    typical_use_g: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Workshop(Base):
    """A planned workshop in a store. ``version`` counts its entries: logging compares and sets it,
    so two people logging the same workshop at once cannot both write a log."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)  # UTC
    theme: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    store: Mapped[Location] = relationship(lazy="joined", innerjoin=True)


class WorkshopEntry(Base):
    """One append-only record of a workshop: its log (seq 1) or a compensating correction."""

    __tablename__ = "workshop_entries"
    __table_args__ = (UniqueConstraint("workshop_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # log | correction
    participants: Mapped[int] = mapped_column(Integer)  # a count (signed in corrections), never names
    #: [{"type", "quantity"}] and [{"code", "consumed_g", "returned_g"}]
    products: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(index=True)


class RemanufacturingProject(Base):
    """Offcut lots sent to a remanufacturing partner; ``lots_g`` the grams each lot gave it."""

    __tablename__ = "remanufacturing_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    partner_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(20))
    lots_g: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    partner_location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)


class RemanufacturedStyle(Base):
    """A style that is a remanufactured line: its garments come back from a partner's project."""

    __tablename__ = "remanufactured_styles"

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)


class RemanufacturedGarment(Base):
    """What a returned garment was made from (lots, materials, partner): public, no private data."""

    __tablename__ = "remanufactured_garments"

    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("remanufacturing_projects.id"), index=True)
    made_from: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    made_at: Mapped[dt.datetime] = mapped_column(index=True)
