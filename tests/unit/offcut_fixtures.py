"""Shared facts for the offcut, workshop and remanufacturing unit tests: places, contexts, a lot."""
from __future__ import annotations

import datetime as dt
from typing import Any

from cksloop.domain.lifecycle import LocationKind, Place, Role
from cksloop.domain.offcuts import LotContext, LotSnapshot, OffcutAction, apply, decide

TODAY = dt.date(2026, 11, 25)
PLACES = {
    "ANT-MEIR": Place("ANT-MEIR", LocationKind.STORE),
    "GENT-VELD": Place("GENT-VELD", LocationKind.STORE),
    "WH-WOMMELGEM": Place("WH-WOMMELGEM", LocationKind.WAREHOUSE),
    "OUTLET-WOMMELGEM": Place("OUTLET-WOMMELGEM", LocationKind.OUTLET),
    "REBELLE-ANT": Place("REBELLE-ANT", LocationKind.PARTNER),
}
WORKSHOPS = frozenset({1, 2})
PROJECTS = frozenset({7})


def context(role: Role = Role.WORKSHOP_ORGANISER) -> LotContext:
    return LotContext(actor_role=role, today=TODAY, places=PLACES, workshops=WORKSHOPS, projects=PROJECTS)


def create_details(code: str = "CKSR-00012", weight_g: Any = 1000, location: str = "ANT-MEIR",
                   **extra: Any) -> dict[str, Any]:
    return {"code": code, "weight_g": weight_g, "location": location, "material": "denim",
            "colour": "indigo", "composition": [{"fibre": "cotton", "pct": 98}, {"fibre": "elastane", "pct": 2}],
            **extra}


def make_lot(code: str = "CKSR-00012", weight_g: int = 1000, location: str = "ANT-MEIR") -> LotSnapshot:
    """A lot just registered with ``weight_g`` grams at ``location``."""
    return apply(LotSnapshot(), decide(LotSnapshot(), OffcutAction.CREATE,
                                       create_details(code, weight_g, location), context()))
