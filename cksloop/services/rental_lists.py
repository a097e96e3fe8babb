"""Rental reads: the pool, open and overdue cycles, care, inspections, one garment's life in rental."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import (CareStep, DefectPhoto, Garment, Inspection, InspectionDefect, Location,
                               RentalCycle, RentalPartner, RentalPoolStay, Style)
from cksloop.db.session import begin_streaming_read
from cksloop.domain.clock import utc
from cksloop.domain.errors import NotFound
from cksloop.domain.inspection import Grade, ReturnReason
from cksloop.domain.lifecycle import CareKind, GarmentState
from cksloop.domain.messages import N_
from cksloop.domain.rental_quality import days_overdue
from cksloop.services import defect_photos
from cksloop.services.rental_tables import uninspected_return

PAGE_SIZE = 100



@dataclass(frozen=True)
class PoolEntry:
    code: str
    style_number: str
    style_name: str
    size: str
    location: str | None
    partner: str | None
    since: dt.datetime | None


def pool(session: Session, *, partner_id: int | None = None, location_code: str | None = None,
         limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[PoolEntry], int]:
    """Garments ready in the rental pool (optionally for one partner or at one location), and how many."""
    query = (select(Garment.code, Style.style_number, Style.name, Garment.size, Location.code,
                    RentalPartner.name, RentalPoolStay.started_at)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(Location, Location.id == Garment.location_id)
             .outerjoin(RentalPoolStay, and_(RentalPoolStay.garment_id == Garment.id,
                                             RentalPoolStay.ended_at.is_(None)))
             .outerjoin(RentalPartner, RentalPartner.id == RentalPoolStay.partner_id)
             .where(Garment.state == GarmentState.IN_RENTAL_POOL))
    if partner_id is not None:
        query = query.where(RentalPoolStay.partner_id == partner_id)
    if location_code:
        query = query.where(Location.code == location_code)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(Garment.code).limit(limit).offset(offset)).all()
    return [PoolEntry(*row) for row in rows], count


@dataclass(frozen=True)
class PoolCount:
    partner: str | None
    partner_id: int | None
    location: str | None
    location_name: str | None
    ready: int


def pool_counts(session: Session) -> list[PoolCount]:
    """How many garments are ready in the pool, per partner and location (one grouped query)."""
    rows = session.execute(
        select(RentalPartner.name, RentalPartner.id, Location.code, Location.name, func.count())
        .select_from(Garment)
        .outerjoin(Location, Location.id == Garment.location_id)
        .outerjoin(RentalPoolStay, and_(RentalPoolStay.garment_id == Garment.id, RentalPoolStay.ended_at.is_(None)))
        .outerjoin(RentalPartner, RentalPartner.id == RentalPoolStay.partner_id)
        .where(Garment.state == GarmentState.IN_RENTAL_POOL)
        .group_by(RentalPartner.name, RentalPartner.id, Location.code, Location.name)
        .order_by(RentalPartner.name, Location.code)).all()
    return [PoolCount(*row) for row in rows]


@dataclass(frozen=True)
class OpenCycle:
    id: int
    code: str
    style_number: str
    style_name: str
    size: str
    partner: str
    partner_id: int
    started_on: dt.date
    due_on: dt.date
    partner_reference: str | None
    days_overdue: int

    def as_dict(self) -> dict[str, Any]:
        return {"cycle": self.id, "code": self.code, "style_number": self.style_number, "size": self.size,
                "partner": self.partner_id, "partner_name": self.partner, "started_on": self.started_on.isoformat(),
                "due_on": self.due_on.isoformat(), "partner_reference": self.partner_reference,
                "days_overdue": self.days_overdue}


def open_cycles(session: Session, *, today: dt.date, partner_id: int | None = None, overdue_only: bool = False,
                limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[OpenCycle], int]:
    """Rental cycles not yet ended (or only those past their due date), most overdue first."""
    query = (select(RentalCycle.id, Garment.code, Style.style_number, Style.name, Garment.size,
                    RentalPartner.name, RentalPartner.id, RentalCycle.started_on, RentalCycle.due_on,
                    RentalCycle.partner_reference)
             .join(Garment, Garment.id == RentalCycle.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
             .where(RentalCycle.returned_at.is_(None)))
    if partner_id is not None:
        query = query.where(RentalCycle.partner_id == partner_id)
    if overdue_only:
        query = query.where(RentalCycle.due_on < today)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(RentalCycle.due_on, RentalCycle.id).limit(limit).offset(offset)).all()
    return [OpenCycle(*row, days_overdue=days_overdue(row[8], today)) for row in rows], count


@dataclass(frozen=True)
class CareEntry:
    code: str
    style_number: str
    style_name: str
    kind: CareKind
    started_at: dt.datetime
    location: str | None


def open_care(session: Session, *, location_code: str | None = None, limit: int = PAGE_SIZE,
              offset: int = 0) -> tuple[list[CareEntry], int]:
    """Garments in cleaning or repair, longest waiting first."""
    query = (select(Garment.code, Style.style_number, Style.name, CareStep.kind, CareStep.started_at, Location.code)
             .join(Garment, Garment.id == CareStep.garment_id)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(Location, Location.id == Garment.location_id)
             .where(CareStep.ended_at.is_(None)))
    if location_code:
        query = query.where(Location.code == location_code)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(CareStep.started_at).limit(limit).offset(offset)).all()
    return [CareEntry(*row) for row in rows], count


def awaiting_inspection(session: Session, *, location_code: str | None = None, limit: int = PAGE_SIZE,
                        offset: int = 0) -> tuple[list[tuple[str, str, str, str, str | None]], int]:
    """Returned garments waiting to be graded: (code, style number, style name, size, location)."""
    query = (select(Garment.code, Style.style_number, Style.name, Garment.size, Location.code)
             .join(Style, Style.id == Garment.style_id)
             .outerjoin(Location, Location.id == Garment.location_id)
             .where(Garment.state == GarmentState.AWAITING_INSPECTION))
    if location_code:
        query = query.where(Location.code == location_code)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(Garment.code).limit(limit).offset(offset)).all()
    return [tuple(row) for row in rows], count


def needs_reason(session: Session, garment_id: int) -> bool:
    """Whether the garment's next grading closes a returned rental (and so must say why it ended)."""
    return uninspected_return(session, garment_id) is not None


@dataclass(frozen=True)
class GarmentRentalSummary:
    """One garment's life in rental. ``public()`` is what its public product page may show."""

    turns: int
    days_rented: float
    quality_returns: int
    repairs: int
    cleanings: int
    care_cost_cents: int
    open_cycle_due_on: dt.date | None
    open_cycle_partner: str | None
    last_grade: Grade | None
    last_inspected_at: dt.datetime | None

    @classmethod
    def none(cls) -> GarmentRentalSummary:
        """A garment that was never rented out nor cared for."""
        return cls(turns=0, days_rented=0.0, quality_returns=0, repairs=0, cleanings=0, care_cost_cents=0,
                   open_cycle_due_on=None, open_cycle_partner=None, last_grade=None, last_inspected_at=None)

    def public(self) -> dict[str, int]:
        return {"rental_cycles": self.turns, "days_rented": int(round(self.days_rented)),
                "repairs": self.repairs}

    def as_dict(self) -> dict[str, Any]:
        return {"rental_cycles": self.turns, "days_rented": round(self.days_rented, 2),
                "quality_returns": self.quality_returns, "repairs": self.repairs, "cleanings": self.cleanings,
                "care_cost_cents": self.care_cost_cents,
                "open_cycle": None if self.open_cycle_due_on is None else
                {"partner": self.open_cycle_partner, "due_on": self.open_cycle_due_on.isoformat()},
                "last_grade": self.last_grade.value if self.last_grade else None}


def garment_rental_summary(session: Session, garment_id: int, *, now: dt.datetime | None = None
                           ) -> GarmentRentalSummary:
    """Turns (rental cycles), days rented, quality returns, repairs and cleanings of one garment.

    Days rented count finished cycles, plus the open one up to ``now`` when it is given.
    """
    cycles = session.execute(
        select(RentalCycle.checked_out_at, RentalCycle.returned_at, RentalCycle.return_reason,
               RentalCycle.due_on, RentalPartner.name)
        .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
        .where(RentalCycle.garment_id == garment_id).order_by(RentalCycle.id)).all()
    days = 0.0
    open_due, open_partner = None, None
    for out_at, back_at, _reason, due_on, partner in cycles:
        end = back_at if back_at is not None else now
        if back_at is None:
            open_due, open_partner = due_on, partner
        if end is not None:
            days += max(0.0, (utc(end) - utc(out_at)).total_seconds() / 86400)
    care_rows = session.execute(select(CareStep.kind, func.count(), func.sum(CareStep.cost_cents))
                                .where(CareStep.garment_id == garment_id).group_by(CareStep.kind)).all()
    care = {kind: count for kind, count, _ in care_rows}
    cost = sum(spent or 0 for _, _, spent in care_rows)
    last = session.execute(select(Inspection.grade, Inspection.inspected_at)
                           .where(Inspection.garment_id == garment_id)
                           .order_by(Inspection.id.desc()).limit(1)).first()
    return GarmentRentalSummary(
        turns=len(cycles), days_rented=days,
        quality_returns=sum(1 for c in cycles if c[2] is ReturnReason.QUALITY_RETURN),
        repairs=care.get(CareKind.REPAIR, 0), cleanings=care.get(CareKind.CLEANING, 0),
        care_cost_cents=int(cost), open_cycle_due_on=open_due, open_cycle_partner=open_partner,
        last_grade=last[0] if last else None, last_inspected_at=utc(last[1]) if last else None)


@dataclass(frozen=True)
class InspectionView:
    """An inspection with its defects and photo ids, for the evidence and garment pages."""

    id: int
    code: str
    grade: Grade
    reason: ReturnReason | None
    note: str
    inspected_at: dt.datetime
    defects: list[dict[str, Any]]


def inspections_of(session: Session, garment_id: int) -> list[InspectionView]:
    """A garment's inspections, newest first, each with its defects and their photos."""
    rows = session.execute(
        select(Inspection.id, Inspection.grade, Inspection.reason, Inspection.note, Inspection.inspected_at,
               Garment.code)
        .join(Garment, Garment.id == Inspection.garment_id)
        .where(Inspection.garment_id == garment_id).order_by(Inspection.id.desc())).all()
    defects = defects_for(session, [r[0] for r in rows])
    return [InspectionView(r[0], r[5], r[1], r[2], r[3], utc(r[4]), defects.get(r[0], [])) for r in rows]


def defects_for(session: Session, inspection_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Defects (with photo id or None) of the given inspections, in one query."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not inspection_ids:
        return out
    rows = session.execute(
        select(InspectionDefect.inspection_id, InspectionDefect.code, InspectionDefect.zone,
               InspectionDefect.severity, InspectionDefect.note, DefectPhoto.id)
        .outerjoin(DefectPhoto, DefectPhoto.defect_id == InspectionDefect.id)
        .where(InspectionDefect.inspection_id.in_(inspection_ids)).order_by(InspectionDefect.id)).all()
    for inspection_id, code, zone, severity, note, photo_id in rows:
        out.setdefault(inspection_id, []).append(
            {"code": code.value, "zone": zone, "severity": severity, "note": note, "photo_id": photo_id})
    return out


def photo(session: Session, photo_id: int, *, upload_dir: str) -> tuple[DefectPhoto, str]:
    """A defect photo's record and its file path; NotFound when either is missing."""
    record = session.get(DefectPhoto, photo_id)
    path = defect_photos.path_of(record.stored_name, upload_dir=upload_dir) if record else None
    if record is None or path is None:
        raise NotFound(N_("No such photo."))
    return record, path


def iter_rows(session: Session, query: Any, batch: int = 1000) -> Iterator[Any]:
    """Stream a large result without holding it all in memory (CSV exports)."""
    begin_streaming_read(session)
    yield from session.execute(query.execution_options(yield_per=batch))
