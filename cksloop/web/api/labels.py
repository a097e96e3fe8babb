"""API labels: one garment's QR label (SVG, PNG, PDF sheet, ZPL) and sheets for many garments."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.labels import (DEFAULT_LAYOUT, GARMENT_CODE, LAYOUTS, MAX_LABELS, ZPL_DPI, check_dpi,
                                   check_start_at, layout_named)
from cksloop.domain.messages import N_
from cksloop.services import labels as label_service
from cksloop.web.api import openapi, params, serializers
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db
from cksloop.web.guards import allow
from cksloop.web.labels.forms import MAX_CELLS
from cksloop.web.labels.routes import PRINTERS, base_url, file_response, sheet_response

IMAGE_FORMATS = ("svg", "png", "pdf", "zpl")
SHEET_FORMATS = ("pdf", "zpl")
#: 5,000 codes of 16 characters in JSON take ~100 kB; more than twice that is refused as too large
MAX_BODY_BYTES = 512 * 1024
#: the layout with the most cells: the bound of ``start_at`` where the format has no sheet
_LARGEST = max(LAYOUTS.values(), key=lambda layout: layout.cells)

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


@bp.get("/garments/<code>/label")
@allow(*PRINTERS)
@openapi.operation(
    summary="One garment's QR label",
    operation_id="labels_garment_label",
    description="The QR holds the garment's public URL: GS1 Digital Link `/01/{GTIN-14}/21/{code}` "
                "when its style has a GTIN for the size, else `/g/{code}`. svg and png are the QR "
                "symbol with its quiet zone; pdf is an A4 sheet with the label in cell `start_at`; "
                "zpl is a 50 × 25 mm label for a thermal printer.",
    tags=[LABELS],
    parameters=[
        openapi.query("format", {"type": "string", "enum": list(IMAGE_FORMATS), "default": "svg"}),
        openapi.query("layout", LAYOUT_SCHEMA, "Sheet layout (pdf only)"),
        openapi.query("start_at", START_SCHEMA, "Cell on the sheet (pdf only; other formats "
                      "check only the bounds above and ignore it)"),
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
    kind = params.query_choice("format", errors, params.one_of(IMAGE_FORMATS)) or "svg"
    layout_name = params.query_text("layout", errors) or DEFAULT_LAYOUT
    start_at = params.query_int("start_at", errors, default=1, minimum=1, maximum=MAX_CELLS)
    dpi = params.query_int("dpi", errors, default=ZPL_DPI[0], minimum=1, maximum=10_000)
    layout = _checked(errors, details, layout_named, layout_name)
    if layout is not None and "start_at" not in errors and kind == "pdf":
        # a sheet's cell: only a PDF sheet has cells (ZPL prints one label, SVG/PNG one symbol)
        _checked(errors, details, check_start_at, layout, start_at)
    if "dpi" not in errors:
        _checked(errors, details, check_dpi, dpi)
    _raise(errors, details)
    label = label_service.label_for_garment(db(), code=code, base_url=base_url())
    if kind == "svg":
        return file_response(label_service.qr_image(label.url, kind="svg"), "image/svg+xml", f"{label.code}.svg",
                             inline=True)
    if kind == "png":
        return file_response(label_service.qr_image(label.url, kind="png"), "image/png", f"{label.code}.png",
                             inline=True)
    assert layout is not None
    return sheet_response([label], kind=kind, layout=layout, start_at=start_at, dpi=dpi, name=label.code)


@bp.post("/labels")
@allow(*PRINTERS)
@openapi.operation(
    summary="Labels for many garments: an A4 sheet PDF or ZPL for a label printer",
    operation_id="labels_print_labels",
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
    body = serializers.json_object(max_bytes=MAX_BODY_BYTES)
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
        # the layout's own bound for a PDF sheet; ZPL has no cells, so only the schema's bound
        _checked(errors, details, check_start_at, layout if kind == "pdf" else _LARGEST, start_at)
    dpi = _checked(errors, details, check_dpi, body.get("dpi", ZPL_DPI[0]))
    _raise(errors, details)
    assert codes is not None and layout is not None and dpi is not None
    labels = label_service.labels_for_codes(db(), codes=codes, base_url=base_url())
    return sheet_response(labels, kind=kind, layout=layout, start_at=start_at, dpi=dpi,
                          name=f"{len(labels)}-labels")


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
