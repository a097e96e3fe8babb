"""Reads about garments: search, what a scan resolves to, a garment's history and open rental.

Written for a chain with a million garments: every filter lands on an indexed column (often via a
small subquery on the styles or locations table), lists are cut with LIMIT/OFFSET, counts are
capped, and related rows arrive in joins or one grouped query, never one query per row.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from cksloop.db.models import (DefectPhoto, Garment, GarmentEvent, Inspection, InspectionDefect, Location, RentalCycle,
                               RentalPartner, Style, User)
from cksloop.db.queries.paging import MAX_PAGE, PAGE_SIZE, Page, capped_count
from cksloop.db.session import begin_streaming_read
from cksloop.domain.labels import garment_code_in, is_garment_code
from cksloop.domain.lifecycle import Action, GarmentState, Role


# --- garments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GarmentSearch:
    """What the garment list is filtered on; every field is optional."""

    state: GarmentState | None = None
    location_code: str | None = None
    style_number: str | None = None
    season: str | None = None
    text: str | None = None  # words, each a garment code, size, colour or part of a style number or name
    overdue_on: dt.date | None = None  # only garments whose open rental was due before this date
    sort: str | None = None  # one of SORTS, "-" in front for descending; None: as received
    #: per search word, the catalogue's stored words (category, colour) it names in the reader's
    #: language ("robe" → ("dress",)): the data keeps one language, the reader may search in another
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: the columns the garment list shows, by the name a sort link uses
SORTS: dict[str, Any] = {"code": Garment.code, "style": Style.name, "size": Garment.size, "colour": Style.colour,
                         "location": Location.name, "price": Garment.price_cents, "state": Garment.state}


def sort_key(sort: str | None) -> tuple[str, bool] | None:
    """(column name, descending) for a sort parameter, None when it names no column."""
    if not sort:
        return None
    name = sort.removeprefix("-")
    return (name, sort.startswith("-")) if name in SORTS else None


@dataclass(frozen=True)
class GarmentRow:
    code: str
    style_number: str
    style_name: str
    size: str
    colour: str
    state: GarmentState | None
    location_code: str | None
    location_name: str | None
    price_cents: int | None
    due_on: dt.date | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _code_candidates(text: str) -> list[str]:
    """Garment codes a typed text may mean: "cks-00123", "CKS-123", or just "123" (the scan page's reading first)."""
    found = [code] if (code := garment_code_in(text)) else []
    if text.isdigit() and len(text) <= 12:
        found += [c for c in (f"CKS-{text}", f"CKS-{text.zfill(5)}") if is_garment_code(c)]
    return list(dict.fromkeys(found))


#: up to this many styles matched by a free text are passed as a list of ids (so the database
#: can combine the style and code indexes); more than that is a broad search anyway
MAX_LISTED_STYLES = 500


def _text_styles(session: Session, text: str, names: tuple[str, ...] = ()) -> Any:
    """The styles a free text names, by number prefix, part of the name or colour, or the category
    key ("blazer": demo names are the model's own, "Noor"): a list of ids, or a subquery when there are many."""
    pattern = _like_escape(text)
    matching = select(Style.id).where(or_(Style.style_number.ilike(f"{pattern}%", escape="\\"),
                                          Style.name.ilike(f"%{pattern}%", escape="\\"),
                                          Style.colour.ilike(f"%{pattern}%", escape="\\"),
                                          Style.category.ilike(pattern, escape="\\"),
                                          *([func.lower(Style.category).in_(names),
                                             func.lower(Style.colour).in_(names)] if names else [])))
    ids = list(session.scalars(matching.limit(MAX_LISTED_STYLES + 1)))
    return ids if len(ids) <= MAX_LISTED_STYLES else matching


def _words(text: str | None) -> list[str]:
    """The search words: "Noor 38" is a style word and a size, each must match."""
    return list(dict.fromkeys((text or "").split()))[:8]


def _text_matches(session: Session, search: GarmentSearch) -> list[tuple[str, Any]]:
    return [(word, _text_styles(session, word, search.names.get(word, ()))) for word in _words(search.text)]


def _filtered(query: Select[Any], search: GarmentSearch,
              text_styles: list[tuple[str, Any]] | None = None) -> Select[Any]:
    """``query`` (over garments) narrowed by ``search``, each condition on an indexed column.

    ``text_styles`` are, per search word, the styles it matched (see ``_text_matches``).
    """
    if search.state is not None:
        query = query.where(Garment.state == search.state)
    if search.location_code:
        query = query.where(Garment.location_id == select(Location.id).where(
            Location.code == search.location_code).scalar_subquery())
    if search.style_number:
        query = query.where(Garment.style_id == select(Style.id).where(
            Style.style_number == search.style_number).scalar_subquery())
    if search.season:
        query = query.where(Garment.style_id.in_(select(Style.id).where(Style.season == search.season)))
    for word, styles in text_styles or []:
        # the styles table is small: it was matched first; here the garments' indexes do the rest.
        # Each word must match: a code, a size, or a style (number, name, colour)
        matches = [Garment.size == word, Garment.size == word.upper()]
        codes = _code_candidates(word)
        if codes:
            matches.append(Garment.code.in_(codes))
        if not isinstance(styles, (list, tuple)) or styles:
            matches.append(Garment.style_id.in_(styles))
        query = query.where(or_(*matches))
    if search.overdue_on is not None:
        # an open rental cycle exists only while the garment is rented out: filtering on the
        # state first keeps this cheap on a ledger with millions of closed cycles
        query = query.where(Garment.state == GarmentState.RENTED_OUT).join(RentalCycle, and_(
            RentalCycle.garment_id == Garment.id, RentalCycle.returned_at.is_(None),
            RentalCycle.due_on < search.overdue_on))
    return query


def search_garments(session: Session, *, search: GarmentSearch, page: int = 1,
                    per_page: int = PAGE_SIZE) -> Page[GarmentRow]:
    """One page of garments matching ``search``, in the order they were received (most overdue
    first for overdue rentals).

    Two steps keep a page cheap however many garments match: first the page's ids, picked from
    the filter indexes alone, then the display rows for just those ids.
    """
    page = max(1, min(page, MAX_PAGE))
    styles = _text_matches(session, search)
    total, capped = capped_count(session, _filtered(select(Garment.id), search, styles))
    overdue = search.overdue_on is not None
    picked = _filtered(select(Garment.id, *([RentalCycle.due_on] if overdue else [])), search, styles)
    # Few matches: sort them (``id + 0`` stops SQLite from walking the whole table in id order
    # hoping to meet them). Many matches: walking in id order meets a page of them quickly.
    by_id = Garment.id if capped else Garment.id + 0
    order = [RentalCycle.due_on, Garment.id] if overdue else [by_id]
    chosen = sort_key(search.sort)
    if chosen is not None:  # a column the list shows: join what it needs, ties in received order
        picked, order = _sorted(picked, *chosen), [_column(*chosen), Garment.id]
    found = session.execute(picked.order_by(*order).limit(per_page + 1)
                            .offset((page - 1) * per_page)).all()
    due_by_id = {row[0]: (row[1] if overdue else None) for row in found[:per_page]}
    rows = {}
    if due_by_id:
        rows = {row[0]: row[1:] for row in session.execute(
            select(Garment.id, Garment.code, Style.style_number, Style.name, Garment.size, Style.colour,
                   Garment.state, Location.code, Location.name, Garment.price_cents)
            .join(Style, Style.id == Garment.style_id)
            .outerjoin(Location, Location.id == Garment.location_id)
            .where(Garment.id.in_(list(due_by_id)))).all()}
    items = [GarmentRow(*rows[gid], due_on=due) for gid, due in due_by_id.items() if gid in rows]
    return Page(items, page, per_page, len(found) > per_page, total, capped)


def _sorted(query: Select[Any], name: str, _descending: bool) -> Select[Any]:
    if name in ("style", "colour"):
        return query.join(Style, Style.id == Garment.style_id)
    if name == "location":
        return query.outerjoin(Location, Location.id == Garment.location_id)
    return query


def _column(name: str, descending: bool) -> Any:
    column = SORTS[name]
    return column.desc() if descending else column.asc()


#: an export holds at most this many garments (a spreadsheet's practical size)
MAX_EXPORT = 100_000


def export_garments(session: Session, *, search: GarmentSearch, batch: int = 2000) -> Iterable[GarmentRow]:
    """Every garment matching ``search`` (up to MAX_EXPORT), in the list's order, a batch at a time."""
    styles = _text_matches(session, search)
    overdue = search.overdue_on is not None
    query = _filtered(select(Garment.code, Style.style_number, Style.name, Garment.size, Style.colour,
                             Garment.state, Location.code, Location.name, Garment.price_cents,
                             RentalCycle.due_on if overdue else Garment.id), search, styles)
    query = query.join(Style, Style.id == Garment.style_id).outerjoin(Location, Location.id == Garment.location_id)
    chosen = sort_key(search.sort)
    order = ([_column(*chosen)] if chosen else [RentalCycle.due_on] if overdue else []) + [Garment.id]
    begin_streaming_read(session)
    result = session.execute(query.order_by(*order).limit(MAX_EXPORT).execution_options(yield_per=batch))
    for row in result:
        yield GarmentRow(*row[:9], due_on=row[9] if overdue else None)


@dataclass(frozen=True)
class ScannedGarment:
    """What a scan answers with: the garment's code, state and the style on its label."""

    code: str
    state: GarmentState | None
    size: str
    style_number: str
    style_name: str
    colour: str


def scanned_garment(session: Session, code: str) -> ScannedGarment | None:
    """One indexed statement by the unique code: a scan must feel instant at a million garments."""
    row = session.execute(_SCANNED_GARMENT, {"code": code}).first()
    return ScannedGarment(*row) if row else None


_SCANNED_GARMENT = (  # built once: a scan should spend its time on nothing else
    select(Garment.code, Garment.state, Garment.size, Style.style_number, Style.name, Style.colour)
    .join(Style, Style.id == Garment.style_id).where(Garment.code == bindparam("code")))


def garment_by_code(session: Session, code: str) -> Garment | None:
    """The garment with its style (sizes, composition) and location, in one statement."""
    return session.execute(_GARMENT_BY_CODE, {"code": code}).unique().scalar_one_or_none()


# Both of the style's lists joined in: a style has a handful of sizes and materials, so their
# product is a few dozen rows at most, and one round trip instead of three matters on PostgreSQL.
_GARMENT_BY_CODE = select(Garment).where(Garment.code == bindparam("code")).options(
    joinedload(Garment.style).joinedload(Style.materials),
    joinedload(Garment.style).joinedload(Style.sizes),
    joinedload(Garment.location))


@dataclass(frozen=True)
class HistoryEntry:
    """One ledger event with the names of who and where, ready to show."""

    seq: int
    action: Action
    from_state: GarmentState | None
    to_state: GarmentState
    occurred_at: dt.datetime
    actor_name: str | None
    actor_role: Role | None
    location_code: str | None
    location_name: str | None
    price_cents: int | None
    details: dict[str, Any]


def garment_history(session: Session, garment_id: int) -> list[HistoryEntry]:
    """The garment's whole ledger, oldest first, with actors and locations joined in."""
    rows = session.execute(_GARMENT_HISTORY, {"garment_id": garment_id}).all()
    return [HistoryEntry(*row[:10], details=dict(row[10] or {})) for row in rows]


_GARMENT_HISTORY = (  # built once, like the other statements of the garment page and the scan
    select(GarmentEvent.seq, GarmentEvent.action, GarmentEvent.from_state, GarmentEvent.to_state,
           GarmentEvent.occurred_at, User.name, User.role, Location.code, Location.name,
           GarmentEvent.price_cents, GarmentEvent.details)
    .outerjoin(User, User.id == GarmentEvent.actor_id)
    .outerjoin(Location, Location.id == GarmentEvent.location_id)
    .where(GarmentEvent.garment_id == bindparam("garment_id"))
    .order_by(GarmentEvent.seq))


def defect_photos_by_event(session: Session, garment_id: int) -> dict[int, list[tuple[int, Any]]]:
    """The defect photos taken at each of the garment's inspections: event seq → [(photo id, defect code)]."""
    rows = session.execute(
        select(GarmentEvent.seq, DefectPhoto.id, InspectionDefect.code)
        .join(Inspection, Inspection.event_id == GarmentEvent.id)
        .join(InspectionDefect, InspectionDefect.inspection_id == Inspection.id)
        .join(DefectPhoto, DefectPhoto.defect_id == InspectionDefect.id)
        .where(GarmentEvent.garment_id == garment_id)
        .order_by(GarmentEvent.seq, InspectionDefect.id)).all()
    photos: dict[int, list[tuple[int, Any]]] = {}
    for seq, photo_id, code in rows:
        photos.setdefault(seq, []).append((photo_id, code))
    return photos


@dataclass(frozen=True)
class NamesInDetails:
    """Names for the ids and codes that event details mention (partners, locations)."""

    partners: dict[int, str]
    locations: dict[str, str]


def names_in_details(session: Session, entries: Iterable[HistoryEntry],
                     known: NamesInDetails | None = None) -> NamesInDetails:
    """Look up, in at most two queries, every partner and location the entries' details name
    (none for those ``known`` already names)."""
    partner_ids: set[int] = set()
    codes: set[str] = set()
    for entry in entries:
        partner = entry.details.get("partner")
        if isinstance(partner, int) and not isinstance(partner, bool):
            partner_ids.add(partner)
        for key in ("from_location", "location", "to_location"):
            value = entry.details.get(key)
            if isinstance(value, str):
                codes.add(value)
    known = known or NamesInDetails({}, {})
    partners = {i: known.partners[i] for i in partner_ids if i in known.partners}
    locations = {c: known.locations[c] for c in codes if c in known.locations}
    if missing := partner_ids - partners.keys():
        partners.update(session.execute(select(RentalPartner.id, RentalPartner.name)
                                        .where(RentalPartner.id.in_(missing))).all())
    if missing_codes := codes - locations.keys():
        locations.update(session.execute(select(Location.code, Location.name)
                                         .where(Location.code.in_(missing_codes))).all())
    return NamesInDetails(partners, locations)


def every_name(session: Session) -> NamesInDetails:
    """The name of every partner and location, active or not (a few hundred rows: one query each)."""
    return NamesInDetails(dict(session.execute(select(RentalPartner.id, RentalPartner.name)).all()),
                          dict(session.execute(select(Location.code, Location.name)).all()))


@dataclass(frozen=True)
class OpenRental:
    partner_name: str
    started_on: dt.date
    due_on: dt.date
    partner_reference: str | None


def open_rental(session: Session, garment_id: int) -> OpenRental | None:
    """The garment's rental that has not come back yet, if any."""
    row = session.execute(
        select(RentalPartner.name, RentalCycle.started_on, RentalCycle.due_on,
               RentalCycle.partner_reference)
        .join(RentalPartner, RentalPartner.id == RentalCycle.partner_id)
        .where(RentalCycle.garment_id == garment_id, RentalCycle.returned_at.is_(None))
        .order_by(RentalCycle.id.desc()).limit(1)).first()
    return OpenRental(*row) if row else None
