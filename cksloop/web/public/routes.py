"""Label URLs: /g/{code} and GS1 Digital Link /01/{GTIN-14}/21/{code}.

Signed-in staff go on to the garment page with its actions; anyone else sees the public product
page, the garment's passport, which shows only what ``services.passport.Passport`` holds (never
a price, customer, partner, note, person or place). A retired or written-off garment answers 410.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, redirect, render_template, url_for
from flask_login import current_user

from cksloop.domain.errors import NotFound
from cksloop.domain.passport import GarmentGone
from cksloop.services import labels, passport
from cksloop.web.database import db, memory
from cksloop.web.guards import roles_for
from cksloop.web.i18n import translate_error
from cksloop.web.public import passport_view as view

bp = Blueprint("public", __name__)

STAFF_PAGE = "garments.detail"


@bp.get("/g/<code>")
def product_by_code(code: str) -> Any:
    return _resolve(code, gtin=None)


@bp.get("/01/<gtin>/21/<code>")
def product_by_gtin(gtin: str, code: str) -> Any:
    return _resolve(code, gtin=gtin)


def _resolve(code: str, *, gtin: str | None) -> Any:
    try:
        if current_user.is_authenticated and _staff_page_open():
            garment = labels.resolve_label(db(), code=code, gtin=gtin)
            return redirect(url_for(STAFF_PAGE, code=garment.code))
        product = passport.passport(db(), code=code, gtin=gtin, active_locations=memory().active_locations.get)
    except (NotFound, GarmentGone) as error:
        # the code comes from the URL: the template escapes it, and it is cut to a sane length
        status = 410 if isinstance(error, GarmentGone) else 404
        response = make_response(render_template(
            "public/not_found.html", message=translate_error(error), code=code[:40], gone=status == 410),
            status)
        return _personal(response)
    # a remanufactured piece says what it was made from (lots, materials, partner: nothing private)
    response = make_response(render_template("public/product.html", **view.page_context(product),
                                             made_from=product.made_from))
    return _personal(response)


def _staff_page_open() -> bool:
    """Whether the garment page exists (it is another blueprint) and this user may open it."""
    if STAFF_PAGE not in current_app.view_functions:
        return False
    allowed = roles_for(STAFF_PAGE)
    return allowed is None or current_user.role in allowed


def _personal(response: Any) -> Any:
    # the same URL answers staff with a redirect and visitors with a page: never cache it shared
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response
