"""API overstock review sessions (issue 13): open a review, record decisions per line, execute them once."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.services import overstock_execution, overstock_reviews
from cksloop.web.api import openapi, params
from cksloop.web.api import serializers as out
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.api.overstock import MERCH
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import gettext  # the request's catalogue, looked up once (a review has ~2,400 texts)

TAG = openapi.tag("overstock", "The two-weekly overstock review: figures, rule flags and proposed actions per style.")
_DECISIONS = ["transfer", "rental_pool", "mark_down", "outlet", "buyer_lot", "hold"]
_SEASON = {"type": "string", "pattern": "^(SS|AW)[0-9]{2}$"}
_LINE = {"type": "object", "required": ["style"], "additionalProperties": True,
         "properties": {"style": {"type": "string"}}}
_DECISION = openapi.schema("OverstockReviewDecision", {
    "type": "object", "required": ["id", "review_id", "style", "decision", "reason", "params", "executed"],
    "properties": {
        "id": {"type": "integer"}, "review_id": {"type": "integer"}, "style": {"type": "string"},
        "decision": {"type": "string", "enum": _DECISIONS}, "reason": {"type": "string"},
        "params": {"type": "object", "additionalProperties": True},
        "garments": {"type": "integer", "description": "Garments the decision concerns (in stock when decided)."},
        "decided_by": {"type": ["string", "null"]}, "decided_at": {"type": "string"},
        "executed": {"type": "boolean"}, "executed_at": {"type": ["string", "null"]},
        "executed_by": {"type": ["string", "null"]},
        "wrote": {"type": ["object", "null"], "description": "What executing wrote: garments and events."},
        "effect": {"type": "object", "description": "Previous review only: units sold since, by channel, "
                                                    "and sell-through since."}}})
_REVIEW = openapi.schema("OverstockReviewSession", {
    "type": "object", "required": ["id", "season", "as_of", "lines"],
    "properties": {
        "id": {"type": "integer"}, "season": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
        "rules_version": {"type": "integer"}, "policy_version": {"type": "integer"},
        "lines": {"type": "array", "items": _LINE},
        "decisions": {"type": "array", "items": _DECISION},
        "previous": {"type": ["object", "null"], "properties": {
            "id": {"type": "integer"}, "as_of": {"type": "string"},
            "decisions": {"type": "array", "items": _DECISION}}}}})
_404 = "No review (or no decision in it) with this number (error not_found)."


def _id(value: int, message: str) -> int:
    if not 0 < value <= params.MAX_ID:
        raise NotFound(message, id=value)
    return value


def _review_id(review_id: int) -> int:
    return _id(review_id, N_("No review with number %(id)s."))


@bp.post("/overstock/reviews")
@allow(*MERCH)
@openapi.operation(
    summary="Open a review session", tags=[TAG], operation_id="overstock_reviews_api_open",
    description="Stores the collection's review lines as computed now, with the rules and markdown policy "
                "versions that flagged and priced them. `as_of` (default today) lies from 2000 up to today.",
    request={"type": "object", "required": ["season"],
             "properties": {"season": _SEASON, "as_of": {"type": ["string", "null"], "format": "date"}}},
    responses={201: ("The review session", _REVIEW),
               422: "A malformed season, or a date that is malformed or in the future (invalid_details)."})
def reviews_open() -> Any:
    body = out.json_object()
    errors: dict[str, str] = {}
    season = body.get("season")
    try:
        season = params.parse_season(season) if isinstance(season, str) else None
    except ValueError:
        season = None
    if season is None:
        errors["season"] = N_("Not one of the allowed values.")
    as_of = body.get("as_of")
    if as_of is not None and not isinstance(as_of, str):
        errors["as_of"] = N_("Must be a date (YYYY-MM-DD) from 2000 on.")
    params.raise_if_any(errors)
    review = overstock_reviews.open_review(db(), season=season, as_of=as_of, actor=api_user(), now=now())
    view = overstock_reviews.review_view(db(), review.id, gettext)
    return jsonify(view), 201


@bp.get("/overstock/reviews")
@allow(*MERCH)
@openapi.operation(
    summary="List review sessions, newest first", tags=[TAG], operation_id="overstock_reviews_api_list",
    parameters=[openapi.query("season", _SEASON, "Only this collection's reviews.")],
    responses={200: ("The sessions", {"type": "object", "required": ["items"], "properties": {"items": {
        "type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "season": {"type": "string"}, "as_of": {"type": "string"},
            "decisions": {"type": "integer"}, "executed": {"type": "integer"}}}}}}),
               422: "A malformed season (invalid_details)."})
def reviews_list() -> Any:
    errors: dict[str, str] = {}
    season = params.query_choice("season", errors, params.parse_season)
    params.raise_if_any(errors)
    return jsonify(items=overstock_reviews.list_reviews(db(), season=season))


@bp.get("/overstock/reviews/<int:review_id>")
@allow(*MERCH)
@openapi.operation(
    summary="One review session", tags=[TAG], operation_id="overstock_reviews_api_get",
    description="Its lines, its decisions (who, why, whether executed and what it wrote), and the previous "
                "review of the collection with its decisions' effect: units sold and sell-through since, by channel.",
    responses={200: ("The review session", _REVIEW), 404: _404})
def reviews_get(review_id: int) -> Any:
    return jsonify(overstock_reviews.review_view(db(), _review_id(review_id), gettext))


@bp.post("/overstock/reviews/<int:review_id>/decisions")
@allow(*MERCH)
@openapi.operation(
    summary="Record a decision for a line", tags=[TAG], operation_id="overstock_reviews_api_decide",
    description="`percent` or `target_price_cents` for mark_down, `to_location` for transfer and outlet, "
                "`buyer_lot_id` (a draft lot) for buyer_lot. The garments of the style the decision can act on "
                "are recorded with it. The style must be a line of the review and each decision takes only its own "
                "parameters.",
    request={"type": "object", "required": ["style", "decision", "reason"], "properties": {
        "style": {"type": "string", "maxLength": 64}, "decision": {"type": "string", "enum": _DECISIONS},
        "reason": {"type": "string", "minLength": 1, "maxLength": 500},
        "percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        "target_price_cents": {"type": "integer", "minimum": 1},
        "to_location": {"type": "string", "maxLength": 64},
        "buyer_lot_id": {"type": "integer", "minimum": 1, "maximum": params.MAX_ID}}},
    responses={201: ("The decision", _DECISION), 404: _404,
               422: "A style not in the review, a missing or foreign parameter, an unknown destination or lot, "
                    "no garment the decision can act on (invalid_details), or a markdown the policy refuses: over "
                    "100 %, under the floor, a price rise (markdown_refused; details.reason)."})
def reviews_decide(review_id: int) -> Any:
    body = out.json_object()
    row = overstock_reviews.record_decision(db(), review_id=_review_id(review_id), raw=body, actor=api_user(),
                                            now=now())
    return jsonify(overstock_reviews.decision_view(row, {api_user().id: api_user().name})), 201


@bp.post("/overstock/reviews/<int:review_id>/decisions/<int:decision_id>/execute")
@allow(*MERCH)
@openapi.operation(
    summary="Execute a recorded decision", tags=[TAG], operation_id="overstock_reviews_api_execute",
    description="Writes the ledger events for every garment the decision concerns in one transaction, or none. "
                "Executing again writes nothing.",
    responses={200: ("What was written", {"type": "object", "required": ["garments", "events"], "properties": {
        "garments": {"type": "integer"}, "events": {"type": "integer"}}}),
               404: _404,
               409: "Already executed (already_executed), or a garment's state moved since the decision "
                    "(version_conflict; details.garments names them): nothing written.",
               422: "The markdown policy now refuses the markdown (markdown_refused)."})
def reviews_execute(review_id: int, decision_id: int) -> Any:
    answer = overstock_execution.execute(db(), review_id=_review_id(review_id),
                                         decision_id=_id(decision_id, N_("No decision with number %(id)s in this review.")),
                                         actor=api_user(), now=now())
    return jsonify(answer)
