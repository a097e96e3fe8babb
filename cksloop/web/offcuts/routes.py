"""Offcut lots on screen (issue 15): the list, a lot's page with its mass balance, history and
actions, registering a lot, and a lot's label (the /r/{code} path its QR code carries opens the page)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_number, gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from cksloop.db import queries
from cksloop.db.queries import offcuts as lot_queries
from cksloop.domain.errors import DomainError, InvalidDetails, NotFound
from cksloop.domain.labels import DEFAULT_LAYOUT, LAYOUTS, ZPL_DPI
from cksloop.domain.lifecycle import Role
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import lot_code_in
from cksloop.domain.offcuts import InsufficientOffcut, OffcutAction
from cksloop.services import offcut_labels, offcut_lots
from cksloop.web.database import db, now
from cksloop.web.errors import status_for
from cksloop.web.labels.routes import base_url, sheet_response
from cksloop.web.offcuts.forms import LOT_ACTION_FORMS, CreateLotForm, LotActionForm, LotFilterForm, LotLabelsForm
from cksloop.web.offcuts.history import history_lines, lot_action_label
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_error, translate_fields

bp = Blueprint("offcuts", __name__)

#: who changes lots; every signed-in role reads and scans them (issue 15)
WRITERS = (Role.WORKSHOP_ORGANISER, Role.MERCHANDISER, Role.ADMIN)
PER_PAGE = 50
MAX_CODE_LENGTH = 40


def grams(value: int | None) -> str:
    """Grams as people read them in their language: 1.250 g (nl), 1 250 g (fr)."""
    return "—" if value is None else gettext("%(grams)s g", grams=format_number(value))


@bp.context_processor
def _page_helpers() -> dict[str, Any]:
    return {"grams": grams, "lot_action_label": lot_action_label, "may_write": _may_write()}


def _may_write() -> bool:
    return current_user.is_authenticated and current_user.role in WRITERS


# --- the list ----------------------------------------------------------------------------------

@bp.get("/offcuts")
@allow()
def index() -> Any:
    session = db()
    form = LotFilterForm(formdata=request.args)
    form.bind_choices(locations=queries.active_locations(session, active_only=False),
                      materials=lot_queries.lot_materials(session))
    if not form.validate():
        return render_template("offcuts/index.html", form=form, lots=None, labels_form=LotLabelsForm()), 400
    page = form.page.data or 1
    filters = {"location": form.location.data or None, "material": form.material.data or None}
    lots, has_next = offcut_lots.list_lots(session, page=page, per_page=PER_PAGE, **filters)
    count, left = lot_queries.remaining_total(session, **filters)
    kept = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("offcuts/index.html", form=form, lots=lots, page=page, has_next=has_next,
                           count=count, left=left, labels_form=LotLabelsForm(),
                           page_url=lambda n: url_for("offcuts.index", **kept, page=n))


# --- registering a lot -------------------------------------------------------------------------

@bp.get("/offcuts/new")
@allow(*WRITERS)
def new() -> Any:
    form = CreateLotForm(formdata=None, location=_home())
    form.bind_choices(locations=queries.active_locations(db()))
    return render_template("offcuts/new.html", form=form, problem=None)


@bp.post("/offcuts/new")
@allow(*WRITERS)
def create() -> Any:
    session = db()
    form = CreateLotForm()
    form.bind_choices(locations=queries.active_locations(session))
    if not form.validate():
        return render_template("offcuts/new.html", form=form,
                               problem=gettext("Some details are missing or wrong.")), 422
    try:
        lot = offcut_lots.create(session, details=form.details(), actor=current_user.user, now=now())
    except InvalidDetails as error:
        _show_field_errors(form, error, aliases={"source": form.garments if form.garments.data else form.style_number})
        return render_template("offcuts/new.html", form=form, problem=translate_error(error)), 422
    except DomainError as error:
        return render_template("offcuts/new.html", form=form, problem=translate_error(error)), status_for(error)
    flash(gettext("Lot %(code)s registered: %(grams)s.", code=lot["code"], grams=grams(lot["remaining_g"])),
          "success")
    return redirect(url_for("offcuts.detail", code=lot["code"]), 303)


# --- one lot -----------------------------------------------------------------------------------

@bp.get("/offcuts/<code>")
@allow()
def detail(code: str) -> Any:
    return _render_detail(db(), _lot_code_or_404(code))


@bp.get("/r/<code>")
@allow()
def label_path(code: str) -> Any:
    """The URL a lot's QR label carries: staff land on the lot's page (a lot has no public page)."""
    found = lot_code_in(code) if len(code) <= MAX_CODE_LENGTH else None
    if found is None:
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code[:MAX_CODE_LENGTH])
    return redirect(url_for("offcuts.detail", code=found))


@bp.post("/offcuts/<code>/actions/<action>")
@allow(*WRITERS)
def act(code: str, action: str) -> Any:
    session = db()
    code = _lot_code_or_404(code)
    try:
        chosen = OffcutAction(action)
    except ValueError:
        raise NotFound(N_("No such action.")) from None
    if chosen not in LOT_ACTION_FORMS:
        raise NotFound(N_("No such action."))
    form = LOT_ACTION_FORMS[chosen]()
    lot = offcut_lots.get_lot(session, code)
    form.bind_choices(locations=queries.active_locations(session),
                      here=lot.location.code if lot.location else None)
    if not form.validate():
        return _render_detail(session, code, posted=form, problem=gettext("Some details are missing or wrong."),
                              status=422)
    try:
        result = offcut_lots.act(session, code=code, action=chosen, details=form.details(), actor=current_user.user,
                                 now=now(), expected_version=form.expected_version.data)
    except InvalidDetails as error:
        _show_field_errors(form, error)
        return _render_detail(session, code, posted=form, problem=translate_error(error), status=422)
    except DomainError as error:
        problem = translate_error(error)
        if isinstance(error, InsufficientOffcut):
            problem += " " + gettext("Use at most what is left, or reweigh the lot if the scale says otherwise.")
        return _render_detail(session, code, posted=form, problem=problem, status=status_for(error))
    message = gettext("%(action)s: done. %(grams)s left.", action=lot_action_label(chosen.value),
                      grams=grams(result["remaining_g"]))
    if result.get("new_lots"):
        message += " " + gettext("New lots: %(codes)s.", codes=", ".join(result["new_lots"]))
    flash(message, "success")
    return redirect(url_for("offcuts.detail", code=code), 303)


def _render_detail(session: Session, code: str, *, posted: LotActionForm | None = None,
                   problem: str | None = None, status: int = 200) -> Any:
    lot = offcut_lots.lot_dict(session, code)
    location = queries.location_by_code(session, lot["location"]) if lot["location"] else None
    forms = []
    if _may_write():
        here = lot["location"]
        for action, cls in LOT_ACTION_FORMS.items():
            if posted is not None and posted.action is action:
                form = posted
                form.expected_version.data = lot["version"] if problem is None else form.expected_version.data
            else:
                form = cls(formdata=None, expected_version=lot["version"])
                form.bind_choices(locations=_locations(session), here=here)
            forms.append((action, form, posted is not None and posted.action is action))
    garments = list(dict.fromkeys([*(lot["source"] or {}).get("garments", []),
                                   *lot_queries.garments_retired_into(session, code)]))
    return render_template(
        "offcuts/detail.html", lot=lot, location=location, forms=forms, problem=problem,
        history=history_lines(lot_queries.lot_history(session, code)), garments=garments,
        area=format_decimal(lot["area_m2"]) if lot["area_m2"] else None,
        layouts=LAYOUTS, default_layout=DEFAULT_LAYOUT, dpis=ZPL_DPI,
    ), status


def _locations(session: Session) -> list[queries.LocationChoice]:
    # one query per request, however many forms the page shows
    if "lot_locations" not in g:
        g.lot_locations = queries.active_locations(session)
    return g.lot_locations


# --- labels ------------------------------------------------------------------------------------

@bp.get("/offcuts/<code>/label")
@allow()
def label(code: str) -> Any:
    """The lot's label as an A4 sheet cell (PDF) or for the label printer (ZPL)."""
    code = _lot_code_or_404(code)
    kind = request.args.get("format", "pdf")
    layout = LAYOUTS.get(request.args.get("layout", DEFAULT_LAYOUT))
    start_at = request.args.get("start_at", "1")
    dpi = request.args.get("dpi", str(ZPL_DPI[0]))
    if kind not in ("pdf", "zpl") or layout is None or not start_at.isdigit() \
            or not 1 <= int(start_at) <= layout.cells or not dpi.isdigit() or int(dpi) not in ZPL_DPI:
        raise InvalidDetails({"format": N_("Not one of the allowed values.")})
    one = offcut_labels.lot_label(db(), code=code, base_url=base_url())
    return sheet_response([one], kind=kind, layout=layout, start_at=int(start_at), dpi=int(dpi), name=code)


@bp.post("/offcuts/labels")
@allow()
def labels() -> Any:
    """The lots ticked on the list, printed together."""
    form = LotLabelsForm()
    codes = [c for c in request.form.getlist("codes") if c]
    if form.validate_on_submit():
        try:
            found = offcut_labels.lot_labels(db(), codes=codes, base_url=base_url())
        except InvalidDetails as error:
            flash(" ".join([*translate_fields(error.field_errors).values(),
                            *error.details.get("unknown_codes", [])]), "error")
        else:
            return sheet_response(found, kind=form.format.data, layout=LAYOUTS[DEFAULT_LAYOUT], start_at=1,
                                  dpi=ZPL_DPI[0], name=f"{len(found)}-offcut-lots")
    else:
        flash(gettext("Choose at least one offcut lot, and how to print."), "error")
    return redirect(url_for("offcuts.index"), 303)


# --- shared ------------------------------------------------------------------------------------

def _home() -> str:
    home = current_user.home_location
    return home.code if home is not None else ""


def _lot_code_or_404(code: str) -> str:
    found = lot_code_in(code) if len(code) <= MAX_CODE_LENGTH else None
    if found is None:
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code[:MAX_CODE_LENGTH])
    offcut_lots.get_lot(db(), found)  # NotFound when no lot has it
    return found


def _show_field_errors(form: Any, error: InvalidDetails, aliases: dict[str, Any] | None = None) -> None:
    for name, message in error.field_errors.items():
        field = (aliases or {}).get(name) or form._fields.get(name.split(".")[0])
        text = gettext(message, **{k: v for k, v in error.params.items()}) if error.params else gettext(message)
        named = [*error.details.get("unknown_codes", []), *error.details.get("not_retirable", [])]
        if named and name == "source":
            text += " " + ", ".join(named)
        if field is not None:
            field.errors = [*field.errors, text]
