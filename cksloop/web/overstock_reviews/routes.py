"""The overstock review meeting (issue 13): open a session, record a decision per line, execute it.

The views read the form's shape and call the services; a refusal re-shows the page with the reason
(422 for wrong input, 409 for a conflict with the garments' state) and writes nothing.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.db import queries
from cksloop.domain.errors import DomainError, InvalidDetails, NotFound
from cksloop.domain.lifecycle import LocationKind, Role
from cksloop.domain.messages import N_
from cksloop.domain.overstock_figures import Channel
from cksloop.domain.overstock_proposals import Decision
from cksloop.services import overstock_execution, overstock_reviews
from cksloop.web.api.params import MAX_ID, SEASON
from cksloop.web.database import db, now
from cksloop.web.errors import status_for
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_error, translate_fields

bp = Blueprint("overstock_reviews", __name__)
MERCH = (Role.MERCHANDISER, Role.ADMIN)
_WHOLE = ("target_price_cents", "buyer_lot_id")


def _checked_id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise NotFound(N_("No review with number %(id)s."), id=value)
    return value


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"decisions": list(Decision), "channels": list(Channel)}


def _locations() -> dict[str, list[Any]]:
    everywhere = queries.all_locations(db())
    return {"stock_rooms": [loc for loc in everywhere if loc.kind in (LocationKind.STORE, LocationKind.WAREHOUSE)],
            "outlets": [loc for loc in everywhere if loc.kind is LocationKind.OUTLET]}


@bp.get("/overstock/reviews")
@allow(*MERCH)
def index(errors: dict[str, str] | None = None, status: int = 200) -> Any:
    return render_template("overstock_reviews/index.html", reviews=overstock_reviews.list_reviews(db()),
                           errors=errors or {}, form=request.form), status


@bp.post("/overstock/reviews")
@allow(*MERCH)
def open_review() -> Any:
    season = (request.form.get("season") or "").strip().upper()
    if not SEASON.match(season):
        return index({"season": gettext("Give a collection such as SS26 or AW26.")}, 422)
    try:
        review = overstock_reviews.open_review(db(), season=season, as_of=request.form.get("as_of"),
                                               actor=current_user, now=now())
    except InvalidDetails as refused:
        return index(translate_fields(refused.field_errors), 422)
    return redirect(url_for("overstock_reviews.detail", review_id=review.id))


@bp.get("/overstock/reviews/<int:review_id>")
@allow(*MERCH)
def detail(review_id: int, error: str | None = None, fields: dict[str, str] | None = None,
           style: str | None = None, status: int = 200) -> Any:
    view = overstock_reviews.review_view(db(), _checked_id(review_id), gettext)
    return render_template("overstock_reviews/detail.html", review=view, error=error, fields=fields or {},
                           failed_style=style, form=request.form, **_locations()), status


@bp.post("/overstock/reviews/<int:review_id>/decisions")
@allow(*MERCH)
def decide(review_id: int) -> Any:
    raw: dict[str, Any] = {k: v.strip() for k, v in request.form.items() if k != "csrf_token"}
    for name in _WHOLE:  # a form sends text; the decision's reader takes whole numbers for these
        if raw.get(name, "").isascii() and raw.get(name, "").isdigit() and len(raw[name]) < 12:
            raw[name] = int(raw[name])
    try:
        overstock_reviews.record_decision(db(), review_id=_checked_id(review_id), raw=raw, actor=current_user,
                                          now=now())
    except NotFound:
        raise
    except DomainError as refused:
        fields = translate_fields(refused.field_errors) if isinstance(refused, InvalidDetails) else {}
        return detail(review_id, translate_error(refused), fields, raw.get("style"), status_for(refused))
    flash(gettext("Decision recorded for %(style)s.", style=raw.get("style")), "success")
    return redirect(url_for("overstock_reviews.detail", review_id=review_id) + "#decisions")


@bp.post("/overstock/reviews/<int:review_id>/decisions/<int:decision_id>/execute")
@allow(*MERCH)
def execute(review_id: int, decision_id: int) -> Any:
    try:
        answer = overstock_execution.execute(db(), review_id=_checked_id(review_id),
                                             decision_id=_checked_id(decision_id), actor=current_user, now=now())
    except NotFound:
        raise
    except DomainError as refused:
        return detail(review_id, translate_error(refused), None, None, status_for(refused))
    flash(gettext("Executed: %(events)s ledger events for %(garments)s garments.", **answer), "success")
    return redirect(url_for("overstock_reviews.detail", review_id=review_id) + "#decisions")
