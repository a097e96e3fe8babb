"""Rental pages: partners, the pool, check-out, returns with mandatory inspection, care, photos.

The lists and CSV exports are in cksloop.web.rentals.lists."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date, format_datetime, gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from cksloop.db.models import Garment
from cksloop.db.queries import active_locations
from cksloop.domain.errors import DomainError, IllegalTransition, InvalidDetails, NotFound, VersionConflict
from cksloop.domain.inspection import ReturnReason
from cksloop.domain.lifecycle import Action, GarmentState, allowed_actions
from cksloop.domain.scanning import ScannedLabel, parse_scan
from cksloop.services import defect_photos, rentals
from cksloop.domain.clock import local_date
from cksloop.services.garments import get_garment
from cksloop.web.database import db, now
from cksloop.web.fields import option
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.i18n import action_label, state_label, translate_error
from cksloop.web.rentals import forms
from cksloop.web.rentals.blueprint import MERCH, PER_PAGE, RENTAL_STAFF, bp, page_arg, partner_arg



@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"format_date": format_date, "format_datetime": format_datetime, "today": local_date(now()),
            "garment_url": garment_url}


def _photo_limit() -> int:
    return int(current_app.config.get("RENTAL_PHOTO_MAX_BYTES", defect_photos.MAX_BYTES))


def _problem(error: DomainError) -> dict[str, Any]:
    allowed = error.details.get("allowed_actions")
    return {"message": translate_error(error),
            "allowed": [action_label(a) for a in allowed] if allowed else allowed}


def _status(error: DomainError) -> int:
    if isinstance(error, (IllegalTransition, VersionConflict)):
        return 409
    if isinstance(error, NotFound):
        return 404
    return 422


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def _garment_or_404(session: Session, code: str) -> Garment:
    if len(code) > 40:
        raise NotFound(gettext("No garment with this code."))
    return get_garment(session, code.strip().upper())


def _code_from_scan(raw: str) -> tuple[str | None, str | None]:
    """(garment code, None) for a scanned or typed label, or (None, why not)."""
    outcome = parse_scan(raw or "", base_url=current_app.config["BASE_URL"])
    if isinstance(outcome, ScannedLabel):
        return outcome.code, None
    message = gettext(outcome.message, **outcome.params) if outcome.params else gettext(outcome.message)
    return None, message


# --- overview ----------------------------------------------------------------------------------


@bp.route("/rentals/")
@allow(*RENTAL_STAFF)
def index() -> Any:
    session = db()
    today = local_date(now())
    counts = rentals.pool_counts(session)
    _, n_open = rentals.open_cycles(session, today=today, limit=0)
    _, n_overdue = rentals.open_cycles(session, today=today, overdue_only=True, limit=0)
    _, n_awaiting = rentals.awaiting_inspection(session, limit=0)
    _, n_care = rentals.open_care(session, limit=0)
    return render_template("rentals/index.html", counts=counts, ready=sum(c.ready for c in counts),
                           n_open=n_open, n_overdue=n_overdue, n_awaiting=n_awaiting, n_care=n_care)


# --- partners ----------------------------------------------------------------------------------


@bp.route("/rentals/partners")
@allow(*RENTAL_STAFF)
def partners() -> Any:
    return render_template("rentals/partners.html", partners=rentals.list_partners(db()),
                           locations={loc.id: loc for loc in rentals.partner_locations(db())})


def _partner_form(form: forms.PartnerForm) -> forms.PartnerForm:
    form.location.choices = [option("", gettext("none"))] + [option(loc.code, f"{loc.name} ({loc.city})")
                                                            for loc in rentals.partner_locations(db())]
    return form


def _save_partner(form: forms.PartnerForm, partner_id: int | None) -> Any:
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                values = dict(name=form.name.data, contact_email=form.contact_email.data or "",
                              default_rental_days=form.default_rental_days.data, terms=form.terms.data or "",
                              location_code=form.location.data or None)
                if partner_id is None:
                    partner = rentals.create_partner(db(), **values)
                    flash(gettext("Rental partner %(name)s added.", name=partner.name), "success")
                else:
                    partner = rentals.update_partner(db(), partner_id=partner_id, **values)
                    flash(gettext("Rental partner %(name)s saved.", name=partner.name), "success")
                return redirect(url_for("rentals.partners"))
            except InvalidDetails as error:
                for name, message in error.field_errors.items():
                    field = getattr(form, "location" if name == "location" else name, None)
                    if field is not None:
                        _add_error(field, gettext(message))
    return render_template("rentals/partner_form.html", form=form, partner_id=partner_id), status


@bp.route("/rentals/partners/new", methods=["GET", "POST"])
@allow(*MERCH)
def partner_new() -> Any:
    return _save_partner(_partner_form(forms.PartnerForm()), None)


@bp.route("/rentals/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@allow(*MERCH)
def partner_edit(partner_id: int) -> Any:
    partner = rentals.get_partner(db(), partner_id)
    form = forms.PartnerForm(obj=partner) if request.method == "GET" else forms.PartnerForm()
    if request.method == "GET" and partner.location_id:
        codes = {loc.id: loc.code for loc in rentals.partner_locations(db())}
        form.location.data = codes.get(partner.location_id, "")
    return _save_partner(_partner_form(form), partner_id)


# --- the pool ----------------------------------------------------------------------------------


def _partner_choices(placeholder: str) -> list[Any]:
    return [option("", placeholder)] + [option(str(p.id), p.name) for p in rentals.list_partners(db())]


def _render_pool(add_form: forms.AddToPoolForm | None = None, status: int = 200) -> Any:
    session = db()
    partner_id = partner_arg()
    location = (request.args.get("location") or "").strip()[:40] or None
    page = page_arg()
    entries, count = rentals.pool(session, partner_id=partner_id, location_code=location,
                                  limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    add_form = add_form or forms.AddToPoolForm(partner=str(partner_id) if partner_id else "")
    add_form.partner.choices = _partner_choices(gettext("any partner"))
    return render_template("rentals/pool.html", entries=entries, count=count, page=page, per_page=PER_PAGE,
                           counts=rentals.pool_counts(session), partners=rentals.list_partners(session),
                           partner_id=partner_id, location=location, add_form=add_form,
                           take_out_form=forms.TakeOutForm()), status


@bp.route("/rentals/pool")
@allow(*RENTAL_STAFF)
def pool() -> Any:
    return _render_pool()


def _pool_filters() -> dict[str, Any]:
    return {"partner": partner_arg(), "location": (request.args.get("location") or "")[:40] or None}


@bp.route("/rentals/pool/add", methods=["POST"])
@allow(*RENTAL_STAFF)
def pool_add() -> Any:
    form = forms.AddToPoolForm()
    form.partner.choices = _partner_choices(gettext("any partner"))
    if not form.validate_on_submit():
        return _render_pool(form, 422)
    code, why = _code_from_scan(form.code.data)
    if code is None:
        _add_error(form.code, why or "")
        return _render_pool(form, 422)
    partner_id = int(form.partner.data) if (form.partner.data or "").isdigit() else None
    try:
        rentals.add_to_pool(db(), code=code, partner_id=partner_id, actor=current_user.user, now=now())
    except DomainError as error:
        _add_error(form.code, _error_text(error, code))
        return _render_pool(form, _status(error))
    flash(gettext("%(code)s is in the rental pool.", code=code), "success")
    return redirect(url_for("rentals.pool", **_pool_filters()))


def _error_text(error: DomainError, code: str) -> str:
    if isinstance(error, InvalidDetails):
        return "; ".join(gettext(m) for m in error.field_errors.values())
    return f"{code}: {translate_error(error)}"


@bp.route("/rentals/pool/take-out", methods=["POST"])
@allow(*RENTAL_STAFF)
def pool_take_out() -> Any:
    form = forms.TakeOutForm()
    if not form.validate_on_submit():
        flash(gettext("Choose a garment to take out of the pool."), "error")
        return _render_pool(status=422)
    try:
        rentals.take_out_of_pool(db(), code=form.code.data.strip().upper(), actor=current_user.user, now=now())
    except DomainError as error:
        flash(_error_text(error, form.code.data), "error")
        return _render_pool(status=_status(error))
    flash(gettext("%(code)s is back in stock, out of the rental pool.", code=form.code.data), "success")
    return redirect(url_for("rentals.pool", **_pool_filters()))


# --- check-out ---------------------------------------------------------------------------------


@bp.route("/rentals/<code>/check-out", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def check_out_form(code: str) -> Any:
    session = db()
    garment = _garment_or_404(session, code)
    partners_ = rentals.list_partners(session)
    form = forms.CheckOutForm()
    form.partner.choices = _partner_choices(gettext("choose"))
    today = local_date(now())
    problem, status = None, 200
    if garment.state is not GarmentState.IN_RENTAL_POOL:
        problem, status = _problem(_not_now(garment, Action.CHECK_OUT_RENTAL)), 409
    elif request.method == "GET":
        chosen = partners_[0] if len(partners_) == 1 else None
        form.partner.data = str(chosen.id) if chosen else ""
        form.due_on.data = today + dt.timedelta(days=chosen.default_rental_days if chosen else 10)
        form.expected_version.data = garment.version
    if request.method == "POST" and problem is None:
        status = 422
        valid = form.validate_on_submit()
        if not valid and form.expected_version.errors:
            problem = {"message": _hidden_field_errors(form)[0], "allowed": None}
        elif valid:
            try:
                rentals.check_out(session, code=garment.code, partner_id=form.partner.data,
                                  due_on=form.due_on.data, partner_reference=form.partner_reference.data or None,
                                  expected_version=form.expected_version.data, actor=current_user.user, now=now())
            except InvalidDetails as error:
                for name, message in error.field_errors.items():
                    _add_error(getattr(form, name, form.partner), gettext(message))
            except DomainError as error:
                problem, status = _problem(error), _status(error)
            else:
                flash(gettext("%(code)s is rented out, due back on %(date)s.", code=garment.code,
                              date=format_date(form.due_on.data)), "success")
                return redirect(garment_url(garment.code))
    return render_template("rentals/check_out.html", garment=garment, form=form, problem=problem,
                           partners=partners_, show_form=garment.state is GarmentState.IN_RENTAL_POOL), status


def _not_now(garment: Garment, action: Action) -> IllegalTransition:
    return IllegalTransition(action=action.value, state=garment.state.value if garment.state else None,
                             allowed=[a.value for a in allowed_actions(garment.state, current_user.role)])


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
    garment = _garment_or_404(session, code)
    returning = action is Action.RETURN_RENTAL
    needed = GarmentState.RENTED_OUT if returning else GarmentState.AWAITING_INSPECTION
    first = returning or (garment.state is needed and rentals.needs_reason(session, garment.id))
    form = forms.InspectionForm()
    form.restrict_reasons(allow_lost=returning, required=first)
    problem, status, form_errors = None, 200, []
    if garment.state is not needed:
        problem, status = _problem(_not_now(garment, action)), 409
    elif request.method == "GET":
        form.expected_version.data = garment.version
    elif "add_row" in request.form:
        # the no-script way to get another defect line: nothing is written
        if len(form.defects) < forms.MAX_DEFECT_ROWS:
            form.defects.append_entry()
    else:
        status = 422
        if not form.validate_on_submit():
            form_errors = _hidden_field_errors(form)
        else:
            details, photos, rows = _inspection_details(form, first=first)
            if not _has_errors(form):
                try:
                    upload_dir = current_app.config["UPLOAD_DIR"]
                    record = rentals.record_return if returning else rentals.record_inspection
                    result = record(session, code=garment.code, details=details, photos=photos,
                                    upload_dir=upload_dir, max_photo_bytes=_photo_limit(),
                                    expected_version=form.expected_version.data, actor=current_user.user, now=now())
                except InvalidDetails as error:
                    form_errors = _place_errors(form, error.field_errors, rows)
                except DomainError as error:
                    problem, status = _problem(error), _status(error)
                else:
                    flash(_graded_message(garment.code, result.details, GarmentState(result.state)), "success")
                    # a box of returns is graded one after the other: back to the ones still waiting
                    return redirect(garment_url(garment.code) if returning else url_for("rentals.receive"))
    return render_template("rentals/inspection.html", garment=garment, form=form, action=action, first=first,
                           problem=problem, form_errors=form_errors, show_form=garment.state is needed,
                           photo_limit_mb=max(1, _photo_limit() // (1024 * 1024))), status


def _hidden_field_errors(form: Any) -> list[str]:
    """Refusals of fields nobody sees (a tampered version number): said at the top of the form."""
    if form.expected_version.errors:
        return [gettext("The form was changed on its way: reload the page and try again.")]
    return []


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
        _add_error(form.reason, gettext("Say why the rental ended."))
    lost = form.reason.data == ReturnReason.LOST.value
    if form.grade.data:
        details["grade"] = form.grade.data
    elif not lost:
        _add_error(form.grade, gettext("Choose a grade: every return is inspected."))
    if form.grade.data == "E":
        details["retire_route"] = form.retire_route.data or None
    defects: list[dict[str, Any]] = []
    photos: dict[int, bytes] = {}
    rows: dict[int, int] = {}
    limit = _photo_limit()
    for i, entry in enumerate(form.defects):
        row = entry.form
        if row.is_blank():
            continue
        if not row.code.data:
            _add_error(row.code, gettext("Choose the defect, or clear this line."))
        if not row.zone.data:
            _add_error(row.zone, gettext("Say where on the garment."))
        if not row.severity.data:
            _add_error(row.severity, gettext("Choose how bad it is (1–5)."))
        rows[len(defects)] = i
        defects.append({"code": row.code.data, "zone": row.zone.data,
                        "severity": int(row.severity.data) if (row.severity.data or "").isdigit() else None,
                        "note": row.note.data or ""})
        upload = row.photo.data
        if upload is not None and getattr(upload, "filename", None):
            data = upload.read(limit + 1)
            if len(data) > limit:
                _add_error(row.photo, gettext("The photo is too large (at most %(mb)s MB).",
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
            _add_error(getattr(row, parts[2] if len(parts) > 2 else "code", row.code), text)
        elif key == "grade":
            _add_error(form.grade, gettext("Choose a grade: every return is inspected."))
        elif key in ("reason", "retire_route", "note", "defects"):
            if key == "defects":
                left.append(text)
            else:
                _add_error(getattr(form, key), text)
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
            code, why = _code_from_scan(form.code.data)
            if code is None:
                # name what was read: the field is emptied for the next scan
                _add_error(form.code, gettext("%(read)s: %(reason)s", read=form.code.data.strip()[:40],
                                              reason=why or ""))
            else:
                try:
                    rentals.receive_return(session, code=code, actor=current_user.user, now=now())
                except DomainError as error:
                    _add_error(form.code, _error_text(error, code))
                    status = _status(error)
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


# --- care --------------------------------------------------------------------------------------


@bp.route("/rentals/care")
@allow(*RENTAL_STAFF)
def care() -> Any:
    page = page_arg()
    # filtered by location like the pool and the other lists
    location = (request.args.get("location") or "")[:40] or None
    steps, count = rentals.open_care(db(), location_code=location, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("rentals/care.html", steps=steps, count=count, page=page, per_page=PER_PAGE,
                           location=location, locations=active_locations(db()))


@bp.route("/rentals/<code>/care/finish", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def care_finish(code: str) -> Any:
    session = db()
    garment = _garment_or_404(session, code)
    form = forms.FinishCareForm()
    problem, status = None, 200
    if garment.state is not GarmentState.IN_CARE:
        problem, status = _problem(_not_now(garment, Action.FINISH_CARE)), 409
    elif request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                cost = form.cost_cents()
            except ValueError as error:
                _add_error(form.cost, str(error))
            else:
                try:
                    result = rentals.finish_care(session, code=garment.code, outcome=form.outcome.data,
                                                 cost_cents=cost, note=form.note.data or "",
                                                 actor=current_user.user, now=now())
                except InvalidDetails as error:
                    for name, message in error.field_errors.items():
                        _add_error(form.cost if name == "cost_cents" else getattr(form, name, form.note),
                                   gettext(message))
                except DomainError as error:
                    problem, status = _problem(error), _status(error)
                else:
                    if result.state == GarmentState.AWAITING_INSPECTION.value:
                        flash(gettext("%(code)s: the care failed. Grade it again; D or E takes it out of rental.",
                                      code=garment.code), "info")
                        return redirect(url_for("rentals.inspect_form", code=garment.code))
                    flash(gettext("%(code)s: care done, now %(state)s.", code=garment.code,
                                  state=state_label(GarmentState(result.state))), "success")
                    return redirect(url_for("rentals.care"))
    return render_template("rentals/care_finish.html", garment=garment, form=form, problem=problem), status


@bp.route("/rentals/<code>/care/start", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def care_start(code: str) -> Any:
    session = db()
    garment = _garment_or_404(session, code)
    form = forms.StartCareForm()
    problem, status = None, 200
    if garment.state not in (GarmentState.IN_STOCK, GarmentState.IN_RENTAL_POOL, GarmentState.AWAITING_INSPECTION):
        problem, status = _problem(_not_now(garment, Action.START_CARE)), 409
    elif request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                rentals.start_care(session, code=garment.code, care_kind=form.care_kind.data,
                                   note=form.note.data or "", actor=current_user.user, now=now())
            except InvalidDetails as error:
                for name, message in error.field_errors.items():
                    _add_error(getattr(form, name, form.note), gettext(message))
            except DomainError as error:
                problem, status = _problem(error), _status(error)
            else:
                flash(gettext("%(code)s is in care.", code=garment.code), "success")
                return redirect(url_for("rentals.care"))
    return render_template("rentals/care_start.html", garment=garment, form=form, problem=problem), status


# --- defect photos -----------------------------------------------------------------------------


@bp.route("/rentals/photos/<int:photo_id>")
@allow(*RENTAL_STAFF)  # the rights of the pages that show it (inspections, attention points)
def defect_photo(photo_id: int) -> Any:
    record, path = rentals.photo(db(), photo_id, upload_dir=current_app.config["UPLOAD_DIR"])
    response = send_file(path, mimetype=record.content_type, as_attachment=False,
                         download_name=f"defect-{record.id}.jpg", max_age=0, conditional=True)
    # only ever a picture: no sniffing, no script, no framing, never kept by a browser or proxy
    response.headers["Content-Disposition"] = f'inline; filename="defect-{record.id}.jpg"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response

