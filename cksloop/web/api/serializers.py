"""JSON in and out of the API: reading request bodies safely, shaping answers (queries: params.py).

``json_object()`` is for every API view that takes a JSON body: it answers 400 for a body that is
not JSON (or not UTF-8, or nested absurdly deep), 413 for a large one and 422 for JSON that is not
an object, so no body can reach a service as anything but a ``dict``.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import abort, request
from flask_babel import gettext

from cksloop.db.models import Garment, Location, Style, User
from cksloop.db.queries import GarmentRow, HistoryEntry
from cksloop.domain.clock import utc
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.labels import label_url
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.domain.messages import N_
from cksloop.services.garments import allowed_actions_for
from cksloop.web.api import openapi

MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32


# --- reading requests ----------------------------------------------------------------------

def json_object(max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The request body as a JSON object (400 not JSON, 413 too large, 422 not an object)."""
    if request.content_length is not None and request.content_length > max_bytes:
        abort(413)
    if not request.is_json:
        abort(400, gettext("Send a JSON object with the header Content-Type: application/json."))
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        abort(413)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        abort(400, gettext("The body is not valid JSON."))
    if not _is_storable(data):
        abort(400, gettext("The body is not valid JSON."))
    if not isinstance(data, dict):
        raise InvalidDetails({"body": N_("Must be a JSON object.")})
    return data


def _is_storable(data: Any) -> bool:
    """No lone surrogates (they cannot be stored as UTF-8), no absurd nesting; iterative."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return True


# --- shaping answers -------------------------------------------------------------------------

def iso_utc(moment: dt.datetime | None) -> str | None:
    """An ISO 8601 UTC time ending in Z (SQLite hands back naive UTC datetimes)."""
    if moment is None:
        return None
    return utc(moment).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def location_dict(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"code": location.code, "name": location.name, "kind": location.kind.value,
            "city": location.city}


def style_dict(style: Style) -> dict[str, Any]:
    return {
        "style_number": style.style_number,
        "name": style.name,
        "season": style.season,
        "category": style.category,
        "colour": style.colour,
        "sizes": style.size_list,
        "country_of_manufacture": style.country_of_manufacture,
        "supplier": style.supplier,
        "retail_price_cents": style.retail_price_cents,
        "care": style.care,
        "composition": [{"fibre": m.fibre, "percent": m.percent, "sustainable": m.sustainable,
                         "certification": m.certification} for m in style.materials],
    }


def garment_row(row: GarmentRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "style_number": row.style_number,
        "style_name": row.style_name,
        "size": row.size,
        "colour": row.colour,
        "state": row.state.value if row.state else None,
        "location": row.location_code,
        "location_name": row.location_name,
        "price_cents": row.price_cents,
    }


def garment_detail(garment: Garment, *, user: User, base_url: str) -> dict[str, Any]:
    gtin = garment.style.gtin_for(garment.size)
    return {
        "code": garment.code,
        "size": garment.size,
        "gtin": gtin,
        "state": garment.state.value if garment.state else None,
        "location": location_dict(garment.location),
        "price_cents": garment.price_cents,
        "version": garment.version,
        "label_url": label_url(base_url, garment.code, gtin),
        "style": style_dict(garment.style),
        "allowed_actions": [a.value for a in allowed_actions_for(garment, user)],
    }


def event_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "action": entry.action.value,
        "from_state": entry.from_state.value if entry.from_state else None,
        "to_state": entry.to_state.value,
        "location": entry.location_code,
        "price_cents": entry.price_cents,
        "actor": entry.actor_name,  # the name only: no emails or ids in the ledger feed
        "occurred_at": iso_utc(entry.occurred_at),
        "details": entry.details,
    }


def user_dict(user: User, *, auth: str) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value,
            "home_location": user.home_location.code if user.home_location else None,
            "auth": auth}


# --- the schemas of these shapes, for the OpenAPI document -----------------------------------

_STATES = [s.value for s in GarmentState]
_ACTIONS = [a.value for a in Action]
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}

LOCATION = openapi.schema("Location", {
    "type": "object", "required": ["code", "name", "kind", "city"],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                   "kind": {"type": "string", "enum": ["store", "warehouse", "outlet", "partner"]},
                   "city": {"type": "string"}}})
STYLE = openapi.schema("Style", {
    "type": "object",
    "required": ["style_number", "name", "season", "category", "colour", "sizes", "composition"],
    "properties": {
        "style_number": {"type": "string", "examples": ["SS25-0101"]},
        "name": {"type": "string"}, "season": {"type": "string", "examples": ["SS25", "AW25"]},
        "category": {"type": "string"}, "colour": {"type": "string"},
        "sizes": {"type": "array", "items": {"type": "string"}},
        "country_of_manufacture": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "supplier": {"type": "string"}, "retail_price_cents": {"type": "integer"},
        "care": {"type": "string"},
        "composition": {"type": "array", "description": "Fibres in percent by weight",
                        "items": {"type": "object", "required": ["fibre", "percent", "sustainable"],
                                  "properties": {"fibre": {"type": "string"},
                                                 "percent": {"type": "integer"},
                                                 "sustainable": {"type": "boolean"},
                                                 "certification": {"type": "string"}}}},
    }})
GARMENT_SUMMARY = openapi.schema("GarmentSummary", {
    "type": "object", "required": ["code", "style_number", "size", "state", "location"],
    "properties": {"code": {"type": "string", "examples": ["CKS-00123"]},
                   "style_number": {"type": "string"}, "style_name": {"type": "string"},
                   "size": {"type": "string"}, "colour": {"type": "string"},
                   "state": {"type": ["string", "null"], "enum": [*_STATES, None]},
                   "location": _NULLABLE_STRING, "location_name": _NULLABLE_STRING,
                   "price_cents": _NULLABLE_INT}})
GARMENT_PAGE = openapi.schema("GarmentPage", {
    "type": "object", "required": ["items", "page", "per_page", "total", "total_capped", "next"],
    "properties": {"items": {"type": "array", "items": GARMENT_SUMMARY},
                   "page": {"type": "integer"}, "per_page": {"type": "integer"},
                   "total": {"type": "integer", "description": "Exact unless total_capped"},
                   "total_capped": {"type": "boolean",
                                    "description": "true: there are more than `total`"},
                   "next": {"type": ["string", "null"], "description": "The next page's URL"}}})
GARMENT = openapi.schema("Garment", {
    "type": "object",
    "required": ["code", "size", "state", "location", "price_cents", "version", "style",
                 "allowed_actions"],
    "properties": {
        "code": {"type": "string"}, "size": {"type": "string"}, "gtin": _NULLABLE_STRING,
        "state": {"type": ["string", "null"], "enum": [*_STATES, None],
                  "description": "null before the garment is received"},
        "location": {"oneOf": [LOCATION, {"type": "null"}]},
        "price_cents": _NULLABLE_INT,
        "version": {"type": "integer", "description": "Number of ledger events; send it back as "
                    "expected_version"},
        "label_url": {"type": "string", "description": "The URL its QR label carries"},
        "style": STYLE,
        "allowed_actions": {"type": "array", "items": {"type": "string", "enum": _ACTIONS},
                            "description": "What the caller's role may do now"},
    }})
EVENT = openapi.schema("GarmentEvent", {
    "type": "object",
    "required": ["seq", "action", "from_state", "to_state", "occurred_at", "details"],
    "properties": {"seq": {"type": "integer"}, "action": {"type": "string", "enum": _ACTIONS},
                   "from_state": {"type": ["string", "null"]}, "to_state": {"type": "string"},
                   "location": _NULLABLE_STRING, "price_cents": _NULLABLE_INT,
                   "actor": {"type": ["string", "null"], "description": "The actor's name"},
                   "occurred_at": {"type": "string", "format": "date-time",
                                   "description": "UTC"},
                   "details": {"type": "object", "additionalProperties": True}}})
EVENT_LIST = openapi.schema("GarmentEventList", {
    "type": "object", "required": ["code", "events"],
    "properties": {"code": {"type": "string"}, "version": {"type": "integer"},
                   "events": {"type": "array", "items": EVENT}}})
ACTION_REQUEST = openapi.schema("ActionRequest", {
    "type": "object", "required": ["action"],
    "description": "The action's own details sit beside `action` and `expected_version`, e.g. "
                   "`to_location` (transfer, move_to_outlet), `price_cents` (mark_down, sell), "
                   "`partner` and `due_on` (check_out_rental), `reason`, `grade` and `defects` "
                   "(return_rental), `care_kind` (start_care), `outcome` (finish_care), `route` "
                   "and `ground` (retire), `reason` (write_off), `note` (most actions).",
    "properties": {
        "action": {"type": "string", "enum": _ACTIONS},
        "expected_version": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1,
                             "description": "The version you saw; 409 when it moved. A whole "
                                            "number (6.0 counts as 6, as in JSON Schema)."},
        "defects": {"type": "array", "items": {
            "type": "object", "required": ["code", "zone", "severity"],
            "properties": {"code": {"type": "string",
                                    "enum": ["SNAG", "PILL", "ABR", "SEAM", "FADE", "SHR",
                                             "TRIM", "TEAR", "STN", "ODOUR", "FIT"]},
                           "zone": {"type": "string"},
                           "severity": {"type": "integer", "minimum": 1, "maximum": 5},
                           "note": {"type": "string"}}}},
    },
    "additionalProperties": True,
    "examples": [{"action": "mark_down", "expected_version": 1, "price_cents": 7995},
                 {"action": "return_rental", "expected_version": 3, "reason": "quality_return",
                  "grade": "C", "defects": [{"code": "SNAG", "zone": "front", "severity": 2}]}]})
ACTION_RESULT = openapi.schema("ActionResult", {
    "type": "object",
    "required": ["code", "action", "from_state", "state", "version", "event_id", "details"],
    "properties": {"code": {"type": "string"}, "action": {"type": "string", "enum": _ACTIONS},
                   "from_state": {"type": ["string", "null"]}, "state": {"type": "string"},
                   "version": {"type": "integer"}, "location": _NULLABLE_STRING,
                   "price_cents": _NULLABLE_INT, "event_id": {"type": "integer"},
                   "details": {"type": "object", "additionalProperties": True}}})
ME = openapi.schema("Me", {
    "type": "object", "required": ["id", "email", "name", "role", "auth"],
    "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                   "name": {"type": "string"},
                   "role": {"type": "string",
                            "enum": ["store_staff", "workshop_organiser", "merchandiser", "admin"]},
                   "home_location": _NULLABLE_STRING,
                   "auth": {"type": "string", "enum": ["bearer", "session"]}}})
