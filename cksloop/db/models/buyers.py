"""Bulk buyers under contract: buyers, versioned contracts, buyer lots and the garments they hold."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cksloop.db.models.base import Base, _enum, utcnow
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.destinations import EndUse


class Buyer(Base):
    """A bulk buyer (opkoper): company, VAT number as VIES writes it, ISO country, contact."""

    __tablename__ = "buyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    vat_number: Mapped[str] = mapped_column(String(24))
    country: Mapped[str] = mapped_column(String(2))
    contact_email: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BuyerContract(Base):
    """One version of a buyer's contract; an amendment is a new row, so past checks keep theirs."""

    __tablename__ = "buyer_contracts"
    __table_args__ = (UniqueConstraint("buyer_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"))
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # the last day it applies; None: open-ended
    #: the Restrictions as plain JSON (lists of codes and values; see services.buyers.restrictions_of)
    restrictions: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BuyerLot(Base):
    """A lot for one buyer; ``verdict`` is the contract check it passed, kept with the version used."""

    __tablename__ = "buyer_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    status: Mapped[LotStatus] = mapped_column(_enum(LotStatus, 16), index=True)
    destination_country: Mapped[str] = mapped_column(String(2))
    end_use: Mapped[EndUse] = mapped_column(_enum(EndUse, 32))
    planned_ship_on: Mapped[dt.date] = mapped_column(Date)
    contract_id: Mapped[int] = mapped_column(ForeignKey("buyer_contracts.id"))
    contract_version: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[dict[str, Any]] = mapped_column(JSON)
    shipped_on: Mapped[dt.date | None] = mapped_column(Date)
    carrier: Mapped[str | None] = mapped_column(String(120))
    transport_document: Mapped[str | None] = mapped_column(String(120))
    gross_weight_g: Mapped[int | None] = mapped_column(Integer)
    proof_accepted: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: every change compares and sets this (two merchandisers on one lot: one wins)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BuyerLotGarment(Base):
    """A garment in a lot; ``is_open`` while the lot is draft or confirmed (shipped lots keep the row)."""

    __tablename__ = "buyer_lot_garments"
    __table_args__ = (
        UniqueConstraint("lot_id", "garment_id"),
        # a garment is in at most one open lot, whatever the application checks first
        Index("ux_buyer_lot_garments_open", "garment_id", unique=True,
              sqlite_where=text("is_open"), postgresql_where=text("is_open")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("buyer_lots.id"), index=True)
    garment_id: Mapped[int] = mapped_column(ForeignKey("garments.id"))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
