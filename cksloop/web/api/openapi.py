"""The OpenAPI 3.1 document at /api/v1/openapi.json, built from the URL map and each view's declaration.

Every route under ``/api/`` must be documented; ``tests/web/test_api.py`` fails and names the
route until it is. To document a route, decorate its view (any blueprint) and register the
schemas it uses, at import time::

    from cksloop.web.api import openapi

    openapi.schema("ScanRequest", {"type": "object", "required": ["payload"],
                                   "properties": {"payload": {"type": "string", "maxLength": 2000}}})

    @bp.post("/api/v1/scans")
    @allow()
    @openapi.operation(
        summary="Resolve a scanned payload to a garment",
        tags=["scans"],
        request=openapi.ref("ScanRequest"),               # JSON body (a schema or a ref)
        responses={200: ("The garment it names", openapi.ref("ScanResult")),
                   422: "Not a CKS label (error not_a_label)"},
    )
    def scan(): ...

What the URL map already tells is filled in: the path (``<code>`` becomes ``{code}``, with its
path parameter), the methods, the roles from ``@allow`` (as ``x-roles``), the bearer and session
security schemes, and the standard 401/403 (and 400 for a bad body or CSRF token) answers with the
``Error`` shape. ``responses`` values are a description (errors get the ``Error`` schema), a
``(description, schema)`` pair, or a whole OpenAPI Response Object (e.g. for SVG/PDF content).
A view serving several methods can stack ``operation(..., method="get")`` per method.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])

OPENAPI_ATTR = "_cksloop_openapi"
API_PREFIX = "/api/"
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_CONVERTER_SCHEMAS = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number"},
                      "uuid": {"type": "string", "format": "uuid"}}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every API error has this shape.",
    "required": ["error", "message", "details"],
    "properties": {
        "error": {"type": "string", "description": "Stable machine code, e.g. unauthorized, "
                  "forbidden, not_found, not_allowed_now, version_conflict, invalid_details."},
        "message": {"type": "string", "description": "Human text in the caller's language "
                    "(Accept-Language: nl or en)."},
        "details": {"type": "object", "additionalProperties": True,
                    "description": "Facts for the client: for invalid_details `fields` maps each "
                    "field to its message; for conflicts `state` and `allowed_actions`."},
    },
}

_SCHEMAS: dict[str, dict[str, Any]] = {"Error": ERROR_SCHEMA}
_TAGS: dict[str, str] = {}

_STANDARD_ERRORS = {
    400: "Malformed request: not JSON, or (browser session) no valid X-CSRFToken header.",
    401: {"description": "No valid bearer token and no signed-in session.",
          "headers": {"WWW-Authenticate": {
              "description": 'The RFC 6750 challenge, e.g. `Bearer realm="cksloop", error="invalid_token"`.',
              "schema": {"type": "string"}}}},
    403: "The caller's role may not use this route (details.role, details.roles_allowed), or may "
         "not take this step (see the operation's own 403).",
    429: {"description": "Too many failed authentications from this address: wait the seconds "
                         "`Retry-After` names (also in details.retry_after), then try again.",
          "headers": {"Retry-After": {"description": "Seconds to wait.",
                                      "schema": {"type": "integer", "minimum": 1}}}},
}


def schema(name: str, spec: Mapping[str, Any]) -> dict[str, str]:
    """Register a named component schema; returns a ``$ref`` to it."""
    _SCHEMAS[name] = dict(spec)
    return ref(name)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def tag(name: str, description: str) -> str:
    """Describe a tag (a group of operations in the document); returns its name."""
    _TAGS[name] = description
    return name


def query(name: str, spec: Mapping[str, Any], description: str = "", *,
          required: bool = False) -> dict[str, Any]:
    """A query-string parameter; an empty value counts as absent (``allowEmptyValue``), as
    ``cksloop.web.api.params`` reads every parameter."""
    return {"name": name, "in": "query", "required": required, "description": description,
            "allowEmptyValue": True, "schema": dict(spec)}


def header(name: str, spec: Mapping[str, Any], description: str = "", *,
           required: bool = False) -> dict[str, Any]:
    """A request header parameter (e.g. Idempotency-Key)."""
    return {"name": name, "in": "header", "required": required, "description": description,
            "schema": dict(spec)}


def operation(*, summary: str, description: str = "", tags: Iterable[str] = (),
              parameters: Iterable[Mapping[str, Any]] = (), request: Mapping[str, Any] | None = None,
              responses: Mapping[int, Any] | None = None, method: str | None = None,
              operation_id: str | None = None,
              links: Mapping[int, Mapping[str, Any]] | None = None) -> Callable[[F], F]:
    """Declare the OpenAPI operation of a view (for all its methods, or just ``method``);
    ``links`` per status says where the answer feeds another operation (see ``code_links``)."""
    spec = {"summary": summary, "description": description, "tags": list(tags),
            "parameters": [dict(p) for p in parameters], "request": request,
            "responses": dict(responses or {}), "operation_id": operation_id,
            "links": dict(links or {})}

    def mark(view: F) -> F:
        declared = dict(getattr(view, OPENAPI_ATTR, {}))
        declared[method.lower() if method else "*"] = spec
        setattr(view, OPENAPI_ATTR, declared)
        return view

    return mark


def code_links(expression: str, targets: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """Links that hand a garment's code (a runtime expression into the answer) to the operations
    ``targets`` names (link name → (operationId, description)), so clients and stateful fuzzers
    follow real flows: a scan or a lookup, then the garment's ledger, actions and label."""
    return {name: {"operationId": operation_id, "description": text,
                   "parameters": {"code": expression}}
            for name, (operation_id, text) in targets.items()}


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of a Flask rule and its path parameters."""
    params: list[dict[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        params.append({"name": name, "in": "path", "required": True,
                       "schema": dict(_CONVERTER_SCHEMAS.get(match.group("converter") or "",
                                                             {"type": "string"}))})
        return "{" + name + "}"

    return _RULE_ARGUMENT.sub(replace, rule), params


def api_operations(app: Flask) -> list[tuple[str, str, Any]]:
    """Every (METHOD, rule, rule object) under /api/ in the app's URL map."""
    out = []
    for rule in app.url_map.iter_rules():
        # the blueprint's catch-all only turns unknown URLs into the API's 404/405
        if rule.rule.startswith(API_PREFIX) and rule.endpoint != "api.unknown":
            for method in sorted((rule.methods or set()) - IGNORED_METHODS):
                out.append((method, rule.rule, rule))
    return sorted(out, key=lambda item: (item[1], item[0]))


def undocumented(app: Flask) -> list[str]:
    """``"METHOD /rule"`` for every API route that has no operation declared."""
    missing = []
    for method, text, rule in api_operations(app):
        declared = getattr(app.view_functions.get(rule.endpoint), OPENAPI_ATTR, {})
        if method.lower() not in declared and "*" not in declared:
            missing.append(f"{method} {text}")
    return missing


def build_document(app: Flask) -> dict[str, Any]:
    """The whole OpenAPI document (call inside an app context: roles come from the guards)."""
    from cksloop.web.guards import ALL_ROLES, roles_for

    paths: dict[str, dict[str, Any]] = {}
    for method, text, rule in api_operations(app):
        view = app.view_functions.get(rule.endpoint)
        declared = getattr(view, OPENAPI_ATTR, {})
        spec = declared.get(method.lower(), declared.get("*"))
        if spec is None:
            continue  # undocumented: the completeness test names it
        path, path_params = openapi_path(text)
        several = len((rule.methods or set()) - IGNORED_METHODS) > 1
        roles = roles_for(rule.endpoint)
        paths.setdefault(path, {})[method.lower()] = _operation(
            spec, method, path_params, endpoint=rule.endpoint, several=several,
            roles=sorted(r.value for r in (ALL_ROLES if roles is None else roles)))
    used_tags = sorted({t for ops in paths.values() for op in ops.values() for t in op["tags"]})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cksloop API",
            "version": "1",
            "description": _DESCRIPTION,
        },
        "servers": [{"url": app.config.get("BASE_URL", "/") or "/"}],
        "security": [{"bearerAuth": []}, {"browserSession": []}],
        "tags": [{"name": t, "description": _TAGS.get(t, "")} for t in used_tags],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "An API token made with `cksloop tokens create "
                               "--email E`; it acts with that user's role."},
                "browserSession": {"type": "apiKey", "in": "cookie", "name": "session",
                                   "description": "The signed-in browser session (used by "
                                   "cksloop's own pages). State-changing requests must also "
                                   "send the page's CSRF token in the X-CSRFToken header."},
            },
            "schemas": dict(sorted(_SCHEMAS.items())),
        },
    }


def _operation(spec: dict[str, Any], method: str, path_params: list[dict[str, Any]], *,
               endpoint: str, several: bool, roles: list[str]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": spec["operation_id"] or (
            endpoint.replace(".", "_") + (f"_{method.lower()}" if several else "")),
        "summary": spec["summary"],
        "tags": spec["tags"] or [endpoint.split(".")[0]],
    }
    if spec["description"]:
        op["description"] = spec["description"]
    declared_names = {(p["name"], p["in"]) for p in spec["parameters"]}
    params = [p for p in path_params if (p["name"], "path") not in declared_names]
    params += spec["parameters"]
    if params:
        op["parameters"] = params
    if spec["request"] is not None:
        body = spec["request"]
        op["requestBody"] = body if "content" in body else {
            "required": True, "content": {"application/json": {"schema": body}}}
    responses: dict[str, Any] = {}
    for status, value in sorted(spec["responses"].items()):
        responses[str(status)] = _response(int(status), value)
    for status, links in spec["links"].items():
        responses[str(status)]["links"] = dict(links)
    for status, text in _STANDARD_ERRORS.items():
        if status == 400 and method not in UNSAFE_METHODS:
            continue
        responses.setdefault(str(status), _response(status, text))
    op["responses"] = dict(sorted(responses.items()))
    op["x-roles"] = roles
    return op


def _response(status: int, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping) and "content" not in value and status >= 400:
        return {**value, "content": {"application/json": {"schema": ref("Error")}}}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        description, body = value
        return {"description": description, "content": {"application/json": {"schema": body}}}
    if status >= 400:
        return {"description": str(value), "content": {"application/json": {"schema": ref("Error")}}}
    return {"description": str(value)}


_DESCRIPTION = """\
The garment ledger of cksloop for the rental partner, the tills and cksloop's own scan page.

**Authentication.** Send `Authorization: Bearer <token>` (tokens: `cksloop tokens create --email E`;
the token acts with that user's role). cksloop's own pages may use the signed-in session instead,
sending the page's CSRF token in `X-CSRFToken` on POST/PUT/PATCH/DELETE. A missing or wrong token
answers 401 with `WWW-Authenticate: Bearer`; a role that may not answers 403.

**Query parameters.** An empty value (`?season=&state=`) counts as absent, the same as leaving
the parameter out. A parameter given twice, or one that cannot be read (not a whole number, out of
its bounds, not one of its values), answers 422 `invalid_details` naming it in `details.fields`;
no filter is ever silently dropped.

**Too many failures.** Repeated wrong tokens from one address pause it: any operation may then
answer 429 with `Retry-After` (seconds).

**Errors** always have the shape `{"error": code, "message": text, "details": {...}}`. Messages
follow `Accept-Language` (nl, en).

**Concurrency.** Every garment has a `version` (the number of its ledger events). Send the version
you saw as `expected_version`; if someone acted first the answer is 409 `version_conflict` naming the
current state and the actions allowed now.

**Retries.** Send an `Idempotency-Key` header (1–200 visible ASCII characters, unique per
request) on actions: a repeat with the same key answers the first result again and writes nothing;
the same key with a different request answers 422 `idempotency_key_reused`.
"""
