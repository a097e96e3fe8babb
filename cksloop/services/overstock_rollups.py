"""The daily per-style sales rollup and its monthly sums: a projection of the ledger, and its rebuild from the events.

Every ``sell``, ``customer_return`` and ``ship_to_buyer`` event adds one unit to the row of its
Brussels day, style, size, location and channel (``overstock_daily_sales``), in the transaction
that writes the event (a sale or shipment also to ``garments_sold``, with its price to
``garments_sold_cents``: the charter report counts and values the year's sales from these). The
same counts are added to the style's row of the month and channel (``overstock_monthly_sales``),
so a review's sales before its cover window and a year's sales are a few rows per style. The
figures can never drift from the ledger, and no nightly job exists.
A customer return is booked on its own day against the location and channel of the garment's
last sale, so sales net of returns stay per channel. ``rebuild`` recomputes every row from the
events (the migration calls it; a test compares it with the projection). Unlabelled stock sold at a
till (``pos_sales`` lines without a garment) is counted by the import in the same way, and by the
rebuild from those lines.

``ReceiptsRollup`` keeps, in the transaction of each ``receive`` event (a garment's first), the
garments received per style and size with the first and last receipt day (``style_size_receipts``,
the same Brussels day as ``garments.received_on``), and per style and month
(``style_monthly_receipts``); ``rebuild_receipts`` recounts both from the garments.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cksloop.db.models import (Garment, GarmentEvent, Location, OverstockDailySales, OverstockMonthlySales,
                               PosSale, StyleMonthlyReceipts, StyleSizeReceipts)
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Action, LocationKind
from cksloop.domain.overstock_figures import Channel

_PENDING = "cksloop.overstock_rollups"
_KINDS = "cksloop.overstock_rollups.kinds"
_KEY = ("style_id", "day", "size", "location_id", "channel")
_COUNTS = ("sold", "returned", "garments_sold", "garments_sold_cents")
_ACTIONS = (Action.SELL, Action.CUSTOMER_RETURN, Action.SHIP_TO_BUYER)
_MONTH_KEY = ("style_id", "month", "channel")
Key = tuple[int, dt.date, str, int, str]


def channel_of(action: Action, kind: LocationKind | None) -> Channel:
    """The channel of a sale: a buyer for a shipment, else the outlet or a store by the location's kind."""
    if action is Action.SHIP_TO_BUYER:
        return Channel.BUYER
    return Channel.OUTLET if kind is LocationKind.OUTLET else Channel.STORE


def _kinds(session: Session) -> dict[int, LocationKind]:
    # read once per unit of work: a batch of 200 sales does not ask 200 times
    kinds = session.info.get(_KINDS)
    if kinds is None:
        kinds = session.info[_KINDS] = dict(session.execute(select(Location.id, Location.kind)).all())
    return kinds


def _last_sale_location(bind: Session | Connection, garment_id: int) -> int | None:
    return bind.execute(select(GarmentEvent.location_id).where(
        GarmentEvent.garment_id == garment_id, GarmentEvent.action == Action.SELL)
        .order_by(GarmentEvent.seq.desc()).limit(1)).scalar()


class SalesRollup:
    """The rollup as a projection of the garment ledger (registered in ``streams.GARMENTS``)."""

    def apply(self, session: Session, recorded: Any) -> None:
        change = recorded.decision.change
        if change.action not in _ACTIONS:
            return
        garment = recorded.decision.subject  # GarmentRef: id, code, style_id, size
        location_id = recorded.decision.event.get("location_id")
        if change.action is Action.CUSTOMER_RETURN:
            location_id = _last_sale_location(session, garment.id)
        if location_id is None:
            return  # a sale always happens somewhere; nothing to count without a place
        channel = channel_of(change.action, _kinds(session).get(location_id))
        key = (garment.style_id, local_date(recorded.now), garment.size, location_id, channel.value)
        row = session.info.setdefault(_PENDING, {}).setdefault(key, dict.fromkeys(_COUNTS, 0))
        _count(row, change.action, change.details.get("price_cents"))

    def before_commit(self, session: Session) -> None:
        session.info.pop(_KINDS, None)
        pending = session.info.pop(_PENDING, None)
        if pending:
            dialect = session.get_bind().dialect.name
            rows = [{**dict(zip(_KEY, key)), **counts} for key, counts in sorted(pending.items())]
            session.execute(_upsert(dialect), rows)
            session.execute(_upsert(dialect, monthly=True), _month_rows(pending))

    def discard(self, session: Session) -> None:
        session.info.pop(_KINDS, None)
        session.info.pop(_PENDING, None)


_RECEIVED = "cksloop.overstock_rollups.received"
_RECEIVED_MONTHLY = "cksloop.overstock_rollups.received_monthly"


class ReceiptsRollup:
    """Garments received per style and size, as a projection of the ledger's ``receive`` events."""

    def apply(self, session: Session, recorded: Any) -> None:
        if recorded.decision.change.action is not Action.RECEIVE:
            return
        garment = recorded.decision.subject
        day = local_date(recorded.now)
        row = session.info.setdefault(_RECEIVED, {}).setdefault((garment.style_id, garment.size), [0, day, day])
        row[0] += 1
        row[1], row[2] = min(row[1], day), max(row[2], day)
        monthly = session.info.setdefault(_RECEIVED_MONTHLY, {})
        month = (garment.style_id, month_of(day))
        monthly[month] = monthly.get(month, 0) + 1

    def before_commit(self, session: Session) -> None:
        pending = session.info.pop(_RECEIVED, None)
        monthly = session.info.pop(_RECEIVED_MONTHLY, None)
        if pending:
            dialect = session.get_bind().dialect.name
            session.execute(_upsert_receipts(dialect),
                            [{"style_id": style_id, "size": size, "units": n, "first_on": first, "last_on": last}
                             for (style_id, size), (n, first, last) in sorted(pending.items())])
            session.execute(_upsert_monthly_receipts(dialect),
                            [{"style_id": style_id, "month": month, "units": n}
                             for (style_id, month), n in sorted((monthly or {}).items())])

    def discard(self, session: Session) -> None:
        session.info.pop(_RECEIVED, None)
        session.info.pop(_RECEIVED_MONTHLY, None)


@lru_cache(maxsize=4)
def _upsert_monthly_receipts(dialect: str) -> Any:
    table = StyleMonthlyReceipts.__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(index_elements=["style_id", "month"],
                                      set_={"units": table.c.units + stmt.excluded.units})


@lru_cache(maxsize=4)
def _upsert_receipts(dialect: str) -> Any:
    table = StyleSizeReceipts.__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(index_elements=["style_id", "size"], set_={
        "units": table.c.units + stmt.excluded.units,
        "first_on": case((stmt.excluded.first_on < table.c.first_on, stmt.excluded.first_on), else_=table.c.first_on),
        "last_on": case((stmt.excluded.last_on > table.c.last_on, stmt.excluded.last_on), else_=table.c.last_on)})


def receipts_from_garments(bind: Session | Connection) -> dict[tuple[int, str], tuple[int, dt.date, dt.date]]:
    """Every ``style_size_receipts`` row recounted from the garments' receipt days."""
    return {(style_id, size): (int(n), as_date(first), as_date(last)) for style_id, size, n, first, last in bind.execute(
        select(Garment.style_id, Garment.size, func.count(), func.min(Garment.received_on),
               func.max(Garment.received_on))
        .where(Garment.received_on.is_not(None)).group_by(Garment.style_id, Garment.size))}


def monthly_receipts_from_garments(bind: Session | Connection) -> dict[tuple[int, dt.date], int]:
    """Every ``style_monthly_receipts`` row recounted from the garments' receipt days."""
    counted: dict[tuple[int, dt.date], int] = defaultdict(int)
    for style_id, day, n in bind.execute(select(Garment.style_id, Garment.received_on, func.count())
                                         .where(Garment.received_on.is_not(None))
                                         .group_by(Garment.style_id, Garment.received_on)):
        counted[(style_id, month_of(as_date(day)))] += int(n)
    return dict(counted)


def rebuild_receipts(bind: Session | Connection) -> int:
    """Replace every ``style_size_receipts`` and ``style_monthly_receipts`` row with a recount from the
    garments; does not commit. Returns the style and size rows written."""
    rows = [{"style_id": style_id, "size": size, "units": n, "first_on": first, "last_on": last}
            for (style_id, size), (n, first, last) in sorted(receipts_from_garments(bind).items())]
    bind.execute(delete(StyleSizeReceipts.__table__))
    for i in range(0, len(rows), 5000):
        bind.execute(insert(StyleSizeReceipts.__table__), rows[i:i + 5000])
    months = [{"style_id": style_id, "month": month, "units": n}
              for (style_id, month), n in sorted(monthly_receipts_from_garments(bind).items())]
    bind.execute(delete(StyleMonthlyReceipts.__table__))
    for i in range(0, len(months), 5000):
        bind.execute(insert(StyleMonthlyReceipts.__table__), months[i:i + 5000])
    return len(rows)


def as_date(value: dt.date | str) -> dt.date:
    """A date aggregate: SQLite answers it as text, PostgreSQL as a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def count_unlabelled(session: Session, *, style_id: int, day: dt.date, size: str, location_id: int,
                     kind: LocationKind | None, units: int) -> None:
    """Add units of unlabelled stock sold at a till (a ``pos_sales`` line without a garment) to the
    rollup gathered in this unit of work; ``SalesRollup.before_commit`` writes them with the events'."""
    key = (style_id, day, size, location_id, channel_of(Action.SELL, kind).value)
    row = session.info.setdefault(_PENDING, {}).setdefault(key, dict.fromkeys(_COUNTS, 0))
    row["sold"] += units


def _count(row: dict[str, int], action: Action, price_cents: Any) -> None:
    if action is Action.CUSTOMER_RETURN:
        row["returned"] += 1
        return
    row["sold"] += 1
    row["garments_sold"] += 1
    row["garments_sold_cents"] += int(price_cents or 0)


def _price() -> Any:
    """The sale price an event's details carry (the charter's value sold reads the same)."""
    return GarmentEvent.details["price_cents"].as_integer()


@lru_cache(maxsize=8)
def _upsert(dialect: str, monthly: bool = False) -> Any:
    """Add a row's counts to the daily (or monthly) row of its key."""
    table = (OverstockMonthlySales if monthly else OverstockDailySales).__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(index_elements=list(_MONTH_KEY if monthly else _KEY),
                                      set_={m: table.c[m] + stmt.excluded[m] for m in _COUNTS})


def month_of(day: dt.date) -> dt.date:
    """The key of a day's monthly row: the first day of its month."""
    return day.replace(day=1)


def _month_rows(daily: dict[Key, dict[str, int]]) -> list[dict[str, Any]]:
    """Daily rows' counts added up per style, month and channel, in key order."""
    months: dict[tuple[int, dt.date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    for (style_id, day, _size, _location_id, channel), counts in daily.items():
        row = months[(style_id, month_of(day), channel)]
        for name in _COUNTS:
            row[name] += counts.get(name, 0)
    return [{**dict(zip(_MONTH_KEY, key)), **counts} for key, counts in sorted(months.items())]


def sums_from_events(bind: Session | Connection) -> dict[Key, dict[str, int]]:
    """Every rollup row recomputed from the ledger's sale, return and shipment events."""
    kinds = dict(bind.execute(select(Location.id, Location.kind)).all())
    query = (select(GarmentEvent.garment_id, GarmentEvent.action, GarmentEvent.location_id,
                    GarmentEvent.occurred_at, Garment.style_id, Garment.size, _price())
             .join(Garment, Garment.id == GarmentEvent.garment_id)
             .where(GarmentEvent.action.in_(_ACTIONS))
             .order_by(GarmentEvent.garment_id, GarmentEvent.seq).execution_options(yield_per=5000))
    sums: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    last_sale: dict[int, int | None] = {}
    for garment_id, action, location_id, at, style_id, size, price in bind.execute(query):
        action = Action(action)
        if action is Action.SELL:
            last_sale[garment_id] = location_id
        elif action is Action.CUSTOMER_RETURN:
            location_id = last_sale.get(garment_id)
        if location_id is None:
            continue
        channel = channel_of(action, kinds.get(location_id))
        _count(sums[(style_id, local_date(at), size, location_id, channel.value)], action, price)
    # unlabelled stock sold at a till has no garment and no event: its receipt line is its record
    # (an older schema, as migration 0013 rebuilds it, has no such table yet)
    connection = bind.connection() if isinstance(bind, Session) else bind
    if not inspect(connection).has_table(PosSale.__tablename__):
        return dict(sums)
    for style_id, day, size, location_id, units in bind.execute(
            select(PosSale.style_id, PosSale.sold_on, PosSale.size, PosSale.location_id, PosSale.quantity)
            .where(PosSale.garment_id.is_(None))):
        channel = channel_of(Action.SELL, kinds.get(location_id))
        sums[(style_id, day, size, location_id, channel.value)]["sold"] += units
    return dict(sums)


def rebuild(bind: Session | Connection) -> int:
    """Replace every rollup row (daily and, where the schema has them, monthly) with a recount from
    the events; does not commit. Returns the daily rows written."""
    table = OverstockDailySales.__table__
    connection = bind.connection() if isinstance(bind, Session) else bind
    # an older schema (migrations before 0019 rebuild it too) has fewer count columns, and before
    # 0021 no monthly rows
    present = {c["name"] for c in inspect(connection).get_columns(table.name)}
    monthly = inspect(connection).has_table(OverstockMonthlySales.__tablename__)
    sums = sums_from_events(bind)
    bind.execute(delete(table))
    rows = [{**dict(zip(_KEY, key)), **{k: v for k, v in counts.items() if k in present}}
            for key, counts in sorted(sums.items())]
    for i in range(0, len(rows), 5000):
        bind.execute(insert(table), rows[i:i + 5000])
    if monthly:
        bind.execute(delete(OverstockMonthlySales.__table__))
        months = _month_rows(sums)
        for i in range(0, len(months), 5000):
            bind.execute(insert(OverstockMonthlySales.__table__), months[i:i + 5000])
    return len(rows)
