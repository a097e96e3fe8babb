"""The charter report for merchandisers and admins: the year's figures beside the year before, the
list behind each figure, a CSV for the report writer, and the material targets per season."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.domain.charter import FlaggedMaterial, Half, parse_year
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import Role
from cksloop.domain.rental_quality import csv_cell
from cksloop.services import charter
from cksloop.services.charter import materials
from cksloop.web.charter.forms import TargetsForm
from cksloop.web.charter.labels import SECTION_TITLES, figure_label, unit_text
from cksloop.web.charter.sentences import all_sentences
from cksloop.web.database import db, now
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow

bp = Blueprint("charter", __name__)
MERCH = (Role.MERCHANDISER, Role.ADMIN)
PER_PAGE = 50
MAX_PAGE = 100_000


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"figure_label": figure_label, "unit_text": unit_text, "section_titles": SECTION_TITLES,
            "garment_url": garment_url, "materials": list(FlaggedMaterial), "halves": list(Half),
            "drill_key": drill_key}


def drill_key(figure: charter.Figure) -> str:
    """The figure key of the list a figure drills into (a measured figure names the list it is measured on)."""
    return (figure.drill or "").rsplit("/", 1)[-1].split("?", 1)[0]


def _year() -> tuple[int | None, str | None]:
    try:
        return parse_year(request.args.get("year"), today=local_date(now())), None
    except InvalidDetails as error:
        return None, gettext(error.field_errors["year"])


@bp.route("/reports/charter")
@allow(*MERCH)
def report() -> Any:
    year, error = _year()
    if year is None:
        return render_template("charter/report.html", year=None, error=error,
                               asked=request.args.get("year", "")[:20]), 422
    found = charter.build_report(db(), year=year, now=now())
    seasons = [h.season(y) for y in (year, year - 1) for h in Half]
    return render_template("charter/report.html", year=year, error=None, report=found,
                           sentences=all_sentences(found) if found.has_data else {},
                           targets=materials.targets(db(), seasons))


@bp.route("/reports/charter.csv")
@allow(*MERCH)
def report_csv() -> Any:
    year, error = _year()
    if year is None:
        return Response(error or "", status=422, mimetype="text/plain")
    found = charter.build_report(db(), year=year, now=now())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Charter report"), year])
    writer.writerow([gettext("Section"), gettext("Figure"), gettext("Key"), gettext("Value"), gettext("Unit"),
                     gettext("Previous year")])
    for section, figures in found.sections.items():
        for key, figure in figures.items():
            writer.writerow([csv_cell(str(SECTION_TITLES[section])), csv_cell(figure_label(key)), f"{section}.{key}",
                             figure.value, figure.unit, "" if figure.previous is None else figure.previous])
    body = ("\ufeff" + out.getvalue()).encode("utf-8")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="charter-report-{year}.csv"'})


@bp.route("/reports/charter/drill/<section>/<figure>")
@allow(*MERCH)
def drill(section: str, figure: str) -> Any:
    year, error = _year()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE else None
    if year is None or page_no is None:
        return render_template("charter/drill.html", error=error or gettext("Not a page number."), found=None,
                               section=section, figure=figure, year=year), 422
    try:
        found = charter.drill(db(), year=year, section=section, figure=figure, page=page_no, per_page=PER_PAGE)
    except NotFound:
        return render_template("charter/drill.html", error=gettext("The report has no such figure."), found=None,
                               section=section, figure=figure, year=year), 404
    seen = request.args.get("seen", "")
    changed = seen.isascii() and seen.isdigit() and int(seen) != found.count
    return render_template("charter/drill.html", error=None, found=found, section=section, figure=figure,
                           year=year, seen=seen if changed else None)


@bp.route("/reports/charter/targets", methods=["GET", "POST"])
@allow(*MERCH)
def targets() -> Any:
    form = TargetsForm()
    if request.method == "GET":
        season = (request.args.get("season") or "").upper()[:4]
        form.season.data = season or Half.SUMMER.season(local_date(now()).year)
        current = materials.targets(db(), [form.season.data])
        for material in FlaggedMaterial:
            pct = current.get((form.season.data, material))
            getattr(form, material.value).data = "" if pct is None else str(pct)
        return render_template("charter/targets.html", form=form)
    if not form.validate_on_submit():
        return render_template("charter/targets.html", form=form), 422
    try:
        materials.set_targets(db(), season=form.season.data, actor_id=current_user.user.id, now=now(),
                              values={m.value: getattr(form, m.value).data for m in FlaggedMaterial})
    except InvalidDetails as error:
        for name, message in error.field_errors.items():
            field = getattr(form, name)
            field.errors = [*field.errors, gettext(message)]
        return render_template("charter/targets.html", form=form), 422
    flash(gettext("Targets saved for %(season)s.", season=form.season.data), "success")
    return redirect(url_for("charter.targets", season=form.season.data))
