"""Printing QR labels: one garment's label as SVG/PNG/PDF/ZPL, sheets for a selection, the print page."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext

from cksloop.adapters import label_sheets, qr, zpl
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.labels import (DEFAULT_LAYOUT, GARMENT_CODE, LAYOUTS, MAX_LABELS, ZPL_DPI, Label,
                                   SheetLayout, check_dpi, check_start_at, layout_named, parse_codes)
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.domain.messages import N_
from cksloop.domain.scanning import ScannedLabel, parse_scan
from cksloop.services import labels as label_service
from cksloop.services.garments import local_date
from cksloop.web.api import openapi
from cksloop.web.api import serializers as api_in
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_fields
from cksloop.web.labels.forms import MAX_CELLS, PrintLabelsForm

bp = Blueprint("labels", __name__)

#: who prints labels: the shop floor, the merchandisers who receive stock, admins
PRINTERS = (Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN)
IMAGE_FORMATS = ("svg", "png", "pdf", "zpl")
SHEET_FORMATS = ("pdf", "zpl")
#: 5,000 codes of 16 characters in JSON take ~100 kB; more than twice that is refused as too large
MAX_BODY_BYTES = 512 * 1024
PREVIEW_CODES = 12

LABELS = openapi.tag("labels", "QR labels for garments: images, A4 sheets (PDF), label printers (ZPL)")
LAYOUT_SCHEMA = {"type": "string", "enum": sorted(LAYOUTS), "default": DEFAULT_LAYOUT,
                 "description": "; ".join(f"{name}: {layout.title}" for name, layout in LAYOUTS.items())}
START_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_CELLS, "default": 1,
                "description": "First free label of a partly used sheet (1 = top left, counting "
                               "left to right, then down); at most the layout's number of labels."}
DPI_SCHEMA = {"type": "integer", "enum": list(ZPL_DPI), "default": ZPL_DPI[0],
              "description": "Resolution of the thermal printer (ZPL only)."}
openapi.schema("LabelsRequest", {
    "type": "object",
    "required": ["codes"],
    "additionalProperties": False,
    "properties": {
        "codes": {"type": "array", "minItems": 1, "maxItems": MAX_LABELS,
                  "items": {"type": "string", "pattern": GARMENT_CODE.pattern},
                  "description": "Garment codes, printed in this order; a repeated code prints once."},
        "format": {"type": "string", "enum": list(SHEET_FORMATS), "default": "pdf"},
        "layout": LAYOUT_SCHEMA,
        "start_at": START_SCHEMA,
        "dpi": DPI_SCHEMA,
    },
})
_FILE_CONTENT = {
    "image/svg+xml": {"schema": {"type": "string"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/plain": {"schema": {"type": "string", "description": "ZPL II"}},
}


# --- API --------------------------------------------------------------------------------------

@bp.get("/api/v1/garments/<code>/label")
@allow(*PRINTERS)
@openapi.operation(
    summary="One garment's QR label",
    description="The QR holds the garment's public URL: GS1 Digital Link `/01/{GTIN-14}/21/{code}` "
                "when its style has a GTIN for the size, else `/g/{code}`. svg and png are the QR "
                "symbol with its quiet zone; pdf is an A4 sheet with the label in cell `start_at`; "
                "zpl is a 50 × 25 mm label for a thermal printer.",
    tags=[LABELS],
    parameters=[
        openapi.query("format", {"type": "string", "enum": list(IMAGE_FORMATS), "default": "svg"}),
        openapi.query("layout", LAYOUT_SCHEMA, "Sheet layout (pdf only)"),
        openapi.query("start_at", START_SCHEMA, "Cell on the sheet (pdf only)"),
        openapi.query("dpi", DPI_SCHEMA, "Printer resolution (zpl only)"),
    ],
    responses={
        200: {"description": "The label, in the format asked for", "content": _FILE_CONTENT},
        404: "No garment with this code (error not_found).",
        422: "A parameter is wrong (invalid_details; details.fields says which).",
    },
)
def garment_label(code: str) -> Any:
    errors: dict[str, str] = {}
    details: dict[str, Any] = {}
    kind = api_in.query_choice("format", errors, _one_of(IMAGE_FORMATS)) or "svg"
    layout_name = api_in.query_text("layout", errors) or DEFAULT_LAYOUT
    start_at = api_in.query_int("start_at", errors, default=1, minimum=1, maximum=MAX_CELLS)
    dpi = api_in.query_int("dpi", errors, default=ZPL_DPI[0], minimum=1, maximum=10_000)
    layout = _checked(errors, details, layout_named, layout_name)
    if layout is not None and "start_at" not in errors:
        _checked(errors, details, check_start_at, layout, start_at)
    if "dpi" not in errors:
        _checked(errors, details, check_dpi, dpi)
    _raise(errors, details)
    label = label_service.label_for_garment(db(), code=code, base_url=_base_url())
    if kind == "svg":
        return _file(qr.svg(qr.qr_matrix(label.url)), "image/svg+xml", f"{label.code}.svg", inline=True)
    if kind == "png":
        return _file(qr.png(qr.qr_matrix(label.url)), "image/png", f"{label.code}.png", inline=True)
    assert layout is not None
    return _sheet([label], kind=kind, layout=layout, start_at=start_at, dpi=dpi, name=label.code)


@bp.post("/api/v1/labels")
@allow(*PRINTERS)
@openapi.operation(
    summary="Labels for many garments: an A4 sheet PDF or ZPL for a label printer",
    description=f"At most {MAX_LABELS} codes. Every code must exist; otherwise nothing is printed "
                "and details.unknown_codes (or malformed_codes) lists them.",
    tags=[LABELS],
    request=openapi.ref("LabelsRequest"),
    responses={
        200: {"description": "The labels (application/pdf or text/plain ZPL), as a download",
              "content": {k: v for k, v in _FILE_CONTENT.items() if k in ("application/pdf", "text/plain")}},
        413: "The body is too large.",
        422: "Invalid request (invalid_details): details.fields per field, and "
             "details.unknown_codes / details.malformed_codes / details.max_start_at where useful.",
    },
)
def print_labels() -> Any:
    body = api_in.json_object(max_bytes=MAX_BODY_BYTES)
    errors: dict[str, str] = {}
    details: dict[str, Any] = {}
    for field in sorted(set(body) - {"codes", "format", "layout", "start_at", "dpi"}):
        errors[field[:40]] = N_("Not a known field.")
    codes = body.get("codes")
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        errors["codes"] = N_("Send the garment codes as a list of texts.")
        codes = None
    kind = body.get("format", "pdf")
    if kind not in SHEET_FORMATS:
        errors["format"] = N_("Choose pdf or zpl.")
    layout = _checked(errors, details, layout_named, body.get("layout", DEFAULT_LAYOUT))
    start_at = body.get("start_at", 1)
    if layout is not None:
        _checked(errors, details, check_start_at, layout, start_at)
    dpi = _checked(errors, details, check_dpi, body.get("dpi", ZPL_DPI[0]))
    _raise(errors, details)
    assert codes is not None and layout is not None and dpi is not None
    labels = label_service.labels_for_codes(db(), codes=codes, base_url=_base_url())
    return _sheet(labels, kind=kind, layout=layout, start_at=start_at, dpi=dpi,
                  name=f"{len(labels)}-labels")


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
        labels = label_service.labels_for_selection(db(), selection=selection, base_url=_base_url())
    except InvalidDetails as error:
        _show_selection_error(form, error)
        return _render(form, status=422)
    return _sheet(labels, kind=form.format.data, layout=layout, start_at=start_at,
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
                                                             base_url=_base_url())
            except InvalidDetails as error:
                _show_selection_error(form, error)
    layout = LAYOUTS.get(form.layout.data or "", LAYOUTS[DEFAULT_LAYOUT])
    return render_template(
        "labels/print.html", form=form, selection=selection, preview=preview, readings=_readings(values),
        preview_codes=[label.code for label in (preview or [])[:PREVIEW_CODES]],
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
    outcome = parse_scan(typed, base_url=_base_url())
    return outcome.code if isinstance(outcome, ScannedLabel) else typed


def _codes_in(values: Mapping[str, Any]) -> list[str]:
    return [_read(typed) for typed in _typed_codes(values)]


def _readings(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(typed, code) for each code read as something other than what was typed, e.g. CKS-49 → CKS-00049."""
    seen = dict.fromkeys((typed, code) for typed in _typed_codes(values)[:MAX_LABELS]
                         if (code := _read(typed)) != typed)
    return list(seen)


# --- shared -----------------------------------------------------------------------------------

def _sheet(labels: list[Label], *, kind: str, layout: SheetLayout, start_at: int, dpi: int,
           name: str) -> Response:
    if kind == "zpl":
        return _file(zpl.render_labels(labels, dpi=dpi), "text/plain",
                     f"cks-labels-{name}-{dpi}dpi.zpl")
    return _file(label_sheets.render_sheets(labels, layout, start_at=start_at,
                                            title=gettext("CKS garment labels")),
                 "application/pdf", f"cks-labels-{name}-{layout.name}.pdf")


def _file(data: str | bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    # filenames are built from garment codes and layout names only: no quoting problems
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return parse


def _checked(errors: dict[str, str], details: dict[str, Any], check: Callable[..., Any],
             *args: Any) -> Any:
    """Run a domain check, gathering its field errors and details instead of stopping at the first."""
    try:
        return check(*args)
    except InvalidDetails as error:
        errors.update(error.field_errors)
        details.update({k: v for k, v in error.details.items() if k != "fields"})
        return None


def _raise(errors: dict[str, str], details: dict[str, Any]) -> None:
    if errors:
        error = InvalidDetails(errors)
        error.details.update(details)
        raise error


def _int_or(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

