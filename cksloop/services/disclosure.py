"""The yearly unsold-goods disclosure (Regulation 2024/1781 Art. 24, Implementing Regulation 2026/2 Annex I).

Every figure is read from the garment ledger: a discard is a ``retire`` event whose route the
disclosure counts as destruction (recycling), in the financial year (the calendar year, Brussels
days). Sales — to customers, at the outlet, to buyers — and donations are not discards and are
never read as such. ``discard_records`` is the one query behind both the figures and the drill
into the garments behind each figure, so their counts cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, OverstockDailySales, RentalRollup, Style
from cksloop.domain.clock import local_date, start_of_local_day
from cksloop.domain.disclosure import (NO_GROUND, DiscardRecord, Disclosure, MeasureRecord, PreventionMeasure,
                                       Treatment, category_of, disclose, measure_of_retirement,
                                       treatment_of_retirement)
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.overstock_figures import Channel
from cksloop.domain.lifecycle import Action, DestructionGround, RetireRoute
from cksloop.domain.messages import N_
from cksloop.services import settings

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class YearRead:
    """What the ledger says about one financial year: the discards and the prevention measures."""

    discards: list[DiscardRecord]
    measures: list[MeasureRecord]
    unclassified: list[str]  # discarded garments whose style has no CN code yet (to fix on the style)


def check_year(year: int | None) -> int:
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidDetails({"year": N_("Give the financial year as four digits, e.g. 2026.")})
    return year


def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return start_of_local_day(dt.date(year, 1, 1)), start_of_local_day(dt.date(year + 1, 1, 1))


def _route(details: dict[str, Any] | None) -> RetireRoute | None:
    try:
        return RetireRoute((details or {}).get("route"))
    except ValueError:
        return None


def _ground(details: dict[str, Any] | None) -> DestructionGround | None:
    try:
        return DestructionGround((details or {}).get("ground"))
    except ValueError:
        return None


def read_year(session: Session, *, year: int) -> YearRead:
    """The year's discards and prevention measures from the ledger, oldest event first.

    Sales in the outlet and rental check-outs count as totals per measure, read from the rollups
    written with their events (the overstock sales rollup, the rental rollup's month rows): a year
    holds millions of them at chain scale, and the disclosure needs their number and weight only."""
    start, end = _bounds(check_year(year))
    in_year = (GarmentEvent.occurred_at >= start, GarmentEvent.occurred_at < end)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    measures: list[MeasureRecord] = []
    outlet = session.execute(
        select(func.coalesce(func.sum(OverstockDailySales.sold), 0),
               func.coalesce(func.sum(OverstockDailySales.sold * func.coalesce(Style.unit_weight_g, 0)), 0))
        .join(Style, Style.id == OverstockDailySales.style_id)
        .where(OverstockDailySales.channel == Channel.OUTLET.value, OverstockDailySales.day >= first,
               OverstockDailySales.day <= last)).one()
    if outlet[0]:
        measures.append(MeasureRecord(PreventionMeasure.OUTLET, int(outlet[0]), int(outlet[1])))
    rented = session.execute(
        select(func.coalesce(func.sum(RentalRollup.cycles_started), 0),
               func.coalesce(func.sum(RentalRollup.cycles_started * func.coalesce(Style.unit_weight_g, 0)), 0))
        .join(Style, Style.id == RentalRollup.style_id)
        .where(RentalRollup.grain == "m", RentalRollup.bucket_on >= first, RentalRollup.bucket_on <= last)).one()
    if rented[0]:
        measures.append(MeasureRecord(PreventionMeasure.RENTAL, int(rented[0]), int(rented[1])))
    rows = session.execute(
        select(GarmentEvent.details, GarmentEvent.occurred_at, Garment.code, Style.cn_code, Style.unit_weight_g)
        .join(Garment, Garment.id == GarmentEvent.garment_id).join(Style, Style.id == Garment.style_id)
        .where(*in_year, GarmentEvent.action == Action.RETIRE)
        .order_by(GarmentEvent.occurred_at, GarmentEvent.id))
    discards: list[DiscardRecord] = []
    unclassified: list[str] = []
    for details, at, code, cn_code, weight in rows:
        grams = weight or 0
        route = _route(details)
        if route is None:
            continue
        measure = measure_of_retirement(route)
        if measure is not None:
            measures.append(MeasureRecord(measure, 1, grams))
        treatment = treatment_of_retirement(route)
        if treatment is None:
            continue
        if not cn_code:
            unclassified.append(code)
            continue
        discards.append(DiscardRecord(garment_code=code, cn_code=cn_code, unit_weight_g=grams,
                                      ground=_ground(details), treatment=treatment, discarded_on=local_date(at)))
    return YearRead(discards, measures, unclassified)


def disclosure(session: Session, *, year: int) -> tuple[Disclosure, YearRead]:
    """The disclosure of ``year`` with the header from the settings, and what it was computed from."""
    read = read_year(session, year=year)
    return disclose(year=year, entity_name=settings.get_text(session, settings.LEGAL_ENTITY_NAME),
                    entity_identifier=settings.get_text(session, settings.LEGAL_ENTITY_IDENTIFIER),
                    discards=read.discards, measures=read.measures), read


def as_answer(found: Disclosure, read: YearRead) -> dict[str, Any]:
    """The disclosure in the API's shape (issue 14); kilograms and percentages as numbers."""
    return {
        "year": found.year,
        "entity": {"name": found.entity_name, "identifier": found.entity_identifier},
        "categories": [{"cn_code": c.cn_code, "units": c.units, "weight_kg": float(c.weight_kg),
                        "grounds": dict(c.grounds),
                        "treatment_pct": {t.value: float(c.treatment_pct[t]) for t in Treatment}}
                       for c in found.categories],
        "measures": [{"measure": m.measure.value, "units": m.units, "weight_kg": m.weight_g / 1000}
                     for m in found.measures],
        "totals": {"units": found.units, "weight_kg": found.weight_g / 1000},
        "unclassified_units": len(read.unclassified),
    }


def drill(session: Session, *, year: int, cn_code: str | None = None, ground: str | None = None,
          treatment: str | None = None) -> list[str]:
    """The garments behind one figure: the same records as the disclosure, narrowed by category,
    ground (``none`` for a discard without one) and treatment; sorted codes."""
    errors: dict[str, str] = {}
    if ground and ground != NO_GROUND and _ground({"ground": ground}) is None:
        errors["ground"] = N_("This is not a ground of Delegated Regulation 2026/296.")
    if treatment and treatment not in {t.value for t in Treatment}:
        errors["treatment"] = N_("Not one of the treatments of the disclosure.")
    if cn_code and not (cn_code.isdigit() and len(cn_code) in (2, 4)):
        errors["cn_code"] = N_("A product category is a CN code of 2 or 4 digits.")
    if errors:
        raise InvalidDetails(errors)
    codes = [r.garment_code for r in read_year(session, year=year).discards
             if (not cn_code or category_of(r.cn_code) == cn_code)
             and (not ground or (r.ground.value if r.ground else NO_GROUND) == ground)
             and (not treatment or r.treatment.value == treatment)]
    return sorted(codes)
