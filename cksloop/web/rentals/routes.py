"""Rental pages: the overview and partners, and the helpers every rentals page module shares.

The pool and check-out are in pool.py, returns and inspection in returns.py, care and photos in
care.py, the lists and CSV exports in lists.py."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from cksloop.db.models import Garment
from cksloop.domain.errors import DomainError, IllegalTransition, InvalidDetails, NotFound, VersionConflict
from cksloop.domain.lifecycle import Action, allowed_actions
from cksloop.domain.scanning import ScannedLabel, parse_scan
from cksloop.services import defect_photos, rentals
from cksloop.domain.clock import local_date
from cksloop.services.garments import get_garment
from cksloop.web.database import db, now
from cksloop.web.fields import option
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.i18n import action_label, translate_error
from cksloop.web.rentals import forms
from cksloop.web.rentals.blueprint import MERCH, RENTAL_STAFF, bp


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"format_date": format_date, "format_datetime": format_datetime, "today": local_date(now()),
            "garment_url": garment_url}


def photo_limit() -> int:
    return int(current_app.config.get("RENTAL_PHOTO_MAX_BYTES", defect_photos.MAX_BYTES))


def problem_of(error: DomainError) -> dict[str, Any]:
    allowed = error.details.get("allowed_actions")
    return {"message": translate_error(error),
            "allowed": [action_label(a) for a in allowed] if allowed else allowed}


def status_of(error: DomainError) -> int:
    if isinstance(error, (IllegalTransition, VersionConflict)):
        return 409
    if isinstance(error, NotFound):
        return 404
    return 422


def add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def garment_or_404(session: Session, code: str) -> Garment:
    if len(code) > 40:
        raise NotFound(gettext("No garment with this code."))
    return get_garment(session, code.strip().upper())


def code_from_scan(raw: str) -> tuple[str | None, str | None]:
    """(garment code, None) for a scanned or typed label, or (None, why not)."""
    outcome = parse_scan(raw or "", base_url=current_app.config["BASE_URL"])
    if isinstance(outcome, ScannedLabel):
        return outcome.code, None
    message = gettext(outcome.message, **outcome.params) if outcome.params else gettext(outcome.message)
    return None, message


def error_text(error: DomainError, code: str) -> str:
    if isinstance(error, InvalidDetails):
        return "; ".join(gettext(m) for m in error.field_errors.values())
    return f"{code}: {translate_error(error)}"


def not_now(garment: Garment, action: Action) -> IllegalTransition:
    return IllegalTransition(action=action.value, state=garment.state.value if garment.state else None,
                             allowed=[a.value for a in allowed_actions(garment.state, current_user.role)])


def hidden_field_errors(form: Any) -> list[str]:
    """Refusals of fields nobody sees (a tampered version number): said at the top of the form."""
    if form.expected_version.errors:
        return [gettext("The form was changed on its way: reload the page and try again.")]
    return []


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
                        add_error(field, gettext(message))
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
