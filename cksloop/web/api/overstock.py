"""API overstock: the figures, flags and proposals of a collection's overstock review (issue 13)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from cksloop.db import queries
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.domain.overstock_review import parse_as_of
from cksloop.services import overstock
from cksloop.web.api import openapi, params
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import gettext  # the request's catalogue, looked up once (a review has ~2,400 texts)

MERCH = (Role.MERCHANDISER, Role.ADMIN)
_NUMBER_OR_NULL = {"type": ["number", "null"]}

openapi.tag("overstock", "The two-weekly overstock review: figures, rule flags and proposed actions per style.")
_LINE = openapi.schema("OverstockLine", {
    "type": "object",
    "required": ["style", "planned", "received", "sold", "on_hand", "sell_through_pct", "weeks_of_cover",
                 "age_days", "markdown_depth_pct", "flags", "proposals"],
    "properties": {
        "style": {"type": "string", "description": "Style number."},
        "planned": {"type": ["integer", "null"], "description": "Planned quantity (null without a plan)."},
        "received": {"type": "integer"},
        "sold": {"type": "integer", "description": "Units sold net of customer returns, all channels."},
        "sold_by_channel": {"type": "object", "additionalProperties": {"type": "integer"}},
        "returned": {"type": "integer"},
        "on_hand": {"type": "integer"},
        "on_hand_by_location_type": {"type": "object", "additionalProperties": {"type": "integer"}},
        "sell_through_pct": {"type": ["integer", "null"]},
        "weeks_of_cover": {**_NUMBER_OR_NULL, "description": "Null means no sales in the last four weeks."},
        "age_days": {"type": ["integer", "null"], "description": "Mean days since first receipt of the units on hand."},
        "markdown_depth_pct": {"type": ["integer", "null"]},
        "flags": {"type": "array", "items": {"type": "object", "required": ["rule", "message"],
                                             "properties": {"rule": {"type": "string"},
                                                            "message": {"type": "string"}}}},
        "proposals": {"type": "array", "items": {
            "type": "object", "required": ["action", "reason"],
            "properties": {"action": {"type": "string", "enum": ["transfer", "rental_pool", "mark_down", "outlet",
                                                                 "buyer_lot", "hold"]},
                           "reason": {"type": "string"}, "units": {"type": "integer"},
                           "value_kept_cents": {"type": "integer"}}}},
    },
})
_REVIEW = {
    "type": "object", "required": ["season", "as_of", "lines"],
    "properties": {"season": {"type": ["string", "null"], "description": "Null when no collection has stock."},
                   "as_of": {"type": "string", "format": "date"},
                   "location": {"type": ["string", "null"]},
                   "rules_version": {"type": "integer"}, "policy_version": {"type": "integer"},
                   "lines": {"type": "array", "items": _LINE}},
}


@bp.get("/overstock")
@allow(*MERCH)
@openapi.operation(
    summary="Overstock review of a collection", tags=["overstock"], operation_id="overstock_api_review",
    description="One line per style: planned, received, sold (net of returns), on hand, sell-through, weeks of "
                "cover, stock age, markdown depth; the collection's rules it breaks and the proposed actions, "
                "best value kept first. Sales are the daily rollup up to `as_of`; stock is today's.",
    parameters=[
        openapi.query("season", {"type": "string", "pattern": "^(SS|AW)[0-9]{2}$"},
                      "Collection, e.g. SS26 (default: the latest collection with stock)."),
        openapi.query("as_of", {"type": "string", "format": "date"}, "Review date (default: today); not in the future."),
        openapi.query("location", {"type": "string", "maxLength": 40}, "Only this location's sales and stock (code)."),
    ],
    responses={200: ("The review", _REVIEW),
               422: "A season, date or location is malformed, the location unknown or the date after today "
                    "(error invalid_details naming the parameter)"})
def api_overstock() -> Any:
    errors: dict[str, str] = {}
    season = params.query_choice("season", errors, params.parse_season)
    raw_as_of = params.query_text("as_of", errors, max_len=10)
    location = params.query_text("location", errors, max_len=40)
    as_of = None
    if "as_of" not in errors:
        try:
            as_of = parse_as_of(raw_as_of, today=local_date(now()))
        except InvalidDetails as refused:
            errors.update(refused.field_errors)
    if location and "location" not in errors and \
            queries.location_by_code(db(), location) is None:
        errors["location"] = N_("No such location.")
    params.raise_if_any(errors)
    assert as_of is not None
    season = season or overstock.latest_season_with_stock(db())
    if season is None:
        return jsonify({"season": None, "as_of": as_of.isoformat(), "location": location, "lines": []})
    result = overstock.review(db(), season=season, as_of=as_of, location=location)
    return jsonify({"season": result.season, "as_of": result.as_of.isoformat(), "location": location,
                    "rules_version": result.rules_version, "policy_version": result.policy_version,
                    "lines": [line.as_dict(gettext) for line in result.lines]})
