"""Rental quality report: figures per style rolled up by material, supplier and season, the yearly
report's statement, and the lists behind the CSV exports.

The figures come from rental_figures (aggregated in SQL, keyed by style); only the per-style rows
(a few thousand at most) are rolled up into materials, suppliers and seasons in Python. Attention
points live in rental_attention.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, literal, or_, select
from sqlalchemy.orm import Session

from cksloop.db.models import (DefectPhoto, Garment, Inspection, InspectionDefect, RentalCycle, RentalDefectRollup,
                               RentalPartner, RentalRollup, Style, StyleMaterial)
from cksloop.db.sql_functions import days_between
from cksloop.domain.clock import utc
from cksloop.domain.rental_quality import Figures, Period, Statement, build_statement, material_label, total
from cksloop.services.rental_figures import (Bounds, bounds_of, day_spans, figures_by_style, in_buckets,
                                            utc_literal, within)


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
    in_period, _after = day_spans(period, now)
    rollup, defect_rollup = RentalRollup.__table__, RentalDefectRollup.__table__
    partner = RentalCycle.partner_id == partner_id if partner_id is not None else literal(True)
    # distinct garments cannot be summed from buckets: each garment's first cycle in the period
    # is counted instead, on the covering index (its previous check-out is before the period)
    previous = (RentalCycle.previous_check_out_with_partner_at if partner_id is not None
                else RentalCycle.previous_check_out_at)
    garments = session.scalar(
        select(func.count())
        .where(within(RentalCycle.checked_out_at, bounds),
               partner, or_(previous.is_(None), previous < utc_literal(bounds.start)))) or 0
    cycles = quality_returns = 0
    reasons: dict[str, int] = {}
    if in_period:
        if per_style is not None:
            cycles = sum(f.cycles for f in per_style.values())
            quality_returns = sum(f.quality_returns for f in per_style.values())
        else:
            cycles, quality_returns = (int(v or 0) for v in session.execute(
                select(func.sum(rollup.c.cycles_started), func.sum(rollup.c.quality_returns))
                .where(in_buckets(rollup, in_period, partner_id))).one())
        reasons = {getattr(code, "value", code): int(n or 0) for code, n in session.execute(
            select(defect_rollup.c.code, func.sum(defect_rollup.c.quality_returns))
            .where(in_buckets(defect_rollup, in_period, partner_id)).group_by(defect_rollup.c.code))}
    return build_statement(period, garments=garments, cycles=cycles, quality_returns=quality_returns,
                           reasons=reasons)


# --- lists behind the pages and the CSV exports -------------------------------------------------


def cycles_query(*, bounds: Bounds, partner_id: int | None = None) -> Select[Any]:
    """Rental cycles that started in the period, oldest first."""
    query = (select(RentalCycle.id, Garment.code, Style.style_number, Style.name, Garment.size,
                    RentalPartner.name, RentalCycle.started_on, RentalCycle.due_on, RentalCycle.partner_reference,
                    RentalCycle.checked_out_at, RentalCycle.returned_at, RentalCycle.return_reason)
             .join(Garment, Garment.id == RentalCycle.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
             .where(within(RentalCycle.checked_out_at, bounds)))
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
             .where(within(RentalCycle.returned_at, bounds)))
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
             .where(within(Inspection.inspected_at, bounds)))
    if partner_id is not None:
        query = query.where(RentalCycle.partner_id == partner_id)
    return query.order_by(Inspection.inspected_at, Inspection.id, InspectionDefect.id)


def page(session: Session, query: Select[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of a list and the full count."""
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.execute(query.limit(limit).offset(offset)).all()), count


def to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)
