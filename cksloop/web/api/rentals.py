"""API rentals for the partner's own system: partners, open cycles, overdue cycles.

Check-out and return go through the generic ``POST /api/v1/garments/{code}/actions``.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify

from cksloop.domain.lifecycle import Role
from cksloop.services import rentals
from cksloop.domain.clock import local_date
from cksloop.web.api import openapi, params
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow

RENTAL_STAFF = (Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN)
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


openapi.tag("rentals", "Rental partners and rental cycles (check-out and return are garment actions).")
openapi.schema("RentalPartner", {
    "type": "object", "required": ["id", "name", "default_rental_days"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "contact_email": {"type": "string"}, "default_rental_days": {"type": "integer"},
                   "terms": {"type": "string"}}})
openapi.schema("OpenRentalCycle", {
    "type": "object",
    "properties": {"cycle": {"type": "integer"}, "code": {"type": "string"},
                   "style_number": {"type": "string"}, "size": {"type": "string"},
                   "partner": {"type": "integer"}, "partner_name": {"type": "string"},
                   "started_on": {"type": "string", "format": "date"},
                   "due_on": {"type": "string", "format": "date"},
                   "partner_reference": {"type": ["string", "null"]},
                   "days_overdue": {"type": "integer", "minimum": 0}}})
openapi.schema("OpenRentalCycles", {
    "type": "object", "required": ["items", "total"],
    "properties": {"items": {"type": "array", "items": openapi.ref("OpenRentalCycle")},
                   "total": {"type": "integer"}, "limit": {"type": "integer"},
                   "offset": {"type": "integer"}}})

_PAGING = [
    openapi.query("partner", {"type": "integer", "minimum": 1, "maximum": params.MAX_ID},
                  "Only this rental partner's cycles."),
    openapi.query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}),
    openapi.query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
]


@bp.get("/rental-partners")
@allow(*RENTAL_STAFF)
@openapi.operation(summary="List the rental partners", tags=["rentals"], operation_id="rentals_api_partners",
                   responses={200: ("The partners, by name", {"type": "object", "properties": {
                       "items": {"type": "array", "items": openapi.ref("RentalPartner")}}})})
def api_partners() -> Any:
    items = [{"id": p.id, "name": p.name, "contact_email": p.contact_email,
              "default_rental_days": p.default_rental_days, "terms": p.terms}
             for p in rentals.list_partners(db())]
    return jsonify(items=items)


_BAD_FILTER = "A filter cannot be read (invalid_details; details.fields names it)."


def _open(overdue: bool) -> Any:
    errors: dict[str, str] = {}
    partner = params.query_id("partner", errors)
    limit = params.query_int("limit", errors, default=100, minimum=1, maximum=MAX_LIMIT)
    offset = params.query_int("offset", errors, default=0, minimum=0, maximum=MAX_OFFSET)
    params.raise_if_any(errors)
    items, total = rentals.open_cycles(db(), today=local_date(now()), partner_id=partner,
                                       overdue_only=overdue, limit=limit, offset=offset)
    return jsonify(items=[c.as_dict() for c in items], total=total, limit=limit, offset=offset)


@bp.get("/rentals/open")
@allow(*RENTAL_STAFF)
@openapi.operation(summary="Rental cycles not yet ended", tags=["rentals"], parameters=_PAGING,
                   operation_id="rentals_api_open",
                   responses={200: ("Open cycles, earliest due first", openapi.ref("OpenRentalCycles")),
                              422: _BAD_FILTER})
def api_open() -> Any:
    return _open(False)


@bp.get("/rentals/overdue")
@allow(*RENTAL_STAFF)
@openapi.operation(summary="Rental cycles past their due date, with days overdue", tags=["rentals"],
                   parameters=_PAGING, operation_id="rentals_api_overdue",
                   responses={200: ("Overdue cycles, most overdue first", openapi.ref("OpenRentalCycles")),
                              422: _BAD_FILTER})
def api_overdue() -> Any:
    return _open(True)
