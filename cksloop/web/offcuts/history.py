"""A lot's ledger as the page shows it: what happened, when, by whom, where, and the grams it moved."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_datetime, format_number, gettext

from cksloop.db.queries.offcuts import LotHistoryLine
from cksloop.domain.lifecycle import Role
from cksloop.domain.offcuts import OffcutAction, WasteReason


def lot_action_label(action: str) -> str:
    try:
        return gettext(OffcutAction(action).label)
    except ValueError:
        return action


@dataclass(frozen=True)
class LotLine:
    action: str
    label: str
    when: str
    when_iso: str
    who: str
    where: str
    change: str  # the signed grams of remaining weight, "+500 g", "−120 g", or "" for none
    facts: list[tuple[str, str]]


def _g(value: Any) -> str:
    return gettext("%(grams)s g", grams=format_number(value)) if isinstance(value, int) else str(value)


def _facts(action: str, d: dict[str, Any]) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if action == OffcutAction.SPLIT and d.get("parts_g"):
        facts.append((gettext("New lots"), ", ".join(_g(p) for p in d["parts_g"])))
    if action == OffcutAction.MOVE:
        facts.append((gettext("From"), d.get("from_location") or "—"))
    if action == OffcutAction.REWEIGH:
        facts.append((gettext("On the scale"), _g(d.get("weight_g"))))
        if d.get("waste_g"):
            facts.append((gettext("Waste"), _g(d["waste_g"])))
        if d.get("reason") in WasteReason._value2member_map_:
            facts.append((gettext("Why"), gettext(WasteReason(d["reason"]).label)))
    if d.get("workshop_id"):
        facts.append((gettext("Workshop"), f"#{d['workshop_id']}"))
    if d.get("project_id"):
        facts.append((gettext("Remanufacturing project"), f"#{d['project_id']}"))
    if action == OffcutAction.CREATE:
        source = d.get("source") or {}
        if source.get("split_from"):
            facts.append((gettext("Split from"), source["split_from"]))
        for name, label in (("style_number", gettext("From style")), ("production_order", gettext("Production order")),
                            ("supplier", gettext("Supplier"))):
            if source.get(name):
                facts.append((label, source[name]))
    if d.get("note"):
        facts.append((gettext("Note"), d["note"]))
    return facts


def history_lines(lines: Sequence[LotHistoryLine]) -> list[LotLine]:
    out = []
    for line in lines:
        role = gettext(Role(line.actor_role).label) if line.actor_role else ""
        sign = "+" if line.grams > 0 else "−" if line.grams < 0 else ""
        out.append(LotLine(
            action=line.action, label=lot_action_label(line.action),
            when=format_datetime(line.occurred_at, "short"), when_iso=line.occurred_at.isoformat(),
            who=f"{line.actor_name} ({role})" if line.actor_name else "—", where=line.location or "—",
            change=f"{sign}{_g(abs(line.grams))}" if line.grams else "", facts=_facts(line.action, line.details or {})))
    return out
