"""Rental API for the partner's own system: partners, open cycles, overdue cycles.

Check-out and return go through the generic ``POST /api/v1/garments/{code}/actions``. Who may call
what is decided by ``@allow`` and enforced for every ``/api/`` path by ``cksloop.web.guards``.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from cksloop.domain.lifecycle import Role
from cksloop.services import rentals
from cksloop.services.garments import local_date
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.rentals.blueprint import bp

from cksloop.web.api import openapi

RENTAL_STAFF = (Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN)
MAX_LIMIT = 500


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
    openapi.query("partner", {"type": "integer", "minimum": 1}, "Only this rental partner's cycles."),
    openapi.query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}),
    openapi.query("offset", {"type": "integer", "minimum": 0, "default": 0}),
]


@bp.get("/api/v1/rental-partners")
@allow(*RENTAL_STAFF)
@openapi.operation(summary="List the rental partners", tags=["rentals"],
                   responses={200: ("The partners, by name", {"type": "object", "properties": {
                       "items": {"type": "array", "items": openapi.ref("RentalPartner")}}})})
def api_partners() -> Any:
    items = [{"id": p.id, "name": p.name, "contact_email": p.contact_email,
              "default_rental_days": p.default_rental_days, "terms": p.terms}
             for p in rentals.list_partners(db())]
    return jsonify(items=items)


def _open(overdue: bool) -> Any:
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), MAX_LIMIT)
    offset = min(max(request.args.get("offset", 0, type=int) or 0, 0), 10_000_000)
    partner = request.args.get("partner", type=int)
    items, total = rentals.open_cycles(db(), today=local_date(now()), partner_id=partner if partner else None,
                                       overdue_only=overdue, limit=limit, offset=offset)
    return jsonify(items=[c.as_dict() for c in items], total=total, limit=limit, offset=offset)


@bp.get("/api/v1/rentals/open")
@allow(*RENTAL_STAFF)
@openapi.operation(summary="Rental cycles not yet ended", tags=["rentals"], parameters=_PAGING,
                   responses={200: ("Open cycles, earliest due first", openapi.ref("OpenRentalCycles"))})
def api_open() -> Any:
    return _open(False)


@bp.get("/api/v1/rentals/overdue")
@allow(*RENTAL_STAFF)
@openapi.operation(summary="Rental cycles past their due date, with days overdue", tags=["rentals"],
                   parameters=_PAGING,
                   responses={200: ("Overdue cycles, most overdue first", openapi.ref("OpenRentalCycles"))})
def api_overdue() -> Any:
    return _open(True)
