"""Rental section: the pool, rental cycles, days rented, utilisation, turnaround, returns inspected,
quality returns with their defects, and the attention points raised (report section 3, Dressr).

Seam: days rented and utilisation come from ``services.rental_figures`` (the rollups written with
the events); the lists come from the rental tables the ledger's projection keeps.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from cksloop.db.models import (AttentionAcknowledgement, Garment, Inspection, InspectionDefect, RentalCycle,
                               RentalDefectRollup, RentalPartner, RentalPoolStay, RentalTurnaround, Style)
from cksloop.domain.charter import share_pct
from cksloop.domain.inspection import DefectCode, ReturnReason
from cksloop.domain.rental_quality import Period, total
from cksloop.services.charter.figures import Figure, Section, counted, drill_url, keep, measured, year_bounds
from cksloop.services.rental_figures import Bounds, figures_by_style, utc_literal, within

NAME = "rental"
QUALITY_PREFIX = "quality_returns_"


def _garments(where: Any) -> Select[Any]:
    return (select(Garment.id.label("garment_id"), Garment.code.label("code"), Style.style_number.label("style"),
                   Style.name.label("style_name"), Garment.size.label("size"))
            .join(Style, Style.id == Garment.style_id).where(where).order_by(Garment.id))


def pool_garments(year: int) -> Select[Any]:
    """Garments in the rental pool at any moment of the year."""
    # IN, not EXISTS: the planner walks the year's stays instead of probing every garment of the chain
    return _garments(Garment.id.in_(select(RentalPoolStay.garment_id).where(_first_stays_of(year))))


def _first_stays_of(year: int) -> Any:
    """Each garment's first pool stay overlapping the year: exactly one per garment in the pool in it
    (a garment's stays never overlap, and each knows when the one before it ended)."""
    b = year_bounds(year)
    return and_(RentalPoolStay.started_at < utc_literal(b.end),
                or_(RentalPoolStay.ended_at.is_(None), RentalPoolStay.ended_at >= utc_literal(b.start)),
                or_(RentalPoolStay.previous_ended_at.is_(None),
                    RentalPoolStay.previous_ended_at < utc_literal(b.start)))


def _first_cycles_of(year: int) -> Any:
    """Each garment's first cycle checked out in the year: exactly one per garment rented in it (the
    projection writes on every cycle when its garment was last checked out before)."""
    b = year_bounds(year)
    return and_(within(RentalCycle.checked_out_at, b),
                or_(RentalCycle.previous_check_out_at.is_(None),
                    RentalCycle.previous_check_out_at < utc_literal(b.start)))


def garments_rented(year: int) -> Select[Any]:
    """Garments checked out at least once in the year."""
    return _garments(Garment.id.in_(select(RentalCycle.garment_id).where(_first_cycles_of(year))))


def _cycles(where: Any) -> Select[Any]:
    return (select(RentalCycle.id.label("cycle"), Garment.code.label("code"), Style.style_number.label("style"),
                   RentalPartner.name.label("partner"), RentalCycle.checked_out_at.label("checked_out_at"),
                   RentalCycle.returned_at.label("returned_at"), RentalCycle.return_reason.label("reason"))
            .join(Garment, Garment.id == RentalCycle.garment_id).join(Style, Style.id == Garment.style_id)
            .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
            .where(where).order_by(RentalCycle.id))


def rental_cycles(year: int) -> Select[Any]:
    """Rental cycles checked out in the year."""
    return _cycles(within(RentalCycle.checked_out_at, year_bounds(year)))


def returns(year: int) -> Select[Any]:
    """Rental cycles that ended in the year (lost ones included)."""
    return _cycles(within(RentalCycle.returned_at, year_bounds(year)))


def _returns_inspected_of(year: int) -> Any:
    return and_(within(RentalCycle.returned_at, year_bounds(year)), RentalCycle.inspected_at.is_not(None))


def returns_inspected(year: int) -> Select[Any]:
    """Returns of the year that were inspected (the projection writes when, with the first grading)."""
    return _cycles(_returns_inspected_of(year))


def _counted(session: Session, table: Any, where: Any) -> int:
    """How many rows a list holds, counted on the cycles or stays it is made of, from their indexes
    alone: the list's joins follow required keys, so they neither add nor drop a row (a test holds
    each count to its list's length)."""
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def quality_returns(year: int, code: DefectCode | None = None) -> Select[Any]:
    """Returns of the year that came back because quality fell short (with defect ``code``, if given)."""
    where = and_(within(RentalCycle.returned_at, year_bounds(year)),
                 RentalCycle.return_reason == ReturnReason.QUALITY_RETURN)
    if code is not None:
        where = and_(where, exists().where(Inspection.rental_cycle_id == RentalCycle.id,
                                           InspectionDefect.inspection_id == Inspection.id,
                                           InspectionDefect.code == code))
    return _cycles(where)


def attention_points(year: int) -> Select[Any]:
    """Attention points a merchandiser raised for the next collections in the year."""
    b = year_bounds(year)
    return (select(AttentionAcknowledgement.id.label("point"), AttentionAcknowledgement.subject_kind.label("kind"),
                   AttentionAcknowledgement.subject_key.label("subject"), AttentionAcknowledgement.note.label("note"),
                   AttentionAcknowledgement.acknowledged_at.label("raised_at"))
            .where(within(AttentionAcknowledgement.acknowledged_at, b)).order_by(AttentionAcknowledgement.id))


def _turnaround_days(session: Session, year: int) -> float | None:
    """Average days from a return in the year until the garment was ready in the pool again (the
    moment the rental projection wrote on the cycle), from the turnaround rows of the year's months
    (written with that moment); returns not yet followed by it are left out."""
    n, total = session.execute(select(func.sum(RentalTurnaround.ready_n), func.sum(RentalTurnaround.ready_s))
                               .where(RentalTurnaround.month >= dt.date(year, 1, 1),
                                      RentalTurnaround.month < dt.date(year + 1, 1, 1))).one()
    return int(total) / int(n) / 86400 if n else None


LISTS = {"pool_garments": pool_garments, "garments_rented": garments_rented, "rental_cycles": rental_cycles,
         "returns": returns, "returns_inspected": returns_inspected, "quality_returns": quality_returns,
         "attention_points": attention_points}
UNITS = {"pool_garments": "garments", "garments_rented": "garments", "rental_cycles": "cycles",
         "returns": "returns", "returns_inspected": "returns", "quality_returns": "returns",
         "attention_points": "events"}


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    if key in LISTS:
        return LISTS[key](year)
    if key.startswith(QUALITY_PREFIX):
        code = key.removeprefix(QUALITY_PREFIX).upper()
        if code in DefectCode.__members__:
            return quality_returns(year, DefectCode[code])
    return None


def _quality_returns_by_code(session: Session, year: int) -> dict[DefectCode, int]:
    """Quality returns of the year per defect code, from the defect rollups' month rows."""
    found = dict(session.execute(
        select(RentalDefectRollup.code, func.sum(RentalDefectRollup.quality_returns))
        .where(RentalDefectRollup.grain == "m", RentalDefectRollup.bucket_on >= dt.date(year, 1, 1),
               RentalDefectRollup.bucket_on < dt.date(year + 1, 1, 1))
        .group_by(RentalDefectRollup.code)).all())
    by_value = {getattr(code, "value", code): int(n or 0) for code, n in found.items()}
    return {c: by_value[c.value] for c in DefectCode if by_value.get(c.value)}


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {}
    period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    b = year_bounds(year)
    # the rollups count a rental still open up to now, not to the end of the year
    capped = Bounds(b.start, b.end, max(b.start, min(b.end, now)))
    figures = total(figures_by_style(session, bounds=capped, period=period, now=now).values())
    # Additive counts come from the rollups written with the events, by the same Brussels months as
    # the lists they drill into (a test holds every count to its list's length); distinct garments
    # are not additive, so those two count their lists.
    out["pool_garments"] = Figure(_counted(session, RentalPoolStay, _first_stays_of(year)), "garments",
                                  drill_url(NAME, "pool_garments", year))
    out["garments_rented"] = Figure(_counted(session, RentalCycle, _first_cycles_of(year)), "garments",
                                    drill_url(NAME, "garments_rented", year))
    out["rental_cycles"] = Figure(figures.cycles, "cycles", drill_url(NAME, "rental_cycles", year))
    if figures.days_in_pool > 0:
        keep(out, "days_rented", measured(NAME, "days_rented", year, figures.days_rented, "days", "rental_cycles"))
        keep(out, "utilisation", measured(NAME, "utilisation", year,
                                          share_pct(figures.days_rented, figures.days_in_pool), "pct",
                                          "pool_garments"))
    keep(out, "turnaround", measured(NAME, "turnaround", year, _turnaround_days(session, year), "days", "returns"))
    out["returns"] = Figure(figures.returns, "returns", drill_url(NAME, "returns", year))
    out["returns_inspected"] = Figure(_counted(session, RentalCycle, _returns_inspected_of(year)), "returns",
                                      drill_url(NAME, "returns_inspected", year))
    out["quality_returns"] = Figure(figures.quality_returns, "returns", drill_url(NAME, "quality_returns", year))
    for code, n in _quality_returns_by_code(session, year).items():
        key = QUALITY_PREFIX + code.value.lower()
        out[key] = Figure(n, "returns", drill_url(NAME, key, year))
    out["attention_points"] = counted(session, NAME, "attention_points", year, attention_points(year), "events")
    return out
