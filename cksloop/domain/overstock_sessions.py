"""Executing a review decision, the pure parts: which garments a decision concerns, and its refusals.

Source: issue 13 ("Review sessions", "Bad input"): executing writes the events for every garment
concerned in one transaction, or none if any garment's state moved meanwhile (named); executing
again writes nothing. A decision concerns the style's garments in stock that its action can take:
the rental pool and rented-out pieces are rental's, sold and allocated ones are gone.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import DomainError, VersionConflict
from .lifecycle import GarmentState, LocationKind
from .messages import N_
from .overstock_proposals import Decision

_STOCK_ROOM = frozenset({LocationKind.STORE, LocationKind.WAREHOUSE})


def concerns(decision: Decision, *, state: GarmentState | None, location_kind: LocationKind | None,
             location: str | None, to_location: str | None = None) -> bool:
    """Whether a garment of the decided style is one the decision acts on.

    mark_down and buyer_lot: every garment in stock (the outlet's too). transfer: in stock at a
    store or the warehouse, not already at the destination. outlet and rental_pool: in stock at a
    store or the warehouse (the outlet's stock stays for its last chance of sale). hold: none.
    """
    if state is not GarmentState.IN_STOCK or decision is Decision.HOLD:
        return False
    if decision in (Decision.MARK_DOWN, Decision.BUYER_LOT):
        return True
    if location_kind not in _STOCK_ROOM:
        return False
    return decision is not Decision.TRANSFER or location != to_location


def moved_since(decided: Mapping[str, str], now: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The garments whose state is no longer the one recorded with the decision (code order)."""
    return [{"code": code, "was": was, "state": now.get(code)}
            for code, was in sorted(decided.items()) if now.get(code) != was]


class AlreadyExecuted(VersionConflict):
    """The decision was executed before (perhaps a moment ago, by a double tap): nothing more is written."""

    code = "already_executed"

    def __init__(self, *, result: Mapping[str, Any] | None = None) -> None:
        DomainError.__init__(self, N_("This decision was already executed; nothing more was written."),
                             details={"result": dict(result or {})})


class GarmentsMoved(VersionConflict):
    """Garments of the decision changed state since it was recorded (or while it was being
    written): nothing was written; the first is named, the others listed in the details."""

    def __init__(self, moved: Sequence[Mapping[str, Any]]) -> None:
        first = moved[0]
        DomainError.__init__(
            self, N_("Garment %(code)s changed since the decision (it is now %(state)s): nothing was "
                     "written. Record the decision again."),
            details={"garments": [dict(m) for m in moved[:50]], "count": len(moved)},
            code=first["code"], state=first["state"] or "-")


#: the refusal of a decision no garment of the style can take
NOTHING_CONCERNED = N_("No garment of this style can take this decision now.")
