"""Buyer pages: the list, a new buyer, a buyer with its contract versions, a new contract version."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.domain.buyer_contracts import InvalidContract, OnwardSale, ProofKind, Restrictions
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails, VersionConflict
from cksloop.services import buyer_screens, buyers
from cksloop.web.buyers import forms
from cksloop.web.buyers.blueprint import BUYER_STAFF, bp, country_name, put_errors, refusal, say
from cksloop.web.database import db, now
from cksloop.web.fields import option
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_error


@bp.get("/buyers")
@allow(*BUYER_STAFF)
def index() -> Any:
    session = db()
    return render_template("buyers/index.html", buyers=buyers.list_buyers(session),
                           counts=buyer_screens.status_counts(session))


def _country_choices(placeholder: str) -> list[Any]:
    named = sorted(((country_name(code), code) for code in buyer_screens.country_codes()), key=lambda p: p[0])
    return [option("", placeholder)] + [option(code, name) for name, code in named]


@bp.route("/buyers/new", methods=["GET", "POST"])
@allow(*BUYER_STAFF)
def new_buyer() -> Any:
    form = forms.BuyerForm()
    form.country.choices = _country_choices(gettext("choose the country"))
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                buyer = buyers.create_buyer(db(), name=form.name.data, vat_number=form.vat_number.data,
                                            country=form.country.data, contact_email=form.contact_email.data,
                                            now=now())
            except InvalidDetails as error:
                db().rollback()
                put_errors(form, error)
            else:
                flash(gettext("Buyer %(name)s added. Give it a contract before declaring lots.", name=buyer.name),
                      "success")
                return redirect(url_for("buyers.new_contract", buyer_id=buyer.id))
    return render_template("buyers/new.html", form=form), status


@bp.get("/buyers/<int:buyer_id>")
@allow(*BUYER_STAFF)
def detail(buyer_id: int) -> Any:
    session = db()
    buyer = buyers.get_buyer(session, buyer_id)
    rows = buyers.contract_rows(session, buyer.id)
    versions = list(zip(rows, buyers.versions_of(rows), strict=True))
    today = local_date(now())
    current = next((v.version for _, v in sorted(versions, key=lambda p: -p[1].version) if v.is_valid_on(today)),
                   None)
    lots = [line for line in buyer_screens.lot_lines(session, status=None) if line.buyer_id == buyer.id]
    return render_template("buyers/detail.html", buyer=buyer, versions=list(reversed(versions)),
                           current=current, lots=lots)


def _contract_form(buyer_id: int) -> forms.ContractForm:
    form = forms.ContractForm()
    form.onward_sale.choices = [option(o.value, say(o.label)) for o in OnwardSale]
    form.proof.choices = [option(p.value, say(p.label)) for p in ProofKind]
    if request.method == "GET":
        # an amendment starts from the version it amends; a first contract from DOMAIN.md §5's defaults
        latest = buyer_screens.latest_contract(db(), buyer_id)
        terms = buyers.restrictions_of(latest.restrictions) if latest is not None else Restrictions()
        form.valid_from.data = local_date(now())
        form.valid_to.data = latest.valid_to if latest is not None else None
        form.allowed_groups.data = sorted(g.value for g in terms.allowed_groups)
        form.allowed_countries.data = " ".join(sorted(terms.allowed_countries))
        form.forbidden_countries.data = " ".join(sorted(terms.forbidden_countries))
        form.allowed_end_uses.data = sorted(u.value for u in terms.allowed_end_uses)
        form.exclude_home_market.data = terms.exclude_home_market
        form.labels_removed.data = terms.labels_removed
        form.onward_sale.data = terms.onward_sale.value
        form.sub_buyers.data = "\n".join(terms.sub_buyers)
        form.proof.data = sorted(p.value for p in terms.proof)
        form.proof_days.data = terms.proof_days
    return form


@bp.route("/buyers/<int:buyer_id>/contracts/new", methods=["GET", "POST"])
@allow(*BUYER_STAFF)
def new_contract(buyer_id: int) -> Any:
    session = db()
    buyer = buyers.get_buyer(session, buyer_id)
    form = _contract_form(buyer.id)
    problem: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                terms = buyers.parse_restrictions(form.body())
                row = buyers.add_contract(session, buyer_id=buyer.id, valid_from=form.valid_from.data,
                                          valid_to=form.valid_to.data, restrictions=terms,
                                          actor_id=current_user.id, now=now())
            except InvalidContract as error:
                session.rollback()
                problem = refusal(error)
                put_errors(form, error)
            except InvalidDetails as error:
                session.rollback()
                put_errors(form, error)
            except VersionConflict as error:
                session.rollback()
                problem, status = {"message": translate_error(error), "rules": []}, 409
            else:
                flash(gettext("Contract version %(version)s of %(name)s saved.", version=row.version,
                              name=buyer.name), "success")
                return redirect(url_for("buyers.detail", buyer_id=buyer.id))
    return render_template("buyers/contract_form.html", form=form, buyer=buyer, problem=problem,
                           today=local_date(now()), amending=bool(buyers.contract_rows(session, buyer.id))), status

