"""Rental pages for what comes back: return, inspection with defects and photos, the receive desk."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.inspection import ReturnReason
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.services import rentals
from cksloop.web.database import db, now
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.i18n import state_label
from cksloop.web.rentals import forms
from cksloop.web.rentals.blueprint import PER_PAGE, RENTAL_STAFF, bp, page_arg
from cksloop.web.rentals.routes import (add_error, code_from_scan, error_text, garment_or_404,
                                        hidden_field_errors, not_now, photo_limit, problem_of, status_of)


# --- return and inspection ---------------------------------------------------------------------


@bp.route("/rentals/<code>/return", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def return_form(code: str) -> Any:
    return _grading_screen(code, Action.RETURN_RENTAL)


@bp.route("/rentals/<code>/inspect", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def inspect_form(code: str) -> Any:
    return _grading_screen(code, Action.INSPECT)


def _grading_screen(code: str, action: Action) -> Any:
    session = db()
    garment = garment_or_404(session, code)
    returning = action is Action.RETURN_RENTAL
    needed = GarmentState.RENTED_OUT if returning else GarmentState.AWAITING_INSPECTION
    first = returning or (garment.state is needed and rentals.needs_reason(session, garment.id))
    form = forms.InspectionForm()
    form.restrict_reasons(allow_lost=returning, required=first)
    problem, status, form_errors = None, 200, []
    if garment.state is not needed:
        problem, status = problem_of(not_now(garment, action)), 409
    elif request.method == "GET":
        form.expected_version.data = garment.version
    elif "add_row" in request.form:
        # the no-script way to get another defect line: nothing is written
        if len(form.defects) < forms.MAX_DEFECT_ROWS:
            form.defects.append_entry()
    else:
        status = 422
        if not form.validate_on_submit():
            form_errors = hidden_field_errors(form)
        else:
            details, photos, rows = _inspection_details(form, first=first)
            if not _has_errors(form):
                try:
                    upload_dir = current_app.config["UPLOAD_DIR"]
                    record = rentals.record_return if returning else rentals.record_inspection
                    result = record(session, code=garment.code, details=details, photos=photos,
                                    upload_dir=upload_dir, max_photo_bytes=photo_limit(),
                                    expected_version=form.expected_version.data, actor=current_user.user, now=now())
                except InvalidDetails as error:
                    form_errors = _place_errors(form, error.field_errors, rows)
                except DomainError as error:
                    problem, status = problem_of(error), status_of(error)
                else:
                    flash(_graded_message(garment.code, result.details, GarmentState(result.state)), "success")
                    # a box of returns is graded one after the other: back to the ones still waiting
                    return redirect(garment_url(garment.code) if returning else url_for("rentals.receive"))
    return render_template("rentals/inspection.html", garment=garment, form=form, action=action, first=first,
                           problem=problem, form_errors=form_errors, show_form=garment.state is needed,
                           photo_limit_mb=max(1, photo_limit() // (1024 * 1024))), status


def _has_errors(form: forms.InspectionForm) -> bool:
    return any(f.errors for f in (form.reason, form.grade, form.retire_route, form.note)) or any(
        sub.errors for row in form.defects for sub in row.form)


def _inspection_details(form: forms.InspectionForm, *, first: bool
                        ) -> tuple[dict[str, Any], dict[int, bytes], dict[int, int]]:
    """The details for the lifecycle, the photos by defect index, and defect index → form row."""
    details: dict[str, Any] = {"note": form.note.data or ""}
    if form.reason.data:
        details["reason"] = form.reason.data
    elif first:
        add_error(form.reason, gettext("Say why the rental ended."))
    lost = form.reason.data == ReturnReason.LOST.value
    if form.grade.data:
        details["grade"] = form.grade.data
    elif not lost:
        add_error(form.grade, gettext("Choose a grade: every return is inspected."))
    if form.grade.data == "E":
        details["retire_route"] = form.retire_route.data or None
    defects: list[dict[str, Any]] = []
    photos: dict[int, bytes] = {}
    rows: dict[int, int] = {}
    limit = photo_limit()
    for i, entry in enumerate(form.defects):
        row = entry.form
        if row.is_blank():
            continue
        if not row.code.data:
            add_error(row.code, gettext("Choose the defect, or clear this line."))
        if not row.zone.data:
            add_error(row.zone, gettext("Say where on the garment."))
        if not row.severity.data:
            add_error(row.severity, gettext("Choose how bad it is (1–5)."))
        rows[len(defects)] = i
        defects.append({"code": row.code.data, "zone": row.zone.data,
                        "severity": int(row.severity.data) if (row.severity.data or "").isdigit() else None,
                        "note": row.note.data or ""})
        upload = row.photo.data
        if upload is not None and getattr(upload, "filename", None):
            data = upload.read(limit + 1)
            if len(data) > limit:
                add_error(row.photo, gettext("The photo is too large (at most %(mb)s MB).",
                                              mb=max(1, limit // (1024 * 1024))))
            else:
                photos[len(defects) - 1] = data
    details["defects"] = defects
    return details, photos, rows


def _place_errors(form: forms.InspectionForm, field_errors: dict[str, str], rows: dict[int, int]) -> list[str]:
    """Put each refusal next to its field; what has no field is returned for the top of the form."""
    left: list[str] = []
    for key, message in field_errors.items():
        text = gettext(message)
        parts = key.split(".")
        if parts[0] == "defects" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in rows:
            row = form.defects[rows[int(parts[1])]].form
            add_error(getattr(row, parts[2] if len(parts) > 2 else "code", row.code), text)
        elif key == "grade":
            add_error(form.grade, gettext("Choose a grade: every return is inspected."))
        elif key in ("reason", "retire_route", "note", "defects"):
            if key == "defects":
                left.append(text)
            else:
                add_error(getattr(form, key), text)
        else:
            left.append(text)
    return left


def _graded_message(code: str, details: dict[str, Any], state: GarmentState) -> str:
    grade = details.get("grade")
    if grade:
        return gettext("%(code)s graded %(grade)s: now %(state)s.", code=code, grade=grade, state=state_label(state))
    return gettext("%(code)s: now %(state)s.", code=code, state=state_label(state))


# --- receiving a box of returns ----------------------------------------------------------------


@bp.route("/rentals/receive", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def receive() -> Any:
    session = db()
    form = forms.CodeForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            code, why = code_from_scan(form.code.data)
            if code is None:
                # name what was read: the field is emptied for the next scan
                add_error(form.code, gettext("%(read)s: %(reason)s", read=form.code.data.strip()[:40],
                                              reason=why or ""))
            else:
                try:
                    rentals.receive_return(session, code=code, actor=current_user.user, now=now())
                except DomainError as error:
                    add_error(form.code, error_text(error, code))
                    status = status_of(error)
                else:
                    flash(gettext("%(code)s received: awaiting inspection.", code=code), "success")
                    return redirect(url_for("rentals.receive"))
    page = page_arg()
    waiting, count = rentals.awaiting_inspection(session, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    # after any verdict the field is empty (and focused): the next scan must not be glued onto a
    # refused one; the error above names the refused code
    form.code.data = ""
    return render_template("rentals/receive.html", form=form, waiting=waiting, count=count, page=page,
                           per_page=PER_PAGE), status
