"""Errors answered as HTML for people and as one JSON shape for the API; a 500 rolls back."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from cksloop.domain.buyer_lots import GarmentCannotJoin, LotNotAllowedNow
from cksloop.domain.errors import DomainError, IllegalTransition, InvalidDetails, NotFound, NotPermitted, VersionConflict
from cksloop.domain.offcuts import InsufficientOffcut, LotActionNotPossible
from cksloop.domain.remanufacturing import ProjectNotOpen
from cksloop.domain.workshop_logs import AlreadyLogged
from cksloop.web.i18n import translate_error, translate_fields

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    NotPermitted: 403,
    IllegalTransition: 409,
    VersionConflict: 409,
    InsufficientOffcut: 409,
    LotActionNotPossible: 409,
    InvalidDetails: 422,
    GarmentCannotJoin: 409,  # a garment sold, rented or in another lot: the state, not the input
    LotNotAllowedNow: 409,
    AlreadyLogged: 409,  # a logged workshop changes only by a correction
    ProjectNotOpen: 409,
}


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 422


def json_error(code: str, message: str, status: int, details: dict[str, Any] | None = None) -> Any:
    return jsonify(error=code, message=message, details=details or {}), status


def domain_error_response(error: DomainError) -> Any:
    """A domain refusal as the API's JSON error (translated message, stable code)."""
    details = dict(error.details)
    if isinstance(error, InvalidDetails):
        details["fields"] = translate_fields(error.field_errors)
    return json_error(error.code, translate_error(error), status_for(error), details)


#: where the JSON API lives (its blueprint's url_prefix)
API_PREFIX = "/api/v1"


def _wants_json() -> bool:
    # the API's own errors are answered by its blueprint's handlers (cksloop.web.api.blueprint); a
    # URL under the API that matches no route never reaches them, yet its client reads JSON; a page
    # asked for as JSON (a script's fetch) gets the same shape
    path = request.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/") or \
        request.accept_mimetypes.best == "application/json"


def http_error_text(error: HTTPException) -> str:
    """The exception's own description, or the standard sentence for its status."""
    status = error.code or 500
    texts = {
        400: gettext("The request could not be understood."),
        401: gettext("Please sign in."),
        403: gettext("You may not do this."),
        404: gettext("This page does not exist."),
        405: gettext("This is not the way to use this address."),
        413: gettext("The upload is too large."),
        429: gettext("Too many attempts. Wait a moment and try again."),
    }
    custom = error.description and error.description != type(error).description
    return error.description if custom else texts.get(status, error.name)


def http_error_json(error: HTTPException) -> Any:
    """An HTTP error as the API's JSON error, keeping the exception's headers (Allow on a 405)."""
    status = error.code or 500
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "too_large", 429: "too_many_requests"}
    response, _ = json_error(codes.get(status, "http_error"), http_error_text(error), status)
    return _with_headers(response, error), status


def _with_headers(response: Any, error: HTTPException) -> Any:
    # RFC 9110: a 405 names the methods that would work; Retry-After and the like ride along too
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def unexpected_json(error: Exception) -> Any:
    """An unexpected error as the API's JSON error: 400 for a value the database refused, else 500."""
    rollback()
    if is_bad_value(error):
        current_app.logger.warning("value refused by the database: %s", type(error).__name__)
        return json_error("bad_value", _bad_value_text(), 400)
    current_app.logger.exception("unexpected error")
    return json_error("server_error", _server_error_text(), 500)


def _bad_value_text() -> str:
    return gettext("A value in this request is out of range or contains characters that "
                   "are not allowed. Nothing was changed.")


def _server_error_text() -> str:
    return gettext("Something went wrong on our side. Nothing was changed; please try again.")


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        rollback()
        if _wants_json():
            return domain_error_response(error)
        return render_template("errors/error.html", status=status_for(error),
                               message=translate_error(error)), status_for(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if _wants_json():
            return http_error_json(error)
        status = error.code or 500
        response = make_response(render_template("errors/error.html", status=status,
                                                 message=http_error_text(error)), status)
        return _with_headers(response, error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if _wants_json():
            return unexpected_json(error)
        rollback()
        if is_bad_value(error):
            # a value no column can hold (a 30-digit id, a NUL byte on PostgreSQL) slipped past a
            # view's own checks: the database refused it, so it is the request's fault, not ours
            app.logger.warning("value refused by the database: %s", type(error).__name__)
            return render_template("errors/error.html", status=400, message=_bad_value_text()), 400
        app.logger.exception("unexpected error")
        return render_template("errors/error.html", status=500, message=_server_error_text()), 500


def is_bad_value(error: BaseException) -> bool:
    """Whether the database (or its driver) refused a value as out of range or malformed."""
    if isinstance(error, OverflowError | sa_exc.DataError):
        return True
    return isinstance(error, sa_exc.StatementError) and isinstance(error.orig, OverflowError)


def rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()
