"""The one blueprint of /api/v1 and its own hooks: token auth, no form CSRF, JSON errors, no caching.

Every API view registers on ``bp`` (one module per resource in this package), so nothing else in
the app asks whether a request "looks like" an API call: Flask sends the API's requests through
these hooks because the blueprint matched. Unknown paths and wrong methods under the prefix are
the blueprint's too (``_unknown``, also for /api/v2/…), so they answer the API's JSON error with ``Allow`` kept.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from cksloop.domain.errors import DomainError
from cksloop.extensions import csrf
from cksloop.services import token_cache
from cksloop.web import errors

PREFIX = errors.API_PREFIX
#: the catch-all's endpoint: it needs no caller (a wrong URL is told apart from a wrong token)
UNKNOWN_ENDPOINT = "api.unknown"
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

bp = Blueprint("api", __name__, url_prefix=PREFIX)
bp.checks_callers = True  # type: ignore[attr-defined]  # read by cksloop.web.guards
bp.builds_forms = False  # type: ignore[attr-defined]  # read by cksloop.web.i18n
csrf.exempt(bp)  # a bearer request needs none; a session request sends X-CSRFToken (auth.enforce)


@bp.before_request
def _authenticate() -> Any:
    from cksloop.web.api.auth import enforce  # bearer token or session + CSRF, then the roles

    if request.endpoint == UNKNOWN_ENDPOINT:
        return None
    return enforce(request.endpoint or "")


@bp.after_request
def _no_store(response: Response) -> Response:
    # answers for one user (tokens, prices, ledger) must not sit in shared caches
    response.headers.setdefault("Cache-Control", "no-store")
    if request.method == "OPTIONS" and "Allow" in response.headers:
        # Flask's automatic OPTIONS counts the catch-all's methods too: name only the real ones
        response.headers["Allow"] = ", ".join(m for m in ANY_METHOD if _served_elsewhere(m))
    return response


@bp.errorhandler(DomainError)
def _domain(error: DomainError) -> Any:
    errors.rollback()
    return errors.domain_error_response(error)


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Any:
    return errors.http_error_json(error)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Any:
    return errors.unexpected_json(error)


def _unknown(path: str) -> Any:
    """Any URL under /api/ that no view serves: 405 with ``Allow`` if another method would do."""
    allowed = [method for method in ANY_METHOD if _served_elsewhere(method)]
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound()


@bp.record_once
def _own_the_api_prefix(state: Any) -> None:
    # on the app, not under the blueprint's prefix, so /api/v2/… is the API's 404 too; the
    # endpoint's "api." makes Flask run this blueprint's hooks and error handlers for it
    for rule, defaults in (("/api/", {"path": ""}), ("/api/<path:path>", None)):
        state.app.add_url_rule(rule, endpoint=UNKNOWN_ENDPOINT, view_func=_unknown,
                               methods=ANY_METHOD, defaults=defaults)


@bp.record_once
def _remember_tokens(state: Any) -> None:
    # one per app, i.e. per worker process (cksloop.services.token_cache says how it stays true)
    state.app.extensions["cksloop.token_cache"] = token_cache.TokenCache()


def _served_elsewhere(method: str) -> bool:
    """Whether a real view (not this catch-all) serves ``method`` at the request's path."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(request.path, method=method)
    except HTTPException:
        return False
    return endpoint != UNKNOWN_ENDPOINT
