"""Errors answered as HTML for people and as one JSON shape for the API; a 500 rolls back."""
from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from cksloop.domain.errors import DomainError, IllegalTransition, InvalidDetails, NotFound, NotPermitted, VersionConflict
from cksloop.web.i18n import translate_error, translate_fields

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    NotPermitted: 403,
    IllegalTransition: 409,
    VersionConflict: 409,
    InvalidDetails: 422,
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


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        _rollback()
        if _wants_json():
            return domain_error_response(error)
        return render_template("errors/error.html", status=status_for(error),
                               message=translate_error(error)), status_for(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
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
        message = error.description if custom else texts.get(status, error.name)
        if _wants_json():
            codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                     405: "method_not_allowed", 413: "too_large", 429: "too_many_requests"}
            response = json_error(codes.get(status, "http_error"), message, status)
            return response
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        _rollback()
        if is_bad_value(error):
            # a value no column can hold (a 30-digit id, a NUL byte on PostgreSQL) slipped past a
            # view's own checks: the database refused it, so it is the request's fault, not ours
            app.logger.warning("value refused by the database: %s", type(error).__name__)
            message = gettext("A value in this request is out of range or contains characters that "
                              "are not allowed. Nothing was changed.")
            if _wants_json():
                return json_error("bad_value", message, 400)
            return render_template("errors/error.html", status=400, message=message), 400
        app.logger.exception("unexpected error")
        message = gettext("Something went wrong on our side. Nothing was changed; please try again.")
        if _wants_json():
            return json_error("server_error", message, 500)
        return render_template("errors/error.html", status=500, message=message), 500


def is_bad_value(error: BaseException) -> bool:
    """Whether the database (or its driver) refused a value as out of range or malformed."""
    if isinstance(error, OverflowError | sa_exc.DataError):
        return True
    return isinstance(error, sa_exc.StatementError) and isinstance(error.orig, OverflowError)


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()
