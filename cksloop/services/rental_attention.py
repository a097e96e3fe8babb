"""Attention points: styles and materials whose quality returns or defects pass the thresholds, the
inspections behind them (evidence) and the acknowledgements that a merchandiser has seen them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import (AttentionAcknowledgement, Garment, Inspection, InspectionDefect, RentalCycle,
                               RentalPartner, Style, User)
from cksloop.db.session import begin_write
from cksloop.domain.clock import utc
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.inspection import Grade, ReturnReason
from cksloop.domain.messages import N_
from cksloop.domain.rental_quality import Figures, Period, Thresholds, attention_reasons, is_acknowledged
from cksloop.services.rental_figures import Bounds, bounds_of, within
from cksloop.services.rental_reports import QualityReport, quality_report

SUBJECT_KINDS = ("style", "material")
EVIDENCE_LIMIT = 50  # per attention point: enough to read, never the whole history at once
FEW_STYLES = 20  # up to this many styles, evidence is found from their garments; beyond, from the period

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
    in_period = within(Inspection.inspected_at, bounds)
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
    found = [Evidence(iid, code, number, utc(at), grade, reason, note, partner, defects.get(iid, []))
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
        out[(kind, key)] = Acknowledgement(note, by or "", utc(at), qr, defects)  # later rows win
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
