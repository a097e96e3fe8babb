"""Rental pages for the pool and check-out: adding, taking out, lending a garment to a partner."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from flask_login import current_user

from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.services import rentals
from cksloop.domain.clock import local_date
from cksloop.web.database import db, now
from cksloop.web.fields import option
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.rentals import forms
from cksloop.web.rentals.blueprint import PER_PAGE, RENTAL_STAFF, bp, page_arg, partner_arg
from cksloop.web.rentals.routes import (add_error, code_from_scan, error_text, garment_or_404,
                                        hidden_field_errors, not_now, problem_of, status_of)


# --- the pool ----------------------------------------------------------------------------------


def partner_choices(placeholder: str) -> list[Any]:
    return [option("", placeholder)] + [option(str(p.id), p.name) for p in rentals.list_partners(db())]


def _render_pool(add_form: forms.AddToPoolForm | None = None, status: int = 200) -> Any:
    session = db()
    partner_id = partner_arg()
    location = (request.args.get("location") or "").strip()[:40] or None
    page = page_arg()
    entries, count = rentals.pool(session, partner_id=partner_id, location_code=location,
                                  limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    add_form = add_form or forms.AddToPoolForm(partner=str(partner_id) if partner_id else "")
    add_form.partner.choices = partner_choices(gettext("any partner"))
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
    form.partner.choices = partner_choices(gettext("any partner"))
    if not form.validate_on_submit():
        return _render_pool(form, 422)
    code, why = code_from_scan(form.code.data)
    if code is None:
        add_error(form.code, why or "")
        return _render_pool(form, 422)
    partner_id = int(form.partner.data) if (form.partner.data or "").isdigit() else None
    try:
        rentals.add_to_pool(db(), code=code, partner_id=partner_id, actor=current_user.user, now=now())
    except DomainError as error:
        add_error(form.code, error_text(error, code))
        return _render_pool(form, status_of(error))
    flash(gettext("%(code)s is in the rental pool.", code=code), "success")
    return redirect(url_for("rentals.pool", **_pool_filters()))



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
        flash(error_text(error, form.code.data), "error")
        return _render_pool(status=status_of(error))
    flash(gettext("%(code)s is back in stock, out of the rental pool.", code=form.code.data), "success")
    return redirect(url_for("rentals.pool", **_pool_filters()))


# --- check-out ---------------------------------------------------------------------------------


@bp.route("/rentals/<code>/check-out", methods=["GET", "POST"])
@allow(*RENTAL_STAFF)
def check_out_form(code: str) -> Any:
    session = db()
    garment = garment_or_404(session, code)
    partners_ = rentals.list_partners(session)
    form = forms.CheckOutForm()
    form.partner.choices = partner_choices(gettext("choose"))
    today = local_date(now())
    problem, status = None, 200
    if garment.state is not GarmentState.IN_RENTAL_POOL:
        problem, status = problem_of(not_now(garment, Action.CHECK_OUT_RENTAL)), 409
    elif request.method == "GET":
        chosen = partners_[0] if len(partners_) == 1 else None
        form.partner.data = str(chosen.id) if chosen else ""
        form.due_on.data = today + dt.timedelta(days=chosen.default_rental_days if chosen else 10)
        form.expected_version.data = garment.version
    if request.method == "POST" and problem is None:
        status = 422
        valid = form.validate_on_submit()
        if not valid and form.expected_version.errors:
            problem = {"message": hidden_field_errors(form)[0], "allowed": None}
        elif valid:
            try:
                rentals.check_out(session, code=garment.code, partner_id=form.partner.data,
                                  due_on=form.due_on.data, partner_reference=form.partner_reference.data or None,
                                  expected_version=form.expected_version.data, actor=current_user.user, now=now())
            except InvalidDetails as error:
                for name, message in error.field_errors.items():
                    add_error(getattr(form, name, form.partner), gettext(message))
            except DomainError as error:
                problem, status = problem_of(error), status_of(error)
            else:
                flash(gettext("%(code)s is rented out, due back on %(date)s.", code=garment.code,
                              date=format_date(form.due_on.data)), "success")
                return redirect(garment_url(garment.code))
    return render_template("rentals/check_out.html", garment=garment, form=form, problem=problem,
                           partners=partners_, show_form=garment.state is GarmentState.IN_RENTAL_POOL), status
