"""Rental quality analytics for merchandisers: figures, attention points, the report's statement."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, gettext, ngettext
from flask_login import current_user

from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.inspection import DefectCode
from cksloop.domain.lifecycle import Role
from cksloop.domain.rental_quality import (ATTENTION_REASONS, Period, Statement, Thresholds, parse_period,
                                           parse_thresholds)
from cksloop.services import rental_attention, rental_reports, rentals
from cksloop.web.database import db, now
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.i18n import number, percent
from cksloop.web.reports.forms import AcknowledgeForm

bp = Blueprint("reports", __name__)
MERCH = (Role.MERCHANDISER, Role.ADMIN)
DIMENSIONS = ("style", "material", "supplier", "season")
ROWS_SHOWN = 50  # per table; the whole list on request (a chain has thousands of styles)
POINTS_PER_PAGE = 20


def default_thresholds() -> Thresholds:
    """The site's attention thresholds (configurable with the RENTAL_ATTENTION_* settings)."""
    c = current_app.config
    base = Thresholds()
    return Thresholds(
        min_quality_returns=int(c.get("RENTAL_ATTENTION_MIN_QUALITY_RETURNS", base.min_quality_returns)),
        min_defects=int(c.get("RENTAL_ATTENTION_MIN_DEFECTS", base.min_defects)),
        min_quality_rate=c.get("RENTAL_ATTENTION_MIN_QUALITY_RATE", base.min_quality_rate),
        min_returns_for_rate=int(c.get("RENTAL_ATTENTION_MIN_RETURNS_FOR_RATE", base.min_returns_for_rate)))


def statement_text(statement: Statement) -> str:
    """The statement in the reader's language (the same parts as ``Statement.render``)."""
    reasons = ", ".join(f"{DefectCode.label_of(code)}"
                        f" ({n})" for code, n in statement.reasons) or gettext("none")
    return gettext("%(from)s to %(to)s: %(garments)s, %(cycles)s, %(returns)s (reasons: %(reasons)s)",
                   **{"from": format_date(statement.period.from_on, "medium"),
                      "to": format_date(statement.period.to_on, "medium"),
                      "garments": ngettext("%(num)d garment", "%(num)d garments", statement.garments),
                      "cycles": ngettext("%(num)d rental cycle", "%(num)d rental cycles", statement.cycles),
                      "returns": ngettext("%(num)d quality return", "%(num)d quality returns",
                                          statement.quality_returns),
                      "reasons": reasons})


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"format_date": format_date, "format_datetime": format_datetime, "statement_text": statement_text,
            "garment_url": garment_url,
            "reason_texts": ATTENTION_REASONS, "percent": percent, "days": _days}


def _days(value: float) -> str:
    return number(value, 1)  # "763,9" in Dutch and French


def _query() -> tuple[Period | None, int | None, Thresholds | None, dict[str, str]]:
    errors: dict[str, str] = {}
    period = thresholds = None
    try:
        period = parse_period(request.args.get("from"), request.args.get("to"), today=local_date(now()))
    except InvalidDetails as error:
        errors.update(error.field_errors)
    try:
        thresholds = parse_thresholds(request.args, default_thresholds())
    except InvalidDetails as error:
        errors.update(error.field_errors)
    partner = request.args.get("partner", type=int)
    return period, partner if partner and partner > 0 else None, thresholds, {k: gettext(v) for k, v in errors.items()}


@bp.route("/reports/rental-quality")
@allow(*MERCH)
def rental_quality() -> Any:
    period, partner_id, thresholds, errors = _query()
    report = points = None
    if period is not None and thresholds is not None:
        report = rental_reports.quality_report(db(), period=period, now=now(), partner_id=partner_id)
        if partner_id is None:
            points = rental_attention.attention_points(db(), period=period, now=now(), thresholds=thresholds,
                                                     report=report, per_page=10, with_evidence=False)
    show_all = request.args.get("all") if request.args.get("all") in DIMENSIONS else None
    return render_template("reports/rental_quality.html", report=report, points=points, errors=errors,
                           period=period, partner_id=partner_id, partners=rentals.list_partners(db()),
                           thresholds=thresholds or default_thresholds(), dimensions=DIMENSIONS,
                           show_all=show_all, rows_shown=ROWS_SHOWN), 422 if errors else 200


@bp.route("/reports/rental-quality/attention", methods=["GET"])
@allow(*MERCH)
def attention() -> Any:
    return _render_attention(None)


def _render_attention(form: AcknowledgeForm | None, status: int = 200) -> Any:
    period, _partner, thresholds, errors = _query()
    points = None
    if period is not None and thresholds is not None:
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
        points = rental_attention.attention_points(db(), period=period, now=now(), thresholds=thresholds,
                                                 page=page, per_page=POINTS_PER_PAGE)
    return render_template("reports/attention.html", points=points, errors=errors, period=period,
                           thresholds=thresholds or default_thresholds(), posted=form,
                           form=AcknowledgeForm()), 422 if errors else status


@bp.route("/reports/rental-quality/attention", methods=["POST"])
@allow(*MERCH)
def acknowledge() -> Any:
    form = AcknowledgeForm()
    period, _partner, _thresholds, errors = _query()
    if period is None or not form.validate_on_submit():
        return _render_attention(form, 422)
    try:
        rental_attention.acknowledge(db(), kind=form.kind.data, key=form.key.data, note=form.note.data,
                                   actor=current_user.user, now=now(), period=period)
    except InvalidDetails as error:
        for name, message in error.field_errors.items():
            field = getattr(form, name, form.note)
            field.errors = [*field.errors, gettext(message)]
        return _render_attention(form, 422)
    flash(gettext("Noted for the next collection: %(key)s.", key=form.key.data), "success")
    return redirect(url_for("reports.attention", **{k: v for k, v in request.args.items()}))
