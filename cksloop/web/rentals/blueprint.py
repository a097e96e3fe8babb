"""The ``rentals`` blueprint and what its page modules share: who may open them, paging, the partner filter."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import gettext

from cksloop.domain.lifecycle import Role
from cksloop.web.api import params

bp = Blueprint("rentals", __name__)

RENTAL_STAFF = (Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN)
MERCH = (Role.MERCHANDISER, Role.ADMIN)
PER_PAGE = 50
MAX_PAGE = 100_000


def page_arg() -> int:
    """The list page asked for, clamped to 1…MAX_PAGE (a page past the end shows an empty list)."""
    number = request.args.get("page", 1, type=int) or 1
    return min(max(number, 1), MAX_PAGE)


def partner_arg() -> int | None:
    """The rental partner filter, read before any query runs or any export streams: an id within
    bounds, or a 422 page naming the filter (a giant number once broke a streamed CSV with a 500)."""
    problems: dict[str, str] = {}
    value = params.query_id("partner", problems)
    if problems:
        abort(422, gettext("The rental partner filter cannot be read: %(problem)s",
                           problem=gettext(problems["partner"])))
    return value
