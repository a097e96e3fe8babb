"""API offcut lots (issue 15): register a lot, read and list lots, and act on a lot through its ledger."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import is_lot_code, lot_label_url
from cksloop.domain.offcuts import MAX_SPLIT_PARTS, OffcutAction, WasteReason
from cksloop.services import offcut_lots
from cksloop.web.api import openapi, params
from cksloop.web.api import serializers as out
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.api.garments import _expected_version
from cksloop.web.api.params import MAX_IDEMPOTENCY_KEY, idempotency_key
from cksloop.web.database import db, now
from cksloop.web.guards import allow

LOTS = openapi.tag("offcut-lots", "Offcut lots (reststoffen), their mass balance and their ledger")
WRITERS = (Role.WORKSHOP_ORGANISER, Role.MERCHANDISER, Role.ADMIN)
CODE_404 = "No offcut lot with this code (error not_found)."
#: the actions the actions route takes (``create`` is POST /offcut-lots)
ACTIONS = [a.value for a in OffcutAction if a is not OffcutAction.CREATE]

_GRAMS = {"type": "integer", "minimum": 0, "description": "Whole grams"}
_BALANCE = ("weight_in_g", "split_out_g", "consumed_g", "waste_g", "remaining_g")
_COMPOSITION = {"type": "array", "items": {
    "type": "object", "required": ["fibre", "pct"],
    "properties": {"fibre": {"type": "string"}, "pct": {"type": "integer", "minimum": 1, "maximum": 100}}}}
_LOT_FIELDS = {
    "code": {"type": "string", "pattern": "^CKSR-[0-9A-Z]{4,12}$"}, "version": {"type": "integer"},
    "location": {"type": ["string", "null"]}, "material": {"type": "string"}, "colour": {"type": "string"},
    "composition": _COMPOSITION, "area_m2": {"type": ["number", "null"]},
    "source": {"type": "object", "additionalProperties": True},
    "consumed_by": {"type": "object", "additionalProperties": {"type": "integer"},
                    "description": "Net grams each consumer still holds (workshop:12, project:3, other)"},
    **{name: _GRAMS for name in _BALANCE},
}
LOT_SUMMARY = openapi.schema("OffcutLotSummary", {
    "type": "object", "required": ["code", "version", "label_url", "location", *_BALANCE],
    "description": "Always weight_in_g = split_out_g + consumed_g + waste_g + remaining_g.",
    "properties": {**_LOT_FIELDS, "label_url": {"type": "string"}}})
LOT = openapi.schema("OffcutLot", {
    "type": "object", "required": ["code", "version", "label_url", "location", *_BALANCE, "events"],
    "description": "Always weight_in_g = split_out_g + consumed_g + waste_g + remaining_g; a split's "
                   "answer adds `new_lots`, the codes of its parts.",
    "properties": {**_LOT_FIELDS, "label_url": {"type": "string"},
                   "new_lots": {"type": "array", "items": {"type": "string"}},
                   "events": {"type": "array", "items": {
                       "type": "object", "required": ["seq", "action", "details", "grams", "occurred_at"],
                       "properties": {"seq": {"type": "integer"}, "action": {"type": "string"},
                                      "details": {"type": "object", "additionalProperties": True},
                                      "grams": {"type": "integer",
                                                "description": "The signed change of remaining_g"},
                                      "location": {"type": ["string", "null"]},
                                      "occurred_at": {"type": "string", "format": "date-time"}}}}}})
LOT_PAGE = openapi.schema("OffcutLotPage", {
    "type": "object", "required": ["items", "page", "per_page", "has_next"],
    "properties": {"items": {"type": "array", "items": LOT_SUMMARY}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "has_next": {"type": "boolean"}}})
CREATE_REQUEST = openapi.schema("OffcutLotRequest", {
    "type": "object", "required": ["material", "composition", "colour", "weight_g", "location"],
    "properties": {"material": {"type": "string", "maxLength": 80}, "composition": _COMPOSITION,
                   "colour": {"type": "string", "maxLength": 80},
                   "weight_g": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
                   "area_m2": {"type": "number", "exclusiveMinimum": 0, "maximum": 10_000},
                   "location": {"type": "string", "maxLength": 40, "description": "An open location's code"},
                   "source": {"type": "object", "additionalProperties": True,
                              "description": "style_number, production_order, supplier, or garments "
                                             "(codes retired into the lot)"}}})
ACTION_REQUEST = openapi.schema("OffcutLotActionRequest", {
    "type": "object", "required": ["action"],
    "description": "split: `parts_g`; move: `to_location`; reweigh: `weight_g`, `reason` (and `note`); "
                   "consume: `grams` with `workshop_id`, `project_id` or `note`; return_leftover: `grams`.",
    "properties": {
        "action": {"type": "string", "enum": ACTIONS},
        "expected_version": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1,
                             "description": "The version you saw; 409 when it moved."},
        "parts_g": {"type": "array", "maxItems": MAX_SPLIT_PARTS,
                    "items": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
        "to_location": {"type": "string"}, "weight_g": {"type": "integer", "minimum": 0},
        "reason": {"type": "string", "enum": [r.value for r in WasteReason]},
        "grams": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "workshop_id": {"type": "integer"}, "project_id": {"type": "integer"}, "note": {"type": "string"}}})

_IDEMPOTENCY = openapi.header("Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
                              "Visible ASCII; unique per intended request")
_422 = ("Invalid details (invalid_details, details.fields per field) or an Idempotency-Key reused for "
        "a different request (idempotency_key_reused).")


def _answer(lot: dict[str, Any]) -> dict[str, Any]:
    return {**lot, "label_url": lot_label_url(current_app.config["BASE_URL"], lot["code"])}


@bp.post("/offcut-lots")
@allow(*WRITERS)
@openapi.operation(
    summary="Register an offcut lot", tags=[LOTS], parameters=[_IDEMPOTENCY], request=CREATE_REQUEST,
    description="cksloop gives the lot the next CKSR code. With `Idempotency-Key` a retry answers the "
                "first lot again and registers nothing.",
    responses={201: ("The new lot", LOT), 413: "The body is too large.", 422: _422},
    links={201: openapi.code_links("$response.body#/code", {
        "OffcutLot": ("api_offcut_lot", "The lot, its balance and its ledger"),
        "ActOnOffcutLot": ("api_act_on_offcut_lot", "Take an action on the lot")})},
)
def create_offcut_lot() -> Any:
    body = out.json_object()
    errors: dict[str, str] = {}
    key = idempotency_key(errors)
    if errors:
        raise InvalidDetails(errors)
    lot = offcut_lots.create(db(), details=body, actor=api_user(), now=now(), idempotency_key=key)
    return jsonify(_answer(lot)), 201


@bp.get("/offcut-lots")
@allow()
@openapi.operation(
    summary="List offcut lots, by location and material", tags=[LOTS],
    parameters=[openapi.query("location", {"type": "string", "maxLength": 40}, "A location code"),
                openapi.query("material", {"type": "string", "maxLength": 80}),
                openapi.query("page", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1}),
                openapi.query("per_page", {"type": "integer", "minimum": 1, "maximum": offcut_lots.MAX_PER_PAGE,
                                           "default": 50})],
    responses={200: ("One page of lots, oldest first", LOT_PAGE), 422: "A filter is malformed."},
)
def list_offcut_lots() -> Any:
    errors: dict[str, str] = {}
    location = params.query_text("location", errors)
    material = params.query_text("material", errors, max_len=80)
    page = params.query_int("page", errors, default=1, minimum=1, maximum=10_000)
    per_page = params.query_int("per_page", errors, default=50, minimum=1, maximum=offcut_lots.MAX_PER_PAGE)
    if errors:
        raise InvalidDetails(errors)
    items, has_next = offcut_lots.list_lots(db(), location=location, material=material, page=page,
                                            per_page=per_page)
    return jsonify(items=[_answer(item) for item in items], page=page, per_page=per_page, has_next=has_next)


@bp.get("/offcut-lots/<code>")
@allow()
@openapi.operation(summary="One offcut lot: its balance and its ledger", tags=[LOTS],
                   responses={200: ("The lot", LOT), 404: CODE_404})
def offcut_lot(code: str) -> Any:
    if not is_lot_code(code):
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code)
    return jsonify(_answer(offcut_lots.lot_dict(db(), code)))


@bp.post("/offcut-lots/<code>/actions")
@allow(*WRITERS)
@openapi.operation(
    summary="Take an action on an offcut lot", tags=[LOTS], parameters=[_IDEMPOTENCY], request=ACTION_REQUEST,
    description="With `Idempotency-Key` a retried request answers the first result again and writes nothing.",
    responses={
        200: ("The lot after the action", LOT),
        403: "The caller's role may not change offcut lots (error forbidden; details.roles_allowed).",
        404: CODE_404,
        409: "More grams asked than the lot holds (insufficient_offcut; details.lot, details.remaining_g), "
             "or the version moved (version_conflict).",
        413: "The body is too large.",
        422: _422,
    },
)
def act_on_offcut_lot(code: str) -> Any:
    body = out.json_object()
    errors: dict[str, str] = {}
    action = body.get("action")
    if action not in ACTIONS:
        errors["action"] = N_("Not a known action.")
    expected_version = _expected_version(body.get("expected_version"), errors)
    key = idempotency_key(errors)
    if errors:
        raise InvalidDetails(errors)
    if not is_lot_code(code):
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code)
    details = {k: v for k, v in body.items() if k not in ("action", "expected_version")}
    lot = offcut_lots.act(db(), code=code, action=action, details=details, actor=api_user(), now=now(),
                          expected_version=expected_version, idempotency_key=key)
    return jsonify(_answer(lot))
