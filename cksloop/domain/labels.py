"""Garment codes and the URLs their QR labels carry (GS1 Digital Link, DOMAIN.md §6)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidDetails
from .messages import N_

#: A garment code: "CKS-" and 4 to 12 digits or capitals, e.g. CKS-00123. It is the GS1 serial (AI 21).
GARMENT_CODE = re.compile(r"^CKS-[0-9A-Z]{4,12}$")


def is_garment_code(text: str) -> bool:
    return bool(GARMENT_CODE.match(text))


#: "CKS-49", "cks49", "CKS 00049": our prefix with a short or spaced number, as people type it
_SHORT_CODE = re.compile(r"^CKS[- ]?([0-9]{1,12})$")
#: "00049", "49": the number alone, as typed from a label (longer digit runs are EAN/UPC barcodes)
_NUMBER_ONLY = re.compile(r"^[0-9]{2,7}$")


def garment_code_in(text: str) -> str | None:
    """The one garment code ``text`` spells as people type it, else None.

    Exact codes in any letter case ("cks-00051"), our prefix with a short number ("CKS-49" is
    CKS-00049, numbers are at least five digits on labels) and the number alone ("00049"). Only
    unambiguous forms: a run of eight or more digits is some product barcode, never ours.
    """
    # ASCII first: upper-casing "ﬀ" gives "FF", and no label of ours holds a ligature
    if not text.isascii():
        return None
    upper = text.upper()
    if GARMENT_CODE.fullmatch(upper):
        return upper
    short = _SHORT_CODE.fullmatch(upper)
    number = short.group(1) if short else upper if _NUMBER_ONLY.fullmatch(upper) else None
    if number is None:
        return None
    code = f"CKS-{number.zfill(5)}"
    return code if GARMENT_CODE.fullmatch(code) else None


def format_garment_code(number: int, width: int = 5) -> str:
    return f"CKS-{number:0{width}d}"


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid_gtin(gtin: str) -> bool:
    # isascii: str.isdigit also accepts other scripts' digits, which no GTIN contains
    return gtin.isascii() and gtin.isdigit() and len(gtin) in (8, 12, 13, 14) and \
        gs1_check_digit(gtin[:-1]) == int(gtin[-1])


def gtin14(gtin: str) -> str:
    """GTIN-8/12/13 left-padded to the 14 digits Digital Link uses."""
    if not is_valid_gtin(gtin):
        raise ValueError(f"not a valid GTIN: {gtin!r}")
    return gtin.zfill(14)


def garment_path(code: str) -> str:
    """The short label path for a garment without a GTIN."""
    return f"/g/{code}"


def digital_link_path(gtin: str, code: str) -> str:
    """The GS1 Digital Link path: /01/{GTIN-14}/21/{serial}."""
    return f"/01/{gtin14(gtin)}/21/{code}"


def label_url(base_url: str, code: str, gtin: str | None) -> str:
    """The absolute URL printed in a garment's QR code: Digital Link when the size has a GTIN."""
    path = digital_link_path(gtin, code) if gtin else garment_path(code)
    return base_url.rstrip("/") + path


# --- What a printed label carries -------------------------------------------------------------

#: The most labels one request may print: two boxes of a big delivery, still one PDF a printer takes.
MAX_LABELS = 5000


@dataclass(frozen=True)
class Label:
    """The public facts printed on one garment label (never a price, partner or person)."""

    code: str
    url: str
    style_number: str
    style_name: str
    size: str
    colour: str


def usable_gtin(gtin: str | None) -> str | None:
    """The GTIN-14 to print, or None when the size has none (or a stored one fails its check digit,
    so the label falls back to the short path that always resolves)."""
    if gtin and is_valid_gtin(gtin):
        return gtin14(gtin)
    return None


def make_label(base_url: str, *, code: str, gtin: str | None, style_number: str, style_name: str,
               size: str, colour: str) -> Label:
    return Label(code=code, url=label_url(base_url, code, usable_gtin(gtin)), style_number=style_number,
                 style_name=style_name, size=size, colour=colour)


def parse_codes(text: str) -> list[str]:
    """Codes typed, pasted or scanned into one field: split on commas, semicolons and white space."""
    return [part for part in re.split(r"[\s,;]+", text.strip()) if part]


def unique_codes(codes: Iterable[str]) -> list[str]:
    """The codes once each, in the order first given (a double scan prints one label)."""
    return list(dict.fromkeys(codes))


def check_codes(codes: Sequence[str]) -> None:
    """Refuse an empty list, too many codes, or text that cannot be a garment code.

    Raises InvalidDetails naming the offending codes (at most 50, so an error stays readable).
    """
    if not codes:
        raise InvalidDetails({"codes": N_("Choose at least one garment.")})
    if len(codes) > MAX_LABELS:
        error = InvalidDetails({"codes": N_("At most 5,000 labels at once: split the selection.")})
        error.details.update(max_codes=MAX_LABELS, count=len(codes))
        raise error
    malformed = [c for c in codes if not is_garment_code(c)]  # callers read typed codes with garment_code_in
    if malformed:
        error = InvalidDetails({"codes": N_("Not a garment code (they look like CKS-00123).")})
        error.details["malformed_codes"] = [c[:40] for c in malformed[:50]]
        raise error


# --- A4 label sheets --------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetLayout:
    """A sheet of die-cut labels, measured in millimetres from the sheet's top-left corner.

    Cells are counted the way people count them on a sheet: left to right, then top to bottom,
    starting at 1.
    """

    name: str
    title: str
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    left_mm: float
    top_mm: float
    pitch_x_mm: float  # from one label's left edge to the next one's
    pitch_y_mm: float
    page_width_mm: float = 210.0  # A4
    page_height_mm: float = 297.0

    @property
    def cells(self) -> int:
        return self.columns * self.rows

    def cell_box(self, cell: int) -> tuple[float, float, float, float]:
        """(left, top, width, height) in mm of cell number ``cell`` (1-based)."""
        if not 1 <= cell <= self.cells:
            raise ValueError(f"cell {cell} is not on a {self.name} sheet")
        row, column = divmod(cell - 1, self.columns)
        return (self.left_mm + column * self.pitch_x_mm, self.top_mm + row * self.pitch_y_mm,
                self.label_width_mm, self.label_height_mm)

    def sheets_for(self, count: int, start_at: int = 1) -> int:
        """How many sheets ``count`` labels take when the first sheet starts at cell ``start_at``."""
        return -(-(count + start_at - 1) // self.cells) if count else 0


#: Common A4 layouts (sizes as sold by the big label brands; the key is what the API accepts).
LAYOUTS: dict[str, SheetLayout] = {layout.name: layout for layout in (
    # 24 labels of 70 × 37 mm, edge to edge (e.g. Avery 3474)
    SheetLayout("a4-3x8", N_("A4, 3 × 8 labels of 70 × 37 mm"), 3, 8, 70.0, 37.0,
                left_mm=0.0, top_mm=0.5, pitch_x_mm=70.0, pitch_y_mm=37.0),
    # 14 labels of 99.1 × 38.1 mm with a 2.5 mm gap between the columns (e.g. Avery L7163)
    SheetLayout("a4-2x7", N_("A4, 2 × 7 labels of 99.1 × 38.1 mm"), 2, 7, 99.1, 38.1,
                left_mm=4.65, top_mm=15.15, pitch_x_mm=101.6, pitch_y_mm=38.1),
    # 40 labels of 48.5 × 25.4 mm (e.g. Avery 3657)
    SheetLayout("a4-4x10", N_("A4, 4 × 10 labels of 48.5 × 25.4 mm"), 4, 10, 48.5, 25.4,
                left_mm=8.0, top_mm=21.5, pitch_x_mm=48.5, pitch_y_mm=25.4),
)}
DEFAULT_LAYOUT = "a4-3x8"


def layout_named(name: Any) -> SheetLayout:
    """The sheet layout called ``name``; InvalidDetails listing the known ones otherwise."""
    layout = LAYOUTS.get(name) if isinstance(name, str) else None
    if layout is None:
        error = InvalidDetails({"layout": N_("Not a known label sheet layout.")})
        error.details["layouts"] = sorted(LAYOUTS)
        raise error
    return layout


def check_start_at(layout: SheetLayout, start_at: Any) -> int:
    """The first free cell of a partly used sheet, 1..cells; InvalidDetails otherwise."""
    if isinstance(start_at, bool) or not isinstance(start_at, int) or not 1 <= start_at <= layout.cells:
        error = InvalidDetails({"start_at": N_("Start at a label that is on the sheet "
                                               "(from 1 to the number of labels it holds).")})
        error.details["max_start_at"] = layout.cells
        raise error
    return start_at


#: Thermal printers the ZPL output is made for (dots per inch).
ZPL_DPI = (203, 300)


def check_dpi(dpi: Any) -> int:
    if isinstance(dpi, bool) or dpi not in ZPL_DPI:
        raise InvalidDetails({"dpi": N_("The label printer prints at 203 or 300 dpi.")})
    return int(dpi)
