"""API charter report: the year's figures with the year before and draft sentences, and the list behind
any figure (``count`` equals the figure for every counted unit)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from cksloop.domain.charter import FIRST_YEAR, LAST_YEAR, parse_year
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Role
from cksloop.services import charter
from cksloop.web.api import openapi, params
from cksloop.web.api.blueprint import bp
from cksloop.web.charter.sentences import all_sentences
from cksloop.web.database import db, now
from cksloop.web.guards import allow

MERCH = (Role.MERCHANDISER, Role.ADMIN)
MAX_PER_PAGE = 200
PER_PAGE = 50
MAX_PAGE = 100_000

openapi.tag("reports", "Reports built from the ledger.")
_FIGURE = {"type": "object", "required": ["value", "unit", "previous", "drill"],
           "properties": {"value": {"type": "number"},
                          "unit": {"type": "string", "enum": ["garments", "cycles", "lots", "workshops", "products",
                                                              "events", "returns", "kg", "eur", "pct", "days",
                                                              "participants"]},
                          "previous": {"type": ["number", "null"]}, "drill": {"type": ["string", "null"]}}}
_SENTENCE = {"type": "object", "required": ["text", "rests_on"],
             "properties": {"text": {"type": "string"}, "rests_on": {"type": "array", "items": {"type": "string"}}}}
openapi.schema("CharterReport", {
    "type": "object", "required": ["year", "has_data", "sections", "sentences"],
    "properties": {
        "year": {"type": "integer"}, "has_data": {"type": "boolean"},
        "sections": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": _FIGURE}},
        "sentences": {"type": "object", "required": ["nl", "en", "fr"],
                      "properties": {lang: {"type": "array", "items": _SENTENCE} for lang in ("nl", "en", "fr")}}}})
openapi.schema("CharterDrill", {
    "type": "object", "required": ["count", "items", "page", "per_page", "next", "as_of"],
    "properties": {"count": {"type": "integer", "minimum": 0},
                   "items": {"type": "array", "items": {"type": "object"}},
                   "page": {"type": "integer"}, "per_page": {"type": "integer"},
                   "next": {"type": ["string", "null"]},
                   "as_of": {"type": "string", "format": "date-time",
                             "description": "The list shows today's data: it may differ from a report read earlier."}}})
_YEAR = openapi.query("year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
                      "The year (default: last year); a year without records answers has_data false.")
_BAD_YEAR = "The year is not four digits or out of range (error invalid_details; details.fields.year)."


def _year(errors: dict[str, str]) -> int:
    text = params.query_text("year", errors, max_len=4)
    params.raise_if_any(errors)
    return parse_year(text, today=local_date(now()))


@bp.get("/reports/charter")
@allow(*MERCH)
@openapi.operation(summary="The yearly charter report", tags=["reports"], parameters=[_YEAR],
                   operation_id="charter_report",
                   description="Every section's figures (rental, overstock, buyers, offcuts, unsold, materials) with "
                               "the year before, each with the URL of the list it counts; and draft sentences for "
                               "the progress report in Dutch, English and French. A year with nothing recorded "
                               "answers has_data false.",
                   responses={200: ("The report", openapi.ref("CharterReport")), 422: _BAD_YEAR})
def charter_report() -> Any:
    year = _year({})
    found = charter.build_report(db(), year=year, now=now())
    return jsonify({**found.as_dict(), "sentences": all_sentences(found)})


@bp.get("/reports/charter/drill/<section>/<figure>")
@allow(*MERCH)
@openapi.operation(summary="The list behind one figure of the charter report", tags=["reports"],
                   operation_id="charter_drill",
                   parameters=[_YEAR,
                               openapi.query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                                      "default": 1}),
                               openapi.query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                          "default": PER_PAGE})],
                   responses={200: ("One page of the list; count is its full length", openapi.ref("CharterDrill")),
                              404: "The report has no such section or figure (error not_found).",
                              422: "The year, page or per_page cannot be read (error invalid_details)."})
def charter_drill(section: str, figure: str) -> Any:
    errors: dict[str, str] = {}
    page = params.query_int("page", errors, default=1, minimum=1, maximum=MAX_PAGE)
    per_page = params.query_int("per_page", errors, default=PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
    year = _year(errors)
    found = charter.drill(db(), year=year, section=section[:40], figure=figure[:80], page=page, per_page=per_page)
    following = url_for("api.charter_drill", section=section, figure=figure, year=year, page=page + 1,
                        per_page=per_page) if found.has_next else None
    return jsonify(count=found.count, items=found.items, page=page, per_page=per_page, next=following,
                   as_of=now().isoformat())
