"""The demo's material targets for the charter report: what the 2025 collections aimed for (a tool, like
the rest of the demo: written through the service)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cksloop.services.charter import materials

#: season → material → target percent (illustrative roadmap values, not CKS's published targets)
TARGETS = {
    "SS25": {"organic_cotton": "30", "recycled_polyester": "20", "lenzing": "25"},
    "AW25": {"organic_cotton": "25", "recycled_polyester": "30", "lenzing": "15"},
}


def ensure_material_targets(session: Session, *, now: dt.datetime) -> None:
    """Set the demo seasons' targets where none are set yet."""
    already = materials.targets(session, list(TARGETS))
    for season, values in TARGETS.items():
        if not any(key[0] == season for key in already):
            materials.set_targets(session, season=season, values=values, actor_id=None, now=now)
