"""Demo offcut lots (issue 15): lots in several stores and the warehouse, cut from the demo catalogue's
materials, some split, moved and reweighed, and some made from the garments the demo retired into offcuts.

Every lot is written through services.offcut_lots (the lot ledger), nothing is consumed here: the
workshop and remanufacturing demos that follow use these lots.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, OffcutLot, Style, User
from cksloop.demo.chain import STORES, STYLES, WAREHOUSE, DemoStyle
from cksloop.domain.lifecycle import GarmentState
from cksloop.services import offcut_lots

#: stores whose workshops keep offcuts (several, so the per-store figures mean something)
LOT_STORES = STORES[:4]
LOTS_PER_STORE = 4


def _details(style: DemoStyle, weight_g: int, location: str) -> dict[str, Any]:
    return {"material": style.materials[0][0], "colour": style.colour, "weight_g": weight_g,
            "location": location, "composition": [{"fibre": f, "pct": pct} for f, pct, _, _ in style.materials],
            "source": {"style_number": style.number, "supplier": style.supplier}}


def _retired_into_offcuts(session: Session) -> dict[str, list[str]]:
    """Garments the demo retired with route offcuts, by style number (their store cut them up)."""
    rows = session.execute(
        select(Garment.code, GarmentEvent.details, Garment.style_id)
        .join(GarmentEvent, GarmentEvent.garment_id == Garment.id)
        .where(Garment.state == GarmentState.RETIRED, GarmentEvent.to_state == GarmentState.RETIRED)
        .order_by(Garment.id)).all()
    numbers = dict(session.execute(select(Style.id, Style.style_number)).all())
    by_style: dict[str, list[str]] = {}
    for code, details, style_id in rows:
        if (details or {}).get("route") == "offcuts" and "offcut_lot" not in (details or {}):
            by_style.setdefault(numbers[style_id], []).append(code)
    return by_style


def load_offcut_lots(session: Session, *, users: Mapping[str, User], now: dt.datetime,
                     rng: random.Random) -> int:
    """Register the demo lots once (none when lots exist already); the number of lots made."""
    if session.scalar(select(OffcutLot.id).limit(1)) is not None:
        return 0
    open_places = set(session.scalars(select(Location.code).where(Location.active.is_(True))))
    organiser, merchandiser = users["workshop"], users["merchandiser"]
    made = 0
    start = now - dt.timedelta(days=120)
    for index, store in enumerate(s for s in LOT_STORES if s in open_places):
        for n in range(LOTS_PER_STORE):
            style = STYLES[(index * LOTS_PER_STORE + n) % len(STYLES)]
            at = start + dt.timedelta(days=index * 7 + n * 3, hours=10)
            lot = offcut_lots.create(session, details=_details(style, rng.randrange(200, 3001), store),
                                     actor=organiser, now=at)
            made += 1
            code, left = lot["code"], lot["remaining_g"]
            story = (index + n) % 4
            if story == 1 and left >= 600:  # split in two for two tables
                half = left // 3
                lot = offcut_lots.act(session, code=code, action="split", details={"parts_g": [half, half]},
                                      actor=organiser, now=at + dt.timedelta(days=2))
                made += 2
            elif story == 2 and WAREHOUSE in open_places:  # moved to the warehouse for the partner
                lot = offcut_lots.act(session, code=code, action="move", details={"to_location": WAREHOUSE},
                                      actor=merchandiser, now=at + dt.timedelta(days=5))
            elif story == 3:  # reweighed: trimming dust and frayed edges
                lot = offcut_lots.act(session, code=code, action="reweigh",
                                      details={"weight_g": left - rng.randrange(10, 60), "reason": "cutting_loss"},
                                      actor=organiser, now=at + dt.timedelta(days=4))
    # the garments the demo cut into offcuts, gathered into lots by style at the Antwerp store
    for number, codes in list(_retired_into_offcuts(session).items())[:3]:
        style = next(s for s in STYLES if s.number == number)
        details = _details(style, 450 * len(codes[:6]), LOT_STORES[0])
        details["source"] = {"style_number": number, "garments": codes[:6]}
        offcut_lots.create(session, details=details, actor=merchandiser, now=now - dt.timedelta(days=3))
        made += 1
    return made
