"""Buyer lot pages: the list by status, declaring a lot with a batch scan, its page, and each step.

Every write goes through services.buyer_lots (the ledger); a refusal re-renders the form, filled,
with the reason (and for a contract, the rule and the version), and nothing is written."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from cksloop.domain.buyer_contracts import ProofKind
from cksloop.db import queries
from cksloop.domain.buyer_lots import JOINABLE_PLACES, GarmentCannotJoin, LotStatus, Shipment
from cksloop.domain.clock import local_date
from cksloop.domain.destinations import EndUse
from cksloop.domain.errors import DomainError, InvalidDetails, NotFound
from cksloop.domain.lifecycle import GarmentState
from cksloop.domain.scanning import ScannedLabel, parse_scan
from cksloop.services import buyer_lots, buyer_screens, buyers
from cksloop.web.buyers import forms
from cksloop.web.buyers.blueprint import BUYER_STAFF, add_error, bp, country_name, put_errors, refusal
from cksloop.web.database import db, now
from cksloop.web.fields import option
from cksloop.web.guards import allow
from cksloop.web.i18n import gettext as translate, state_label


@bp.get("/buyers/lots")
@allow(*BUYER_STAFF)
def lots() -> Any:
    status = None
    wanted = request.args.get("status", "")
    if wanted:
        try:
            status = LotStatus(wanted)
        except ValueError:
            flash(gettext("There is no lot status “%(status)s”; all lots are shown.", status=wanted[:40]), "error")
    return render_template("buyers/lots.html", lines=buyer_screens.lot_lines(db(), status=status),
                           status=status, statuses=list(LotStatus), counts=buyer_screens.status_counts(db()),
                           max_list=buyer_screens.MAX_LIST)


def _codes(field: forms.ScansField) -> tuple[list[str], list[str]]:
    """(garment codes, what could not be read as a label) from the scanned lines, in scan order."""
    codes, unreadable = [], []
    for line in field.lines():
        outcome = parse_scan(line, base_url=current_app.config["BASE_URL"])
        if isinstance(outcome, ScannedLabel):
            codes.append(outcome.code)
        else:
            unreadable.append(line[:60])
    return list(dict.fromkeys(codes)), unreadable


def _refused_garments(error: GarmentCannotJoin) -> list[dict[str, Any]]:
    return [{"code": r["code"], "state": state_label(r["state"]) if r["state"] else state_label(None),
             "reason": translate(str(r["reason"]), garment=r["code"], state=state_label(r["state"]))}
            for r in error.details["garments"]]


def _scan_problem(form: Any, unreadable: list[str]) -> bool:
    if unreadable:
        form.scans.errors = [*form.scans.errors, gettext("Not a garment label: %(lines)s",
                                                         lines=", ".join(unreadable))]
        return True
    if len(form.scans.lines()) > forms.MAX_SCANS:
        form.scans.errors = [*form.scans.errors, gettext("At most 2,000 garments at a time.")]
        return True
    return False


@bp.route("/buyers/lots/new", methods=["GET", "POST"])
@allow(*BUYER_STAFF)
def new_lot() -> Any:
    session = db()
    form = forms.LotForm()
    all_buyers = buyers.list_buyers(session)
    form.buyer.choices = [option("", gettext("choose the buyer"))] + [option(str(b.id), b.name) for b in all_buyers]
    named = sorted(((country_name(c), c) for c in buyer_screens.country_codes()), key=lambda p: p[0])
    form.destination_country.choices = [option("", gettext("choose the country"))] + \
        [option(code, name) for name, code in named]
    if request.method == "GET":
        form.buyer.data = request.args.get("buyer", "")[:12]
        form.planned_ship_on.data = local_date(now())
    problem: dict[str, Any] | None = None
    refused: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            codes, unreadable = _codes(form.scans)
            if not form.buyer.data.isdigit():
                add_error(form.buyer, gettext("Choose the buyer."))
            elif not _scan_problem(form, unreadable):
                try:
                    lot_id = buyer_lots.create_lot(
                        session, buyer_id=int(form.buyer.data), destination_country=form.destination_country.data,
                        end_use=EndUse(form.end_use.data), planned_ship_on=form.planned_ship_on.data, codes=codes,
                        actor=current_user.user, now=now())
                except GarmentCannotJoin as error:
                    session.rollback()
                    refused, status = _refused_garments(error), 409
                except InvalidDetails as error:
                    session.rollback()
                    put_errors(form, error)
                except DomainError as error:
                    session.rollback()
                    problem = refusal(error)
                else:
                    flash(ngettext("Lot %(id)s declared with %(num)s garment.",
                                   "Lot %(id)s declared with %(num)s garments.", len(codes), id=lot_id), "success")
                    return redirect(url_for("buyers.lot", lot_id=lot_id))
    return render_template("buyers/lot_new.html", form=form, problem=problem, refused=refused,
                           no_buyers=not all_buyers), status


# --- one lot -------------------------------------------------------------------------------------


def _selection_form(form: forms.SelectionForm) -> forms.SelectionForm:
    places = [p for p in queries.active_locations(db()) if p.kind in JOINABLE_PLACES]
    form.location.choices = [option("", gettext("any location"))] + [option(p.code, f"{p.name} ({p.city})")
                                                                     for p in places]
    form.season.choices = [option("", gettext("any season"))] + [option(s, s) for s in queries.seasons(db())]
    return form


def _lot_page(lot_id: int, *, status: int = 200, problem: dict[str, Any] | None = None,
              refused: list[dict[str, Any]] | None = None, add_form: Any = None, ship_form: Any = None,
              select_form: Any = None) -> Any:
    session = db()
    row = buyer_screens.lot_row(session, lot_id)
    view = buyer_lots.lot_view(session, lot_id)
    garments = buyer_screens.lot_garments(session, lot_id)
    remove_form = forms.RemoveGarmentsForm(formdata=None)
    remove_form.remove.choices = [option(g.code, g.code) for g in garments]
    if ship_form is None:
        ship_form = forms.ShipForm(formdata=None)
        ship_form.shipped_on.data = min(row.planned_ship_on, local_date(now()))
    return render_template("buyers/lot.html", lot=row, view=view, buyer=buyers.get_buyer(session, row.buyer_id),
                           garments=garments, problem=problem, refused=refused or [],
                           add_form=add_form or forms.AddGarmentsForm(formdata=None), remove_form=remove_form,
                           select_form=select_form or _selection_form(forms.SelectionForm(formdata=None)),
                           ship_form=ship_form, step_form=forms.StepForm(), cancel_form=forms.CancelForm(formdata=None),
                           proof_labels={p.value: p.label for p in ProofKind},
                           proof_due=dt.date.fromisoformat(view["proof_due_on"]) if view["proof_due_on"] else None), status


@bp.get("/buyers/lots/<int:lot_id>")
@allow(*BUYER_STAFF)
def lot(lot_id: int) -> Any:
    return _lot_page(lot_id)


def _step_failed(lot_id: int, error: DomainError, **forms_shown: Any) -> Any:
    db().rollback()
    if isinstance(error, NotFound):
        raise error
    if isinstance(error, GarmentCannotJoin):
        return _lot_page(lot_id, status=409, refused=_refused_garments(error), **forms_shown)
    status = 422 if isinstance(error, InvalidDetails) else 409
    if isinstance(error, InvalidDetails) and forms_shown:
        form = next(iter(forms_shown.values()))
        left = put_errors(form, error)
        return _lot_page(lot_id, status=status, problem={"message": "; ".join(left)} if left else None,
                         **forms_shown)
    problem = refusal(error)
    allowed = error.details.get("allowed_from")
    if allowed:
        problem["allowed"] = [gettext(LotStatus(s).label) for s in allowed]
    return _lot_page(lot_id, status=status, problem=problem, **forms_shown)


@bp.post("/buyers/lots/<int:lot_id>/garments")
@allow(*BUYER_STAFF)
def add_garments(lot_id: int) -> Any:
    buyer_screens.lot_row(db(), lot_id)
    form = forms.AddGarmentsForm()
    if not form.validate_on_submit():
        return _lot_page(lot_id, status=422, add_form=form)
    codes, unreadable = _codes(form.scans)
    if _scan_problem(form, unreadable):
        return _lot_page(lot_id, status=422, add_form=form)
    try:
        buyer_lots.change_garments(db(), lot_id=lot_id, add=codes, remove=[], actor=current_user.user, now=now())
    except DomainError as error:
        return _step_failed(lot_id, error, add_form=form)
    flash(ngettext("%(num)s garment added to the lot.", "%(num)s garments added to the lot.", len(codes)), "success")
    return redirect(url_for("buyers.lot", lot_id=lot_id))


@bp.post("/buyers/lots/<int:lot_id>/select")
@allow(*BUYER_STAFF)
def add_selection(lot_id: int) -> Any:
    """Add the garments in stock that the stock list's filters find (at most MAX_SELECTION)."""
    buyer_screens.lot_row(db(), lot_id)
    form = _selection_form(forms.SelectionForm())
    if not form.validate_on_submit():
        return _lot_page(lot_id, status=422, select_form=form)
    found = queries.search_garments(db(), per_page=form.count.data, search=queries.GarmentSearch(
        state=GarmentState.IN_STOCK, location_code=form.location.data or None, season=form.season.data or None,
        text=(form.text.data or "").strip() or None))
    codes = [row.code for row in found.items]
    if not codes:
        add_error(form.text, gettext("No garment in stock matches this selection."))
        return _lot_page(lot_id, status=422, select_form=form)
    try:
        buyer_lots.change_garments(db(), lot_id=lot_id, add=codes, remove=[], actor=current_user.user, now=now())
    except DomainError as error:
        return _step_failed(lot_id, error, select_form=form)
    flash(ngettext("%(num)s garment added to the lot.", "%(num)s garments added to the lot.", len(codes)), "success")
    return redirect(url_for("buyers.lot", lot_id=lot_id))


@bp.post("/buyers/lots/<int:lot_id>/remove")
@allow(*BUYER_STAFF)
def remove_garments(lot_id: int) -> Any:
    buyer_screens.lot_row(db(), lot_id)
    form = forms.RemoveGarmentsForm()
    if not form.validate_on_submit():
        flash(gettext("Tick the garments to remove."), "error")
        return _lot_page(lot_id, status=422)
    remove = [code.strip().upper() for code in form.remove.data][:forms.MAX_SCANS]
    try:
        buyer_lots.change_garments(db(), lot_id=lot_id, add=[], remove=remove, actor=current_user.user, now=now())
    except DomainError as error:
        return _step_failed(lot_id, error)
    flash(ngettext("%(num)s garment taken out of the lot and back in stock.",
                   "%(num)s garments taken out of the lot and back in stock.", len(remove)), "success")
    return redirect(url_for("buyers.lot", lot_id=lot_id))


@bp.post("/buyers/lots/<int:lot_id>/confirm")
@allow(*BUYER_STAFF)
def confirm(lot_id: int) -> Any:
    buyer_screens.lot_row(db(), lot_id)
    if not forms.StepForm().validate_on_submit():
        return _lot_page(lot_id, status=400)
    try:
        buyer_lots.confirm(db(), lot_id=lot_id, actor=current_user.user, now=now())
    except DomainError as error:
        return _step_failed(lot_id, error)
    flash(gettext("Lot %(id)s confirmed: pack it, verify the boxes, then ship it.", id=lot_id), "success")
    return redirect(url_for("buyers.lot", lot_id=lot_id))


@bp.post("/buyers/lots/<int:lot_id>/ship")
@allow(*BUYER_STAFF)
def ship(lot_id: int) -> Any:
    buyer_screens.lot_row(db(), lot_id)
    form = forms.ShipForm()
    if not form.validate_on_submit():
        return _lot_page(lot_id, status=422, ship_form=form)
    shipment = Shipment(shipped_on=form.shipped_on.data, carrier=form.carrier.data.strip(),
                        transport_document=form.transport_document.data.strip(), gross_weight_g=form.grams())
    try:
        buyer_lots.ship(db(), lot_id=lot_id, shipment=shipment, actor=current_user.user, now=now())
    except DomainError as error:
        return _step_failed(lot_id, error, ship_form=form)
    flash(gettext("Lot %(id)s shipped. Its proof is now awaited.", id=lot_id), "success")
    return redirect(url_for("buyers.lot", lot_id=lot_id))


@bp.route("/buyers/lots/<int:lot_id>/cancel", methods=["GET", "POST"])
@allow(*BUYER_STAFF)
def cancel(lot_id: int) -> Any:
    session = db()
    row = buyer_screens.lot_row(session, lot_id)
    form = forms.CancelForm()
    status = 200
    problem = None
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                buyer_lots.cancel(session, lot_id=lot_id, actor=current_user.user, now=now())
            except DomainError as error:
                session.rollback()
                problem, status = refusal(error), 409
            else:
                flash(gettext("Lot %(id)s cancelled; its garments are back in stock.", id=lot_id), "success")
                return redirect(url_for("buyers.lot", lot_id=lot_id))
    return render_template("buyers/cancel.html", lot=row, form=form, problem=problem,
                           count=len(buyer_screens.lot_garments(session, lot_id))), status


@bp.get("/buyers/lots/garment-check")
@allow(*BUYER_STAFF)
def garment_check() -> Any:
    """Feedback while scanning into a lot: may this label's garment join? Writes nothing."""
    outcome = parse_scan(request.args.get("payload", ""), base_url=current_app.config["BASE_URL"])
    if not isinstance(outcome, ScannedLabel):
        message = translate(outcome.message, **outcome.params) if outcome.params else translate(outcome.message)
        return jsonify(ok=False, code=None, state=None, message=message), 422
    lot_arg = request.args.get("lot", "")
    lot_id = int(lot_arg) if lot_arg.isdigit() and len(lot_arg) <= 12 else None
    check = buyer_screens.check_garment(db(), code=outcome.code, lot_id=lot_id)
    message = None
    if not check.ok and check.reason:
        message = translate(check.reason, garment=check.code, state=state_label(check.state))
    return jsonify(ok=check.ok, code=check.code, state=state_label(check.state), message=message)
