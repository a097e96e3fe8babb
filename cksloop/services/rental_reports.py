"""Rental quality analytics: figures per style, material, supplier and season, attention points,
the yearly report's statement, and the lists behind the CSV exports.

Every figure is aggregated in SQL (one GROUP BY per figure, keyed by style); only the per-style
rows (a few thousand at most) are rolled up into materials, suppliers and seasons in Python, so the
cost does not grow with the number of garments. Days are measured between stored UTC timestamps
and clipped to the period, which starts and ends at midnight in Brussels.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

date_t = dt.date
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Float, Select, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from cksloop.db.models import (AttentionAcknowledgement, DefectPhoto, Garment, Inspection, InspectionDefect,
                               RentalCycle, RentalDefectRollup, RentalOpenCount, RentalPartner, RentalRollup, Style,
                               StyleMaterial, User)
from cksloop.db.session import begin_write
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.inspection import Grade, ReturnReason
from cksloop.domain.messages import N_
from cksloop.domain.rental_quality import (Figures, Period, Statement, Thresholds, attention_reasons,
                                           build_statement, is_acknowledged, material_label, total)
from cksloop.services import rental_rollups

BRUSSELS = ZoneInfo("Europe/Brussels")
SUBJECT_KINDS = ("style", "material")
EVIDENCE_LIMIT = 50  # per attention point: enough to read, never the whole history at once
FEW_STYLES = 20  # up to this many styles, evidence is found from their garments; beyond, from the period


# --- days between two timestamps, in SQL, on both databases ------------------------------------

class days_between(FunctionElement[float]):  # noqa: N801 (reads like the SQL function it is)
    """(end - start) in days, as a float."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
            " / 86400.0)")


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


def _at(value: dt.datetime) -> ColumnElement[dt.datetime]:
    return literal(value, DateTime(timezone=True))


@dataclass(frozen=True)
class Bounds:
    """A period as UTC instants: [start, end); ``cap`` is the end, or now when that is earlier."""

    start: dt.datetime
    end: dt.datetime
    cap: dt.datetime


def bounds_of(period: Period, *, now: dt.datetime) -> Bounds:
    start = dt.datetime.combine(period.from_on, dt.time(0), BRUSSELS).astimezone(dt.UTC)
    end = dt.datetime.combine(period.to_on + dt.timedelta(days=1), dt.time(0), BRUSSELS).astimezone(dt.UTC)
    return Bounds(start, end, max(start, min(end, now.astimezone(dt.UTC))))


# --- figures per style, from the rollups --------------------------------------------------------


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bucket_ranges(lo: dt.date, hi: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The days [lo, hi) as month buckets for its whole months and day buckets for the rest."""
    if hi <= lo:
        return []
    first_whole = lo if lo.day == 1 else _next_month(lo)
    end_whole = hi.replace(day=1)
    if first_whole >= end_whole:
        return [("d", lo, hi)]
    ranges = [("d", lo, first_whole)] if lo < first_whole else []
    ranges.append(("m", first_whole, end_whole))
    if end_whole < hi:
        ranges.append(("d", end_whole, hi))
    return ranges


def _day_spans(period: Period, now: dt.datetime) -> tuple[list[tuple[str, date_t, date_t]],
                                                          list[tuple[str, date_t, date_t]]]:
    """Bucket ranges of the period itself and of the time after it up to now.

    Nothing has happened after now, so a span that reaches today may run on to the end of the
    current month: its whole months are then read from the month rows.
    """
    this_month_end = _next_month(rental_rollups.day_of(now))
    end = period.to_on + dt.timedelta(days=1)
    if end > rental_rollups.day_of(now):
        return bucket_ranges(period.from_on, max(end, this_month_end)), []
    return bucket_ranges(period.from_on, end), bucket_ranges(end, this_month_end)


def _in(table: Any, ranges: list[tuple[str, dt.date, dt.date]], partner_id: int | None) -> ColumnElement[bool]:
    where = or_(*[and_(table.c.grain == grain, table.c.bucket_on >= lo, table.c.bucket_on < hi)
                  for grain, lo, hi in ranges])
    return and_(where, table.c.partner_id == partner_id) if partner_id is not None else where


_SUMMED = ("cycles_started", "returns", "quality_returns", "rent_start_n", "rent_start_s", "rent_end_n", "rent_end_s",
           "pool_start_n", "pool_start_s", "pool_end_n", "pool_end_s", "repairs", "cleanings")


def figures_by_style(session: Session, *, bounds: Bounds, period: Period, now: dt.datetime,
                     partner_id: int | None = None) -> dict[int, Figures]:
    """Rental figures for every style with rental activity in the period (four grouped queries
    on the rollups; their size depends on styles and months, not on garments).

    Days rented and days in the pool are clipped to the period exactly: with ``open(t)`` the
    number of intervals open at instant ``t``, the days inside [A, B) are
    (Σ ends in it + B·open(B)) − (Σ starts in it + A·open(A)), and open(t) follows from the
    open counts now and the starts and ends after ``t``.
    """
    rollup, defect_rollup, open_counts = (RentalRollup.__table__, RentalDefectRollup.__table__,
                                          RentalOpenCount.__table__)
    in_period, after = _day_spans(period, now)

    sums: dict[int, dict[str, int]] = {}
    if in_period:
        for row in session.execute(select(rollup.c.style_id, *[func.sum(rollup.c[m]) for m in _SUMMED])
                                   .where(_in(rollup, in_period, partner_id)).group_by(rollup.c.style_id)):
            sums[row[0]] = {m: int(v or 0) for m, v in zip(_SUMMED, row[1:])}
    later: dict[int, tuple[int, int, int, int]] = {}
    if after:
        later = {row[0]: tuple(int(v or 0) for v in row[1:]) for row in session.execute(
            select(rollup.c.style_id, func.sum(rollup.c.rent_start_n), func.sum(rollup.c.rent_end_n),
                   func.sum(rollup.c.pool_start_n), func.sum(rollup.c.pool_end_n))
            .where(_in(rollup, after, partner_id)).group_by(rollup.c.style_id))}
    open_query = select(open_counts.c.style_id, func.sum(open_counts.c.rented), func.sum(open_counts.c.pooled))
    if partner_id is not None:
        open_query = open_query.where(open_counts.c.partner_id == partner_id)
    open_now = {row[0]: (int(row[1] or 0), int(row[2] or 0))
                for row in session.execute(open_query.group_by(open_counts.c.style_id))}
    defects: dict[int, dict[str, int]] = defaultdict(dict)
    if in_period:
        for style_id, code, n in session.execute(
                select(defect_rollup.c.style_id, defect_rollup.c.code, func.sum(defect_rollup.c.defects))
                .where(_in(defect_rollup, in_period, partner_id))
                .group_by(defect_rollup.c.style_id, defect_rollup.c.code)):
            if n:
                defects[style_id][getattr(code, "value", code)] = int(n)

    a, b = rental_rollups.seconds(bounds.start), rental_rollups.seconds(bounds.cap)
    zero = dict.fromkeys(_SUMMED, 0)
    out: dict[int, Figures] = {}
    for style_id in set(sums) | set(later) | set(open_now) | set(defects):
        f = sums.get(style_id, zero)
        rented_now, pooled_now = open_now.get(style_id, (0, 0))
        rs_after, re_after, ps_after, pe_after = later.get(style_id, (0, 0, 0, 0))
        rented_b = rented_now - rs_after + re_after
        pooled_b = pooled_now - ps_after + pe_after
        rented_a = rented_b - f["rent_start_n"] + f["rent_end_n"]
        pooled_a = pooled_b - f["pool_start_n"] + f["pool_end_n"]
        rented_s = (f["rent_end_s"] + b * rented_b) - (f["rent_start_s"] + a * rented_a)
        pooled_s = (f["pool_end_s"] + b * pooled_b) - (f["pool_start_s"] + a * pooled_a)
        figures = Figures(
            cycles=f["cycles_started"], days_rented=max(0, rented_s) / 86400, days_in_pool=max(0, pooled_s) / 86400,
            returns=f["returns"], quality_returns=f["quality_returns"], defects=dict(defects.get(style_id, {})),
            repairs=f["repairs"], cleanings=f["cleanings"])
        if not figures.is_empty():
            out[style_id] = figures
    return out


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    """One line of the analytics: a style, a material, a supplier or a season, and its figures."""

    kind: str
    key: str
    label: str
    figures: Figures
    style_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.figures.as_dict()}


@dataclass(frozen=True)
class StyleInfo:
    id: int
    style_number: str
    name: str
    season: str
    supplier: str
    materials: tuple[str, ...]


@dataclass(frozen=True)
class QualityReport:
    period: Period
    partner_id: int | None
    totals: Figures
    by_style: list[GroupRow]
    by_material: list[GroupRow]
    by_supplier: list[GroupRow]
    by_season: list[GroupRow]
    statement: Statement

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"from": self.period.from_on.isoformat(), "to": self.period.to_on.isoformat()},
            "partner": self.partner_id,
            "definitions": {
                "rental_cycles": "cycles checked out in the period",
                "days_rented": "days rented inside the period (open cycles up to now)",
                "days_in_pool": "days in the rental programme inside the period (ready, rented, "
                                "awaiting inspection, in care)",
                "utilisation": "days_rented / days_in_pool",
                "returns": "cycles that ended in the period (lost included)",
                "quality_return_rate": "quality_returns / returns",
                "defects": "defects found in inspections in the period, by code",
            },
            "totals": self.totals.as_dict(),
            "by_style": [r.as_dict() for r in self.by_style],
            "by_material": [r.as_dict() for r in self.by_material],
            "by_supplier": [r.as_dict() for r in self.by_supplier],
            "by_season": [r.as_dict() for r in self.by_season],
            "statement": self.statement.as_dict(),
        }


def style_infos(session: Session, style_ids: Iterable[int]) -> dict[int, StyleInfo]:
    """Names, seasons, suppliers and materials of the given styles (two queries)."""
    ids = set(style_ids)
    if not ids:
        return {}
    # for many styles, reading the small styles tables whole beats a long IN list
    few = len(ids) <= 900
    materials: dict[int, list[str]] = defaultdict(list)
    query = select(StyleMaterial.style_id, StyleMaterial.fibre, StyleMaterial.certification) \
        .order_by(StyleMaterial.style_id, StyleMaterial.percent.desc(), StyleMaterial.id)
    for style_id, fibre, cert in session.execute(query.where(StyleMaterial.style_id.in_(sorted(ids))) if few
                                                 else query):
        label = material_label(fibre, cert)
        if style_id in ids and label not in materials[style_id]:
            materials[style_id].append(label)
    query = select(Style.id, Style.style_number, Style.name, Style.season, Style.supplier)
    return {sid: StyleInfo(sid, number, name, season, supplier, tuple(materials.get(sid, [])))
            for sid, number, name, season, supplier in session.execute(
                query.where(Style.id.in_(sorted(ids))) if few else query) if sid in ids}


def _order(rows: list[GroupRow]) -> list[GroupRow]:
    return sorted(rows, key=lambda r: (-r.figures.quality_returns, -r.figures.defect_count, -r.figures.cycles,
                                       r.label.lower()))


def _roll_up(kind: str, per_style: dict[int, Figures], infos: dict[int, StyleInfo],
             keys_of: Any) -> list[GroupRow]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for style_id in per_style:
        for key in keys_of(infos[style_id]):
            grouped[key].append(style_id)
    return _order([GroupRow(kind, key, key, total(per_style[s] for s in ids), tuple(sorted(ids)))
                   for key, ids in grouped.items()])


def quality_report(session: Session, *, period: Period, now: dt.datetime,
                   partner_id: int | None = None) -> QualityReport:
    """The rental quality analytics for ``period`` (optionally for one partner)."""
    bounds = bounds_of(period, now=now)
    per_style = figures_by_style(session, bounds=bounds, period=period, now=now, partner_id=partner_id)
    infos = style_infos(session, per_style)
    summary = statement(session, period=period, now=now, partner_id=partner_id, per_style=per_style)
    by_style = _order([GroupRow("style", infos[s].style_number, f"{infos[s].style_number} {infos[s].name}", f, (s,))
                       for s, f in per_style.items()])
    return QualityReport(
        period=period, partner_id=partner_id,
        totals=replace(total(per_style.values()), garments=summary.garments), by_style=by_style,
        by_material=_roll_up("material", per_style, infos, lambda i: i.materials),
        by_supplier=_roll_up("supplier", per_style, infos, lambda i: (i.supplier,)),
        by_season=_roll_up("season", per_style, infos, lambda i: (i.season,)),
        statement=summary)


def statement(session: Session, *, period: Period, now: dt.datetime, partner_id: int | None = None,
              per_style: dict[int, Figures] | None = None) -> Statement:
    """"N garments, M rental cycles, K quality returns (reasons: …)" for any period, from the data.

    Garments and cycles: rentals that started in the period; quality returns: rentals that ended
    in it as a quality return; reasons: the defect codes found in those returns' inspections.
    ``per_style`` (the same period's figures) saves reading the rollups twice.
    """
    bounds = bounds_of(period, now=now)
    in_period, _after = _day_spans(period, now)
    rollup, defect_rollup = RentalRollup.__table__, RentalDefectRollup.__table__
    partner = RentalCycle.partner_id == partner_id if partner_id is not None else literal(True)
    # distinct garments cannot be summed from buckets: each garment's first cycle in the period
    # is counted instead, on the covering index (its previous check-out is before the period)
    previous = (RentalCycle.previous_check_out_with_partner_at if partner_id is not None
                else RentalCycle.previous_check_out_at)
    garments = session.scalar(
        select(func.count())
        .where(RentalCycle.checked_out_at >= _at(bounds.start), RentalCycle.checked_out_at < _at(bounds.end),
               partner, or_(previous.is_(None), previous < _at(bounds.start)))) or 0
    cycles = quality_returns = 0
    reasons: dict[str, int] = {}
    if in_period:
        if per_style is not None:
            cycles = sum(f.cycles for f in per_style.values())
            quality_returns = sum(f.quality_returns for f in per_style.values())
        else:
            cycles, quality_returns = (int(v or 0) for v in session.execute(
                select(func.sum(rollup.c.cycles_started), func.sum(rollup.c.quality_returns))
                .where(_in(rollup, in_period, partner_id))).one())
        reasons = {getattr(code, "value", code): int(n or 0) for code, n in session.execute(
            select(defect_rollup.c.code, func.sum(defect_rollup.c.quality_returns))
            .where(_in(defect_rollup, in_period, partner_id)).group_by(defect_rollup.c.code))}
    return build_statement(period, garments=garments, cycles=cycles, quality_returns=quality_returns,
                           reasons=reasons)


# --- attention points --------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One inspection behind an attention point: what was found, with photos and notes."""

    inspection_id: int
    code: str
    style_number: str
    inspected_at: dt.datetime
    grade: Grade
    reason: ReturnReason | None
    note: str
    partner: str | None
    defects: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Acknowledgement:
    note: str
    by: str
    at: dt.datetime
    quality_returns: int
    defects: int


@dataclass(frozen=True)
class AttentionPoint:
    kind: str  # "style" or "material"
    key: str
    label: str
    figures: Figures
    reasons: list[str]
    evidence: list[Evidence]
    acknowledgement: Acknowledgement | None
    acknowledged: bool  # the last acknowledgement still covers all the evidence

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "key": self.key, "label": self.label, "reasons": self.reasons,
            "figures": self.figures.as_dict(), "acknowledged": self.acknowledged,
            "acknowledgement": None if self.acknowledgement is None else {
                "note": self.acknowledgement.note, "at": self.acknowledgement.at.isoformat(),
                "quality_returns": self.acknowledgement.quality_returns,
                "defects": self.acknowledgement.defects},
            "evidence": [{"inspection": e.inspection_id, "garment": e.code, "style_number": e.style_number,
                          "inspected_at": e.inspected_at.isoformat(), "grade": e.grade.value,
                          "reason": e.reason.value if e.reason else None, "note": e.note,
                          "defects": [{k: v for k, v in d.items()} for d in e.defects]}
                         for e in self.evidence],
        }


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class AttentionPage:
    """One page of attention points, most serious first, and how many there are in all."""

    points: list[AttentionPoint]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def attention_points(session: Session, *, period: Period, now: dt.datetime, thresholds: Thresholds,
                     report: QualityReport | None = None, page: int = 1, per_page: int = 20,
                     with_evidence: bool = True) -> AttentionPage:
    """Styles and materials whose quality returns, defects or quality-return rate pass
    ``thresholds`` in the period (most quality returns first), one page of them with their
    evidence and acknowledgement. The evidence is read for the page's points only."""
    report = report or quality_report(session, period=period, now=now)
    flagged = [(row, why) for row in [*report.by_style, *report.by_material]
               if (why := attention_reasons(row.figures, thresholds))]
    flagged.sort(key=lambda item: (-item[0].figures.quality_returns, -item[0].figures.defect_count,
                                   item[0].kind != "style", item[0].label.lower()))
    page = max(1, page)
    shown = flagged[(page - 1) * per_page: page * per_page]
    bounds = bounds_of(period, now=now)
    acks = _latest_acknowledgements(session, [(row.kind, row.key) for row, _ in shown])
    points = []
    for row, why in shown:
        ack = acks.get((row.kind, row.key))
        if with_evidence:
            items = _evidence(session, bounds=bounds, style_ids=row.style_ids, limit=EVIDENCE_LIMIT)
            acknowledged = is_acknowledged(ack.at if ack else None, items[0].inspected_at if items else None)
        else:
            # only whether evidence arrived after the acknowledgement matters: without one there
            # is nothing to look up, with one only the inspections since it (walking a material's
            # whole period for the newest one cost ~25 ms a point at a million garments)
            items = []
            acknowledged = ack is not None and not _evidence(
                session, bounds=replace(bounds, start=max(bounds.start, ack.at + dt.timedelta(microseconds=1))),
                style_ids=row.style_ids, limit=1)
        points.append(AttentionPoint(row.kind, row.key, row.label, row.figures, why, items, ack, acknowledged))
    return AttentionPage(points, len(flagged), page, per_page)


def _evidence(session: Session, *, bounds: Bounds, style_ids: Iterable[int], limit: int) -> list[Evidence]:
    """The latest inspections in the period that found defects on garments of these styles.

    Every quality return has a defect, so the defects lead: there are far fewer of them than
    inspections, which keeps this quick for a style or a material used by many styles.
    """
    from cksloop.services.rentals import defects_for

    styles = sorted(set(style_ids))
    in_period = and_(Inspection.inspected_at >= _at(bounds.start), Inspection.inspected_at < _at(bounds.end))
    if len(styles) <= FEW_STYLES:
        # a style's own garments are few: start from them
        latest = (select(Inspection.id)
                  .join(InspectionDefect, InspectionDefect.inspection_id == Inspection.id)
                  .join(Garment, Garment.id == Inspection.garment_id)
                  .where(Garment.style_id.in_(styles), in_period)
                  .group_by(Inspection.id, Inspection.inspected_at)
                  .order_by(Inspection.inspected_at.desc(), Inspection.id.desc()).limit(limit))
    else:
        # a material shared by many styles: walk back through the period's inspections, newest
        # first, and stop at ``limit`` matches
        style_of = select(Garment.style_id).where(Garment.id == Inspection.garment_id).scalar_subquery()
        has_defect = select(InspectionDefect.id).where(InspectionDefect.inspection_id == Inspection.id).exists()
        latest = (select(Inspection.id).where(in_period, has_defect, style_of.in_(styles))
                  .order_by(Inspection.inspected_at.desc(), Inspection.id.desc()).limit(limit))
    ids = list(session.scalars(latest))
    if not ids:
        return []
    rows = session.execute(
        select(Inspection.id, Garment.code, Style.style_number, Inspection.inspected_at, Inspection.grade,
               Inspection.reason, Inspection.note, RentalPartner.name)
        .join(Garment, Garment.id == Inspection.garment_id)
        .join(Style, Style.id == Garment.style_id)
        .outerjoin(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id)
        .outerjoin(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
        .where(Inspection.id.in_(ids))).all()
    defects = defects_for(session, ids)
    found = [Evidence(iid, code, number, _utc(at), grade, reason, note, partner, defects.get(iid, []))
             for iid, code, number, at, grade, reason, note, partner in rows]
    return sorted(found, key=lambda e: (e.inspected_at, e.inspection_id), reverse=True)


def _latest_acknowledgements(session: Session, subjects: list[tuple[str, str]]
                             ) -> dict[tuple[str, str], Acknowledgement]:
    if not subjects:
        return {}
    keys = {key for _, key in subjects}
    rows = session.execute(
        select(AttentionAcknowledgement.subject_kind, AttentionAcknowledgement.subject_key,
               AttentionAcknowledgement.note, User.name, AttentionAcknowledgement.acknowledged_at,
               AttentionAcknowledgement.quality_returns, AttentionAcknowledgement.defects)
        .outerjoin(User, User.id == AttentionAcknowledgement.acknowledged_by)
        .where(AttentionAcknowledgement.subject_key.in_(sorted(keys)))
        .order_by(AttentionAcknowledgement.acknowledged_at, AttentionAcknowledgement.id)).all()
    out: dict[tuple[str, str], Acknowledgement] = {}
    for kind, key, note, by, at, qr, defects in rows:
        out[(kind, key)] = Acknowledgement(note, by or "", _utc(at), qr, defects)  # later rows win
    return out


def acknowledge(session: Session, *, kind: str, key: str, note: str, actor: User, now: dt.datetime,
                period: Period) -> AttentionAcknowledgement:
    """Record a merchandiser's note on an attention point, with the evidence as it stands, and commit.

    Raises InvalidDetails for an unknown subject kind, an empty or overlong note.
    """
    errors: dict[str, str] = {}
    if kind not in SUBJECT_KINDS:
        errors["kind"] = N_("Not one of the allowed values.")
    key = (key or "").strip()
    if not key or len(key) > 120:
        errors["key"] = N_("This field is required.")
    note = (note or "").strip()
    if not note:
        errors["note"] = N_("Write what the next collection should do about it.")
    elif len(note) > 2000:
        errors["note"] = N_("Too long.")
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in note):
        errors["note"] = N_("Contains control characters.")
    if errors:
        raise InvalidDetails(errors)
    report = quality_report(session, period=period, now=now)
    rows = report.by_style if kind == "style" else report.by_material
    figures = next((r.figures for r in rows if r.key == key), Figures())
    begin_write(session)
    try:
        ack = AttentionAcknowledgement(subject_kind=kind, subject_key=key, note=note,
                                       quality_returns=figures.quality_returns, defects=figures.defect_count,
                                       acknowledged_by=actor.id, acknowledged_at=now)
        session.add(ack)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ack


# --- lists behind the pages and the CSV exports -------------------------------------------------


def cycles_query(*, bounds: Bounds, partner_id: int | None = None) -> Select[Any]:
    """Rental cycles that started in the period, oldest first."""
    query = (select(RentalCycle.id, Garment.code, Style.style_number, Style.name, Garment.size,
                    RentalPartner.name, RentalCycle.started_on, RentalCycle.due_on, RentalCycle.partner_reference,
                    RentalCycle.checked_out_at, RentalCycle.returned_at, RentalCycle.return_reason)
             .join(Garment, Garment.id == RentalCycle.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
             .where(RentalCycle.checked_out_at >= _at(bounds.start), RentalCycle.checked_out_at < _at(bounds.end)))
    if partner_id is not None:
        query = query.where(RentalCycle.partner_id == partner_id)
    return query.order_by(RentalCycle.checked_out_at, RentalCycle.id)


def returns_query(*, bounds: Bounds, partner_id: int | None = None) -> Select[Any]:
    """Rental cycles that ended in the period, with their first grade, oldest first."""
    first_grade = (select(Inspection.grade).where(Inspection.rental_cycle_id == RentalCycle.id)
                   .order_by(Inspection.id).limit(1).scalar_subquery())
    query = (select(RentalCycle.id, Garment.code, Style.style_number, Style.name, Garment.size,
                    RentalPartner.name, RentalCycle.started_on, RentalCycle.due_on, RentalCycle.returned_at,
                    RentalCycle.return_reason, first_grade.label("grade"),
                    days_between(RentalCycle.returned_at, RentalCycle.checked_out_at).label("days_out"))
             .join(Garment, Garment.id == RentalCycle.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
             .where(RentalCycle.returned_at >= _at(bounds.start), RentalCycle.returned_at < _at(bounds.end)))
    if partner_id is not None:
        query = query.where(RentalCycle.partner_id == partner_id)
    return query.order_by(RentalCycle.returned_at, RentalCycle.id)


def inspections_query(*, bounds: Bounds, partner_id: int | None = None) -> Select[Any]:
    """Inspections in the period, one row per defect (or one row without a defect), oldest first."""
    query = (select(Inspection.id, Inspection.inspected_at, Garment.code, Style.style_number, Style.name,
                    RentalPartner.name, Inspection.reason, Inspection.grade, InspectionDefect.code,
                    InspectionDefect.zone, InspectionDefect.severity, InspectionDefect.note, Inspection.note,
                    DefectPhoto.id)
             .join(Garment, Garment.id == Inspection.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id)
             .outerjoin(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
             .outerjoin(InspectionDefect, InspectionDefect.inspection_id == Inspection.id)
             .outerjoin(DefectPhoto, DefectPhoto.defect_id == InspectionDefect.id)
             .where(Inspection.inspected_at >= _at(bounds.start), Inspection.inspected_at < _at(bounds.end)))
    if partner_id is not None:
        query = query.where(RentalCycle.partner_id == partner_id)
    return query.order_by(Inspection.inspected_at, Inspection.id, InspectionDefect.id)


def page(session: Session, query: Select[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of a list and the full count."""
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.execute(query.limit(limit).offset(offset)).all()), count


def to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)
