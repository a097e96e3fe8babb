"""The overstock review page, a style's drill-down, the garments behind a figure, and the review as a file."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, gettext

from cksloop.domain.errors import NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.domain.overstock_figures import NO_SALES, Channel, LocationType
from cksloop.domain.overstock_proposals import Decision
from cksloop.domain.overstock_rules import Rule
from cksloop.services import overstock, overstock_pages
from cksloop.services.overstock_pages import Figure
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.overstock import charts, export
from cksloop.web.overstock.reading import Choice, known_season, read_choice

bp = Blueprint("overstock", __name__)
MERCH = (Role.MERCHANDISER, Role.ADMIN)
MAX_CODE = 40


@bp.context_processor
def _page_helpers() -> dict[str, Any]:
    return {"channels": list(Channel), "location_types": list(LocationType), "rule_label": _rule_label,
            "num": _num, "part_label": _part_label, "decision_label": lambda action: gettext(Decision(action).label), "pct": _pct, "weeks": _weeks, "format_date": format_date}


def _part_label(value: str | None) -> str:
    for enum in (Channel, LocationType):
        if value in enum._value2member_map_:
            return gettext(enum(value).label)
    return value or ""


def _num(value: int | None) -> str:
    return "—" if value is None else format_decimal(value)


def _pct(value: int | None) -> str:
    """A shown percent (already rounded by the domain) in the reader's notation: 42 %, 42%."""
    return "—" if value is None else format_percent(value / 100)


def _weeks(value: float | None) -> str:
    return gettext(NO_SALES) if value is None else format_decimal(value, format="#,##0.0")


def _rule_label(rule: str) -> str:
    return gettext(Rule(rule).label) if rule in Rule._value2member_map_ else rule


def _review(choice: Choice) -> overstock.Review | None:
    if choice.season is None or choice.errors:
        return None
    return overstock.review(db(), season=choice.season, as_of=choice.as_of)


@bp.get("/overstock")
@allow(*MERCH)
def index() -> Any:
    choice = read_choice()
    result = _review(choice)
    lines = [(line, line.as_dict(gettext)) for line in result.lines] if result else []
    flagged = sum(1 for _, shown in lines if shown["flags"])
    pictures = None
    if result is not None and choice.season:
        pictures = charts.pictures(overstock_pages.chart_series(db(), season=choice.season, as_of=choice.as_of))
    return render_template("overstock/index.html", choice=choice, review=result, lines=lines, flagged=flagged,
                           pictures=pictures), 422 if choice.errors else 200


def _style_or_404(season: str, style_number: str) -> tuple[str, Choice]:
    choice = read_choice(season)
    if known_season(season) is None:
        raise NotFound(N_("No collection %(season)s."), season=season[:8])
    if len(style_number) > MAX_CODE or not style_number.isprintable() or \
            overstock_pages.style_name(db(), season=choice.season or "", style=style_number) is None:
        raise NotFound(N_("No style %(number)s in this collection."), number=style_number[:MAX_CODE])
    return choice.season or "", choice


@bp.get("/overstock/<season>/<style_number>")
@allow(*MERCH)
def style(season: str, style_number: str) -> Any:
    season, choice = _style_or_404(season, style_number)
    found = None if choice.errors else overstock_pages.drill(db(), season=season, style=style_number,
                                                             as_of=choice.as_of)
    pictures = None
    if found is not None:
        pictures = charts.pictures(overstock_pages.chart_series(db(), season=season, as_of=choice.as_of,
                                                                style=style_number))
    return render_template("overstock/style.html", choice=choice, season=season, style_number=style_number,
                           drill=found, shown=found.line.as_dict(gettext) if found else None,
                           pictures=pictures, rules_version=overstock.rules_for(db(), season=season).version
                           ), 422 if choice.errors else 200


@bp.get("/overstock/<season>/<style_number>/garments")
@allow(*MERCH)
def garments(season: str, style_number: str) -> Any:
    season, choice = _style_or_404(season, style_number)
    figure_text = request.args.get("figure", "on_hand")
    if figure_text not in Figure._value2member_map_:
        choice.errors["figure"] = gettext("Choose received, sold or on hand.")
    part = request.args.get("part") or None
    if part is not None and part not in Channel._value2member_map_ and part not in LocationType._value2member_map_:
        choice.errors["part"] = gettext("Choose a channel or a location type.")
    size = (request.args.get("size") or "")[:12] or None
    location = (request.args.get("location") or "")[:MAX_CODE] or None
    entries = [] if choice.errors else overstock_pages.garments_behind(
        db(), season=season, style=style_number, as_of=choice.as_of, figure=Figure(figure_text), size=size,
        location=location, part=part)
    return render_template("overstock/garments.html", choice=choice, season=season, style_number=style_number,
                           figure=figure_text, part=part, size=size, location=location,
                           entries=entries), 422 if choice.errors else 200


@bp.get("/overstock.csv")
@allow(*MERCH)
def export_csv() -> Any:
    return _export("csv")


@bp.get("/overstock.xlsx")
@allow(*MERCH)
def export_xlsx() -> Any:
    return _export("xlsx")


def _export(kind: str) -> Any:
    choice = read_choice()
    result = _review(choice)
    if result is None:
        return render_template("overstock/index.html", choice=choice, review=None, lines=[], flagged=0,
                               pictures=None), 422
    named = [(gettext("Collection"), result.season), (gettext("Review date"), result.as_of.isoformat()),
             (gettext("Rules version"), str(result.rules_version)),
             (gettext("Markdown policy version"), str(result.policy_version)),
             (gettext("Exported"), format_datetime(now(), "medium"))]
    rows = [line.as_dict(gettext) for line in result.lines]
    body = export.as_xlsx(named, rows) if kind == "xlsx" else export.as_csv(named, rows)
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if kind == "xlsx"
                else "text/csv; charset=utf-8")
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="cksloop-overstock-{result.season}-{result.as_of.isoformat()}.{kind}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
