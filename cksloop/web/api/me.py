"""API account: who is calling (the token's or the session's user and role)."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify

from cksloop.web.api import openapi
from cksloop.web.api import serializers as out
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.guards import allow

ACCOUNT = openapi.tag("account", "Who is calling")


@bp.get("/me")
@allow()
@openapi.operation(
    summary="Who the token (or session) belongs to, and their role",
    tags=[ACCOUNT],
    responses={200: ("The calling user", out.ME)},
)
def me() -> Any:
    return jsonify(out.user_dict(api_user(), auth=g.api_auth))
