"""Rental quality rules: periods, utilisation and rates, attention points, the report statement.

Pure rules on figures the services aggregate in SQL. The definitions follow DOMAIN.md §2:
utilisation is days rented divided by days in the rental pool (the whole rental stay: ready in
the pool, rented out, awaiting inspection and in care on its way back); the quality-return rate is
quality returns divided by all returns (rental cycles that ended) in the same period.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import InvalidDetails
from .inspection import DefectCode
from .messages import N_

# --- periods -----------------------------------------------------------------------------------

_EARLIEST = dt.date(2000, 1, 1)
_LATEST = dt.date(2100, 12, 31)
MAX_PERIOD_DAYS = 366 * 20
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    """A span of local (Brussels) dates, both ends included."""

    from_on: dt.date
    to_on: dt.date

    @property
    def days(self) -> int:
        return (self.to_on - self.from_on).days + 1


def _parse_day(raw: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value: dt.date | None = None
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str) and _ISO_DAY.match(raw.strip()):
        try:
            value = dt.date.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None or not _EARLIEST <= value <= _LATEST:
        errors[name] = N_("Must be a date (YYYY-MM-DD) between 2000 and 2100.")
        return None
    return value


def parse_period(raw_from: Any, raw_to: Any, *, today: dt.date) -> Period:
    """The period ``from``–``to`` (ISO dates, both optional); defaults to this year up to today.

    Raises InvalidDetails naming ``from`` or ``to`` when a date is malformed, out of range, or
    the period runs backwards.
    """
    errors: dict[str, str] = {}
    from_on = _parse_day(raw_from, "from", errors)
    to_on = _parse_day(raw_to, "to", errors)
    if errors:
        raise InvalidDetails(errors)
    to_on = to_on or max(today, from_on or today)
    from_on = from_on or dt.date(to_on.year, 1, 1)
    if to_on < from_on:
        raise InvalidDetails({"to": N_("The end of the period cannot be before its start.")})
    if (to_on - from_on).days > MAX_PERIOD_DAYS:
        raise InvalidDetails({"from": N_("The period can be at most twenty years.")})
    return Period(from_on, to_on)


def days_overdue(due_on: dt.date, today: dt.date) -> int:
    """Whole days past the due date (0 when not yet due)."""
    return max(0, (today - due_on).days)


# --- figures -----------------------------------------------------------------------------------


def utilisation(days_rented: float, days_in_pool: float) -> float | None:
    """Days rented / days in the pool, or None when the garments were never in the pool."""
    if days_in_pool <= 0:
        return None
    return min(1.0, days_rented / days_in_pool)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` or None when there is nothing to divide by."""
    return part / whole if whole > 0 else None


@dataclass(frozen=True)
class Figures:
    """The rental figures of one group of garments (a style, a material …) over a period.

    ``cycles`` started in the period; ``returns`` and ``quality_returns`` ended in it;
    ``days_rented`` and ``days_in_pool`` are the parts of rentals and pool stays inside it;
    ``defects`` counts defects found in inspections in the period, by code.
    """

    #: distinct garments with a rental cycle started in the period (totals only: not additive)
    garments: int | None = None
    cycles: int = 0
    days_rented: float = 0.0
    days_in_pool: float = 0.0
    returns: int = 0
    quality_returns: int = 0
    defects: Mapping[str, int] = field(default_factory=dict)
    repairs: int = 0
    cleanings: int = 0

    @property
    def utilisation(self) -> float | None:
        return utilisation(self.days_rented, self.days_in_pool)

    @property
    def quality_return_rate(self) -> float | None:
        return rate(self.quality_returns, self.returns)

    @property
    def defect_count(self) -> int:
        return sum(self.defects.values())

    def __add__(self, other: Figures) -> Figures:
        defects = dict(self.defects)
        for code, n in other.defects.items():
            defects[code] = defects.get(code, 0) + n
        garments = None if self.garments is None and other.garments is None \
            else (self.garments or 0) + (other.garments or 0)
        return Figures(
            garments=garments, cycles=self.cycles + other.cycles,
            days_rented=self.days_rented + other.days_rented,
            days_in_pool=self.days_in_pool + other.days_in_pool,
            returns=self.returns + other.returns, quality_returns=self.quality_returns + other.quality_returns,
            defects=defects, repairs=self.repairs + other.repairs, cleanings=self.cleanings + other.cleanings,
        )

    def is_empty(self) -> bool:
        return not (self.cycles or self.returns or self.days_in_pool or self.days_rented
                    or self.defect_count or self.repairs or self.cleanings)

    def as_dict(self) -> dict[str, Any]:
        counted = {} if self.garments is None else {"garments": self.garments}
        return {
            **counted, "rental_cycles": self.cycles,
            "days_rented": round(self.days_rented, 2), "days_in_pool": round(self.days_in_pool, 2),
            "utilisation": None if self.utilisation is None else round(self.utilisation, 4),
            "returns": self.returns, "quality_returns": self.quality_returns,
            "quality_return_rate": None if self.quality_return_rate is None
            else round(self.quality_return_rate, 4),
            "defects": dict(sorted(self.defects.items())), "repairs": self.repairs,
            "cleanings": self.cleanings,
        }


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of many figures (summed field by field: a chain has thousands of styles)."""
    counts = dict.fromkeys(("cycles", "returns", "quality_returns", "repairs", "cleanings"), 0)
    days_rented = days_in_pool = 0.0
    garments: int | None = None
    defects: dict[str, int] = {}
    for f in figures:
        for name in counts:
            counts[name] += getattr(f, name)
        days_rented += f.days_rented
        days_in_pool += f.days_in_pool
        if f.garments is not None:
            garments = (garments or 0) + f.garments
        for code, n in f.defects.items():
            defects[code] = defects.get(code, 0) + n
    return Figures(garments=garments, days_rented=days_rented, days_in_pool=days_in_pool, defects=defects,
                   **counts)


def material_label(fibre: str, certification: str = "") -> str:
    """One word per material as merchandisers say it: "viscose (LENZING™ ECOVERO™)"."""
    fibre = fibre.strip().lower()
    return f"{fibre} ({certification.strip()})" if certification and certification.strip() else fibre


# --- attention points --------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """When a style or material needs a merchandiser's attention (configurable per site).

    The report's own bar is one: a single snag-prone quality return was worth noting for the
    next collections, so one quality return is enough by default.
    """

    min_quality_returns: int = 1
    min_defects: int = 5
    #: a quality-return rate at or above this, once at least ``min_returns_for_rate`` returns
    min_quality_rate: float | None = 0.10
    min_returns_for_rate: int = 5

    def __post_init__(self) -> None:
        if self.min_quality_returns < 1 or self.min_defects < 1 or self.min_returns_for_rate < 1:
            raise InvalidDetails({"thresholds": N_("Thresholds must be at least 1.")})
        if self.min_quality_rate is not None and not 0 < self.min_quality_rate <= 1:
            raise InvalidDetails({"min_quality_rate": N_("The rate must be between 0 and 100%.")})


def parse_thresholds(raw: Mapping[str, Any], defaults: Thresholds) -> Thresholds:
    """Thresholds from form or query values (``min_quality_returns``, ``min_defects``,
    ``min_quality_rate`` in percent); missing values keep ``defaults``. Raises InvalidDetails."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in ("min_quality_returns", "min_defects", "min_returns_for_rate"):
        value = raw.get(name)
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            errors[name] = N_("Must be a whole number.")
            continue
        if not 1 <= number <= 100_000:
            errors[name] = N_("Must be between 1 and 100000.")
            continue
        values[name] = number
    raw_rate = raw.get("min_quality_rate")
    if raw_rate not in (None, ""):
        try:
            percent = float(str(raw_rate).strip().rstrip("%"))
        except ValueError:
            percent = -1.0
        if not 0 < percent <= 100:
            errors["min_quality_rate"] = N_("The rate must be between 0 and 100%.")
        else:
            values["min_quality_rate"] = percent / 100
    if errors:
        raise InvalidDetails(errors)
    return replace(defaults, **values)


ATTENTION_REASONS = {
    "quality_returns": N_("quality returns at or above the threshold"),
    "defects": N_("defects at or above the threshold"),
    "quality_rate": N_("quality-return rate at or above the threshold"),
}


def attention_reasons(figures: Figures, thresholds: Thresholds) -> list[str]:
    """Why these figures pass a threshold (keys of ATTENTION_REASONS); empty when they do not."""
    reasons = []
    if figures.quality_returns >= thresholds.min_quality_returns:
        reasons.append("quality_returns")
    if figures.defect_count >= thresholds.min_defects:
        reasons.append("defects")
    rate_now = figures.quality_return_rate
    if thresholds.min_quality_rate is not None and rate_now is not None \
            and figures.returns >= thresholds.min_returns_for_rate and rate_now >= thresholds.min_quality_rate:
        reasons.append("quality_rate")
    return reasons


def is_acknowledged(acknowledged_at: dt.datetime | None, latest_evidence_at: dt.datetime | None) -> bool:
    """An acknowledgement holds until new evidence (a later inspection) arrives."""
    if acknowledged_at is None:
        return False
    return latest_evidence_at is None or latest_evidence_at <= acknowledged_at


# --- the report statement ----------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """The one-line, data-backed rental statement for the yearly report."""

    period: Period
    garments: int
    cycles: int
    quality_returns: int
    #: defect code → number of quality returns it was found in, most frequent first
    reasons: tuple[tuple[str, int], ...]

    def reasons_text(self) -> str:
        if not self.reasons:
            return "none"
        return ", ".join(f"{DefectCode.message_of(code)}"
                         f" ({n})" for code, n in self.reasons)

    def render(self) -> str:
        """The English sentence (the web layer translates the same parts)."""
        return (f"{self.period.from_on.isoformat()} to {self.period.to_on.isoformat()}: "
                f"{_count(self.garments, 'garment', 'garments')}, "
                f"{_count(self.cycles, 'rental cycle', 'rental cycles')}, "
                f"{_count(self.quality_returns, 'quality return', 'quality returns')} "
                f"(reasons: {self.reasons_text()})")

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.period.from_on.isoformat(), "to": self.period.to_on.isoformat(),
                "garments": self.garments, "rental_cycles": self.cycles,
                "quality_returns": self.quality_returns,
                "reasons": [{"defect": code, "count": n} for code, n in self.reasons],
                "text": self.render()}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def build_statement(period: Period, *, garments: int, cycles: int, quality_returns: int,
                    reasons: Mapping[str, int]) -> Statement:
    """The statement from its figures; reasons sorted by count, then code, so it is reproducible."""
    ordered = tuple(sorted(((c, n) for c, n in reasons.items() if n > 0), key=lambda x: (-x[1], x[0])))
    return Statement(period, garments, cycles, quality_returns, ordered)


# --- exports -----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value safe to put in a CSV cell: text that a spreadsheet would run as a formula gets a
    leading quote (OWASP "CSV injection"); numbers and empty values pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
