"""API buyers and buyer lots (issue 14): buyers, contract versions, lots from draft to shipped or cancelled."""
from __future__ import annotations

import math
from typing import Any

from flask import jsonify

from cksloop.domain.buyer_lots import LotStatus, Shipment
from cksloop.domain.clock import local_date
from cksloop.domain.country_groups import UnknownCountry, check_country_code
from cksloop.domain.destinations import EndUse
from cksloop.domain.details import MAX_GRAMS, parse_choice, parse_date, parse_text, parse_whole_number
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.services import buyer_lots, buyer_proof, buyers
from cksloop.web.api import openapi, params
from cksloop.web.api import serializers as out
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow

BUYER_STAFF = (Role.MERCHANDISER, Role.ADMIN)
BUYERS = openapi.tag("buyers", "Bulk buyers under contract and the lots sold to them (issue 14)")

_CODES = {"type": "array", "maxItems": buyer_lots.MAX_GARMENTS,
          "items": {"type": "string", "pattern": "^CKS-[0-9A-Z]{4,12}$"}}
_COUNTRY = {"type": "string", "enum": sorted(buyers.known_country_codes())}  # ISO 3166-1 alpha-2 (pycountry)
_COUNTRIES = {"type": "array", "maxItems": 300, "items": _COUNTRY}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S"}
_DATE = {"type": "string", "format": "date"}

openapi.schema("Buyer", {
    "type": "object", "required": ["id", "name", "vat_number", "country", "contact_email"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "vat_number": {"type": "string"},
                   "country": {"type": "string"}, "contact_email": {"type": "string"},
                   "contracts": {"type": "array", "items": openapi.ref("BuyerContract")}}})
openapi.schema("BuyerContract", {
    "type": "object", "required": ["id", "version", "valid_from", "valid_to"],
    "properties": {"id": {"type": "integer"}, "version": {"type": "integer"}, "valid_from": _DATE,
                   "valid_to": {"type": ["string", "null"], "format": "date"},
                   "allowed_countries": {"type": "array", "items": {"type": "string"}},
                   "allowed_groups": {"type": "array", "items": {"type": "string"}},
                   "forbidden_countries": {"type": "array", "items": {"type": "string"}},
                   "allowed_end_uses": {"type": "array", "items": {"type": "string"}},
                   "exclude_home_market": {"type": "boolean"}, "labels_removed": {"type": "boolean"},
                   "onward_sale": {"type": "string"}, "sub_buyers": {"type": "array", "items": {"type": "string"}},
                   "proof": {"type": "array", "items": {"type": "string"}}, "proof_days": {"type": "integer"}}})
openapi.schema("BuyerLot", {
    "type": "object", "required": ["id", "status", "buyer_id", "contract_version"],
    "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": [s.value for s in LotStatus]},
                   "buyer_id": {"type": "integer"}, "destination_country": {"type": "string"},
                   "end_use": {"type": "string"}, "planned_ship_on": _DATE, "contract_id": {"type": "integer"},
                   "contract_version": {"type": "integer"},
                   "proof_owed": {"type": "array", "items": {"type": "string"}},
                   "proof_due_on": {"type": ["string", "null"], "format": "date"},
                   "shipped_on": {"type": ["string", "null"], "format": "date"},
                   "carrier": {"type": ["string", "null"]}, "transport_document": {"type": ["string", "null"]},
                   "gross_weight_kg": {"type": ["number", "null"]}, "version": {"type": "integer"},
                   "garments": {"type": "array", "items": {"type": "string"}},
                   "proof_accepted": {"type": "array", "items": {"type": "string"}},
                   "proof_missing": {"type": "array", "items": {"type": "string"}},
                   "proof": {"type": "array", "items": {"type": "object"}}}})

_BUYER_404 = "No buyer with this number (error not_found)."
_LOT_404 = "No buyer lot with this number (error not_found)."
_409_STEP = ("The lot's status does not allow this step (not_allowed_now; details.status, "
             "details.allowed_from), or someone changed it meanwhile (version_conflict).")
_VIOLATION = ("The declaration breaks the buyer's contract (contract_violation; details.rule, "
              "details.contract_id, details.contract_version), or invalid fields (invalid_details).")


def _buyer_id(buyer_id: int) -> int:
    if not 0 < buyer_id <= params.MAX_ID:
        raise NotFound(N_("No buyer with number %(id)s."), id=buyer_id)
    return buyer_id


def _lot_id(lot_id: int) -> int:
    if not 0 < lot_id <= params.MAX_ID:
        raise NotFound(N_("No buyer lot with number %(id)s."), id=lot_id)
    return lot_id


def _contract_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "version": row.version, "valid_from": row.valid_from.isoformat(),
            "valid_to": row.valid_to.isoformat() if row.valid_to else None, **row.restrictions}


def _buyer_json(buyer: Any, contracts: list[Any] | None = None) -> dict[str, Any]:
    data = {"id": buyer.id, "name": buyer.name, "vat_number": buyer.vat_number, "country": buyer.country,
            "contact_email": buyer.contact_email}
    if contracts is not None:
        data["contracts"] = [_contract_json(row) for row in contracts]
    return data


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value if isinstance(value, str) else ""


@bp.post("/buyers")
@allow(*BUYER_STAFF)
@openapi.operation(summary="Register a bulk buyer", tags=[BUYERS], operation_id="buyers_api_create",
                   description="The VAT number is checked against the format and check digits of the "
                               "buyer's country, which JSON Schema cannot say: a wrong one answers 422.",
                   request={"type": "object", "required": ["name", "vat_number", "country", "contact_email"],
                            "properties": {"name": {"type": "string", "maxLength": 200, "pattern": "\\S"},
                                           "vat_number": {"type": "string", "maxLength": 24},
                                           "country": _COUNTRY,
                                           "contact_email": {"type": "string", "maxLength": 200,
                                                             "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"}}},
                   responses={201: ("The buyer", openapi.ref("Buyer")),
                              422: "A field is wrong: a VAT number failing its country's check, an unknown "
                                   "country (invalid_details; details.fields names it)."})
def create_buyer() -> Any:
    body = out.json_object()
    buyer = buyers.create_buyer(db(), name=_text(body, "name"), vat_number=_text(body, "vat_number"),
                                country=_text(body, "country"), contact_email=_text(body, "contact_email"),
                                now=now())
    return jsonify(_buyer_json(buyer, [])), 201


@bp.get("/buyers")
@allow(*BUYER_STAFF)
@openapi.operation(summary="List the bulk buyers", tags=[BUYERS], operation_id="buyers_api_list",
                   responses={200: ("The buyers, by name", {"type": "object", "properties": {
                       "items": {"type": "array", "items": openapi.ref("Buyer")}}})})
def list_buyers() -> Any:
    return jsonify(items=[_buyer_json(b) for b in buyers.list_buyers(db())])


@bp.get("/buyers/<int:buyer_id>")
@allow(*BUYER_STAFF)
@openapi.operation(summary="One buyer with its contract versions", tags=[BUYERS], operation_id="buyers_api_get",
                   responses={200: ("The buyer", openapi.ref("Buyer")), 404: _BUYER_404})
def get_buyer(buyer_id: int) -> Any:
    buyer = buyers.get_buyer(db(), _buyer_id(buyer_id))
    return jsonify(_buyer_json(buyer, buyers.contract_rows(db(), buyer.id)))


@bp.post("/buyers/<int:buyer_id>/contracts")
@allow(*BUYER_STAFF)
@openapi.operation(
    summary="Add a contract version", tags=[BUYERS], operation_id="buyers_api_add_contract",
    description="Each call makes the next version; lots keep the version they were checked against. Left-out "
                "restrictions take the defaults of DOMAIN.md §5 (EU/EEA allowed, reuse and licensed sorting "
                "or recycling, destination declaration and transport document within 60 days).",
    request={"type": "object", "required": ["valid_from"], "properties": {
        "valid_from": _DATE, "valid_to": {"type": ["string", "null"], "format": "date"},
        "allowed_countries": _COUNTRIES, "forbidden_countries": _COUNTRIES,
        "allowed_groups": {"type": "array", "items": {"type": "string", "enum": ["EU", "EEA", "OECD"]}},
        "allowed_end_uses": {"type": "array", "items": {"type": "string", "enum": [u.value for u in EndUse]}},
        "exclude_home_market": {"type": "boolean"}, "labels_removed": {"type": "boolean"},
        "proof": {"type": "array", "items": {"type": "string"}}, "proof_days": {"type": "integer"},
        "onward_sale": {"type": "string", "enum": ["not_allowed", "same_clauses"]},
        "sub_buyers": {"type": "array", "items": {"type": "string"}}}},
    responses={201: ("The new version", openapi.ref("BuyerContract")), 404: _BUYER_404,
               409: "Another version was added at the same moment (version_conflict): try again.",
               422: "A rule is broken: a country outside the OECD, a use never allowed, validity ending "
                    "before it starts (invalid_contract; details.rules per field), or a field is unreadable."})
def add_contract(buyer_id: int) -> Any:
    body = out.json_object()
    buyers.get_buyer(db(), _buyer_id(buyer_id))
    errors: dict[str, str] = {}
    valid_from = parse_date(body, "valid_from", errors, required=True)
    valid_to = parse_date(body, "valid_to", errors)
    try:
        terms = buyers.parse_restrictions(body)
    except InvalidDetails as wrong:
        errors.update(wrong.field_errors)
    if errors:
        raise InvalidDetails(errors)
    assert valid_from is not None
    row = buyers.add_contract(db(), buyer_id=buyer_id, valid_from=valid_from, valid_to=valid_to,
                              restrictions=terms, actor_id=api_user().id, now=now())
    return jsonify(_contract_json(row)), 201


@bp.post("/buyer-lots")
@allow(*BUYER_STAFF)
@openapi.operation(
    summary="Declare a buyer lot", tags=[BUYERS], operation_id="buyer_lots_api_create",
    description="The declaration is checked against the buyer's contract valid on `planned_ship_on`; "
                "the garments are allocated to the lot in the ledger. A refusal writes nothing.",
    request={"type": "object", "required": ["buyer_id", "destination_country", "end_use", "planned_ship_on"],
             "properties": {"buyer_id": {"type": "integer", "minimum": 1, "maximum": params.MAX_ID},
                            "destination_country": _COUNTRY,
                            "end_use": {"type": "string", "enum": [u.value for u in EndUse]},
                            "planned_ship_on": _DATE, "garments": _CODES}},
    responses={201: ("The draft lot", openapi.ref("BuyerLot")),
               404: _BUYER_404,
               409: "A garment cannot join (garment_cannot_join; details.garments names each with its "
                    "state and reason): nothing of the lot is written.",
               422: _VIOLATION})
def create_lot() -> Any:
    body = out.json_object()
    errors: dict[str, str] = {}
    buyer_id = parse_whole_number(body, "buyer_id", errors, required=True, minimum=1, maximum=params.MAX_ID)
    end_use = parse_choice(body, "end_use", EndUse, errors, required=True)
    planned = parse_date(body, "planned_ship_on", errors, required=True)
    country = _country(body, errors)
    try:
        codes = buyer_lots.parse_codes(body.get("garments"), "garments")
    except InvalidDetails as wrong:
        errors.update(wrong.field_errors)
    if errors:
        raise InvalidDetails(errors)
    assert buyer_id is not None and planned is not None and country is not None
    lot_id = buyer_lots.create_lot(db(), buyer_id=buyer_id, destination_country=country, end_use=end_use,
                                   planned_ship_on=planned, codes=codes, actor=api_user(), now=now())
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now()))), 201


def _country(body: dict[str, Any], errors: dict[str, str]) -> str | None:
    text = parse_text(body, "destination_country", errors, required=True, max_len=2)
    if text is None:
        return None
    try:
        return check_country_code(text, known_codes=buyers.known_country_codes())
    except UnknownCountry:
        errors["destination_country"] = N_("Choose a country by its ISO 3166-1 code.")
        return None


@bp.get("/buyer-lots")
@allow(*BUYER_STAFF)
@openapi.operation(summary="List buyer lots, newest first (at most 500)", tags=[BUYERS],
                   operation_id="buyer_lots_api_list",
                   parameters=[openapi.query("status", {"type": "string", "enum": [s.value for s in LotStatus]},
                                             "Only lots in this status.")],
                   responses={200: ("The lots (without their garments)", {"type": "object", "properties": {
                       "items": {"type": "array", "items": openapi.ref("BuyerLot")}}}),
                       422: "The status is not one of the listed (invalid_details)."})
def list_lots() -> Any:
    errors: dict[str, str] = {}
    status = params.query_choice("status", errors, LotStatus)
    params.raise_if_any(errors)
    # ``overdue`` is read from the dates (a shipped lot past its proof deadline), never stored
    return jsonify(items=buyer_proof.list_lots(db(), status=status, today=local_date(now())))


@bp.get("/buyer-lots/<int:lot_id>")
@allow(*BUYER_STAFF)
@openapi.operation(summary="One buyer lot with its garments", tags=[BUYERS], operation_id="buyer_lots_api_get",
                   responses={200: ("The lot", openapi.ref("BuyerLot")), 404: _LOT_404})
def get_lot(lot_id: int) -> Any:
    return jsonify(buyer_proof.lot_answer(db(), _lot_id(lot_id), today=local_date(now())))


@bp.post("/buyer-lots/<int:lot_id>/garments")
@allow(*BUYER_STAFF)
@openapi.operation(summary="Add and remove garments of a draft lot", tags=[BUYERS],
                   operation_id="buyer_lots_api_garments",
                   request={"type": "object", "properties": {"add": _CODES, "remove": _CODES}},
                   responses={200: ("The lot", openapi.ref("BuyerLot")), 404: _LOT_404,
                              409: "A garment cannot join (garment_cannot_join, nothing written), or " + _409_STEP,
                              422: "A list is unreadable, or a removed garment is not in the lot (invalid_details)."})
def change_garments(lot_id: int) -> Any:
    body = out.json_object()
    add = buyer_lots.parse_codes(body.get("add"), "add")
    remove = buyer_lots.parse_codes(body.get("remove"), "remove")
    buyer_lots.change_garments(db(), lot_id=_lot_id(lot_id), add=add, remove=remove, actor=api_user(), now=now())
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now())))


def _step(summary: str, operation_id: str, extra: dict[int, Any] | None = None,
          request: dict[str, Any] | None = None) -> Any:
    return openapi.operation(summary=summary, tags=[BUYERS], operation_id=operation_id, request=request,
                             responses={200: ("The lot", openapi.ref("BuyerLot")), 404: _LOT_404,
                                        409: _409_STEP, **(extra or {})})


@bp.post("/buyer-lots/<int:lot_id>/confirm")
@allow(*BUYER_STAFF)
@_step("Confirm a draft lot", "buyer_lots_api_confirm", {422: "The lot holds no garment (invalid_details)."})
def confirm_lot(lot_id: int) -> Any:
    buyer_lots.confirm(db(), lot_id=_lot_id(lot_id), actor=api_user(), now=now())
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now())))


@bp.post("/buyer-lots/<int:lot_id>/cancel")
@allow(*BUYER_STAFF)
@_step("Cancel a draft or confirmed lot, releasing its garments", "buyer_lots_api_cancel")
def cancel_lot(lot_id: int) -> Any:
    buyer_lots.cancel(db(), lot_id=_lot_id(lot_id), actor=api_user(), now=now())
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now())))


@bp.post("/buyer-lots/<int:lot_id>/ship")
@allow(*BUYER_STAFF)
@_step("Ship a confirmed lot", "buyer_lots_api_ship",
       {422: "A shipment field is missing or wrong, a weight of zero (invalid_details), or a shipping date "
             "the contract does not cover (contract_violation)."},
       request={"type": "object", "required": ["shipped_on", "carrier", "transport_document", "gross_weight_kg"],
                "properties": {"shipped_on": _DATE, "carrier": _TEXT, "transport_document": _TEXT,
                               "gross_weight_kg": {"type": "number", "exclusiveMinimum": 0, "maximum": 100_000}}})
def ship_lot(lot_id: int) -> Any:
    body = out.json_object()
    errors: dict[str, str] = {}
    shipped_on = parse_date(body, "shipped_on", errors, required=True)
    carrier = parse_text(body, "carrier", errors, required=True, max_len=120)
    document = parse_text(body, "transport_document", errors, required=True, max_len=120)
    grams = _grams(body.get("gross_weight_kg"), errors)
    if errors:
        raise InvalidDetails(errors)
    assert shipped_on is not None and carrier is not None and document is not None and grams is not None
    buyer_lots.ship(db(), lot_id=_lot_id(lot_id), actor=api_user(), now=now(), shipment=Shipment(
        shipped_on=shipped_on, carrier=carrier, transport_document=document, gross_weight_g=grams))
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now())))


def _grams(value: Any, errors: dict[str, str]) -> int | None:
    """Kilograms as given (a number) in whole grams; zero or less is the domain's refusal."""
    if value is None:
        errors["gross_weight_kg"] = N_("This field is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) * 1000 > MAX_GRAMS:
        errors["gross_weight_kg"] = N_("Give the gross weight in kilograms.")
        return None
    return round(value * 1000)


