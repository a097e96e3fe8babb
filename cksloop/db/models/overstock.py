"""Overstock tables: style plans, the daily and monthly per-style sales rollups, versioned collection rules and markdown policies."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cksloop.db.models.base import Base, utcnow


class StylePlan(Base):
    """The planned quantity of a style for its season, and the share of it planned short-term."""

    __tablename__ = "style_plans"

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"), primary_key=True)
    planned_units: Mapped[int] = mapped_column(Integer)
    short_term_pct: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OverstockDailySales(Base):
    """Units of one style×size sold and taken back on one Brussels day at one location and channel.

    A projection of the garment ledger (services.overstock_rollups), written in the transaction of
    the sell, customer-return and ship-to-buyer events; rebuildable from the events at any time.
    """

    __tablename__ = "overstock_daily_sales"
    # style first: a review reads all rows of a season's styles in key order
    __table_args__ = {"sqlite_with_rowid": False}

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    size: Mapped[str] = mapped_column(String(12), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)  # overstock_figures.Channel
    sold: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    #: of ``sold``: the units that are garments with a sale or shipment event (the rest are unlabelled
    #: till lines), and the sum of those events' prices: the charter counts and values them from here
    garments_sold: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    garments_sold_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class OverstockMonthlySales(Base):
    """The daily rollup's counts added up per style, calendar month (Brussels days) and channel.

    Written with the daily rows, in the same transaction (services.overstock_rollups): a review
    adds up a collection's sales before its cover window, and the charter report a year's, from
    twelve rows per style and channel instead of one per day, size and place.
    """

    __tablename__ = "overstock_monthly_sales"
    __table_args__ = {"sqlite_with_rowid": False}

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # its first day
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    sold: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    garments_sold: Mapped[int] = mapped_column(Integer, default=0)
    garments_sold_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class StyleSizeReceipts(Base):
    """How many garments of a style×size were received, and the first and last day (Brussels) of it.

    Written with each garment's receipt event (services.overstock_rollups): a collection's garments
    received up to a day are these rows whenever the day is on or after their last receipt, which a
    review of today and a report of a finished year always are; otherwise the garments are counted.
    """

    __tablename__ = "style_size_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    size: Mapped[str] = mapped_column(String(12), primary_key=True)
    units: Mapped[int] = mapped_column(Integer)
    first_on: Mapped[dt.date] = mapped_column(Date)
    last_on: Mapped[dt.date] = mapped_column(Date)


class StyleMonthlyReceipts(Base):
    """How many garments of a style were received in a month (by Brussels day; ``month`` is its 1st).

    Written with each garment's receipt event beside ``StyleSizeReceipts``: a collection's garments
    received up to a month boundary (the charter's year end) are a sum of a few rows per style, whatever
    the day of each style's last receipt.
    """

    __tablename__ = "style_monthly_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    units: Mapped[int] = mapped_column(Integer)


class CollectionRulesVersion(Base):
    """One version of a collection's overstock rules (overstock_rules.CollectionRules as JSON)."""

    __tablename__ = "overstock_rules"
    __table_args__ = (UniqueConstraint("season", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MarkdownPolicyVersion(Base):
    """One version of a collection's markdown policy (markdown.MarkdownPolicy as JSON)."""

    __tablename__ = "markdown_policies"
    __table_args__ = (UniqueConstraint("season", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    policy: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
