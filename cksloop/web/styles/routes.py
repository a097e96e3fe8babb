"""Styles: list them by season and category; a style's facts, sizes, composition and garments."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from cksloop.db import queries
from cksloop.domain.errors import NotFound
from cksloop.domain.messages import N_
from cksloop.web.database import db
from cksloop.web.guards import allow
from cksloop.web.styles.forms import StyleFilterForm

bp = Blueprint("styles", __name__)


@bp.get("/styles")
@allow()
def index() -> Any:
    session = db()
    form = StyleFilterForm(formdata=request.args)
    form.bind_choices(seasons=queries.seasons(session), categories=queries.categories(session))
    if not form.validate():
        return render_template("styles/index.html", form=form, results=None, page_url=None), 400
    results = queries.search_styles(session, season=form.season.data or None,
                                    category=form.category.data or None, page=form.page.data or 1)
    kept = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return url_for("styles.index", **kept, page=number)

    return render_template("styles/index.html", form=form, results=results, page_url=page_url)


@bp.get("/styles/<style_number>")
@allow()
def detail(style_number: str) -> Any:
    session = db()
    style = None
    if len(style_number) <= 40 and style_number.isprintable():
        style = queries.style_by_number(session, style_number)
    if style is None:
        raise NotFound(N_("No style with number %(number)s."), number=style_number)
    return render_template("styles/detail.html", style=style,
                           counts=queries.counts_by_state(session, style_id=style.id),
                           sizes=queries.counts_by_size(session, style.id))
