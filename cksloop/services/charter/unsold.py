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
from cksloop.services.charter.figures import Section, counted, year_bounds
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


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {"retired": counted(session, NAME, "retired", year, retired(year), "garments")}
    for route in RetireRoute:
        out[ROUTE + route.value] = counted(session, NAME, ROUTE + route.value, year, retired(year, route), "garments")
    out["discards"] = counted(session, NAME, "discards", year, discards(year), "garments")
    found = set(session.scalars(select(_ground()).distinct()
                                .where(GarmentEvent.to_state == GarmentState.RETIRED,
                                       within(GarmentEvent.occurred_at, year_bounds(year)),
                                       _route() == RetireRoute.RECYCLING.value)))
    for ground in DestructionGround:
        if ground.value in found:
            out[GROUND + ground.value] = counted(session, NAME, GROUND + ground.value, year,
                                                 discards(year, ground), "garments")
    out["written_off"] = counted(session, NAME, "written_off", year, written_off(year), "garments")
    return out
