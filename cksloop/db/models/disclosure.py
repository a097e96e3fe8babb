"""Evidence for discarding unsold garments (Delegated Regulation 2026/296: kept 5 years)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cksloop.db.models.base import Base


class DiscardEvidence(Base):
    """A document or photo backing a discard's ground; a ``retire`` event names it by id."""

    __tablename__ = "discard_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    keep_until: Mapped[dt.date] = mapped_column(Date)
