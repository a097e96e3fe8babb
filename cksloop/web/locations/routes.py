"""Locations: every store, warehouse, outlet and partner; a location's garments by state."""
from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from cksloop.db import queries
from cksloop.domain.errors import NotFound
from cksloop.domain.lifecycle import LocationKind
from cksloop.domain.messages import N_
from cksloop.web.database import db
from cksloop.web.guards import allow

bp = Blueprint("locations", __name__)

#: the headings of the list page (plural; a kind's own name is LocationKind.label)
KIND_HEADINGS = {
    LocationKind.STORE: _l("Stores"),
    LocationKind.WAREHOUSE: _l("Warehouses"),
    LocationKind.OUTLET: _l("Outlets"),
    LocationKind.PARTNER: _l("Partners (rental, repair, remanufacturing)"),
}


@bp.get("/locations")
@allow()
def index() -> Any:
    locations = queries.all_locations(db())
    groups = [(kind, list(items)) for kind, items in groupby(locations, key=lambda loc: loc.kind)]
    return render_template("locations/index.html", groups=groups, kind_headings=KIND_HEADINGS)


@bp.get("/locations/<code>")
@allow()
def detail(code: str) -> Any:
    session = db()
    location = None
    if len(code) <= 40 and code.isprintable():
        location = queries.location_by_code(session, code)
    if location is None:
        raise NotFound(N_("No location with code %(code)s."), code=code)
    return render_template("locations/detail.html", location=location,
                           counts=queries.counts_by_state(session, location_id=location.id))
