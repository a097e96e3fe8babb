"""Which garments get a label, and which garment a scanned label names (services.passport shows it)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload

from cksloop.adapters import label_sheets, qr, zpl
from cksloop.db import queries
from cksloop.db.models import Garment, GarmentEvent, Location, Style, StyleSize
from cksloop.domain.clock import start_of_local_day
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.labels import (MAX_LABELS, Label, SheetLayout, check_codes, gtin14, is_garment_code,
                                   is_valid_gtin, make_label, unique_codes, usable_gtin)
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import is_lot_code
from cksloop.services import offcut_labels


# --- choosing garments to label ---------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """Garments to print labels for, as staff pick them. The first kind given wins:

    1. ``codes``: exactly these garments (a batch scan list, a pasted list);
    2. ``received_on``: a receipt, i.e. the garments received that day (Brussels time), optionally
       only at ``location`` and of ``style_number``;
    3. the garment list's filters (``state``, ``location``, ``style_number``, ``season``, ``text``,
       ``overdue_on``): a search result, or a whole style.
    """

    codes: tuple[str, ...] = ()
    received_on: dt.date | None = None
    state: GarmentState | None = None
    location: str | None = None
    style_number: str | None = None
    season: str | None = None
    text: str | None = None
    overdue_on: dt.date | None = None

    def is_empty(self) -> bool:
        return not (self.codes or self.received_on or self.state or self.location
                    or self.style_number or self.season or self.text or self.overdue_on)


def _label_columns() -> Any:
    """Code, style facts and the size's GTIN of garments, in one query (no ORM objects)."""
    return (select(Garment.code, Garment.size, Style.style_number, Style.name, Style.colour,
                   StyleSize.gtin)
            .select_from(Garment)
            .join(Style, Style.id == Garment.style_id)
            .outerjoin(StyleSize, and_(StyleSize.style_id == Garment.style_id,
                                       StyleSize.size == Garment.size)))


def _as_label(base_url: str, row: Any) -> Label:
    code, size, style_number, style_name, colour, gtin = row
    return make_label(base_url, code=code, gtin=gtin, style_number=style_number,
                      style_name=style_name, size=size, colour=colour)


def labels_for_codes(session: Session, *, codes: Sequence[str], base_url: str) -> list[Label]:
    """Labels for ``codes`` in the order given (each code once), read in one query.

    Raises InvalidDetails for an empty list, more than MAX_LABELS codes, malformed codes
    (``details.malformed_codes``) or codes no garment has (``details.unknown_codes``).
    """
    codes = unique_codes(codes)
    if any(map(is_lot_code, codes)):  # offcut lots print on the same sheets (issue 15)
        return _mixed_labels(session, codes=codes, base_url=base_url)
    check_codes(codes)
    rows = session.execute(_label_columns().where(Garment.code.in_(codes))).all()
    by_code = {row[0]: row for row in rows}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        error = InvalidDetails({"codes": N_("No garment has this code.")})
        error.details["unknown_codes"] = unknown[:50]
        error.details["unknown_count"] = len(unknown)
        raise error
    return [_as_label(base_url, by_code[code]) for code in codes]


def _mixed_labels(session: Session, *, codes: list[str], base_url: str) -> list[Label]:
    """Labels for garment and offcut lot codes together, in the order given."""
    lots = [c for c in codes if is_lot_code(c)]
    garments = [c for c in codes if not is_lot_code(c)]
    if len(codes) > MAX_LABELS:
        check_codes(codes)  # refuses with the count
    found = {label.code: label for label in offcut_labels.lot_labels(session, codes=lots, base_url=base_url)}
    if garments:
        found.update((label.code, label) for label in labels_for_codes(session, codes=garments, base_url=base_url))
    return [found[c] for c in codes]


def label_for_garment(session: Session, *, code: str, base_url: str) -> Label:
    """The label of one garment; NotFound when no garment has ``code``."""
    row = None
    if is_garment_code(code):
        row = session.execute(_label_columns().where(Garment.code == code)).first()
    if row is None:
        raise NotFound(N_("No garment with code %(code)s."), code=code[:40])
    return _as_label(base_url, row)


def labels_for_selection(session: Session, *, selection: Selection, base_url: str) -> list[Label]:
    """Labels for every garment in ``selection`` (see Selection), at most MAX_LABELS.

    Raises InvalidDetails when nothing is chosen, nothing matches, or too much matches.
    """
    if selection.is_empty():
        raise InvalidDetails({"selection": N_("Choose the garments to label first.")})
    if selection.codes:
        return labels_for_codes(session, codes=selection.codes, base_url=base_url)
    if selection.received_on is not None:
        codes = _received_codes(session, selection)
    else:
        found = queries.search_garments(session, search=queries.GarmentSearch(
            state=selection.state, location_code=selection.location,
            style_number=selection.style_number, season=selection.season, text=selection.text,
            overdue_on=selection.overdue_on),
            page=1, per_page=MAX_LABELS)
        if found.has_next:
            _too_many()
        codes = [row.code for row in found.items]
    if not codes:
        raise InvalidDetails({"selection": N_("No garment matches this selection.")})
    return labels_for_codes(session, codes=codes, base_url=base_url)


def _received_codes(session: Session, selection: Selection) -> list[str]:
    """The garments whose ``receive`` event happened on that Brussels day (the ledger's receipt)."""
    assert selection.received_on is not None
    start = start_of_local_day(selection.received_on)
    end = start_of_local_day(selection.received_on + dt.timedelta(days=1))
    query = (select(Garment.code).select_from(GarmentEvent)
             .join(Garment, Garment.id == GarmentEvent.garment_id)
             .where(GarmentEvent.action == Action.RECEIVE, GarmentEvent.occurred_at >= start,
                    GarmentEvent.occurred_at < end))
    if selection.location:
        query = query.join(Location, Location.id == GarmentEvent.location_id).where(
            Location.code == selection.location)
    if selection.style_number:
        query = query.join(Style, Style.id == Garment.style_id).where(
            Style.style_number == selection.style_number)
    codes = list(session.scalars(query.order_by(Garment.id).limit(MAX_LABELS + 1)))
    if len(codes) > MAX_LABELS:
        _too_many()
    return codes


def _too_many() -> None:
    error = InvalidDetails({"selection": N_("More than 5,000 garments match: narrow the selection.")})
    error.details["max_codes"] = MAX_LABELS
    raise error


# --- resolving a scanned label ----------------------------------------------------------------

def resolve_label(session: Session, *, code: str, gtin: str | None = None) -> Garment:
    """The garment a label URL names: ``/g/{code}`` or ``/01/{gtin}/21/{code}``.

    Raises NotFound for a code no garment has, and for a GTIN that is not the one of the
    garment's style and size (a label that was not ours, or a mistyped URL).
    """
    garment = None
    if is_garment_code(code):  # anything else cannot exist; never query with arbitrary text
        # one statement: a style's handful of sizes times its two or three fibres is a few rows, where
        # loading them apart took four round trips (each one counts on PostgreSQL)
        garment = session.scalars(select(Garment).where(Garment.code == code).options(
            joinedload(Garment.style).joinedload(Style.sizes),
            joinedload(Garment.style).joinedload(Style.materials))).unique().first()
    if garment is None:
        raise no_such_garment(code)
    check_label_gtin(code, gtin, garment.style.gtin_for(garment.size))
    return garment


def no_such_garment(code: str) -> NotFound:
    """What a label answers when no garment has its code (the code cut to a sane length)."""
    return NotFound(N_("No garment with code %(code)s."), code=code[:40])


def check_label_gtin(code: str, gtin: str | None, size_gtin: str | None) -> None:
    """NotFound when a label names a GTIN (``/01/{gtin}/21/{code}``) that is not the one of the
    garment's style and size (``size_gtin``): a label that was not ours, or a mistyped URL."""
    if gtin is None:
        return
    own = usable_gtin(size_gtin)
    if own is None or not is_valid_gtin(gtin) or gtin14(gtin) != own:
        raise NotFound(N_("No garment with code %(code)s for this product number."), code=code)


# --- printing: the adapters that draw labels, behind the use case ------------------------------

def print_file(labels: Sequence[Label], *, kind: str, layout: SheetLayout, start_at: int, dpi: int,
               title: str) -> str | bytes:
    """The labels as a printer takes them: ZPL text for a label printer, else an A4 PDF sheet."""
    if kind == "zpl":
        return zpl.render_labels(labels, dpi=dpi)
    return label_sheets.render_sheets(labels, layout, start_at=start_at, title=title)


def qr_image(text: str, *, kind: str, module_px: int = 8) -> str | bytes:
    """The QR symbol of ``text`` as SVG text or PNG bytes."""
    matrix = qr.qr_matrix(text)
    return qr.svg(matrix, module_px=module_px) if kind == "svg" else qr.png(matrix, module_px=module_px)
