"""The workshops blueprint, its roles and the form readers its page modules share."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user

from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.web.errors import status_for
from cksloop.web.i18n import translate_error, translate_fields

bp = Blueprint("workshops", __name__, url_prefix="/workshops")

WRITERS = (Role.WORKSHOP_ORGANISER, Role.MERCHANDISER, Role.ADMIN)
#: receiving a returned product into stock is a merchandiser's or admin's step (the garment rules)
RECEIVERS = (Role.MERCHANDISER, Role.ADMIN)


def refusal(error: DomainError) -> tuple[str, dict[str, str], int]:
    """A refusal as the page shows it: the message, the fields' messages and the status."""
    fields = translate_fields(error.field_errors) if isinstance(error, InvalidDetails) else {}
    return translate_error(error), fields, status_for(error)


def home_store() -> str | None:
    """The store the pages open on: ?store=, else the user's own store."""
    chosen = request.args.get("store", "")
    if chosen and len(chosen) <= 40 and chosen.isprintable():
        return chosen
    home = current_user.home_location
    return home.code if home is not None else None


def form_text(name: str, max_len: int = 200) -> Any:
    value = request.form.get(name, "")
    return value.strip()[:max_len] if value.isprintable() else None


@bp.context_processor
def _formatting() -> dict[str, Any]:
    from flask_babel import format_date, format_datetime, format_time

    return {"format_date": format_date, "format_datetime": format_datetime, "format_time": format_time}
