"""Who is calling the API: a bearer token or the browser session (with CSRF), then the route's roles.

Every request to a view of the API blueprint passes through ``enforce`` (called from that
blueprint's before-request hook, ``cksloop.web.api.blueprint``), so an API view only needs
``@allow(...)`` like any page:

1. ``Authorization: Bearer <token>`` is checked with ``tokens.caller_for_token`` (a token this
   worker confirmed in the last second comes from ``token_cache`` without a statement). A missing,
   wrong, revoked, expired or inactive user's token answers 401 ``{"error": "unauthorized", …}``
   with ``WWW-Authenticate: Bearer``; a read-only token answers anything but GET and HEAD with
   403 ``{"error": "read_only_token", …}``. Bearer requests need no CSRF token.
2. Without an Authorization header the browser session is accepted (the scan page calls the
   API with fetch); then POST/PUT/PATCH/DELETE must carry a valid ``X-CSRFToken`` header, or
   the answer is 400 ``{"error": "csrf_failed", …}``.
3. The route's roles (``guards.roles_for``): a role not named answers 403 JSON; a view without
   ``@allow`` answers 403 to everyone (deny by default). Every ``/api/`` route needs a caller:
   there are no anonymous API routes, even for endpoints listed in ``PUBLIC_ENDPOINTS``.

The caller: **use ``api_user()``** (the ``cksloop.db.models.User`` row, kept in ``g.api_user``;
``g.api_auth`` says ``"bearer"`` or ``"session"``). ``flask_login.current_user`` is only the
browser session and stays anonymous for a bearer request, so API views never read it. The human
``message`` of an answer is in that user's saved language (``cksloop.web.i18n.select_language``
reads ``g.api_user``); without a caller, in the Accept-Language's. The ``error`` codes stay English.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from cksloop.db.models import ApiToken, User
from cksloop.services import throttle, token_cache, tokens
from cksloop.web.database import db, now

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: what a read-only token may send
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_AUTHORIZATION_LENGTH = 512


def api_user() -> User:
    """The user the current API request acts for (set by ``enforce`` before the view runs)."""
    user = g.get("api_user")
    if user is None:
        raise RuntimeError("api_user() is only available inside an authenticated /api/ request")
    return user


def enforce(endpoint: str) -> Any:
    """Authenticate the request and check the endpoint's roles; a JSON error response or None."""
    from cksloop.web.guards import roles_for  # guards calls us: import late, no cycle

    header = request.headers.get("Authorization")
    if header is not None:
        # repeated wrong tokens from one address pause it (the same table as the sign-in form);
        # a valid token always goes ahead, whatever others sent from its address
        token, wait = _caller_for_bearer(header)
        if token is None:
            if wait is not None:
                return too_many_attempts(wait)
            throttle.record_failure(db(), account=None, address=request.remote_addr, now=now())
            return unauthorized(invalid_token=True)
        # from here on the messages speak the token user's saved language (cksloop.web.i18n)
        g.api_user = token.user
        if token.read_only and request.method not in READ_METHODS:
            return _error(403, "read_only_token", gettext(
                "This API token may only read (GET and HEAD requests). Ask an administrator for a "
                "token that may write."), {"method": request.method})
        user = token.user
        how = "bearer"
    else:
        user = _user_for_session()
        if user is None:
            return unauthorized(invalid_token=False)
        how = "session"
        if request.method in UNSAFE_METHODS and not _csrf_token_is_valid():
            return _error(400, "csrf_failed", gettext(
                "The request lacks a valid CSRF token (send it in the X-CSRFToken header)."))
    g.api_user = user
    g.api_auth = how
    allowed = roles_for(endpoint)
    if allowed is not None and user.role not in allowed:
        return _error(403, "forbidden", gettext("Your role may not use this part of the API."),
                      {"role": user.role.value, "roles_allowed": sorted(r.value for r in allowed)})
    return None


def unauthorized(*, invalid_token: bool) -> Any:
    """401 with the RFC 6750 challenge; says whether a token was sent but not accepted."""
    response, status = _error(401, "unauthorized", gettext(
        "Sign in, or send a valid API token as “Authorization: Bearer <token>”."))
    challenge = 'Bearer realm="cksloop"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response, status


def too_many_attempts(wait: int) -> Any:
    """429 with Retry-After after too many failed authentications from this address."""
    response, status = _error(429, "too_many_requests", gettext(
        "Too many failed authentications. Wait and try again."), {"retry_after": wait})
    response.headers["Retry-After"] = str(wait)
    return response, status


def _caller_for_bearer(header: str) -> tuple[ApiToken | None, int | None]:
    """The live token (None: not a valid one) and, for an invalid one, the seconds this address must wait."""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if (len(header) > MAX_AUTHORIZATION_LENGTH or scheme.lower() != "bearer" or not token
            or not token.isascii() or not token.isprintable()):
        token = ""  # checked here so odd bytes never reach the database
    per_address = int(current_app.config.get("THROTTLE_PER_ADDRESS", throttle.ADDRESS_LIMIT))
    limits = (throttle.DEFAULT_LIMITS if per_address == throttle.DEFAULT_LIMITS.per_address
              else throttle.Limits(per_address=per_address))
    cache: token_cache.TokenCache = current_app.extensions["cksloop.token_cache"]
    token_hash = tokens.token_hash(token) if token else ""
    at = now()
    row = cache.get(token_hash, now=at) if token_hash else None
    if row is not None:
        return row, None
    read_in = cache.generation()
    session = db()
    row, wait = tokens.caller_for_token(session, token, address=request.remote_addr, now=at, limits=limits)
    if row is not None:
        cache.keep(session, token_hash, row, read_in=read_in)
    return row, wait


def _user_for_session() -> User | None:
    from flask_login import current_user

    if not current_user.is_authenticated:
        return None
    return current_user.user


def _csrf_token_is_valid() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True  # the same switch that turns off the forms' check
    token = None
    for name in current_app.config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"]):
        token = request.headers.get(name)
        if token:
            break
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Any:
    return jsonify(error=code, message=message, details=details or {}), status
