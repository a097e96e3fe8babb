"""The audit trail in words: each event as a person reads it (money, dates and defect names in the
reader's language), for the page and the CSV export alike."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from cksloop.db import queries
from cksloop.domain.lifecycle import Action, Role
from cksloop.domain.rental_quality import csv_cell
from cksloop.services import accounts, audit
from cksloop.web.garments.history import describe
from cksloop.web.i18n import action_label, money, state_label

#: actions after which the garment's price is news (the event's price is the price after it)
PRICE_ACTIONS = {Action.RECEIVE, Action.MARK_DOWN, Action.MOVE_TO_OUTLET, Action.SELL}


@dataclass(frozen=True)
class AuditLine:
    """One row of the audit trail, every cell already in words."""

    when: str
    when_iso: str
    who: str
    who_detail: str
    what: str
    what_detail: str
    subject: str  # the garment code, or the account concerned
    subject_detail: str
    subject_url_code: str | None  # a garment code to link, when the row is about a garment
    where: str
    details: list[tuple[str, str]]


def garment_lines(session: Session, entries: list[audit.AuditEntry]) -> list[AuditLine]:
    names = queries.names_in_details(session, entries)  # type: ignore[arg-type]  (same fields)
    lines = []
    for e in entries:
        details = describe(e, names)  # type: ignore[arg-type]
        if e.action in PRICE_ACTIONS and e.price_cents is not None and e.action is not Action.SELL:
            details.insert(0, (gettext("Price now"), money(e.price_cents)))
        lines.append(AuditLine(
            when=format_datetime(e.occurred_at, "medium"), when_iso=e.occurred_at.isoformat(),
            who=e.actor_name or gettext("the system"), who_detail=e.actor_email or "",
            what=action_label(e.action),
            what_detail=(f"{state_label(e.from_state)} → {state_label(e.to_state)}" if e.from_state
                         else state_label(e.to_state)),
            subject=e.garment_code,
            subject_detail=gettext("%(style)s · event %(n)s of its history", style=e.style_name, n=e.seq),
            subject_url_code=e.garment_code,
            where=(f"{e.location_name} ({e.location_code})" if e.location_code else "—"),
            details=details))
    return lines


def _event_label(action: str) -> str:
    text = accounts.EVENT_LABELS.get(action)
    return gettext(text) if text else action


_ACCOUNT_KEYS = {
    "role": _l("Role"), "from": _l("From"), "to": _l("To"), "home_location": _l("Home location"),
    "stores": _l("Stores"), "label": _l("Token name"), "read_only": _l("Read only"),
    "expires_at": _l("Expires"), "tokens_revoked": _l("API tokens revoked"),
}


def _account_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict) and {"from", "to"} <= value.keys():
        return f"{_account_value(key, value['from'])} → {_account_value(key, value['to'])}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if key in ("role", "from", "to") and isinstance(value, str) and value in Role._value2member_map_:
        return str(Role(value).label)
    return str(value)


def account_details(entry: audit.AccountAuditEntry) -> list[tuple[str, str]]:
    lines = [(str(_ACCOUNT_KEYS.get(k, k)), _account_value(k, v)) for k, v in entry.details.items()]
    if entry.token_name:
        lines.insert(0, (gettext("Token"), entry.token_name))
    if entry.address:
        lines.append((gettext("From address"), entry.address))
    return lines


def account_lines(entries: list[audit.AccountAuditEntry]) -> list[AuditLine]:
    return [AuditLine(
        when=format_datetime(e.at, "medium"), when_iso=e.at.isoformat(),
        who=e.actor_name or (gettext("nobody (failed sign-in)") if e.action == accounts.SIGN_IN_FAILED
                             else gettext("the command line")),
        who_detail=e.actor_email or "", what=_event_label(e.action), what_detail="",
        subject=e.subject_name, subject_detail=e.subject_email, subject_url_code=None, where="—",
        details=account_details(e)) for e in entries]


def csv_rows(session: Session, filters: Any, pages: Iterable[list[Any]], *, named: list[tuple[str, str]],
             cap: int) -> bytes:
    """UTF-8 with a byte-order mark, the filters on top, every text cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(gettext("Audit trail")), csv_cell(format_datetime(None, "medium"))])
    for name, value in named or [(gettext("Filters"), gettext("none: every event"))]:
        writer.writerow([csv_cell(name), csv_cell(value)])
    writer.writerow([])
    writer.writerow([gettext("When"), gettext("Who"), gettext("Email"), gettext("What"), gettext("Change"),
                     gettext("Garment or account"), gettext("About"), gettext("Where"), gettext("Details")])
    sent = 0
    for entries in pages:
        lines = (account_lines(entries) if isinstance(filters, audit.AccountFilter)
                 else garment_lines(session, entries))
        for line in lines:
            details = "; ".join(f"{label}: {text}" for label, text in line.details)
            writer.writerow([csv_cell(v) for v in (line.when_iso, line.who, line.who_detail, line.what,
                                                   line.what_detail, line.subject, line.subject_detail,
                                                   line.where, details)])
        sent += len(lines)
    if sent >= cap:
        writer.writerow([csv_cell(gettext("Stopped at %(n)s events: narrow the filters for the rest.", n=cap))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
