"""The report's building blocks: a figure, a year as UTC instants, and counting a figure's own list.

A counted figure is the length of a list: one function returns the list's query, the figure
counts it and the drill pages it, so the two can never disagree. A measured figure (kg, eur, pct,
days) names the list it is measured on as its drill.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cksloop.domain.clock import start_of_local_day
from cksloop.services.rental_figures import Bounds

API_DRILL = "/api/v1/reports/charter/drill"


@dataclass(frozen=True)
class Figure:
    """One figure of a section; ``previous`` is filled in by the report (the year before)."""

    value: int | float
    unit: str
    drill: str | None = None
    previous: int | float | None = None
    #: whether the drill's count equals the value (counted units), or the list it is measured on
    counted: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "previous": self.previous, "drill": self.drill}


Section = dict[str, Figure]


def year_bounds(year: int) -> Bounds:
    """1 January to 1 January in Brussels, as UTC instants."""
    start = start_of_local_day(dt.date(year, 1, 1))
    end = start_of_local_day(dt.date(year + 1, 1, 1))
    return Bounds(start, end, end)


def drill_url(section: str, key: str, year: int) -> str:
    return f"{API_DRILL}/{section}/{key}?year={year}"


def count(session: Session, query: Select[Any]) -> int:
    """How many rows the list has (the counted figure)."""
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def counted(session: Session, section: str, key: str, year: int, query: Select[Any], unit: str) -> Figure:
    return Figure(count(session, query), unit, drill_url(section, key, year))


def measured(section: str, key: str, year: int, value: float | None, unit: str,
             drill_key: str | None = None) -> Figure | None:
    """A measured figure, or None when there is nothing to measure (left out, never zero)."""
    if value is None:
        return None
    # euro to the cent, kilograms to the gram, the rest to one decimal
    digits = {"eur": 2, "kg": 3}.get(unit, 1)
    return Figure(round(value, digits), unit, drill_url(section, drill_key or key, year), counted=False)


def keep(section: Section, key: str, figure: Figure | None) -> None:
    if figure is not None:
        section[key] = figure
