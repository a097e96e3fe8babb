"""Unsold goods section: garments retired in the year by route, discards (recycling counts as
destruction under EU Regulation 2024/1781) by legal ground, and write-offs, from the garment ledger's
exits (``services.garment_exits``: one row per such event, written with it).

Seam: the disclosure work (services.disclosure, domain.disclosure) can replace ``section`` with the
disclosure's own totals (units, kg per CN category, treatment split) without changing the report.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentExit, Style
from cksloop.domain.lifecycle import Action, DestructionGround, GarmentState, RetireRoute
from cksloop.services.charter.figures import Figure, Section, drill_url, year_bounds
from cksloop.services.rental_figures import within

NAME = "unsold"
ROUTE, GROUND = "retired_", "discards_"


def _events(year: int, where: Any) -> Select[Any]:
    return (select(GarmentExit.event_id.label("event"), Garment.code.label("code"), Style.style_number.label("style"),
                   GarmentExit.action.label("action"), GarmentExit.route.label("route"),
                   GarmentExit.ground.label("ground"), GarmentExit.occurred_at.label("occurred_at"))
            .join(Garment, Garment.id == GarmentExit.garment_id).join(Style, Style.id == Garment.style_id)
            .where(within(GarmentExit.occurred_at, year_bounds(year)), where).order_by(GarmentExit.event_id))


def retired(year: int, route: RetireRoute | None = None) -> Select[Any]:
    """Garments retired in the year (by ``route``, if given)."""
    where = GarmentExit.to_state == GarmentState.RETIRED
    return _events(year, where if route is None else where & (GarmentExit.route == route.value))


def discards(year: int, ground: DestructionGround | None = None) -> Select[Any]:
    """Garments sent to recycling in the year (a discard), on ``ground`` if given."""
    query = retired(year, RetireRoute.RECYCLING)
    return query if ground is None else query.where(GarmentExit.ground == ground.value)


def written_off(year: int) -> Select[Any]:
    """Garments written off (lost or stolen) in the year."""
    return _events(year, GarmentExit.action == Action.WRITE_OFF)


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


def _exits_by_route(session: Session, year: int) -> dict[tuple[str, str, str | None, str | None], int]:
    """The year's exits counted once per (state, action, route, ground), from the exits' index alone:
    the lists above join each exit to its garment and style by required keys, so they hold exactly these."""
    return {(getattr(state, "value", state), getattr(action, "value", action), route, ground): int(n)
            for state, action, route, ground, n in session.execute(
                select(GarmentExit.to_state, GarmentExit.action, GarmentExit.route, GarmentExit.ground, func.count())
                .where(within(GarmentExit.occurred_at, year_bounds(year)))
                .group_by(GarmentExit.to_state, GarmentExit.action, GarmentExit.route, GarmentExit.ground))}


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    exits = _exits_by_route(session, year)
    by: dict[tuple[str | None, str | None], int] = {}
    for (state, _, route, ground), n in exits.items():
        if state == GarmentState.RETIRED.value:
            by[(route, ground)] = by.get((route, ground), 0) + n

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
    out["written_off"] = figure("written_off", sum(n for (_, action, _, _), n in exits.items()
                                                   if action == Action.WRITE_OFF.value))
    return out
