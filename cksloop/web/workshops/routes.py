"""Workshop pages: the organiser's overview, planning one, and logging a held one in under a minute."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cksloop.db import queries
from cksloop.domain.clock import BRUSSELS, start_of_local_day
from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import LocationKind, Role
from cksloop.domain.offcut_labels import lot_code_in
from cksloop.domain.workshop_logs import ConfirmationRequired
from cksloop.services import offcut_lots, workshops
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.workshops.blueprint import WRITERS, bp, form_text, home_store, refusal

UPCOMING_DAYS = 30
_SCANNED = re.compile(r"[\s,;]+")


def _shown(workshop: dict[str, Any]) -> dict[str, Any]:
    """A workshop with its start as a datetime, for the pages' date formatting."""
    return {**workshop, "starts": dt.datetime.fromisoformat(workshop["starts_at"])}


def _stores() -> list[Any]:
    return [loc for loc in queries.all_locations(db()) if loc.kind is LocationKind.STORE and loc.active]


@bp.get("/")
@allow(*WRITERS)
def index() -> Any:
    """Today's and upcoming workshops of a store, the ones to log, and the lots there with what is left."""
    session, moment, store = db(), now(), home_store()
    today = start_of_local_day(moment.astimezone(BRUSSELS).date())
    listed = [_shown(w) for w in workshops.list_workshops(session, store=store, start=today - dt.timedelta(days=14),
                                                          end=today + dt.timedelta(days=UPCOMING_DAYS))]
    started = [w for w in listed if w["starts"] <= moment]
    lots, _more = offcut_lots.list_lots(session, location=store, per_page=100) if store else ([], False)
    return render_template(
        "workshops/index.html", store=store, stores=_stores(),
        to_log=[w for w in started if not w["logged"]],
        today=[w for w in listed if today <= w["starts"] < today + dt.timedelta(days=1)],
        upcoming=[w for w in listed if w["starts"] > moment],
        lots=[lot for lot in lots if lot["remaining_g"] > 0])


@bp.route("/new", methods=["GET", "POST"])
@allow(*WRITERS)
def plan() -> Any:
    session = db()
    values: dict[str, Any] = {"store": home_store() or "", "capacity": "12", "theme": "", "starts_on": "",
                              "starts_time": "14:00"}
    message, fields, status = None, {}, 200
    if request.method == "POST":
        values = {name: form_text(name) or "" for name in ("store", "theme", "capacity", "starts_on", "starts_time")}
        starts_at: Any = None
        try:
            local = dt.datetime.fromisoformat(f"{values['starts_on']}T{values['starts_time']}")
            starts_at = local.replace(tzinfo=BRUSSELS)
        except ValueError:
            starts_at = None
        try:
            planned = workshops.plan(session, store=values["store"], starts_at=starts_at, theme=values["theme"],
                                     capacity=values["capacity"], organiser=None, actor=current_user.user, now=now())
        except DomainError as error:
            session.rollback()
            message, fields, status = refusal(error)
        else:
            flash(_("Workshop planned."), "success")
            return redirect(url_for("workshops.index", store=planned["store"]))
    return render_template("workshops/plan.html", values=values, stores=_stores(), message=message,
                           fields=fields), status


def _lines(prefix: str, codes: list[str]) -> list[dict[str, Any]]:
    lines = []
    for code in codes:
        grams = request.form.get(f"{prefix}-{code}", "").strip()
        lines.append({"code": code, "grams": grams or None})
    return lines


def _scanned_codes() -> list[str]:
    """The lots listed by the scan field's script, and whatever was typed in the field itself
    (a page without script still logs)."""
    given = request.form.getlist("lot") + _SCANNED.split(request.form.get("scan", ""))
    codes: list[str] = []
    for text in given:
        code = lot_code_in(text) if text else None
        if code and code not in codes:
            codes.append(code)
    return codes


@bp.route("/<int:workshop_id>/log", methods=["GET", "POST"])
@allow(*WRITERS)
def log(workshop_id: int) -> Any:
    session = db()
    workshop = _shown(workshops.workshop_dict(workshops.get(session, workshop_id)))
    types = workshops.product_types(session)
    message, fields, status, confirm_needed = None, {}, 200, False
    codes: list[str] = []
    counts: dict[str, str] = {}
    participants = ""
    if request.method == "POST":
        codes = _scanned_codes()
        counts = {key: request.form.get(f"qty-{key}", "").strip() for key in types}
        participants = request.form.get("participants", "").strip()
        leftovers = [line for line in _lines("leftover", codes) if line["grams"]]
        photos = [f.read() for f in request.files.getlist("photos") if f and f.filename]
        try:
            workshops.log(session, workshop_id=workshop_id, participants=participants,
                          products=[{"type": k, "quantity": q} for k, q in counts.items() if q not in ("", "0")],
                          lots=_lines("grams", codes), leftovers=leftovers, photos=photos,
                          confirmed=request.form.get("confirm") == "1", actor=current_user.user, now=now(),
                          upload_dir=_upload_dir())
        except DomainError as error:
            session.rollback()
            message, fields, status = refusal(error)
            confirm_needed = isinstance(error, ConfirmationRequired)
        else:
            flash(_("Workshop logged."), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop_id))
    found = {lot["code"]: lot for code in codes for lot in offcut_lots.list_lots(session, code=code)[0]}
    return render_template("workshops/log.html", workshop=workshop, types=types.values(), counts=counts,
                           participants=participants, scanned=[found[c] for c in codes if c in found],
                           message=message, fields=fields, confirm_needed=confirm_needed), status


@bp.route("/<int:workshop_id>/correct", methods=["GET", "POST"])
@allow(*WRITERS)
def correct(workshop_id: int) -> Any:
    """Correct a logged workshop: the whole log as it should have been, and why. Only the differences
    are written, as a compensating entry; the earlier entries stay as they were."""
    session = db()
    current = _shown(workshops.log_dict(session, workshop_id))
    types = workshops.product_types(session)
    made = {p["type"]: str(p["quantity"]) for p in current["products"]}
    codes = [lot["code"] for lot in current["lots"]]
    values = {"participants": str(current["participants"]), "note": "",
              **{f"qty-{key}": made.get(key, "0") for key in types},
              **{f"grams-{lot['code']}": str(lot["grams"]) for lot in current["lots"]}}
    message, fields, status, confirm_needed = None, {}, 200, False
    if request.method == "POST":
        codes = codes + [c for c in _scanned_codes() if c not in codes]
        values = {"participants": request.form.get("participants", "").strip(),
                  "note": request.form.get("note", "").strip(),
                  **{f"qty-{key}": request.form.get(f"qty-{key}", "").strip() for key in types},
                  **{f"grams-{code}": request.form.get(f"grams-{code}", "").strip() for code in codes}}
        # a lot of the log left at 0 was not used after all; a lot added here must say its grams
        logged = {lot["code"] for lot in current["lots"]}
        lots = [{"code": code, "grams": values[f"grams-{code}"] or None} for code in codes
                if code not in logged or values[f"grams-{code}"] not in ("", "0")]
        try:
            workshops.correct(session, workshop_id=workshop_id, participants=values["participants"],
                              products=[{"type": k, "quantity": values[f"qty-{k}"]} for k in types
                                        if values[f"qty-{k}"] not in ("", "0")],
                              lots=lots, note=values["note"], confirmed=request.form.get("confirm") == "1",
                              actor=current_user.user, now=now())
        except DomainError as error:
            session.rollback()
            message, fields, status = refusal(error)
            confirm_needed = isinstance(error, ConfirmationRequired)
        else:
            flash(_("Correction recorded."), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop_id))
    return render_template("workshops/correct.html", log=current, types=types.values(), codes=codes,
                           values=values, message=message, fields=fields, confirm_needed=confirm_needed), status


def _upload_dir() -> str | None:
    from flask import current_app

    return current_app.config.get("UPLOAD_DIR")


@bp.get("/<int:workshop_id>")
@allow(*WRITERS)
def detail(workshop_id: int) -> Any:
    session = db()
    log = _shown(workshops.log_dict(session, workshop_id))
    log["entries"] = [{**e, "recorded": dt.datetime.fromisoformat(e["recorded_at"])} for e in log["entries"]]
    return render_template("workshops/detail.html", log=log, types=workshops.product_types(session))


@bp.get("/product-types")
@allow(*WRITERS)
def product_types() -> Any:
    return render_template("workshops/product_types.html", types=workshops.product_types(db()).values(),
                           values={}, message=None, fields={})


@bp.post("/product-types")
@allow(Role.ADMIN)
def add_product_type() -> Any:
    session = db()
    values = {name: form_text(name, 80) or "" for name in ("key", "name", "typical_use_g")}
    try:
        workshops.add_product_type(session, key=values["key"], name=values["name"],
                                   typical_use_g=values["typical_use_g"], now=now())
    except DomainError as error:
        session.rollback()
        message, fields, status = refusal(error)
        return render_template("workshops/product_types.html", types=workshops.product_types(session).values(),
                               values=values, message=message, fields=fields), status
    flash(_("Product type added."), "success")
    return redirect(url_for("workshops.product_types"))
