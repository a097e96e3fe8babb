"""Printing QR labels: the print page for a selection, and the sheet and file answers the API shares."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.labels import DEFAULT_LAYOUT, LAYOUTS, MAX_LABELS, Label, SheetLayout, garment_path, parse_codes
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.domain.messages import N_
from cksloop.domain.scanning import ScannedLabel, parse_scan
from cksloop.services import labels as label_service
from cksloop.domain.clock import local_date
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_fields
from cksloop.web.labels.forms import PrintLabelsForm
from cksloop.web.vocabulary import colour_label

bp = Blueprint("labels", __name__)

#: who prints labels: the shop floor, the merchandisers who receive stock, admins
PRINTERS = (Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN)
PREVIEW_CODES = 12

# --- the print page ---------------------------------------------------------------------------

@bp.get("/labels/print")
@allow(*PRINTERS)
def print_form() -> Any:
    """The print page for a selection given in the query string (from the garment list, a style,
    a receipt or a batch scan), or with an empty box to paste or scan codes into."""
    values = request.args
    form = PrintLabelsForm(formdata=None, data={
        "codes": "\n".join(_typed_codes(values)),  # as typed: the page says how each was read
        **{name: values.get(name, "") for name in ("received_on", "state", "location", "style",
                                                   "season", "q", "overdue")},
        **{name: values[name] for name in ("format", "layout", "dpi") if values.get(name)},
        "start_at": _int_or(values.get("start_at"), 1),
    })
    return _render(form, status=200, check_selection=bool(values))


@bp.post("/labels/print")
@allow(*PRINTERS)
def print_sheet() -> Any:
    form = PrintLabelsForm()  # the CSRF token was checked before the view (400 without it)
    if not form.validate_on_submit():
        return _render(form, status=422)
    selection, problems = _selection(request.form)
    layout = LAYOUTS[form.layout.data]
    start_at = form.start_at.data or 1
    valid = True
    if form.format.data == "pdf" and start_at > layout.cells:
        form.start_at.errors.append(gettext("This sheet has %(cells)s labels: start at 1 to %(cells)s.",
                                            cells=layout.cells))
        valid = False
    if problems:
        form.codes.errors.extend(problems)
        valid = False
    if not valid:
        return _render(form, status=422)
    try:
        labels = label_service.labels_for_selection(db(), selection=selection, base_url=base_url())
    except InvalidDetails as error:
        _show_selection_error(form, error)
        return _render(form, status=422)
    return sheet_response(labels, kind=form.format.data, layout=layout, start_at=start_at,
                  dpi=int(form.dpi.data), name=f"{len(labels)}-labels")


def _render(form: PrintLabelsForm, *, status: int, check_selection: bool = False) -> Any:
    """The print page; with ``check_selection`` it also says how many labels the selection makes."""
    values = {name: getattr(form, name).data or "" for name in
              ("codes", "received_on", "state", "location", "style", "season", "q", "overdue")}
    selection, problems = _selection(values)
    preview: list[Label] | None = None
    if check_selection and not selection.is_empty():
        form.codes.errors = list(form.codes.errors) + problems
        if not problems:
            try:
                preview = label_service.labels_for_selection(db(), selection=selection,
                                                             base_url=base_url())
            except InvalidDetails as error:
                _show_selection_error(form, error)
    layout = LAYOUTS.get(form.layout.data or "", LAYOUTS[DEFAULT_LAYOUT])
    return render_template(
        "labels/print.html", form=form, selection=selection, preview=preview, readings=_readings(values),
        preview_codes=[label.code for label in (preview or [])[:PREVIEW_CODES]],
        # labels whose size has no GTIN carry the short /g/ path, which no GS1 scanner reads as a product
        not_gs1=[label.code for label in (preview or []) if label.url.endswith(garment_path(label.code))],
        preview_limit=PREVIEW_CODES,
        layout=layout, layouts=LAYOUTS, start_at=_int_or(form.start_at.data, 1),
    ), status


def _show_selection_error(form: PrintLabelsForm, error: InvalidDetails) -> None:
    form.codes.errors = list(form.codes.errors)
    form.codes.errors.extend(translate_fields(error.field_errors).values())
    for key in ("unknown_codes", "malformed_codes"):
        if error.details.get(key):
            form.codes.errors.append(", ".join(error.details[key]))


def _selection(values: Mapping[str, Any]) -> tuple[label_service.Selection, list[str]]:
    """The Selection named by form or query values, and what is wrong with them (translated)."""
    problems: list[str] = []
    received_on = None
    if values.get("received_on"):
        try:
            received_on = dt.date.fromisoformat(str(values["received_on"]))
        except ValueError:
            problems.append(gettext("The receipt date is not a date."))
        else:
            if not 2000 <= received_on.year <= 2100:  # a day's bounds in UTC must exist
                received_on = None
                problems.append(gettext("The receipt date must lie between 2000 and 2100."))
    state = None
    if values.get("state"):
        try:
            state = GarmentState(values["state"])
        except ValueError:
            problems.append(gettext("Not a known state."))
    text = {name: (str(values.get(name) or "").strip()[:100] or None)
            for name in ("location", "style", "season", "q")}
    overdue = str(values.get("overdue") or "").lower() in ("1", "y", "yes", "on", "true")
    codes = _codes_in(values)
    if len(codes) > MAX_LABELS:
        problems.append(gettext("At most 5,000 labels at once: split the selection."))
    return label_service.Selection(
        codes=tuple(codes[:MAX_LABELS + 1]), received_on=received_on, state=state,
        location=text["location"], style_number=text["style"],
        season=text["season"].upper() if text["season"] else None, text=text["q"],
        overdue_on=local_date(now()) if overdue else None), problems


def _typed_codes(values: Mapping[str, Any]) -> list[str]:
    """The codes as they were typed, pasted or scanned, one per entry."""
    getlist = getattr(values, "getlist", None)
    raw = getlist("codes") if getlist else [values.get("codes") or ""]
    return [part for text in raw for part in parse_codes(str(text))]


def _read(typed: str) -> str:
    """The garment code ``typed`` names, read by the scan page's parser (CKS-49, 00049, a GS1
    element string or a label URL); a text that names none stays as it is, to be refused by name."""
    outcome = parse_scan(typed, base_url=base_url(), lots=True)  # offcut lot labels print here too
    return outcome.code if isinstance(outcome, ScannedLabel) else typed


def _codes_in(values: Mapping[str, Any]) -> list[str]:
    return [_read(typed) for typed in _typed_codes(values)]


def _readings(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(typed, code) for each code read as something other than what was typed, e.g. CKS-49 → CKS-00049."""
    seen = dict.fromkeys((typed, code) for typed in _typed_codes(values)[:MAX_LABELS]
                         if (code := _read(typed)) != typed)
    return list(seen)


# --- shared -----------------------------------------------------------------------------------

def sheet_response(labels: list[Label], *, kind: str, layout: SheetLayout, start_at: int, dpi: int,
           name: str) -> Response:
    labels = [in_language(label) for label in labels]
    content = label_service.print_file(labels, kind=kind, layout=layout, start_at=start_at, dpi=dpi,
                                       title=gettext("CKS garment labels"))
    if kind == "zpl":
        return file_response(content, "text/plain", f"cks-labels-{name}-{dpi}dpi.zpl")
    return file_response(content, "application/pdf", f"cks-labels-{name}-{layout.name}.pdf")


def in_language(label: Label) -> Label:
    """The label with its words from the catalogue's vocabulary (the colour) in the user's language,
    translated as the public passport translates them; free text stays as CKS wrote it."""
    colour = colour_label(label.colour)
    return label if colour == label.colour else dataclasses.replace(label, colour=colour)


def file_response(data: str | bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    # filenames are built from garment codes and layout names only: no quoting problems
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def base_url() -> str:
    return str(current_app.config["BASE_URL"])


def _int_or(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

