"""The charter report's own table: the material targets a merchandiser sets per season."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cksloop.db.models.base import Base, utcnow


class MaterialTarget(Base):
    """The share of a flagged material a collection aims for (report section 2's roadmap), in percent."""

    __tablename__ = "charter_material_targets"
    __table_args__ = (UniqueConstraint("season", "material"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season: Mapped[str] = mapped_column(String(8))  # SS25, AW25
    material: Mapped[str] = mapped_column(String(32))  # domain.charter.FlaggedMaterial
    target_pct: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
