"""Overstock review sessions and their decisions (issue 13), and the till's sales lines imported from the POS."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cksloop.db.models.base import Base, utcnow


class OverstockReview(Base):
    """One review meeting of a collection: the lines as they were shown, and the rule and policy
    versions that flagged and priced them (so a later rules change never rewrites the meeting)."""

    __tablename__ = "overstock_reviews"
    __table_args__ = (Index("ix_overstock_reviews_season_as_of", "season", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season: Mapped[str] = mapped_column(String(8))
    as_of: Mapped[dt.date] = mapped_column(Date)
    rules_version: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[int] = mapped_column(Integer)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OverstockReviewDecision(Base):
    """A decision for one line of a review: who, why, its parameters, the garments it concerns
    (code → state when decided), and once executed, when, by whom and what it wrote."""

    __tablename__ = "overstock_review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("overstock_reviews.id"), index=True)
    style: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(16))  # overstock_proposals.Decision
    reason: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    garments: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: set once, by a compare-and-set from NULL: a double-tapped execute executes once
    executed_at: Mapped[dt.datetime | None] = mapped_column()
    executed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PosSale(Base):
    """One line of a till receipt imported from the POS, once per (receipt, line).

    A labelled garment's sale is its ``sell`` event (``garment_id`` names it); unlabelled stock
    (style, size, quantity) has no garment, so this row is its record and the sales rollup counts it.
    """

    __tablename__ = "pos_sales"
    __table_args__ = (UniqueConstraint("receipt_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(60))
    line: Mapped[int] = mapped_column(Integer)
    sold_on: Mapped[dt.date] = mapped_column(Date)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), index=True)
    size: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[int] = mapped_column(Integer)
    price_paid_cents: Mapped[int] = mapped_column(Integer)
    garment_id: Mapped[int | None] = mapped_column(ForeignKey("garments.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
