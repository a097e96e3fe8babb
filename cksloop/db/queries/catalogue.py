"""Reads about the catalogue: choices for forms, styles and their stock, locations."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cksloop.db.models import Garment, Location, RentalPartner, Style
from cksloop.db.queries.paging import MAX_PAGE, PAGE_SIZE, Page, capped_count
from cksloop.domain.lifecycle import GarmentState, LocationKind


# --- choices for forms ----------------------------------------------------------------------


@dataclass(frozen=True)
class LocationChoice:
    code: str
    name: str
    kind: LocationKind
    city: str


def active_locations(session: Session, *, active_only: bool = True) -> list[LocationChoice]:
    """Every (active) location, by kind and name (a few hundred at most: one query, no paging)."""
    rows = session.execute(_ACTIVE_LOCATIONS if active_only else _ALL_LOCATIONS).all()
    return [LocationChoice(*row) for row in rows]


_ALL_LOCATIONS = select(Location.code, Location.name, Location.kind, Location.city).order_by(
    Location.kind, Location.name)
_ACTIVE_LOCATIONS = _ALL_LOCATIONS.where(Location.active.is_(True))


@dataclass(frozen=True)
class PartnerChoice:
    id: int
    name: str
    default_rental_days: int


def rental_partners(session: Session) -> list[PartnerChoice]:
    rows = session.execute(_PARTNERS).all()
    return [PartnerChoice(*row) for row in rows]


_PARTNERS = select(RentalPartner.id, RentalPartner.name, RentalPartner.default_rental_days).order_by(
    RentalPartner.name)


def seasons(session: Session) -> list[str]:
    """The collection seasons that have styles, newest first (SS26, AW25, SS25 …)."""
    # within a year autumn/winter follows spring/summer
    return sorted(session.scalars(select(Style.season).distinct()),
                  key=lambda s: (s[2:], s[:2] == "AW", s), reverse=True)


def categories(session: Session) -> list[str]:
    return list(session.scalars(select(Style.category).distinct().order_by(Style.category)))


# --- styles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StyleRow:
    style_number: str
    name: str
    season: str
    category: str
    colour: str
    retail_price_cents: int
    garments: int


def search_styles(session: Session, *, season: str | None = None, category: str | None = None,
                  page: int = 1, per_page: int = PAGE_SIZE) -> Page[StyleRow]:
    """One page of styles with how many garments each has (one grouped query for the page)."""
    page = max(1, min(page, MAX_PAGE))
    query = select(Style.id, Style.style_number, Style.name, Style.season, Style.category,
                   Style.colour, Style.retail_price_cents)
    if season:
        query = query.where(Style.season == season)
    if category:
        query = query.where(Style.category == category)
    rows = session.execute(query.order_by(Style.style_number).limit(per_page + 1)
                           .offset((page - 1) * per_page)).all()
    shown = rows[:per_page]
    counts: dict[int, int] = {}
    if shown:
        counts = dict(session.execute(
            select(Garment.style_id, func.count()).where(Garment.style_id.in_([r[0] for r in shown]))
            .group_by(Garment.style_id)).all())
    total, capped = capped_count(session, query.with_only_columns(Style.id))
    items = [StyleRow(*row[1:], garments=counts.get(row[0], 0)) for row in shown]
    return Page(items, page, per_page, len(rows) > per_page, total, capped)


def style_by_number(session: Session, style_number: str) -> Style | None:
    """The style with its sizes and composition loaded (three queries, whatever their number)."""
    return session.scalar(select(Style).where(Style.style_number == style_number)
                          .options(selectinload(Style.sizes), selectinload(Style.materials)))


def counts_by_state(session: Session, *, style_id: int | None = None,
                    location_id: int | None = None) -> dict[GarmentState, int]:
    """How many garments of a style and/or at a location are in each state (one grouped query)."""
    query = select(Garment.state, func.count()).group_by(Garment.state)
    if style_id is not None:
        query = query.where(Garment.style_id == style_id)
    if location_id is not None:
        query = query.where(Garment.location_id == location_id)
    found = {state: n for state, n in session.execute(query).all() if state is not None}
    return {state: found[state] for state in GarmentState if state in found}


def counts_by_size(session: Session, style_id: int) -> dict[str, int]:
    """Garments per size of a style (served by the (style_id, size) index)."""
    return dict(session.execute(select(Garment.size, func.count()).where(Garment.style_id == style_id)
                                .group_by(Garment.size)).all())


# --- locations -------------------------------------------------------------------------------


def all_locations(session: Session, *, kind: LocationKind | None = None) -> Sequence[Location]:
    """Every location (a chain has tens to hundreds), by kind, city and name."""
    query = select(Location).order_by(Location.kind, Location.city, Location.name)
    if kind is not None:
        query = query.where(Location.kind == kind)
    return session.scalars(query).all()


def location_by_code(session: Session, code: str) -> Location | None:
    return session.scalar(select(Location).where(Location.code == code))
