"""A garment's ledger as people read it: who did what, where, when, and the details in words."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import format_date, format_datetime, gettext

from cksloop.db.queries import HistoryEntry, NamesInDetails
from cksloop.domain.inspection import DEFECT_LABELS, GRADE_LABELS, RETURN_REASON_LABELS
from cksloop.domain.lifecycle import Action
from cksloop.web.garments.forms import (CARE_KIND_LABELS, CARE_OUTCOME_LABELS, GROUND_LABELS,
                                        RETIRE_ROUTE_LABELS, USE_LABELS, WRITE_OFF_LABELS)
from cksloop.web.i18n import money, state_label


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


def _label(table: dict[Any, Any], value: Any) -> str:
    label = table.get(value)
    return gettext(label) if isinstance(label, str) else str(label) if label is not None else str(value)


def _defects(value: Any) -> str:
    if not isinstance(value, list) or not value:
        return gettext("none")
    parts = []
    for item in value:
        if not isinstance(item, dict):
            continue
        text = gettext("%(defect)s (%(zone)s, severity %(severity)s)",
                       defect=_label(DEFECT_LABELS, item.get("code")), zone=item.get("zone", "?"),
                       severity=item.get("severity", "?"))
        if item.get("note"):
            text += f": {item['note']}"
        parts.append(text)
    return "; ".join(parts)


def describe(entry: HistoryEntry, names: NamesInDetails) -> list[tuple[str, str]]:
    """The event's details as (label, text) pairs, in a stable order; unknown keys shown as they are."""
    d = entry.details
    reason_table = WRITE_OFF_LABELS if entry.action is Action.WRITE_OFF else RETURN_REASON_LABELS
    readers: dict[str, tuple[str, Any]] = {
        "from_location": (gettext("From"), lambda v: names.locations.get(v, str(v))),
        "location": (gettext("At"), lambda v: names.locations.get(v, str(v))),
        "partner": (gettext("Rental partner"), lambda v: names.partners.get(v, str(v))),
        "started_on": (gettext("Rental starts"), _date),
        "due_on": (gettext("Due back on"), _date),
        "partner_reference": (gettext("Partner's reference"), str),
        "reason": (gettext("Reason"), lambda v: _label(reason_table, v)),
        "grade": (gettext("Grade"), lambda v: _label(GRADE_LABELS, v)),
        "defects": (gettext("Defects"), _defects),
        "care_kind": (gettext("Care"), lambda v: _label(CARE_KIND_LABELS, v)),
        "outcome": (gettext("Outcome"), lambda v: _label(CARE_OUTCOME_LABELS, v)),
        "cost_cents": (gettext("Cost"), money),
        "care_return_state": (gettext("Back to, after care"), state_label),
        "price_cents": (gettext("Sold for"), money),
        "previous_price_cents": (gettext("Price before"), money),
        "receipt": (gettext("Receipt"), str),
        "route": (gettext("Route"), lambda v: _label(RETIRE_ROUTE_LABELS, v)),
        "retire_route": (gettext("Route"), lambda v: _label(RETIRE_ROUTE_LABELS, v)),
        "ground": (gettext("Legal ground"), lambda v: _label(GROUND_LABELS, v)),
        "write_off_reason": (gettext("Written off as"), lambda v: _label(WRITE_OFF_LABELS, v)),
        "buyer_lot": (gettext("Buyer lot"), str),
        "destination_country": (gettext("Destination country"), str),
        "destination_use": (gettext("What happens there"), lambda v: _label(USE_LABELS, v)),
        "transport_document": (gettext("Transport document"), str),
        "note": (gettext("Note"), str),
    }
    lines: list[tuple[str, str]] = []
    for key, (label, read) in readers.items():
        if key in d and d[key] is not None and d[key] != "":
            try:
                lines.append((label, read(d[key])))
            except (TypeError, ValueError):  # an odd value in an old event is shown, not fatal
                lines.append((label, str(d[key])))
    lines += [(str(key), str(value)) for key, value in d.items()
              if key not in readers and value not in (None, "")]
    return lines


def history_lines(entries: list[HistoryEntry], names: NamesInDetails) -> list[HistoryLine]:
    """The ledger, oldest first, each event with its details in words."""
    lines: list[HistoryLine] = []
    previous_price: int | None = None
    for entry in entries:
        price = money(entry.price_cents) if entry.price_cents != previous_price else None
        previous_price = entry.price_cents
        occurred = entry.occurred_at if entry.occurred_at.tzinfo else entry.occurred_at.replace(tzinfo=dt.UTC)
        lines.append(HistoryLine(
            seq=entry.seq, action=entry.action, from_state=entry.from_state, to_state=entry.to_state,
            when=format_datetime(occurred, "medium"), when_iso=occurred.isoformat(),
            who=entry.actor_name or gettext("the system"), who_role=entry.actor_role,
            where=(entry.location_name or entry.location_code or "—"),
            price=price, details=describe(entry, names)))
    return lines
