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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Float, Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from cksloop.db.models import (AttentionAcknowledgement, CareStep, DefectPhoto, Garment, Inspection,
                               InspectionDefect, RentalCycle, RentalPartner, RentalPoolStay, Style,
                               StyleMaterial, User)
from cksloop.db.session import begin_write
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.inspection import Grade, ReturnReason
from cksloop.domain.lifecycle import CareKind
from cksloop.domain.messages import N_
from cksloop.domain.rental_quality import (Figures, Period, Statement, Thresholds, attention_reasons,
                                           build_statement, is_acknowledged, material_label, total)

BRUSSELS = ZoneInfo("Europe/Brussels")
SUBJECT_KINDS = ("style", "material")
EVIDENCE_LIMIT = 50  # per attention point: enough to read, never the whole history at once


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


def _overlap_days(start: Any, end: Any, bounds: Bounds) -> ColumnElement[float]:
    """Days of [start, end or now) inside the period; 0 when they do not overlap."""
    lo = case((start > _at(bounds.start), start), else_=_at(bounds.start))
    open_end = func.coalesce(end, _at(bounds.cap))
    hi = case((open_end < _at(bounds.cap), open_end), else_=_at(bounds.cap))
    return case((hi > lo, days_between(hi, lo)), else_=0.0)


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


# --- figures per style -------------------------------------------------------------------------


def _by_style(session: Session, query: Select[Any]) -> dict[int, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in session.execute(query).all()}


def figures_by_style(session: Session, *, bounds: Bounds, partner_id: int | None = None) -> dict[int, Figures]:
    """Rental figures for every style with activity in the period (six grouped queries)."""
    started = and_(RentalCycle.checked_out_at >= _at(bounds.start), RentalCycle.checked_out_at < _at(bounds.end))
    ended = and_(RentalCycle.returned_at >= _at(bounds.start), RentalCycle.returned_at < _at(bounds.end))
    partner_cycle = RentalCycle.partner_id == partner_id if partner_id is not None else literal(True)

    cycles = _by_style(session, select(Garment.style_id, func.count(RentalCycle.id),
                                       func.count(func.distinct(RentalCycle.garment_id)))
                       .join(Garment, Garment.id == RentalCycle.garment_id)
                       .where(started, partner_cycle).group_by(Garment.style_id))
    rented = _by_style(session, select(Garment.style_id,
                                       func.sum(_overlap_days(RentalCycle.checked_out_at, RentalCycle.returned_at, bounds)))
                       .join(Garment, Garment.id == RentalCycle.garment_id)
                       .where(RentalCycle.checked_out_at < _at(bounds.cap),
                              or_(RentalCycle.returned_at.is_(None), RentalCycle.returned_at > _at(bounds.start)),
                              partner_cycle)
                       .group_by(Garment.style_id))
    stay_partner = RentalPoolStay.partner_id == partner_id if partner_id is not None else literal(True)
    pooled = _by_style(session, select(Garment.style_id,
                                       func.sum(_overlap_days(RentalPoolStay.started_at, RentalPoolStay.ended_at, bounds)))
                       .join(Garment, Garment.id == RentalPoolStay.garment_id)
                       .where(RentalPoolStay.started_at < _at(bounds.cap),
                              or_(RentalPoolStay.ended_at.is_(None), RentalPoolStay.ended_at > _at(bounds.start)),
                              stay_partner)
                       .group_by(Garment.style_id))
    returns = _by_style(session, select(Garment.style_id, func.count(RentalCycle.id),
                                        func.sum(case((RentalCycle.return_reason == ReturnReason.QUALITY_RETURN, 1),
                                                      else_=0)))
                        .join(Garment, Garment.id == RentalCycle.garment_id)
                        .where(ended, partner_cycle).group_by(Garment.style_id))
    defects: dict[int, dict[str, int]] = defaultdict(dict)
    defect_query = (select(Garment.style_id, InspectionDefect.code, func.count(InspectionDefect.id))
                    .join(Inspection, Inspection.id == InspectionDefect.inspection_id)
                    .join(Garment, Garment.id == Inspection.garment_id)
                    .where(Inspection.inspected_at >= _at(bounds.start), Inspection.inspected_at < _at(bounds.end)))
    care_query = (select(Garment.style_id, CareStep.kind, func.count(CareStep.id))
                  .join(Garment, Garment.id == CareStep.garment_id)
                  .where(CareStep.started_at >= _at(bounds.start), CareStep.started_at < _at(bounds.end)))
    if partner_id is not None:
        defect_query = defect_query.join(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id) \
            .where(RentalCycle.partner_id == partner_id)
        care_query = care_query.join(Inspection, Inspection.id == CareStep.inspection_id) \
            .join(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id).where(RentalCycle.partner_id == partner_id)
    for style_id, code, n in session.execute(defect_query.group_by(Garment.style_id, InspectionDefect.code)).all():
        defects[style_id][code.value] = n
    care: dict[int, dict[CareKind, int]] = defaultdict(dict)
    for style_id, kind, n in session.execute(care_query.group_by(Garment.style_id, CareStep.kind)).all():
        care[style_id][kind] = n

    out: dict[int, Figures] = {}
    for style_id in set(cycles) | set(rented) | set(pooled) | set(returns) | set(defects) | set(care):
        n_cycles, n_garments = cycles.get(style_id, (0, 0))
        n_returns, n_quality = returns.get(style_id, (0, 0))
        out[style_id] = Figures(
            garments=int(n_garments), cycles=int(n_cycles),
            days_rented=float(rented.get(style_id, (0.0,))[0] or 0.0),
            days_in_pool=float(pooled.get(style_id, (0.0,))[0] or 0.0),
            returns=int(n_returns), quality_returns=int(n_quality or 0), defects=dict(defects.get(style_id, {})),
            repairs=care.get(style_id, {}).get(CareKind.REPAIR, 0),
            cleanings=care.get(style_id, {}).get(CareKind.CLEANING, 0))
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
    ids = sorted(set(style_ids))
    if not ids:
        return {}
    materials: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        for style_id, fibre, cert in session.execute(
                select(StyleMaterial.style_id, StyleMaterial.fibre, StyleMaterial.certification)
                .where(StyleMaterial.style_id.in_(chunk)).order_by(StyleMaterial.style_id, StyleMaterial.percent.desc(),
                                                                   StyleMaterial.id)).all():
            label = material_label(fibre, cert)
            if label not in materials[style_id]:
                materials[style_id].append(label)
    out = {}
    for chunk in _chunks(ids):
        for sid, number, name, season, supplier in session.execute(
                select(Style.id, Style.style_number, Style.name, Style.season, Style.supplier)
                .where(Style.id.in_(chunk))).all():
            out[sid] = StyleInfo(sid, number, name, season, supplier, tuple(materials.get(sid, [])))
    return out


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    # SQLite limits bound parameters per statement
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


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
    per_style = figures_by_style(session, bounds=bounds, partner_id=partner_id)
    infos = style_infos(session, per_style)
    by_style = _order([GroupRow("style", infos[s].style_number, f"{infos[s].style_number} {infos[s].name}", f, (s,))
                       for s, f in per_style.items()])
    return QualityReport(
        period=period, partner_id=partner_id, totals=total(per_style.values()), by_style=by_style,
        by_material=_roll_up("material", per_style, infos, lambda i: i.materials),
        by_supplier=_roll_up("supplier", per_style, infos, lambda i: (i.supplier,)),
        by_season=_roll_up("season", per_style, infos, lambda i: (i.season,)),
        statement=statement(session, period=period, now=now, partner_id=partner_id))


def statement(session: Session, *, period: Period, now: dt.datetime, partner_id: int | None = None) -> Statement:
    """"N garments, M rental cycles, K quality returns (reasons: …)" for any period, from the data.

    Garments and cycles: rentals that started in the period; quality returns: cycles that ended
    in it as a quality return; reasons: the defect codes found in those returns' inspections.
    """
    bounds = bounds_of(period, now=now)
    partner = RentalCycle.partner_id == partner_id if partner_id is not None else literal(True)
    cycles, garments = session.execute(
        select(func.count(RentalCycle.id), func.count(func.distinct(RentalCycle.garment_id)))
        .where(RentalCycle.checked_out_at >= _at(bounds.start), RentalCycle.checked_out_at < _at(bounds.end),
               partner)).one()
    quality = and_(RentalCycle.return_reason == ReturnReason.QUALITY_RETURN,
                   RentalCycle.returned_at >= _at(bounds.start), RentalCycle.returned_at < _at(bounds.end), partner)
    quality_returns = session.scalar(select(func.count(RentalCycle.id)).where(quality)) or 0
    reasons = dict(session.execute(
        select(InspectionDefect.code, func.count(func.distinct(RentalCycle.id)))
        .join(Inspection, Inspection.id == InspectionDefect.inspection_id)
        .join(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id)
        .where(quality).group_by(InspectionDefect.code)).all())
    return build_statement(period, garments=garments or 0, cycles=cycles or 0, quality_returns=quality_returns,
                           reasons={code.value: n for code, n in reasons.items()})


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


def attention_points(session: Session, *, period: Period, now: dt.datetime, thresholds: Thresholds,
                     report: QualityReport | None = None) -> list[AttentionPoint]:
    """Styles and materials whose quality returns, defects or quality-return rate pass
    ``thresholds`` in the period, each with its evidence and acknowledgement."""
    report = report or quality_report(session, period=period, now=now)
    flagged = [(row, attention_reasons(row.figures, thresholds))
               for row in [*report.by_style, *report.by_material]]
    flagged = [(row, why) for row, why in flagged if why]
    if not flagged:
        return []
    bounds = bounds_of(period, now=now)
    evidence = _evidence(session, bounds=bounds, style_ids={s for row, _ in flagged for s in row.style_ids})
    acks = _latest_acknowledgements(session, [(row.kind, row.key) for row, _ in flagged])
    points = []
    for row, why in flagged:
        items = [e for sid in row.style_ids for e in evidence.get(sid, [])]
        items.sort(key=lambda e: e.inspected_at, reverse=True)
        ack = acks.get((row.kind, row.key))
        latest = items[0].inspected_at if items else None
        points.append(AttentionPoint(row.kind, row.key, row.label, row.figures, why, items[:EVIDENCE_LIMIT], ack,
                                     is_acknowledged(ack.at if ack else None, latest)))
    return points


def _evidence(session: Session, *, bounds: Bounds, style_ids: set[int]) -> dict[int, list[Evidence]]:
    """Inspections in the period that found defects or closed a quality return, per style."""
    from cksloop.services.rentals import defects_for

    out: dict[int, list[Evidence]] = defaultdict(list)
    has_defect = select(InspectionDefect.id).where(InspectionDefect.inspection_id == Inspection.id).exists()
    for chunk in _chunks(sorted(style_ids)):
        rows = session.execute(
            select(Inspection.id, Garment.code, Style.style_number, Inspection.inspected_at, Inspection.grade,
                   Inspection.reason, Inspection.note, RentalPartner.name, Garment.style_id)
            .join(Garment, Garment.id == Inspection.garment_id)
            .join(Style, Style.id == Garment.style_id)
            .outerjoin(RentalCycle, RentalCycle.id == Inspection.rental_cycle_id)
            .outerjoin(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
            .where(Garment.style_id.in_(chunk), Inspection.inspected_at >= _at(bounds.start),
                   Inspection.inspected_at < _at(bounds.end),
                   or_(has_defect, Inspection.reason == ReturnReason.QUALITY_RETURN))
            .order_by(Inspection.inspected_at.desc()).limit(EVIDENCE_LIMIT * len(chunk))).all()
        defects = defects_for(session, [r[0] for r in rows])
        for iid, code, number, at, grade, reason, note, partner, style_id in rows:
            if len(out[style_id]) < EVIDENCE_LIMIT:
                out[style_id].append(Evidence(iid, code, number, _utc(at), grade, reason, note, partner,
                                              defects.get(iid, [])))
    return out


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
