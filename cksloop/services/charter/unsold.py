"""Unsold goods section: garments retired in the year by route, discards (recycling counts as
destruction under EU Regulation 2024/1781) by legal ground, and write-offs, from the garment ledger.

Seam: the disclosure work (services.disclosure, domain.disclosure) can replace ``section`` with the
disclosure's own totals (units, kg per CN category, treatment split) without changing the report.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Style
from cksloop.domain.lifecycle import Action, DestructionGround, GarmentState, RetireRoute
from cksloop.services.charter.figures import Figure, Section, counted, drill_url, year_bounds
from cksloop.services.rental_figures import within

NAME = "unsold"
ROUTE, GROUND = "retired_", "discards_"


def _route() -> Any:
    # the retire action names its route; an inspection graded D/E names it as retire_route
    return func.coalesce(GarmentEvent.details["route"].as_string(), GarmentEvent.details["retire_route"].as_string())


def _ground() -> Any:
    return GarmentEvent.details["ground"].as_string()


def _events(year: int, where: Any) -> Select[Any]:
    return (select(GarmentEvent.id.label("event"), Garment.code.label("code"), Style.style_number.label("style"),
                   GarmentEvent.action.label("action"), _route().label("route"), _ground().label("ground"),
                   GarmentEvent.occurred_at.label("occurred_at"))
            .join(Garment, Garment.id == GarmentEvent.garment_id).join(Style, Style.id == Garment.style_id)
            .where(within(GarmentEvent.occurred_at, year_bounds(year)), where).order_by(GarmentEvent.id))


def retired(year: int, route: RetireRoute | None = None) -> Select[Any]:
    """Garments retired in the year (by ``route``, if given)."""
    where = GarmentEvent.to_state == GarmentState.RETIRED
    return _events(year, where if route is None else where & (_route() == route.value))


def discards(year: int, ground: DestructionGround | None = None) -> Select[Any]:
    """Garments sent to recycling in the year (a discard), on ``ground`` if given."""
    query = retired(year, RetireRoute.RECYCLING)
    return query if ground is None else query.where(_ground() == ground.value)


def written_off(year: int) -> Select[Any]:
    """Garments written off (lost or stolen) in the year."""
    return _events(year, GarmentEvent.action == Action.WRITE_OFF)


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    if key == "retired":
        return retired(year)
    if key == "discards":
        return discards(year)
    if key == "written_off":
        return written_off(year)
    if key.startswith(ROUTE) and key.removeprefix(ROUTE) in RetireRoute._value2member_map_:
        return retired(year, RetireRoute(key.removeprefix(ROUTE)))
    if key.startswith(GROUND) and key.removeprefix(GROUND) in DestructionGround._value2member_map_:
        return discards(year, DestructionGround(key.removeprefix(GROUND)))
    return None


def _retired_by_route(session: Session, year: int) -> dict[tuple[str | None, str | None], int]:
    """The year's retirements counted once per (route, ground), from the events alone: the lists
    above join each event to its garment and style by required keys, so they hold exactly these."""
    events = (select(_route().label("route"), _ground().label("ground"))
              .where(GarmentEvent.to_state == GarmentState.RETIRED, within(GarmentEvent.occurred_at, year_bounds(year)))
              .subquery())
    return {(route, ground): int(n) for route, ground, n in session.execute(
        select(events.c.route, events.c.ground, func.count()).group_by(events.c.route, events.c.ground))}


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    by = _retired_by_route(session, year)

    def figure(key: str, n: int) -> Figure:
        return Figure(n, "garments", drill_url(NAME, key, year))

    out: Section = {"retired": figure("retired", sum(by.values()))}
    for route in RetireRoute:
        out[ROUTE + route.value] = figure(ROUTE + route.value, sum(n for (r, _), n in by.items() if r == route.value))
    recycled = {ground: n for (r, ground), n in by.items() if r == RetireRoute.RECYCLING.value}
    out["discards"] = figure("discards", sum(recycled.values()))
    for ground in DestructionGround:
        if ground.value in recycled:
            out[GROUND + ground.value] = figure(GROUND + ground.value, recycled[ground.value])
    out["written_off"] = counted(session, NAME, "written_off", year, written_off(year), "garments")
    return out
