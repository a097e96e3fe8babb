"""API workshops and remanufacturing projects (issue 15): plan, list and log workshops; send lots to a
partner and receive its products as garments."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import jsonify

from cksloop.domain.clock import start_of_local_day
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.services import remanufacturing, workshops
from cksloop.web.api import openapi, params
from cksloop.web.api import serializers as out
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow

TAG = openapi.tag("workshops", "In-store offcut workshops and remanufacturing projects")
WRITERS = (Role.WORKSHOP_ORGANISER, Role.MERCHANDISER, Role.ADMIN)
#: receiving a garment into stock is a merchandiser's or admin's step (the garment rules)
RECEIVERS = (Role.MERCHANDISER, Role.ADMIN)
_422 = "Invalid details (invalid_details, details.fields per field)."
_LOT_LINES = {"type": "array", "maxItems": 200, "items": {
    "type": "object", "required": ["code"],
    "properties": {"code": {"type": "string", "maxLength": 200},
                   "grams": {"type": "integer", "minimum": 1, "maximum": 1_000_000}}}}

WORKSHOP_FIELDS = {
    "id": {"type": "integer"}, "store": {"type": "string"}, "store_name": {"type": "string"},
    "starts_at": {"type": "string", "format": "date-time"}, "theme": {"type": "string"},
    "capacity": {"type": "integer"}, "organiser": {"type": ["integer", "null"]}, "logged": {"type": "boolean"}}
WORKSHOP = openapi.schema("Workshop", {"type": "object", "required": list(WORKSHOP_FIELDS),
                                       "properties": WORKSHOP_FIELDS})
WORKSHOP_LIST = openapi.schema("WorkshopList", {"type": "object", "required": ["items"],
                                                "properties": {"items": {"type": "array", "items": WORKSHOP}}})
WORKSHOP_LOG = openapi.schema("WorkshopLog", {
    "type": "object", "required": [*WORKSHOP_FIELDS, "participants", "products", "lots", "entries"],
    "description": "The workshop's totals over its log and corrections; each lot with the net grams it "
                   "gave and what it holds now.",
    "properties": {**WORKSHOP_FIELDS, "participants": {"type": "integer"},
                   "products": {"type": "array", "items": {"type": "object", "properties": {
                       "type": {"type": "string"}, "quantity": {"type": "integer"}}}},
                   "lots": {"type": "array", "items": {"type": "object", "properties": {
                       "code": {"type": "string"}, "grams": {"type": "integer"},
                       "remaining_g": {"type": ["integer", "null"]}}}},
                   "entries": {"type": "array", "items": {"type": "object", "additionalProperties": True}}}})
PLAN_REQUEST = openapi.schema("WorkshopRequest", {
    "type": "object", "required": ["store", "starts_at", "theme", "capacity"],
    "properties": {"store": {"type": "string", "maxLength": 40},
                   "starts_at": {"type": "string", "format": "date-time"},
                   "theme": {"type": "string", "maxLength": 200}, "capacity": {"type": "integer", "minimum": 1,
                                                                               "maximum": 500},
                   "organiser": {"type": "integer", "description": "A workshop organiser's user id"}}})
LOG_REQUEST = openapi.schema("WorkshopLogRequest", {
    "type": "object", "required": ["participants", "products", "lots"],
    "description": "Lots scanned twice count once; grams left out are pre-filled from the products' "
                   "typical material use.",
    "properties": {"participants": {"type": "integer", "minimum": 1, "maximum": 10_000},
                   "products": {"type": "array", "maxItems": 50, "items": {
                       "type": "object", "required": ["type", "quantity"],
                       "properties": {"type": {"type": "string", "maxLength": 40},
                                      "quantity": {"type": "integer", "minimum": 1, "maximum": 10_000}}}},
                   "lots": _LOT_LINES, "leftovers": _LOT_LINES,
                   "confirm": {"type": "boolean", "description": "Log more participants than places"}}})
CORRECTION_REQUEST = openapi.schema("WorkshopCorrectionRequest", {
    "type": "object", "required": ["participants", "products", "lots", "note"],
    "description": "The whole corrected log: participants, products made and the net grams used per lot. "
                   "The correction records only the differences as a compensating entry; lots used more "
                   "get a consume event, lots used less a return_leftover. Earlier entries are never changed.",
    "properties": {"participants": {"type": "integer", "minimum": 1, "maximum": 10_000},
                   "products": {"type": "array", "maxItems": 50, "items": {
                       "type": "object", "required": ["type", "quantity"],
                       "properties": {"type": {"type": "string", "maxLength": 40},
                                      "quantity": {"type": "integer", "minimum": 1, "maximum": 10_000}}}},
                   "lots": _LOT_LINES,
                   "note": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "Why"},
                   "confirm": {"type": "boolean", "description": "Allow more participants than places"}}})
PROJECT = openapi.schema("RemanufacturingProject", {
    "type": "object", "required": ["id", "name", "partner_location", "partner", "status", "lots", "products"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "partner_location": {"type": "string"},
                   "partner": {"type": "string"}, "status": {"type": "string"},
                   "lots": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                   "products": {"type": "array", "items": {"type": "object", "additionalProperties": True}}}})
PROJECT_REQUEST = openapi.schema("RemanufacturingProjectRequest", {
    "type": "object", "required": ["partner_location", "name", "lots"],
    "properties": {"partner_location": {"type": "string", "maxLength": 40}, "name": {"type": "string",
                                                                                   "maxLength": 120},
                   "lots": _LOT_LINES}})
PRODUCT_REQUEST = openapi.schema("RemanufacturedProductRequest", {
    "type": "object", "required": ["style_number", "size", "price_cents"],
    "description": "A new style number makes a remanufactured line for it.",
    "properties": {"style_number": {"type": "string", "maxLength": 40}, "size": {"type": "string", "maxLength": 12},
                   "price_cents": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
                   "location": {"type": "string", "maxLength": 40,
                                "description": "Where it is received (default: your store or the warehouse)"}}})
PRODUCT = openapi.schema("RemanufacturedProduct", {
    "type": "object", "required": ["code", "style_number", "size", "price_cents", "location", "made_from"],
    "properties": {"code": {"type": "string"}, "style_number": {"type": "string"}, "size": {"type": "string"},
                   "price_cents": {"type": "integer"}, "location": {"type": "string"},
                   "made_from": {"type": "object", "additionalProperties": True}}})


def _day(name: str, errors: dict[str, str]) -> dt.date | None:
    text = params.query_text(name, errors, max_len=10)
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = N_("Give a date as YYYY-MM-DD.")
        return None
    if not 2000 <= day.year <= 2100:
        errors[name] = N_("Give a date as YYYY-MM-DD.")
        return None
    return day


@bp.post("/workshops")
@allow(*WRITERS)
@openapi.operation(summary="Plan a workshop", tags=[TAG], request=PLAN_REQUEST,
                   responses={201: ("The planned workshop", WORKSHOP), 422: _422})
def create_workshop() -> Any:
    body = out.json_object()
    planned = workshops.plan(db(), store=body.get("store"), starts_at=body.get("starts_at"), theme=body.get("theme"),
                             capacity=body.get("capacity"), organiser=body.get("organiser"), actor=api_user(),
                             now=now())
    return jsonify(planned), 201


@bp.get("/workshops")
@allow()
@openapi.operation(
    summary="List workshops by store and dates", tags=[TAG],
    parameters=[openapi.query("store", {"type": "string", "maxLength": 40}, "A store's code"),
                openapi.query("from", {"type": "string", "format": "date"}, "First day (Brussels), included"),
                openapi.query("to", {"type": "string", "format": "date"}, "Last day (Brussels), included")],
    responses={200: ("The workshops, soonest first", WORKSHOP_LIST), 422: "A filter is malformed."})
def list_workshops() -> Any:
    errors: dict[str, str] = {}
    store = params.query_text("store", errors)
    first, last = _day("from", errors), _day("to", errors)
    params.raise_if_any(errors)
    start = start_of_local_day(first) if first else None
    end = start_of_local_day(last + dt.timedelta(days=1)) if last else None
    return jsonify(items=workshops.list_workshops(db(), store=store, start=start, end=end))


@bp.post("/workshops/<int:workshop_id>/log")
@allow(*WRITERS)
@openapi.operation(
    summary="Log a held workshop", tags=[TAG], request=LOG_REQUEST,
    description="Writes the workshop's log and its lots' consume (and return_leftover) events in one "
                "transaction, or nothing. A logged workshop is corrected by a compensating entry only.",
    responses={201: ("The workshop's log", WORKSHOP_LOG), 404: "No such workshop (not_found).",
               409: "A lot holds less than asked (insufficient_offcut; details.lot, details.remaining_g), "
                    "the workshop is already logged (already_logged) or a lot kept moving (version_conflict).",
               422: "Not started yet (workshop_not_started), more participants than places without "
                    "`confirm` (confirmation_required), or invalid details (invalid_details)."})
def log_workshop(workshop_id: int) -> Any:
    body = out.json_object()
    confirm = body.get("confirm", False)
    if not isinstance(confirm, bool):
        raise InvalidDetails({"confirm": N_("Must be true or false.")})
    logged = workshops.log(db(), workshop_id=workshop_id, participants=body.get("participants"),
                           products=body.get("products"), lots=body.get("lots"), leftovers=body.get("leftovers"),
                           confirmed=confirm, actor=api_user(), now=now())
    return jsonify(logged), 201


@bp.post("/workshops/<int:workshop_id>/corrections")
@allow(*WRITERS)
@openapi.operation(
    summary="Correct a logged workshop by a compensating entry", tags=[TAG], request=CORRECTION_REQUEST,
    description="Writes the compensating entry and its lots' consume or return_leftover events in one "
                "transaction, or nothing. The log's earlier entries stay as they were.",
    responses={201: ("The workshop's log, with every entry", WORKSHOP_LOG), 404: "No such workshop (not_found).",
               409: "A lot holds less than asked (insufficient_offcut; details.lot, details.remaining_g) "
                    "or a lot kept moving (version_conflict).",
               422: "Not logged yet, nothing differs from the log, no note, more participants than places "
                    "without `confirm` (confirmation_required), or invalid details (invalid_details)."})
def correct_workshop(workshop_id: int) -> Any:
    body = out.json_object()
    confirm = body.get("confirm", False)
    if not isinstance(confirm, bool):
        raise InvalidDetails({"confirm": N_("Must be true or false.")})
    corrected = workshops.correct(db(), workshop_id=workshop_id, participants=body.get("participants"),
                                  products=body.get("products"), lots=body.get("lots"), note=body.get("note"),
                                  confirmed=confirm, actor=api_user(), now=now())
    return jsonify(corrected), 201


@bp.post("/remanufacturing-projects")
@allow(*WRITERS)
@openapi.operation(summary="Send offcut lots to a remanufacturing partner", tags=[TAG], request=PROJECT_REQUEST,
                   description="The project and every lot's consume event are written together, or nothing.",
                   responses={201: ("The project", PROJECT),
                              409: "A lot holds less than asked (insufficient_offcut; details.lot, "
                                   "details.remaining_g).", 422: _422})
def create_remanufacturing_project() -> Any:
    body = out.json_object()
    project = remanufacturing.start(db(), partner_location=body.get("partner_location"), name=body.get("name"),
                                    lots=body.get("lots"), actor=api_user(), now=now())
    return jsonify(project), 201


@bp.get("/remanufacturing-projects/<int:project_id>")
@allow()
@openapi.operation(summary="One remanufacturing project, its lots and products", tags=[TAG],
                   responses={200: ("The project", PROJECT), 404: "No such project (not_found)."})
def remanufacturing_project(project_id: int) -> Any:
    session = db()
    return jsonify(remanufacturing.project_dict(session, remanufacturing.get(session, project_id)))


@bp.post("/remanufacturing-projects/<int:project_id>/products")
@allow(*RECEIVERS)
@openapi.operation(
    summary="Receive a product the partner returned, as a new garment", tags=[TAG], request=PRODUCT_REQUEST,
    description="The garment gets a code, a QR label and a ledger like any other, and records what it "
                "was made from (lots, materials, partner).",
    responses={201: ("The new garment", PRODUCT), 404: "No such project (not_found).",
               409: "The project is finished (not_allowed_now).", 422: _422})
def add_remanufactured_product(project_id: int) -> Any:
    body = out.json_object()
    product = remanufacturing.add_product(db(), project_id=project_id, style_number=body.get("style_number"),
                                          size=body.get("size"), price_cents=body.get("price_cents"),
                                          location=body.get("location"), actor=api_user(), now=now())
    return jsonify(product), 201
