"""Offcut figures with their drill lists (issue 15, for the charter report): each total comes with
the lines it adds up, from the same events, so a reader can check every gram.

Pure aggregation over lot ledger lines the service read for one period and place. ``created``
counts lots registered from outside (a split's parts are the same offcuts under new codes, so
they count as ``split`` on the parent, not as created again); consumption is net of leftovers
returned, per consumer kind.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .offcuts import OffcutAction, consumer_key

#: the weight figures, in the order the report shows them
WEIGHT_FIGURES = ("created", "consumed_by_workshops", "consumed_by_projects", "consumed_otherwise", "wasted",
                  "split", "remaining")


@dataclass(frozen=True)
class LotLine:
    """One lot ledger event as the figures read it; ``grams`` is the signed change of remaining."""

    lot: str
    action: str
    details: Mapping[str, Any]
    grams: int
    on: dt.date
    location: str | None


def _item(line: LotLine, grams: int) -> dict[str, Any]:
    item = {"lot": line.lot, "grams": grams, "on": line.on.isoformat(), "location": line.location}
    for name in ("workshop_id", "project_id", "reason", "note"):
        if line.details.get(name) not in (None, ""):
            item[name] = line.details[name]
    return item


def _figure(items: list[dict[str, Any]]) -> dict[str, Any]:
    grams = sum(i["grams"] for i in items)
    return {"grams": grams, "kg": round(grams / 1000, 3), "count": len(items), "items": items}


def period_figures(lines: Iterable[LotLine]) -> dict[str, dict[str, Any]]:
    """created, consumed (by workshops, projects, otherwise), wasted and split in the period's lines."""
    drills: dict[str, list[dict[str, Any]]] = {name: [] for name in WEIGHT_FIGURES if name != "remaining"}
    for line in lines:
        action, d = line.action, line.details
        if action == OffcutAction.CREATE and not (d.get("source") or {}).get("split_from"):
            drills["created"].append(_item(line, line.grams))
        elif action == OffcutAction.SPLIT:
            drills["split"].append(_item(line, -line.grams))
        elif action == OffcutAction.REWEIGH and d.get("waste_g"):
            drills["wasted"].append(_item(line, int(d["waste_g"])))
        elif action in (OffcutAction.CONSUME, OffcutAction.RETURN_LEFTOVER):
            kind = consumer_key(d).split(":")[0]
            name = {"workshop": "consumed_by_workshops", "project": "consumed_by_projects"}.get(
                kind, "consumed_otherwise")
            drills[name].append(_item(line, -line.grams))  # a leftover returned counts negative
    return {name: _figure(items) for name, items in drills.items()}


def remaining_at_end(lines: Iterable[LotLine], *, location: str | None) -> dict[str, Any]:
    """Grams left in each lot after the lines (every line up to the period's end, oldest first),
    for the lots lying at ``location`` then (None: everywhere)."""
    left: dict[str, int] = {}
    where: dict[str, str | None] = {}
    for line in lines:
        left[line.lot] = left.get(line.lot, 0) + line.grams
        where[line.lot] = line.location
    items = [{"lot": lot, "grams": grams, "location": where[lot]} for lot, grams in left.items()
             if grams and (location is None or where[lot] == location)]
    return _figure(items)
