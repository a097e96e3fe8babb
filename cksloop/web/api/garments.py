"""API garments: the list, one garment, its ledger, and the actions taken on it."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, url_for

from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.labels import is_garment_code
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.domain.messages import N_
from cksloop.db import queries
from cksloop.services import garments
from cksloop.web.api import openapi, params
from cksloop.web.api import serializers as out
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow

MAX_PER_PAGE = 200
MAX_VERSION = 2**31 - 1

GARMENTS = openapi.tag("garments", "Garments, their ledger and the actions taken on them")
CODE_404 = "No garment with this code (error not_found)."


def _garment(code: str) -> Any:
    # never query with arbitrary bytes (PostgreSQL refuses NUL): such a code cannot exist anyway
    found = queries.garment_by_code(db(), code) if is_garment_code(code) else None
    if found is None:
        raise NotFound(N_("No garment with code %(code)s."), code=code)
    return found


@bp.get("/garments")
@allow()
@openapi.operation(
    summary="List garments, filtered and paginated",
    tags=[GARMENTS],
    parameters=[
        openapi.query("state", {"type": "string", "enum": [s.value for s in GarmentState]}),
        openapi.query("location", {"type": "string", "maxLength": 40}, "A location code"),
        openapi.query("style", {"type": "string", "maxLength": 40}, "A style number"),
        openapi.query("season", {"type": "string", "pattern": "^(SS|AW)[0-9]{2}$"}, "e.g. SS25"),
        openapi.query("page", {"type": "integer", "minimum": 1, "maximum": queries.MAX_PAGE,
                               "default": 1}),
        openapi.query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                   "default": queries.PAGE_SIZE}),
    ],
    responses={200: ("One page of garments, oldest first", out.GARMENT_PAGE),
               422: "A filter is malformed or names an unknown location or style "
                    "(details.fields says which)."},
)
def list_garments() -> Any:
    errors: dict[str, str] = {}
    state = params.query_choice("state", errors, GarmentState)
    location = params.query_text("location", errors)
    style = params.query_text("style", errors)
    season = params.query_choice("season", errors, params.parse_season)
    page = params.query_int("page", errors, default=1, minimum=1, maximum=queries.MAX_PAGE)
    per_page = params.query_int("per_page", errors, default=queries.PAGE_SIZE, minimum=1,
                             maximum=MAX_PER_PAGE)
    session = db()
    # a typo in a code is told apart from an empty result
    if location and "location" not in errors and queries.location_by_code(session, location) is None:
        errors["location"] = N_("No such location.")
    if style and "style" not in errors and queries.style_by_number(session, style) is None:
        errors["style"] = N_("No such style.")
    if errors:
        raise InvalidDetails(errors)
    found = queries.search_garments(session, search=queries.GarmentSearch(
        state=state, location_code=location, style_number=style, season=season),
        page=page, per_page=per_page)
    filters = {k: v for k, v in (("state", state and state.value), ("location", location),
                                 ("style", style), ("season", season)) if v}
    if per_page != queries.PAGE_SIZE:
        filters["per_page"] = str(per_page)
    return jsonify(
        items=[out.garment_row(row) for row in found.items],
        page=found.page, per_page=found.per_page, total=found.total,
        total_capped=found.total_capped,
        next=url_for("api.list_garments", page=page + 1, **filters) if found.has_next else None,
    )


@bp.get("/garments/<code>")
@allow()
@openapi.operation(
    summary="One garment: style facts, state, location, price, version, allowed actions",
    tags=[GARMENTS],
    responses={200: ("The garment", out.GARMENT), 404: CODE_404},
    links={200: openapi.code_links("$response.body#/code", {
        "GarmentEvents": ("api_garment_events", "The garment's ledger"),
        "ActOnGarment": ("api_act_on_garment", "Take an action on the garment"),
        "GarmentLabel": ("labels_garment_label", "Print the garment's label")})},
)
def garment(code: str) -> Any:
    found = _garment(code)
    return jsonify(out.garment_detail(found, user=api_user(), base_url=current_app.config["BASE_URL"]))


@bp.get("/garments/<code>/events")
@allow()
@openapi.operation(
    summary="The garment's ledger, oldest first",
    tags=[GARMENTS],
    responses={200: ("Every event of the garment", out.EVENT_LIST), 404: CODE_404},
)
def garment_events(code: str) -> Any:
    found = _garment(code)
    entries = queries.garment_history(db(), found.id)
    return jsonify(code=found.code, version=found.version,
                   events=[out.event_dict(entry) for entry in entries])


@bp.post("/garments/<code>/actions")
@allow()
@openapi.operation(
    summary="Take an action on a garment",
    description="The action's rules (who may, from which state, what details it needs) are the "
                "ledger's own. With `Idempotency-Key` a retried request answers the first result "
                "again and writes nothing.",
    tags=[GARMENTS],
    parameters=[openapi.header("Idempotency-Key", {"type": "string", "minLength": 1,
                                                   "maxLength": params.MAX_IDEMPOTENCY_KEY},
                               "Visible ASCII; unique per intended request")],
    request=out.ACTION_REQUEST,
    responses={
        200: ("The garment's new state", out.ACTION_RESULT),
        403: "The caller's role may not take this action (error forbidden; "
             "details.roles_allowed).",
        404: CODE_404,
        409: "Not allowed in the garment's current state (not_allowed_now), or the version moved "
             "(version_conflict); details.state and details.allowed_actions say what is possible.",
        413: "The body is too large.",
        422: "Invalid details (invalid_details, details.fields per field) or an Idempotency-Key "
             "reused for a different request (idempotency_key_reused).",
    },
)
def act_on_garment(code: str) -> Any:
    body = out.json_object()
    errors: dict[str, str] = {}
    action = _action(body.get("action"), errors)
    expected_version = _expected_version(body.get("expected_version"), errors)
    key = params.idempotency_key(errors)
    if action not in ACTIONS_WITH_DEFECTS:  # these read them with per-field messages
        _check_defects_shape(body.get("defects"), errors)
    if errors:
        raise InvalidDetails(errors)
    if not is_garment_code(code):
        raise NotFound(N_("No garment with code %(code)s."), code=code)
    assert action is not None
    details = {k: v for k, v in body.items() if k not in ("action", "expected_version")}
    result = garments.act(db(), code=code, action=action, details=details, actor=api_user(),
                          now=now(), expected_version=expected_version, idempotency_key=key)
    return jsonify(result.as_dict())


def _action(value: Any, errors: dict[str, str]) -> Action | None:
    if value is None or value == "":
        errors["action"] = N_("This field is required.")
        return None
    if not isinstance(value, str):
        errors["action"] = N_("Not a known action.")
        return None
    try:
        return Action(value)
    except ValueError:
        errors["action"] = N_("Not a known action.")
        return None


def _expected_version(value: Any, errors: dict[str, str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON Schema's integer includes 6.0; the document promises integer
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VERSION:
        errors["expected_version"] = N_("Must be a whole number.")
        return None
    return value


#: the actions whose details parser reads ``defects`` (the inspection of a rental return)
ACTIONS_WITH_DEFECTS = frozenset({Action.RETURN_RENTAL, Action.INSPECT})
#: the JSON type each documented field of a defect must have (ActionRequest's schema)
_DEFECT_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {"code": str, "zone": str, "severity": int,
                                                           "note": str}


def _check_defects_shape(value: Any, errors: dict[str, str]) -> None:
    """``defects`` has the documented shape whichever action is asked (an action that takes no
    defects once ignored a malformed list the schema refuses, so the document was not true)."""
    if value is None:
        return
    items = value if isinstance(value, list) else [None]
    for item in items:
        if not isinstance(item, dict) or any(
                name in item and (isinstance(item[name], bool) or not isinstance(item[name], kind))
                for name, kind in _DEFECT_FIELD_TYPES.items()) or not {"code", "zone", "severity"} <= set(item):
            errors["defects"] = N_("Send the defects as a list of objects with code, zone and severity.")
            return
