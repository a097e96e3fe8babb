"""Garments leaving the loop unsold (retired or written off): a projection of the garment ledger.

Every event that retires a garment (the retire action, or an inspection graded D/E) or writes it
off adds one ``garment_exits`` row in the transaction that writes the event, with the route and
legal ground its details name. The charter's unsold section and the workshop figures count a
year's exits per route and ground from that table's index: the events keep the route in JSON
details, which every count had to read row by row (a year at 1M garments: 10,000 table reads).
``rebuild`` recomputes the rows from the events (the benchmark's generator calls it; migration 0023
fills the past with the same rule in SQL; tests hold both equal to the rows kept on the way).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select
from sqlalchemy.orm import Session

from cksloop.db.models import GarmentEvent, GarmentExit
from cksloop.domain.lifecycle import Action, GarmentState, exit_route, is_exit

_PENDING = "cksloop.garment_exits"


def exit_row(*, event_id: int, garment_id: int, action: Action, to_state: GarmentState, occurred_at: Any,
             location_id: int | None, details: dict[str, Any] | None) -> dict[str, Any]:
    """The ``garment_exits`` row of an exit event: the projection and the rebuild both write this."""
    return {"event_id": event_id, "garment_id": garment_id, "action": action, "to_state": to_state,
            "occurred_at": occurred_at, "location_id": location_id,
            "route": exit_route(details), "ground": (details or {}).get("ground")}


class GarmentExits:
    """The projection (registered in ``streams.GARMENTS``): rows gathered per event, written before commit."""

    def apply(self, session: Session, recorded: Any) -> None:
        change = recorded.decision.change
        if not is_exit(change.action, change.to_state):
            return
        event = recorded.decision.event
        session.info.setdefault(_PENDING, []).append(exit_row(
            event_id=recorded.event_id, garment_id=recorded.decision.aggregate_id, action=change.action,
            to_state=change.to_state, occurred_at=event["occurred_at"], location_id=event.get("location_id"),
            details=change.details))

    def before_commit(self, session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if pending:
            session.execute(insert(GarmentExit.__table__), pending)

    def discard(self, session: Session) -> None:
        session.info.pop(_PENDING, None)


def from_events(bind: Session | Connection) -> list[dict[str, Any]]:
    """Every exit row recomputed from the ledger, in event order."""
    return [exit_row(event_id=event_id, garment_id=garment_id, action=Action(action), to_state=GarmentState(to_state),
                     occurred_at=at, location_id=location_id, details=details)
            for event_id, garment_id, action, to_state, at, location_id, details in bind.execute(
                select(GarmentEvent.id, GarmentEvent.garment_id, GarmentEvent.action, GarmentEvent.to_state,
                       GarmentEvent.occurred_at, GarmentEvent.location_id, GarmentEvent.details)
                .where(or_(GarmentEvent.to_state == GarmentState.RETIRED, GarmentEvent.action == Action.WRITE_OFF))
                .order_by(GarmentEvent.id).execution_options(yield_per=5000))]


def rebuild(bind: Session | Connection) -> int:
    """Replace every exit row with a recount from the events; does not commit. Returns the rows written."""
    rows = from_events(bind)
    bind.execute(delete(GarmentExit.__table__))
    for i in range(0, len(rows), 5000):
        bind.execute(insert(GarmentExit.__table__), rows[i:i + 5000])
    return len(rows)
