"""The unsold-goods disclosure page and CSV, the garments behind each figure, the proof panel of a
buyer lot, and the list of lots overdue for proof (merchandisers and admins)."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext
from flask_login import current_user

from cksloop.domain.buyer_contracts import ProofKind
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.clock import local_date
from cksloop.domain.disclosure import NO_GROUND, PreventionMeasure, Treatment
from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import DestructionGround, Role
from cksloop.domain.rental_quality import csv_cell
from cksloop.services import buyer_proof, disclosure
from cksloop.web.database import db, now
from cksloop.web.disclosure.forms import AcceptProofForm, ProofUploadForm
from cksloop.web.downloads import uploaded_file
from cksloop.web.errors import status_for
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_error

bp = Blueprint("disclosure", __name__)
MERCH = (Role.MERCHANDISER, Role.ADMIN)


def ground_label(value: str) -> str:
    if value == NO_GROUND:
        return gettext("no ground recorded (before the ban)")
    try:
        return gettext(DestructionGround(value).label)
    except ValueError:
        return value


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"ground_label": ground_label, "treatments": list(Treatment), "garment_url": garment_url,
            "format_date": format_date, "proof_label": lambda k: gettext(ProofKind(k).label),
            "lot_status_label": lambda s: gettext(LotStatus(s).label),
            "measure_label": lambda m: gettext(PreventionMeasure(m).label)}


def _year() -> tuple[int, str | None]:
    raw = request.args.get("year", "").strip()
    if not raw:
        return local_date(now()).year - 1, None  # the last whole financial year
    if not (raw.isascii() and raw.isdigit() and disclosure.FIRST_YEAR <= int(raw) <= disclosure.LAST_YEAR):
        return local_date(now()).year - 1, gettext("Give the financial year as four digits, e.g. 2026.")
    return int(raw), None


@bp.get("/reports/unsold-disclosure")
@allow(*MERCH)
def unsold_disclosure() -> Any:
    year, problem = _year()
    found, read = disclosure.disclosure(db(), year=year)
    return render_template("disclosure/unsold.html", year=year, problem=problem,
                           answer=disclosure.as_answer(found, read), unclassified=read.unclassified), \
        422 if problem else 200


@bp.get("/reports/unsold-disclosure.csv")
@allow(*MERCH)
def unsold_disclosure_csv() -> Any:
    year, problem = _year()
    if problem:
        return redirect(url_for("disclosure.unsold_disclosure"), 303)
    found, read = disclosure.disclosure(db(), year=year)
    answer = disclosure.as_answer(found, read)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _csv_rows(answer):
        writer.writerow([csv_cell(v) for v in row])
    body = ("\ufeff" + out.getvalue()).encode("utf-8")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="unsold-disclosure-{year}.csv"'})


def _csv_rows(answer: dict[str, Any]) -> list[list[Any]]:
    """Annex I's order: header, then per category units, kg, grounds and the treatment split, then measures."""
    rows: list[list[Any]] = [
        [gettext("Legal entity"), answer["entity"]["name"]],
        [gettext("Identifier"), answer["entity"]["identifier"]],
        [gettext("Financial year"), answer["year"]],
        [],
        [gettext("CN code"), gettext("Units"), gettext("Weight (kg)"), gettext("Ground"), gettext("Units")]
        + [gettext(t.label) + " (%)" for t in Treatment]]
    for c in answer["categories"]:
        split = [c["treatment_pct"][t.value] for t in Treatment]
        grounds = sorted(c["grounds"].items())
        for index, (ground, units) in enumerate(grounds):
            first = index == 0
            rows.append([c["cn_code"], c["units"] if first else "", c["weight_kg"] if first else "",
                         ground_label(ground), units] + (split if first else [""] * len(split)))
    rows += [[], [gettext("Measure to prevent discarding"), gettext("Units"), gettext("Weight (kg)")]]
    rows += [[gettext(PreventionMeasure(m["measure"]).label), m["units"], m["weight_kg"]] for m in answer["measures"]]
    rows += [[], [gettext("Sales (also to buyers) and donations are not discards and are not counted here.")]]
    return rows


@bp.get("/reports/unsold-disclosure/garments")
@allow(*MERCH)
def unsold_disclosure_garments() -> Any:
    year, problem = _year()
    cn_code = request.args.get("cn_code", "").strip() or None
    ground = request.args.get("ground", "").strip() or None
    treatment = request.args.get("treatment", "").strip() or None
    codes: list[str] = []
    if problem is None:
        try:
            codes = disclosure.drill(db(), year=year, cn_code=cn_code, ground=ground, treatment=treatment)
        except InvalidDetails as error:
            problem = "; ".join(gettext(m) for m in error.field_errors.values())
    return render_template("disclosure/garments.html", year=year, cn_code=cn_code, ground=ground,
                           treatment=treatment, codes=codes, problem=problem), 422 if problem else 200


@bp.get("/buyer-lots/overdue")
@allow(*MERCH)
def overdue() -> Any:
    return render_template("disclosure/overdue.html", lots=buyer_proof.overdue_lots(db(), today=local_date(now())))


def _panel(lot_id: int, *, upload: ProofUploadForm | None = None, problem: str | None = None,
           status: int = 200) -> Any:
    lot = buyer_proof.lot_answer(db(), lot_id, today=local_date(now()))
    upload = upload or ProofUploadForm()
    upload.owe(lot["proof_owed"])
    return render_template("disclosure/lot_proof.html", lot=lot, upload_form=upload, accept_form=AcceptProofForm(),
                           problem=problem, awaiting=lot["status"] in (LotStatus.SHIPPED.value,
                                                                        LotStatus.OVERDUE.value)), status


@bp.get("/buyer-lots/<int:lot_id>/proof")
@allow(*MERCH)
def lot_proof(lot_id: int) -> Any:
    return _panel(lot_id)


@bp.post("/buyer-lots/<int:lot_id>/proof")
@allow(*MERCH)
def upload_proof(lot_id: int) -> Any:
    form = ProofUploadForm()
    lot = buyer_proof.lot_answer(db(), lot_id, today=local_date(now()))
    form.owe(lot["proof_owed"])
    if not form.validate():
        return _panel(lot_id, upload=form, problem=gettext("Some details are missing or wrong."), status=422)
    try:
        name, raw = uploaded_file()
        buyer_proof.upload_proof(db(), lot_id=lot_id, kind=form.kind.data, filename=name, raw=raw,
                                 upload_dir=str(current_app.config["UPLOAD_DIR"]), actor=current_user.user, now=now())
    except DomainError as error:
        if isinstance(error, InvalidDetails):
            for field, message in error.field_errors.items():
                target = form[field] if field in form else None
                if target is not None:
                    target.errors = [*target.errors, gettext(message)]
        return _panel(lot_id, upload=form, problem=translate_error(error), status=status_for(error))
    flash(gettext("The proof is kept. Accept it once all owed proof is in."), "success")
    return redirect(request.form.get("next_url") if _safe(request.form.get("next_url"))
                    else url_for("disclosure.lot_proof", lot_id=lot_id), 303)


@bp.post("/buyer-lots/<int:lot_id>/accept-proof")
@allow(*MERCH)
def accept_proof(lot_id: int) -> Any:
    form = AcceptProofForm()
    if not form.validate():
        return _panel(lot_id, problem=gettext("Some details are missing or wrong."), status=422)
    try:
        buyer_proof.accept_proof(db(), lot_id=lot_id, actor=current_user.user, now=now())
    except DomainError as error:
        return _panel(lot_id, problem=translate_error(error), status=status_for(error))
    flash(gettext("The proof is accepted: the lot is proven."), "success")
    return redirect(request.form.get("next_url") if _safe(request.form.get("next_url"))
                    else url_for("disclosure.lot_proof", lot_id=lot_id), 303)


def _safe(target: str | None) -> bool:
    """Only a path on this site (the lot page that includes the panel), never another host."""
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target \
        and target.isprintable()
