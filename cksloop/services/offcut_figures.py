"""Offcut figures per period and place for the charter report (issue 15): kg created, consumed by
workshops and by projects, wasted, split, remaining, and garments retired into offcuts — each total
with its drill list (``{"count", "items"}``) read by the same query."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, OffcutLot, OffcutLotEvent
from cksloop.domain.clock import local_date, start_of_local_day
from cksloop.domain.lifecycle import Action
from cksloop.domain.offcut_drills import LotLine, period_figures, remaining_at_end
from cksloop.domain.offcut_figures import Period

_LINES = (select(OffcutLot.code, OffcutLotEvent.action, OffcutLotEvent.details, OffcutLotEvent.grams,
                 OffcutLotEvent.occurred_at, Location.code)
          .join(OffcutLot, OffcutLot.id == OffcutLotEvent.lot_id)
          .outerjoin(Location, Location.id == OffcutLotEvent.location_id))


def _lines(session: Session, query: Any) -> list[LotLine]:
    rows = session.execute(query.order_by(OffcutLotEvent.occurred_at, OffcutLotEvent.lot_id, OffcutLotEvent.seq))
    return [LotLine(lot, action, details or {}, grams, local_date(at), place)
            for lot, action, details, grams, at, place in rows]


def offcut_figures(session: Session, *, period: Period, location: str | None = None) -> dict[str, Any]:
    """Every offcut figure of ``period`` (Brussels dates) at ``location`` (a location code; None: all).

    Weight figures are ``{"grams", "kg", "count", "items": [{"lot", "grams", "on", "location", …}]}``;
    an event counts where the lot lay when it happened; ``remaining`` is what the lots lying there at
    the period's end still held. ``garments_retired_into_offcuts`` is ``{"count", "items": [codes]}``.
    """
    start, end = start_of_local_day(period.start), start_of_local_day(period.end)
    in_period = and_(OffcutLotEvent.occurred_at >= start, OffcutLotEvent.occurred_at < end)
    query = _LINES.where(in_period)
    if location is not None:
        query = query.where(Location.code == location)
    figures = period_figures(_lines(session, query))
    figures["remaining"] = remaining_at_end(_lines(session, _LINES.where(OffcutLotEvent.occurred_at < end)),
                                            location=location)
    figures["garments_retired_into_offcuts"] = _retired(session, start=start, end=end, location=location)
    return {"period": {"start": period.start.isoformat(), "end": period.end.isoformat()}, "location": location,
            **figures}


def _retired(session: Session, *, start: dt.datetime, end: dt.datetime, location: str | None) -> dict[str, Any]:
    query = (select(Garment.code, GarmentEvent.details).join(Garment, Garment.id == GarmentEvent.garment_id)
             .outerjoin(Location, Location.id == GarmentEvent.location_id)
             .where(GarmentEvent.action == Action.RETIRE, GarmentEvent.occurred_at >= start,
                    GarmentEvent.occurred_at < end))
    if location is not None:
        query = query.where(Location.code == location)
    items = [{"garment": code, "offcut_lot": (details or {}).get("offcut_lot")}
             for code, details in session.execute(query.order_by(GarmentEvent.occurred_at, GarmentEvent.id))
             if (details or {}).get("route") == "offcuts"]
    return {"count": len(items), "items": items}
