"""Rental pages for care (cleaning, repair) and the defect photos the inspections keep."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.db.queries import active_locations
from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.services import rentals
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import state_label
from cksloop.web.rentals import forms
from cksloop.web.rentals.blueprint import PER_PAGE, RENTAL_STAFF, bp, page_arg
from cksloop.web.rentals.routes import add_error, garment_or_404, not_now, problem_of, status_of


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
    garment = garment_or_404(session, code)
    form = forms.FinishCareForm()
    problem, status = None, 200
    if garment.state is not GarmentState.IN_CARE:
        problem, status = problem_of(not_now(garment, Action.FINISH_CARE)), 409
    elif request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                cost = form.cost_cents()
            except ValueError as error:
                add_error(form.cost, str(error))
            else:
                try:
                    result = rentals.finish_care(session, code=garment.code, outcome=form.outcome.data,
                                                 cost_cents=cost, note=form.note.data or "",
                                                 actor=current_user.user, now=now())
                except InvalidDetails as error:
                    for name, message in error.field_errors.items():
                        add_error(form.cost if name == "cost_cents" else getattr(form, name, form.note),
                                   gettext(message))
                except DomainError as error:
                    problem, status = problem_of(error), status_of(error)
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
    garment = garment_or_404(session, code)
    form = forms.StartCareForm()
    problem, status = None, 200
    if garment.state not in (GarmentState.IN_STOCK, GarmentState.IN_RENTAL_POOL, GarmentState.AWAITING_INSPECTION):
        problem, status = problem_of(not_now(garment, Action.START_CARE)), 409
    elif request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                rentals.start_care(session, code=garment.code, care_kind=form.care_kind.data,
                                   note=form.note.data or "", actor=current_user.user, now=now())
            except InvalidDetails as error:
                for name, message in error.field_errors.items():
                    add_error(getattr(form, name, form.note), gettext(message))
            except DomainError as error:
                problem, status = problem_of(error), status_of(error)
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
