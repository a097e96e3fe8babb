"""The yearly charter report from the ledger: a registry of sections, each ``section(session, year)``
giving its figures, and ``drill`` paging the list behind any figure (issue 16).

To swap a section's internals for another capability's figure service, change that section's module
only: the report, its API, pages, CSV and sentences read nothing but ``Figure`` values by key.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import Enum
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from cksloop.db.session import begin_snapshot_read
from cksloop.domain.charter import FIRST_YEAR
from cksloop.domain.clock import utc
from cksloop.domain.errors import NotFound
from cksloop.domain.messages import N_
from cksloop.services.charter import buyers, materials, offcuts, overstock, rental, unsold
from cksloop.services.charter.figures import Figure, Section, count

#: the report's sections, in the seed's order
__all__ = ["SECTIONS", "DrillPage", "Figure", "Report", "build_report", "drill"]

SECTIONS: dict[str, ModuleType] = {m.NAME: m for m in (rental, overstock, buyers, offcuts, unsold, materials)}


@dataclass(frozen=True)
class Report:
    year: int
    has_data: bool
    sections: dict[str, Section]

    def figure(self, section: str, key: str) -> Figure | None:
        return self.sections.get(section, {}).get(key)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "has_data": self.has_data,
                "sections": {name: {key: f.as_dict() for key, f in figures.items()}
                             for name, figures in self.sections.items()}}


def _sections(session: Session, year: int, now: dt.datetime) -> dict[str, Section]:
    return {name: module.section(session, year, now=now) for name, module in SECTIONS.items()}


def _has_data(sections: dict[str, Section]) -> bool:
    return any(f.value for figures in sections.values() for f in figures.values() if f.counted) or \
        any(not f.counted for figures in sections.values() for f in figures.values())


def _value(sections: dict[str, Section], name: str, key: str) -> int | float | None:
    found = sections.get(name, {}).get(key)
    return None if found is None else found.value


def build_report(session: Session, *, year: int, now: dt.datetime) -> Report:
    """Every section's figures for ``year``, each with the year before beside it.

    A year with nothing recorded answers ``has_data`` False: its figures are not facts to show.
    All figures count one snapshot of the ledger (a write landing meanwhile is in none or all)."""
    begin_snapshot_read(session)
    current = _sections(session, year, now)
    before = _sections(session, year - 1, now) if year - 1 >= FIRST_YEAR else {}
    sections = {name: {key: replace(f, previous=_value(before, name, key)) for key, f in figures.items()}
                for name, figures in current.items()}
    return Report(year=year, has_data=_has_data(current), sections=sections)


@dataclass(frozen=True)
class DrillPage:
    count: int
    items: list[dict[str, Any]]
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.count


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def drill(session: Session, *, year: int, section: str, figure: str, page: int, per_page: int) -> DrillPage:
    """One page of the list a figure counts (today's data), and its full length.

    A section's list is a query, or the rows another capability's figure service drilled into (already
    read whole, as that service counts them). Raises ``NotFound`` for a section or figure the report
    does not have."""
    module = SECTIONS.get(section)
    query = module.drill(session, year, figure) if module is not None else None
    if query is None:
        raise NotFound(N_("The report has no figure %(figure)s in %(section)s."), figure=figure, section=section)
    if isinstance(query, list):
        start = (page - 1) * per_page
        return DrillPage(len(query), [{k: _plain(v) for k, v in row.items()} for row in query[start:start + per_page]],
                         page, per_page)
    total = count(session, query)
    rows = session.execute(query.limit(per_page).offset((page - 1) * per_page)).mappings().all()
    return DrillPage(total, [{k: _plain(v) for k, v in row.items()} for row in rows], page, per_page)
