"""Unsold-goods disclosure: which discards are lawful, and the yearly figures per product category.

Sources: Regulation (EU) 2024/1781 Art. 24–25, Implementing Regulation (EU) 2026/2 Annex I,
Delegated Regulation (EU) 2026/296, DOMAIN.md §4.

Pure aggregation: the service feeds the financial year's discard records and prevention measures
read from the ledger; the answer holds every figure of the disclosure and the garments behind each.
Sales (also to bulk buyers) and donations are not discards and are never fed in.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

from .errors import InvalidDetails
from .lifecycle import DestructionGround, RetireRoute
from .lifecycle.vocabulary import NOT_GROUNDS  # noqa: F401  # one list, also read here
from .messages import N_

K = TypeVar("K")

#: Evidence for a discard is kept this long (Delegated Regulation 2026/296), producible within 30 days.
EVIDENCE_YEARS = 5
#: The key of ``grounds`` for a discard recorded without a ground (before the ban of 19 July 2026).
NO_GROUND = "none"


class Treatment(StrEnum):
    """The treatment split of Annex I, in its order."""

    PREPARING_FOR_REUSE = "preparing_for_reuse"
    RECYCLING = "recycling"
    OTHER_RECOVERY = "other_recovery"  # energy recovery included
    DISPOSAL = "disposal"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _TREATMENT_LABELS[self]


_TREATMENT_LABELS: dict[Treatment, str] = {
    Treatment.PREPARING_FOR_REUSE: N_("preparing for reuse"),
    Treatment.RECYCLING: N_("recycling"),
    Treatment.OTHER_RECOVERY: N_("other recovery, including energy recovery"),
    Treatment.DISPOSAL: N_("disposal"),
    Treatment.UNKNOWN: N_("unknown"),
}


class PreventionMeasure(StrEnum):
    """Measures taken to prevent discarding, reported with their volumes."""

    OUTLET = "outlet"
    RENTAL = "rental"
    WORKSHOPS = "workshops"
    REMANUFACTURING = "remanufacturing"

    @property
    def label(self) -> str:
        return _MEASURE_LABELS[self]


_MEASURE_LABELS: dict[PreventionMeasure, str] = {
    PreventionMeasure.OUTLET: N_("sold at the outlet"),
    PreventionMeasure.RENTAL: N_("rented out through a rental partner"),
    PreventionMeasure.WORKSHOPS: N_("cut into offcuts for workshop products"),
    PreventionMeasure.REMANUFACTURING: N_("remanufactured"),
}


def treatment_of_retirement(route: RetireRoute) -> Treatment | None:
    """The treatment when retiring by ``route`` discards the garment; None when it is not a discard.

    Recycling counts as destruction (Art. 2); remanufacturing and offcuts for workshop products are
    preparing for reuse, which the regulation excepts — they are prevention measures instead.
    """
    return Treatment.RECYCLING if route is RetireRoute.RECYCLING else None


def measure_of_retirement(route: RetireRoute) -> PreventionMeasure | None:
    """The prevention measure a retirement by ``route`` counts for, if any."""
    return {RetireRoute.REMANUFACTURING: PreventionMeasure.REMANUFACTURING,
            RetireRoute.OFFCUTS: PreventionMeasure.WORKSHOPS}.get(route)


def check_discard(*, ground: str | None, evidence: str | None) -> DestructionGround:
    """The ground when an unsold garment may be discarded; raises ``InvalidDetails`` otherwise.

    A discard needs a ground of Delegated Regulation 2026/296 **and** evidence (a stored document or
    photo's reference, kept 5 years). "End of season" and "overproduction" are not grounds.
    """
    errors: dict[str, str] = {}
    found: DestructionGround | None = None
    word = (ground or "").strip().lower()
    if not word:
        errors["ground"] = N_("Name the ground of Delegated Regulation 2026/296 that allows discarding.")
    elif word in NOT_GROUNDS:
        errors["ground"] = N_("End of season and overproduction are not grounds for discarding "
                              "(EU Regulation 2024/1781): sell, rent, donate or remanufacture instead.")
    else:
        try:
            found = DestructionGround(word)
        except ValueError:
            errors["ground"] = N_("This is not a ground of Delegated Regulation 2026/296.")
    if not (evidence or "").strip():
        errors["evidence"] = N_("Add the evidence (a document or photo) for the ground; it is kept 5 years.")
    if errors or found is None:
        raise InvalidDetails(errors)
    return found


def evidence_kept_until(discarded_on: dt.date) -> dt.date:
    """The last day a discard's evidence must still be kept (29 February counts as 28 February)."""
    year = discarded_on.year + EVIDENCE_YEARS
    try:
        return discarded_on.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


@dataclass(frozen=True)
class DiscardRecord:
    """One discarded garment as the ledger holds it."""

    garment_code: str
    cn_code: str  # the style's Combined Nomenclature code, at least 2 digits
    unit_weight_g: int
    ground: DestructionGround | None
    treatment: Treatment
    discarded_on: dt.date


@dataclass(frozen=True)
class MeasureRecord:
    """A volume of garments kept from discarding by one measure (one row per garment or a total)."""

    measure: PreventionMeasure
    units: int
    weight_g: int


@dataclass(frozen=True)
class CategoryFigures:
    cn_code: str
    units: int
    weight_g: int
    grounds: Mapping[str, int]  # ground value (or NO_GROUND) → units
    treatment_pct: Mapping[Treatment, Decimal]  # every treatment, summing to exactly 100
    garments: tuple[str, ...]  # the garments behind the figures, sorted

    @property
    def weight_kg(self) -> Decimal:
        return (Decimal(self.weight_g) / 1000).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class MeasureFigures:
    measure: PreventionMeasure
    units: int
    weight_g: int


@dataclass(frozen=True)
class Disclosure:
    year: int
    entity_name: str
    entity_identifier: str
    categories: tuple[CategoryFigures, ...]
    measures: tuple[MeasureFigures, ...]

    @property
    def units(self) -> int:
        return sum(c.units for c in self.categories)

    @property
    def weight_g(self) -> int:
        return sum(c.weight_g for c in self.categories)


def category_of(cn_code: str, *, four_digit_headings: frozenset[str] = frozenset()) -> str:
    """The Annex I category: the CN chapter (2 digits), or the heading (4 digits) where it is asked."""
    digits = cn_code.replace(" ", "").replace(".", "")
    if len(digits) < 2 or not digits.isdigit():
        raise InvalidDetails({"cn_code": N_("A CN code has at least 2 digits.")}, cn_code=cn_code)
    return digits[:4] if digits[:4] in four_digit_headings else digits[:2]


def split_percent(shares: Mapping[K, int], *, order: Iterable[K], decimals: int = 1) -> dict[K, Decimal]:
    """Percentages of ``shares`` that sum to exactly 100, by largest remainder (ties in ``order``).

    Every key of ``order`` is in the answer; with nothing to share every percentage is 0.
    """
    keys = list(order)
    total = sum(shares.get(k, 0) for k in keys)
    step = Decimal(1).scaleb(-decimals)
    if total <= 0:
        return {k: Decimal(0).quantize(step) for k in keys}
    units = 100 * 10 ** decimals  # work in whole steps of 10^-decimals percent
    exact = {k: Decimal(shares.get(k, 0) * units) / total for k in keys}
    floors = {k: int(exact[k]) for k in keys}
    left = units - sum(floors.values())
    by_remainder = sorted(keys, key=lambda k: (-(exact[k] - floors[k]), keys.index(k)))
    for k in by_remainder[:left]:
        floors[k] += 1
    return {k: (Decimal(floors[k]) * step).quantize(step, rounding=ROUND_HALF_UP) for k in keys}


def disclose(*, year: int, entity_name: str, entity_identifier: str, discards: Iterable[DiscardRecord],
             measures: Iterable[MeasureRecord] = (), four_digit_headings: frozenset[str] = frozenset(),
             decimals: int = 1) -> Disclosure:
    """The disclosure of a financial year from its discard records and prevention measures.

    Per category: units, weight, units by ground, and the treatment split by weight (by units when
    the category's weight is unknown, i.e. zero), rounded to ``decimals`` and summing to 100.
    """
    # one pass over the records (a year may hold many thousands); categories cached per CN code
    category: dict[str, str] = {}
    units: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    grounds: dict[str, Counter[str]] = {}
    by_weight: dict[str, Counter[Treatment]] = {}
    by_units: dict[str, Counter[Treatment]] = {}
    garments: dict[str, list[str]] = {}
    for r in discards:
        code = category.get(r.cn_code)
        if code is None:
            code = category[r.cn_code] = category_of(r.cn_code, four_digit_headings=four_digit_headings)
            for table in (grounds, by_weight, by_units):
                table.setdefault(code, Counter())
            garments.setdefault(code, [])
        units[code] += 1
        weight[code] += r.unit_weight_g
        grounds[code][r.ground or NO_GROUND] += 1  # a StrEnum member is its value as a key
        by_weight[code][r.treatment] += r.unit_weight_g
        by_units[code][r.treatment] += 1
        garments[code].append(r.garment_code)
    categories = tuple(CategoryFigures(
        cn_code=code, units=units[code], weight_g=weight[code],
        grounds={str(k): n for k, n in sorted(grounds[code].items())},
        treatment_pct=split_percent(by_weight[code] if weight[code] else by_units[code], order=list(Treatment),
                                    decimals=decimals),
        garments=tuple(sorted(garments[code]))) for code in sorted(units))
    totals: dict[PreventionMeasure, list[int]] = {}
    for m in measures:
        pair = totals.setdefault(m.measure, [0, 0])
        pair[0] += m.units
        pair[1] += m.weight_g
    return Disclosure(year=year, entity_name=entity_name, entity_identifier=entity_identifier,
                      categories=categories,
                      measures=tuple(MeasureFigures(k, *totals[k]) for k in PreventionMeasure if k in totals))
