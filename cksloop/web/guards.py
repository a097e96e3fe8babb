"""Who may open which route: deny by default, roles declared on each view.

Every view either carries ``@allow(...)`` with the roles that may use it, or is in the short
``PUBLIC_ENDPOINTS`` allow-list. A view with neither answers 403 to everyone, so a new route
is safe before anyone remembers to protect it (the route × role test reads the same table).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.domain.lifecycle import Role

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "auth.login",
    "auth.set_language",
    "public.product_by_code",
    "public.product_by_gtin",
    "site.favicon",
    "site.manifest",
    "site.service_worker",  # a script, no data: the scan pages register it before they work offline
})
ROLES_ATTR = "_cksloop_roles"


def allow(*roles: Role) -> Callable[[F], F]:
    """Let the given roles (all signed-in roles when none are named) use this view."""
    chosen = frozenset(roles) or ALL_ROLES

    def mark(view: F) -> F:
        setattr(view, ROLES_ATTR, chosen)
        return view

    return mark


def roles_for(endpoint: str) -> frozenset[Role] | None:
    """The roles allowed on ``endpoint``; None for a public endpoint."""
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ROLES_ATTR, frozenset())


def checks_its_own_callers() -> bool:
    """Whether the matched blueprint authenticates its callers itself (the API: tokens, JSON)."""
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return bool(getattr(blueprint, "checks_callers", False))


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce_roles() -> Any:
        endpoint = request.endpoint
        if endpoint is None or checks_its_own_callers():
            return None  # 404/405 follow, or the blueprint's own hook decides
        allowed = roles_for(endpoint)
        if allowed is None:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if current_user.role not in allowed:
            abort(403, gettext("Your role may not open this page."))
        return None

    app.jinja_env.globals["may_open"] = lambda endpoint: _may_open(endpoint)


def _may_open(endpoint: str) -> bool:
    allowed = roles_for(endpoint)
    return allowed is None or (current_user.is_authenticated and current_user.role in allowed)
