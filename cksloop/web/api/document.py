"""API meta: the OpenAPI document itself (built by cksloop.web.api.openapi from the URL map)."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from cksloop.web.api import openapi
from cksloop.web.api.blueprint import bp
from cksloop.web.guards import allow

META = openapi.tag("meta", "This document")


@bp.get("/openapi.json")
@allow()
@openapi.operation(
    summary="This OpenAPI 3.1 document",
    tags=[META],
    responses={200: ("The document", {"type": "object"})},
)
def openapi_document() -> Any:
    return jsonify(openapi.build_document(current_app))
