"""A garment's ledger as people read it: who did what, where, when, and the details in words."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l

from cksloop.db.queries import HistoryEntry, NamesInDetails
from cksloop.domain.clock import utc
from cksloop.domain.destinations import EndUse
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.lifecycle import Action, CareKind, CareOutcome, DestructionGround, RetireRoute, WriteOffReason
from cksloop.domain.messages import LabelledEnum
from cksloop.web.i18n import money, state_label, zone_label


@dataclass(frozen=True)
class HistoryLine:
    """One event ready for the page."""

    seq: int
    action: Action
    from_state: Any
    to_state: Any
    when: str  # localised, in Brussels time
    when_iso: str
    who: str
    who_role: Any
    where: str
    price: str | None  # shown only when the event changed the price
    details: list[tuple[str, str]]


def _date(value: Any) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def _moment(value: Any) -> str:
    try:
        return format_datetime(dt.datetime.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def _defects(value: Any) -> str:
    if not isinstance(value, list) or not value:
        return gettext("none")
    parts = []
    for item in value:
        if not isinstance(item, dict):
            continue
        text = gettext("%(defect)s (%(zone)s, severity %(severity)s)",
                       defect=DefectCode.label_of(item.get("code")), zone=zone_label(item.get("zone")),
                       severity=item.get("severity", "?"))
        if item.get("note"):
            text += f": {item['note']}"
        parts.append(text)
    return "; ".join(parts)


def _names(kind: str) -> Reader:
    return lambda value, names, _action: getattr(names, kind).get(value, str(value))


def _table(enum: type[LabelledEnum]) -> Reader:
    return lambda value, _names, _action: enum.label_of(value)


def _plain(read: Callable[[Any], str]) -> Reader:
    return lambda value, _names, _action: read(value)


def _reason(value: Any, _names: NamesInDetails, action: Action) -> str:
    return (WriteOffReason if action is Action.WRITE_OFF else ReturnReason).label_of(value)


Reader = Callable[[Any, NamesInDetails, Action], str]

#: the details people read, in this order, with their (lazily translated) labels; a page
#: translates only the labels its events use
READERS: dict[str, tuple[Any, Reader]] = {
    "from_location": (_l("From"), _names("locations")),
    "location": (_l("At"), _names("locations")),
    "partner": (_l("Rental partner"), _names("partners")),
    "started_on": (_l("Rental starts"), _plain(_date)),
    "due_on": (_l("Due back on"), _plain(_date)),
    "partner_reference": (_l("Partner's reference"), _plain(str)),
    "reason": (_l("Reason"), _reason),
    "grade": (_l("Grade"), _table(Grade)),
    "defects": (_l("Defects"), _plain(_defects)),
    "care_kind": (_l("Care"), _table(CareKind)),
    "outcome": (_l("Outcome"), _table(CareOutcome)),
    "cost_cents": (_l("Cost"), _plain(money)),
    "care_return_state": (_l("Back to, after care"), _plain(state_label)),
    "price_cents": (_l("Sold for"), _plain(money)),
    "previous_price_cents": (_l("Price before"), _plain(money)),
    "receipt": (_l("Receipt"), _plain(str)),
    "route": (_l("Route"), _table(RetireRoute)),
    "retire_route": (_l("Route"), _table(RetireRoute)),
    "ground": (_l("Legal ground"), _table(DestructionGround)),
    "write_off_reason": (_l("Written off as"), _table(WriteOffReason)),
    "buyer_lot": (_l("Buyer lot"), _plain(str)),
    "offcut_lot": (_l("Offcut lot"), _plain(str)),
    "destination_country": (_l("Destination country"), _plain(str)),
    "destination_use": (_l("What happens there"), _table(EndUse)),
    "transport_document": (_l("Transport document"), _plain(str)),
    "note": (_l("Note"), _plain(str)),
    "queued_at": (_l("Scanned offline at (the phone's clock)"), _plain(lambda v: _moment(v))),
}


def describe(entry: HistoryEntry, names: NamesInDetails) -> list[tuple[str, str]]:
    """The event's details as (label, text) pairs, in a stable order; unknown keys shown as they are."""
    d = entry.details
    lines: list[tuple[str, str]] = []
    for key, (label, read) in READERS.items():
        if key in d and d[key] is not None and d[key] != "":
            try:
                text = read(d[key], names, entry.action)
            except (TypeError, ValueError):  # an odd value in an old event is shown, not fatal
                text = str(d[key])
            lines.append((str(label), text))
    lines += [(str(key), str(value)) for key, value in d.items()
              if key not in READERS and value not in (None, "")]
    return lines


def history_lines(entries: list[HistoryEntry], names: NamesInDetails) -> list[HistoryLine]:
    """The ledger, oldest first, each event with its details in words."""
    lines: list[HistoryLine] = []
    previous_price: int | None = None
    for entry in entries:
        price = money(entry.price_cents) if entry.price_cents != previous_price else None
        previous_price = entry.price_cents
        occurred = utc(entry.occurred_at)
        lines.append(HistoryLine(
            seq=entry.seq, action=entry.action, from_state=entry.from_state, to_state=entry.to_state,
            when=format_datetime(occurred, "medium"), when_iso=occurred.isoformat(),
            who=entry.actor_name or gettext("the system"), who_role=entry.actor_role,
            where=(entry.location_name or entry.location_code or "—"),
            price=price, details=describe(entry, names)))
    return lines
