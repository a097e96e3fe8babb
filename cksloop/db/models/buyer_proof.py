"""Proof after shipping a buyer lot, the lot's append-only history, and contract documents (issue 14)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cksloop.db.models.base import Base


class ContractDocument(Base):
    """The signed PDF of one contract version, stored outside static/ under its content hash."""

    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("buyer_contracts.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BuyerLotProof(Base):
    """One uploaded proof document of a shipped lot; a merchandiser accepts it."""

    __tablename__ = "buyer_lot_proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("buyer_lots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # a ProofKind value the lot's contract owes
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[dt.datetime | None]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BuyerLotEvent(Base):
    """One line of a lot's append-only history after shipping (proof uploaded, accepted, proven)."""

    __tablename__ = "buyer_lot_events"
    __table_args__ = (UniqueConstraint("lot_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("buyer_lots.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[dt.datetime]
