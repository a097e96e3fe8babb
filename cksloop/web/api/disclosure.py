"""API unsold-goods disclosure (Regulation 2024/1781 Art. 24), its drill to garments, discard
evidence, and the buyer figures (issue 14)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, jsonify, url_for

from cksloop.domain.clock import local_date
from cksloop.domain.disclosure import NO_GROUND, Treatment
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import DestructionGround, Role
from cksloop.domain.messages import N_
from cksloop.services import buyer_figures, disclosure, discard_evidence
from cksloop.web.api import openapi, params
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.downloads import download_name, stored_file_response, uploaded_file
from cksloop.web.guards import allow

REPORT_STAFF = (Role.MERCHANDISER, Role.ADMIN)
#: who may retire a garment may store the evidence its discard needs (the lifecycle's retirers)
EVIDENCE_STAFF = (Role.MERCHANDISER, Role.WORKSHOP_ORGANISER, Role.ADMIN)
DISCLOSURE = openapi.tag("disclosure", "The yearly unsold-goods disclosure (EU Regulation 2024/1781 Art. 24)")
_YEAR = openapi.query("year", {"type": "integer", "minimum": disclosure.FIRST_YEAR,
                               "maximum": disclosure.LAST_YEAR},
                      "The financial year (calendar year); without it, the last whole one")
_PCT = {"type": "number", "minimum": 0, "maximum": 100}

openapi.schema("UnsoldDisclosure", {
    "type": "object", "required": ["year", "entity", "categories", "measures"],
    "properties": {
        "year": {"type": "integer"},
        "entity": {"type": "object", "required": ["name", "identifier"],
                   "properties": {"name": {"type": "string"}, "identifier": {"type": "string"}}},
        "categories": {"type": "array", "items": {
            "type": "object", "required": ["cn_code", "units", "weight_kg", "grounds", "treatment_pct"],
            "properties": {"cn_code": {"type": "string"}, "units": {"type": "integer"},
                           "weight_kg": {"type": "number"},
                           "grounds": {"type": "object", "additionalProperties": {"type": "integer"}},
                           "treatment_pct": {"type": "object", "required": [t.value for t in Treatment],
                                             "properties": {t.value: _PCT for t in Treatment}},
                           "garments_url": {"type": "string"}}}},
        "measures": {"type": "array", "items": {
            "type": "object", "required": ["measure", "units", "weight_kg"],
            "properties": {"measure": {"type": "string"}, "units": {"type": "integer"},
                           "weight_kg": {"type": "number"}}}},
        "totals": {"type": "object"}, "unclassified_units": {"type": "integer"}}})


def _year(errors: dict[str, str]) -> int:
    year = params.query_optional_int("year", errors, minimum=disclosure.FIRST_YEAR, maximum=disclosure.LAST_YEAR)
    return year if year is not None else local_date(now()).year - 1


@bp.get("/reports/unsold-disclosure")
@allow(*REPORT_STAFF)
@openapi.operation(
    summary="The unsold-goods disclosure of a financial year",
    description="Per product category (CN code): units and kg discarded, units by derogation ground "
                "(Delegated Regulation 2026/296) and the treatment split summing to 100 %; the measures "
                "that prevented discarding, with their volumes. Sales (also to buyers) and donations are "
                "not discards. Each category's `garments_url` lists the garments behind it.",
    tags=[DISCLOSURE], parameters=[_YEAR],
    responses={200: ("The disclosure", openapi.ref("UnsoldDisclosure")),
               422: "The year is not a whole number from 2000 to 2100 (invalid_details)."})
def unsold_disclosure() -> Any:
    errors: dict[str, str] = {}
    year = _year(errors)
    params.raise_if_any(errors)
    found, read = disclosure.disclosure(db(), year=year)
    answer = disclosure.as_answer(found, read)
    for category in answer["categories"]:
        category["garments_url"] = url_for("api.unsold_disclosure_garments", year=year,
                                           cn_code=category["cn_code"])
    return jsonify(answer)


@bp.get("/reports/unsold-disclosure/garments")
@allow(*REPORT_STAFF)
@openapi.operation(
    summary="The garments behind one figure of the disclosure",
    description="The same records as the disclosure, narrowed by category, ground (`none`: without one) "
                "and treatment: `count` equals the figure.",
    tags=[DISCLOSURE],
    parameters=[_YEAR,
                openapi.query("cn_code", {"type": "string", "pattern": "^([0-9]{2}|[0-9]{4})$"}),
                openapi.query("ground", {"type": "string",
                                         "enum": [g.value for g in DestructionGround] + [NO_GROUND]}),
                openapi.query("treatment", {"type": "string", "enum": [t.value for t in Treatment]})],
    responses={200: ("The garments", {"type": "object", "required": ["count", "items"], "properties": {
        "count": {"type": "integer"}, "items": {"type": "array", "items": {"type": "string"}}}}),
        422: "A filter is malformed (invalid_details)."})
def unsold_disclosure_garments() -> Any:
    errors: dict[str, str] = {}
    year = _year(errors)
    cn_code = params.query_text("cn_code", errors, max_len=4)
    ground = params.query_text("ground", errors)
    treatment = params.query_text("treatment", errors)
    params.raise_if_any(errors)
    codes = disclosure.drill(db(), year=year, cn_code=cn_code, ground=ground, treatment=treatment)
    return jsonify(count=len(codes), items=codes)


@bp.post("/discard-evidence")
@allow(*EVIDENCE_STAFF)
@openapi.operation(
    summary="Store the evidence for discarding a garment (a PDF, JPEG or PNG by content)",
    description="Then retire the garment with `route` `recycling`, its `ground` and `evidence` set to the "
                "answer's `id`. Evidence is kept 5 years (Delegated Regulation 2026/296).",
    tags=[DISCLOSURE],
    request={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
    responses={201: ("The stored evidence", {"type": "object", "required": ["id", "sha256", "keep_until"],
                                             "properties": {"id": {"type": "integer"}, "sha256": {"type": "string"},
                                                            "content_type": {"type": "string"},
                                                            "keep_until": {"type": "string", "format": "date"}}}),
               413: "The body is too large.",
               422: "The file is missing, empty, larger than 5 MB, or not a PDF, JPEG or PNG (invalid_details)."})
def store_discard_evidence() -> Any:
    name, raw = uploaded_file()
    try:
        row = discard_evidence.keep(db(), filename=name, raw=raw, upload_dir=str(current_app.config["UPLOAD_DIR"]),
                                    actor=api_user(), now=now())
    except InvalidDetails as refused:
        raise InvalidDetails({"file": refused.field_errors["evidence_file"]}) from None
    return jsonify(id=row.id, sha256=row.sha256, content_type=row.content_type,
                   keep_until=row.keep_until.isoformat()), 201


@bp.get("/discard-evidence/<int:evidence_id>")
@allow(*REPORT_STAFF)
@openapi.operation(summary="Download a discard's evidence", tags=[DISCLOSURE],
                   responses={200: {"description": "The evidence as uploaded", "content": {
                       t: {"schema": {"type": "string", "format": "binary"}}
                       for t in ("application/pdf", "image/jpeg", "image/png")}},
                       404: "No such evidence (error not_found)."})
def download_discard_evidence(evidence_id: int) -> Any:
    if not 0 < evidence_id <= params.MAX_ID:
        raise NotFound(N_("No stored evidence with number %(id)s."), id=evidence_id)
    row, path = discard_evidence.evidence_file(db(), evidence_id=evidence_id,
                                               upload_dir=str(current_app.config["UPLOAD_DIR"]))
    return stored_file_response(path, content_type=row.content_type,
                                download_name=download_name(f"discard-evidence-{row.id}", row.content_type))


def _date(name: str, errors: dict[str, str]) -> dt.date | None:
    text = params.query_text(name, errors, max_len=10)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = N_("Give a date as YYYY-MM-DD.")
        return None


@bp.get("/buyer-lots/figures")
@allow(*REPORT_STAFF)
@openapi.operation(
    summary="Buyer figures for a period: pieces, kg and value per buyer, destination and end use",
    description="Lots shipped in the period; lots overdue for proof today; the share of overstock sold in "
                "own channels versus to buyers (the overstock review's figure).",
    tags=["buyers"], operation_id="buyer_lots_api_figures",
    parameters=[openapi.query("from", {"type": "string", "format": "date"}, "First day (default: 1 January)"),
                openapi.query("to", {"type": "string", "format": "date"}, "Last day (default: today)")],
    responses={200: ("The figures", {"type": "object", "required": ["totals", "by_buyer", "overstock_share"],
                                     "properties": {"totals": {"type": "object"},
                                                    "by_buyer": {"type": "array", "items": {"type": "object"}},
                                                    "by_destination_country": {"type": "array",
                                                                               "items": {"type": "object"}},
                                                    "by_end_use": {"type": "array", "items": {"type": "object"}},
                                                    "overdue_lots": {"type": "array", "items": {"type": "object"}},
                                                    "overstock_share": {"type": "object"}}}),
               422: "A date is malformed, or the period ends before it starts (invalid_details)."})
def buyer_figures_view() -> Any:
    errors: dict[str, str] = {}
    today = local_date(now())
    start, end = _date("from", errors) or today.replace(month=1, day=1), _date("to", errors) or today
    params.raise_if_any(errors)
    return jsonify(buyer_figures.figures(db(), start=start, end=end, today=today))
