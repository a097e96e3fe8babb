"""Rental rollups: the additive analytics tables, kept in step with rental events and rebuildable.

Every rental event adds to one day row and one month row of ``rental_rollups`` (and of
``rental_defect_rollups`` for defects), and moves the open counts in ``rental_open_counts``. The
additions are gathered in the session and written just before the ledger commits (``Rollups``,
a projection registered in ``streams``), as a few multi-row
upserts whatever the number of garments (a batch of 200 returns is one statement per table), so
they land in the same transaction as the events; a rollback forgets them. ``rebuild`` recomputes
everything from the rental tables (after a bulk load, or to check them).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cksloop.db.models import (CareStep, Garment, Inspection, InspectionDefect, RentalCycle, RentalDefectRollup,
                               RentalOpenCount, RentalPoolStay, RentalRollup, RentalTurnaround, Style)
from cksloop.domain.clock import local_date, utc
from cksloop.domain.inspection import ReturnReason
from cksloop.domain.lifecycle import CareKind

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
GRAINS = ("d", "m")
ROLLUP_METRICS = ("cycles_started", "returns", "quality_returns", "rent_start_n", "rent_start_s", "rent_end_n",
                  "rent_end_s", "pool_start_n", "pool_start_s", "pool_end_n", "pool_end_s", "repairs", "cleanings")
DEFECT_METRICS = ("defects", "quality_returns")
_ROLLUP_KEY = ("grain", "bucket_on", "style_id", "partner_id")
_DEFECT_KEY = (*_ROLLUP_KEY, "code")


def seconds(value: dt.datetime) -> int:
    """Whole seconds since 1970 (UTC): summed exactly, on both databases."""
    return int((utc(value) - EPOCH).total_seconds())


def day_of(value: dt.datetime) -> dt.date:
    """The Brussels day an instant falls on (the day bucket of an event)."""
    return local_date(value)


def month_of(value: dt.datetime) -> dt.date:
    """The first day of the Brussels month an instant falls in (a month bucket's key)."""
    return day_of(value).replace(day=1)


def buckets(value: dt.datetime) -> list[tuple[str, dt.date]]:
    day = day_of(value)
    return [("d", day), ("m", day.replace(day=1))]


_PENDING = "cksloop.rental_rollups"
_TABLES = {"rollup": (RentalRollup.__table__, ROLLUP_METRICS),
           "defect": (RentalDefectRollup.__table__, DEFECT_METRICS),
           "open": (RentalOpenCount.__table__, ("rented", "pooled")),
           "turnaround": (RentalTurnaround.__table__, ("ready_n", "ready_s"))}
_UPSERT_ROWS = 500


def _pending(session: Session) -> dict[str, dict[tuple[Any, ...], dict[str, int]]]:
    return session.info.setdefault(_PENDING, {name: {} for name in _TABLES})


def _add(session: Session, table: str, key: dict[str, Any], deltas: dict[str, int]) -> None:
    row = _pending(session)[table].setdefault(tuple(key.items()), {})
    for name, value in deltas.items():
        row[name] = row.get(name, 0) + value


def bump(session: Session, *, style_id: int, partner_id: int | None, at: dt.datetime, **deltas: int) -> None:
    """Add ``deltas`` to the day and month rows of the style and partner that ``at`` falls in."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    for grain, bucket in buckets(at):
        _add(session, "rollup", {"grain": grain, "bucket_on": bucket, "style_id": style_id,
                                 "partner_id": partner_id or 0}, deltas)


def bump_defect(session: Session, *, style_id: int, partner_id: int | None, at: dt.datetime, code: str,
                **deltas: int) -> None:
    """Add ``deltas`` (defects, quality_returns) for one defect code."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    for grain, bucket in buckets(at):
        _add(session, "defect", {"grain": grain, "bucket_on": bucket, "style_id": style_id,
                                 "partner_id": partner_id or 0, "code": code}, deltas)


def bump_open(session: Session, *, style_id: int, partner_id: int | None, rented: int = 0, pooled: int = 0) -> None:
    """Move the open counts of rentals and pool stays of a style and partner."""
    deltas = {k: v for k, v in {"rented": rented, "pooled": pooled}.items() if v}
    if deltas:
        _add(session, "open", {"style_id": style_id, "partner_id": partner_id or 0}, deltas)


def bump_turnaround(session: Session, *, style_id: int, partner_id: int | None, returned_at: dt.datetime,
                    ready_at: dt.datetime) -> None:
    """Count a return as ready again, in the month of the return, with the seconds it took."""
    _add(session, "turnaround", {"month": month_of(returned_at), "style_id": style_id,
                                 "partner_id": partner_id or 0},
         {"ready_n": 1, "ready_s": seconds(ready_at) - seconds(returned_at)})


def write_pending(session: Session) -> None:
    """Write the gathered additions as upserts (called before every commit)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    dialect = session.get_bind().dialect.name
    for name, rows in pending.items():
        if not rows:
            continue
        _, metrics = _TABLES[name]
        keys = tuple(dict(next(iter(rows))))
        values = [{**dict(key), **dict.fromkeys(metrics, 0), **deltas} for key, deltas in sorted(rows.items())]
        for i in range(0, len(values), _UPSERT_ROWS):
            session.execute(_upsert(dialect, name, keys), values[i:i + _UPSERT_ROWS])


@lru_cache(maxsize=16)
def _upsert(dialect: str, name: str, keys: tuple[str, ...]) -> Any:
    """One upsert statement per table, its rows given as parameters: built and compiled once
    (rows spelled into a multi-row VALUES clause were compiled anew on every write)."""
    table, metrics = _TABLES[name]
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={m: table.c[m] + stmt.excluded[m] for m in metrics})


class Rollups:
    """The rollups as a projection of the garment ledger: the rental tables gather the additions
    (``bump``); they are written as upserts just before the unit of work commits."""

    def apply(self, session: Session, recorded: Any) -> None:
        """Nothing per event: ``RentalTables`` gathers the additions as it follows each event."""

    def before_commit(self, session: Session) -> None:
        write_pending(session)

    def discard(self, session: Session) -> None:
        session.info.pop(_PENDING, None)


# --- rebuilding everything from the rental tables ---------------------------------------------

Key = tuple[str, dt.date, int, int]


class _Sums:
    """Rollup rows of a few styles, summed in memory before they are written."""

    def __init__(self) -> None:
        self.rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ROLLUP_METRICS, 0))
        self.defects: dict[tuple[str, dt.date, int, int, str], dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(DEFECT_METRICS, 0))
        self.open: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"rented": 0, "pooled": 0})

    def add(self, style_id: int, partner_id: int | None, at: dt.datetime, **deltas: int) -> None:
        for grain, bucket in buckets(at):
            row = self.rows[(grain, bucket, style_id, partner_id or 0)]
            for k, v in deltas.items():
                row[k] += v

    def add_defect(self, style_id: int, partner_id: int | None, at: dt.datetime, code: str, **deltas: int) -> None:
        for grain, bucket in buckets(at):
            row = self.defects[(grain, bucket, style_id, partner_id or 0, code)]
            for k, v in deltas.items():
                row[k] += v


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def rebuild(bind: Session | Connection, *, styles_per_chunk: int = 200) -> dict[str, int]:
    """Recompute every rollup row and open count from the rental tables; does not commit.

    Reads only the columns these tables had when rollups were introduced, so the migration that
    calls it keeps working as the models grow. Returns how many rows were written.
    """
    for table in (RentalRollup.__table__, RentalDefectRollup.__table__, RentalOpenCount.__table__):
        bind.execute(delete(table))
    style_ids = [row[0] for row in bind.execute(select(Style.id).order_by(Style.id))]
    written = {"rollups": 0, "defect_rollups": 0, "open_counts": 0}
    for chunk in _chunks(style_ids, styles_per_chunk):
        sums = _Sums()
        _sum_cycles(bind, chunk, sums)
        _sum_stays(bind, chunk, sums)
        _sum_care(bind, chunk, sums)
        _sum_defects(bind, chunk, sums)
        written["rollups"] += _write(bind, RentalRollup.__table__, _ROLLUP_KEY, sums.rows)
        written["defect_rollups"] += _write(bind, RentalDefectRollup.__table__, _DEFECT_KEY, sums.defects)
        written["open_counts"] += _write(bind, RentalOpenCount.__table__, ("style_id", "partner_id"),
                                         {k: v for k, v in sums.open.items() if v["rented"] or v["pooled"]})
    return written


def turnarounds_from_cycles(bind: Session | Connection) -> dict[tuple[dt.date, int, int], tuple[int, int]]:
    """Every ``rental_turnarounds`` row recomputed from the rental cycles that are ready again."""
    sums: dict[tuple[dt.date, int, int], tuple[int, int]] = {}
    for style_id, partner_id, back_at, ready_at in _rows(bind, select(
            Garment.style_id, RentalCycle.partner_id, RentalCycle.returned_at, RentalCycle.ready_at)
            .join(Garment, Garment.id == RentalCycle.garment_id)
            .where(RentalCycle.returned_at.is_not(None), RentalCycle.ready_at.is_not(None))):
        key = (month_of(back_at), style_id, partner_id or 0)
        n, total = sums.get(key, (0, 0))
        sums[key] = (n + 1, total + seconds(ready_at) - seconds(back_at))
    return sums


def rebuild_turnarounds(bind: Session | Connection) -> int:
    """Replace every ``rental_turnarounds`` row with a recount from the rental cycles; does not commit.

    Apart from ``rebuild``: the migrations before 0025 call that one, when cycles had no ready moment."""
    bind.execute(delete(RentalTurnaround.__table__))
    rows = {key: {"ready_n": n, "ready_s": total} for key, (n, total) in turnarounds_from_cycles(bind).items()}
    return _write(bind, RentalTurnaround.__table__, ("month", "style_id", "partner_id"), rows)


def _write(bind: Session | Connection, table: Table, key: tuple[str, ...], rows: dict[Any, dict[str, int]]) -> int:
    batch = [{**dict(zip(key, k)), **v} for k, v in rows.items()]
    for i in range(0, len(batch), 5000):
        bind.execute(insert(table), batch[i:i + 5000])
    return len(batch)


def _rows(bind: Session | Connection, query: Any) -> Iterable[Any]:
    return bind.execute(query.execution_options(yield_per=5000))


def _sum_cycles(bind: Session | Connection, styles: list[int], sums: _Sums) -> None:
    query = (select(Garment.style_id, RentalCycle.partner_id, RentalCycle.checked_out_at, RentalCycle.returned_at,
                    RentalCycle.return_reason)
             .join(Garment, Garment.id == RentalCycle.garment_id).where(Garment.style_id.in_(styles)))
    for style_id, partner_id, out_at, back_at, reason in _rows(bind, query):
        sums.add(style_id, partner_id, out_at, cycles_started=1, rent_start_n=1, rent_start_s=seconds(out_at))
        if back_at is None:
            sums.open[(style_id, partner_id)]["rented"] += 1
            continue
        sums.add(style_id, partner_id, back_at, returns=1, rent_end_n=1, rent_end_s=seconds(back_at),
                 quality_returns=1 if reason == ReturnReason.QUALITY_RETURN else 0)


def _sum_stays(bind: Session | Connection, styles: list[int], sums: _Sums) -> None:
    query = (select(Garment.style_id, RentalPoolStay.partner_id, RentalPoolStay.started_at, RentalPoolStay.ended_at)
             .join(Garment, Garment.id == RentalPoolStay.garment_id).where(Garment.style_id.in_(styles)))
    for style_id, partner_id, start, end in _rows(bind, query):
        sums.add(style_id, partner_id, start, pool_start_n=1, pool_start_s=seconds(start))
        if end is None:
            sums.open[(style_id, partner_id or 0)]["pooled"] += 1
        else:
            sums.add(style_id, partner_id, end, pool_end_n=1, pool_end_s=seconds(end))


def _sum_care(bind: Session | Connection, styles: list[int], sums: _Sums) -> None:
    query = (select(Garment.style_id, RentalCycle.partner_id, CareStep.started_at, CareStep.kind)
             .join(Garment, Garment.id == CareStep.garment_id)
             .outerjoin(Inspection, Inspection.id == CareStep.inspection_id)
             .outerjoin(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id)
             .where(Garment.style_id.in_(styles)))
    for style_id, partner_id, start, kind in _rows(bind, query):
        sums.add(style_id, partner_id, start, **{"repairs" if kind == CareKind.REPAIR else "cleanings": 1})


def _sum_defects(bind: Session | Connection, styles: list[int], sums: _Sums) -> None:
    query = (select(Garment.style_id, RentalCycle.partner_id, Inspection.id, Inspection.inspected_at,
                    InspectionDefect.code, RentalCycle.return_reason, RentalCycle.returned_at)
             .join(Inspection, Inspection.id == InspectionDefect.inspection_id)
             .join(Garment, Garment.id == Inspection.garment_id)
             .outerjoin(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id)
             .where(Garment.style_id.in_(styles)))
    seen: set[tuple[int, str]] = set()
    for style_id, partner_id, inspection_id, at, code, reason, back_at in _rows(bind, query):
        code = getattr(code, "value", code)
        sums.add_defect(style_id, partner_id, at, code, defects=1)
        if reason == ReturnReason.QUALITY_RETURN and back_at is not None and (inspection_id, code) not in seen:
            seen.add((inspection_id, code))
            sums.add_defect(style_id, partner_id, back_at, code, quality_returns=1)
