"""A4 sheets of garment labels as PDF: a vector QR code and the garment's code, style, size, colour."""
from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from cksloop.adapters.qr import QUIET_ZONE, QrMatrix, dark_rectangles, qr_matrix
from cksloop.domain.labels import Label, SheetLayout

#: White kept inside each label's edge: sheets feed up to ~1 mm off and office printers cannot
#: print the outer ~4 mm of a sheet, which matters on the edge-to-edge 3 × 8 layout.
PADDING_MM = {"a4-3x8": 3.0, "a4-2x7": 2.0, "a4-4x10": 1.2}
TEXT_GAP_MM = 1.0
#: DejaVu Sans, shipped in cksloop/adapters/fonts (see its README) and embedded as a subset: the
#: built-in PDF fonts (Helvetica) only know Windows-1252, and a system font is missing on a bare machine.
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

# Compressed page streams stay binary: ASCII85 on top (reportlab's default, written in pure Python)
# only made files 25 % bigger and a 1,000-label sheet a second slower. Binary PDFs are the norm.
rl_config.useA85 = 0

# The QR takes the label's height less the padding; with its 4-module quiet zone a Digital Link
# URL (version 5: 37 + 8 = 45 modules; the shorter /g/ URL is version 4, 41 modules) prints at:
#   a4-3x8  (70 × 37 mm):     31.0 mm → 0.69 mm a module (0.76 mm for /g/)
#   a4-2x7  (99.1 × 38.1 mm): 34.1 mm → 0.76 mm a module (0.83 mm for /g/)
#   a4-4x10 (48.5 × 25.4 mm): 23.0 mm → 0.51 mm a module (0.56 mm for /g/)
# Phones read 0.5 mm modules from ~10 cm; module_mm() computes the exact figure for a URL.
# Version 5 holds a Digital Link URL for a BASE_URL of up to 33 characters (38 with the usual
# 9-character codes); a longer domain moves to version 6 and the 4 × 10 sheet to 0.47 mm.


@dataclass(frozen=True)
class LabelGeometry:
    """Where the QR sits in a label cell, in mm from the cell's top-left corner."""

    padding_mm: float
    qr_mm: float  # side of the QR including its quiet zone
    module_mm: float


def geometry(layout: SheetLayout, matrix: QrMatrix) -> LabelGeometry:
    padding = PADDING_MM.get(layout.name, 2.0)
    qr_side = min(layout.label_height_mm - 2 * padding, layout.label_width_mm / 2)
    return LabelGeometry(padding, qr_side, qr_side / matrix.size_with_quiet_zone)


def module_mm(layout: SheetLayout, url: str) -> float:
    """How wide one QR module prints for ``url`` on ``layout``."""
    return geometry(layout, qr_matrix(url)).module_mm


def render_sheets(labels: Sequence[Label], layout: SheetLayout, *, start_at: int = 1,
                  title: str = "CKS labels") -> bytes:
    """A PDF with one label per garment, filling cells from ``start_at`` (1-based) on the first
    sheet, so the free cells of a partly used sheet get used. Raises ValueError on a bad start."""
    if not 1 <= start_at <= layout.cells:
        raise ValueError(f"start_at {start_at} is not on a {layout.name} sheet")
    register_fonts()
    out = io.BytesIO()
    page_size = (layout.page_width_mm * mm, layout.page_height_mm * mm)
    canvas = Canvas(out, pagesize=page_size, pageCompression=1, invariant=1, initialFontName=REGULAR)
    canvas.setTitle(title)
    canvas.setCreator("cksloop")
    page = 0
    for index, label in enumerate(labels):
        sheet, cell = divmod(start_at - 1 + index, layout.cells)
        if sheet != page:
            canvas.showPage()
            page = sheet
        draw_label(canvas, layout, cell + 1, label)
    if not labels:
        canvas.showPage()  # an empty selection still gives a valid (blank) PDF
    canvas.save()
    return out.getvalue()


def draw_label(canvas: Canvas, layout: SheetLayout, cell: int, label: Label) -> None:
    left, top, width, height = layout.cell_box(cell)
    matrix = qr_matrix(label.url)
    shape = geometry(layout, matrix)
    page_height = layout.page_height_mm
    # the QR, vertically centred, as filled rectangles in module units (integers keep it compact)
    qr_left = left + shape.padding_mm
    qr_top = top + (height - shape.qr_mm) / 2
    canvas.saveState()
    canvas.translate((qr_left + QUIET_ZONE * shape.module_mm) * mm,
                     (page_height - qr_top - QUIET_ZONE * shape.module_mm) * mm)
    canvas.scale(shape.module_mm * mm, -shape.module_mm * mm)
    canvas.setFillGray(0)
    # raw "re" operators: reportlab's own path.rect formats every number in pure Python, which
    # took most of the time of a 1,000-label sheet
    canvas.addLiteral("".join(f"{x} {y} {w} {h} re\n" for x, y, w, h in dark_rectangles(matrix)) + "f")
    canvas.restoreState()
    # the text beside it
    text_left = qr_left + shape.qr_mm + TEXT_GAP_MM
    text_width = (left + width - shape.padding_mm - text_left) * mm
    big = min(13.0, height * 0.34)  # points; ~12 pt on a 37 mm label, ~8.6 pt on 25.4 mm
    small = big * 0.72
    lines = [(BOLD, big, label.code), (REGULAR, small, label.style_number),
             (REGULAR, small, label.size), (REGULAR, small, label.colour),
             (REGULAR, small * 0.85, label.style_name)]
    block = sum(size * 1.25 for _, size, _ in lines)
    baseline = (page_height - top - height / 2) * mm + block / 2
    for font, size, text in lines:
        baseline -= size * 1.25
        if baseline < (page_height - top - height + shape.padding_mm) * mm:
            break  # no room for the last line on a small label
        text, size = _fit(drawable(text, font), font, size, text_width)
        canvas.setFont(font, size)
        canvas.drawString(text_left * mm, baseline + size * 0.25, text)


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink to 70 % at most, then shorten with an ellipsis, so text never runs off the label."""
    needed = stringWidth(text, font, size)
    if needed <= width:
        return text, size
    size = max(size * 0.7, size * width / needed)
    while text and stringWidth(text, font, size) > width:
        text = text[:-2] + "…" if len(text) > 1 else ""
    return text, size


@functools.cache
def register_fonts() -> None:
    """Register the label fonts with reportlab, once a process (read from the package's data)."""
    folder = resources.files("cksloop.adapters").joinpath("fonts")
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(folder.joinpath(filename).read_bytes())))


def drawable(text: str, font: str) -> str:
    """``text`` as ``font`` draws it: every letter of Dutch, French and English as it is; a character
    the font has no glyph for becomes a space (white space such as a tab), its base letters when
    the font has them, else "?", rather than an empty box."""
    register_fonts()
    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    if all(ord(char) in glyphs for char in text):
        return text
    out = []
    for char in text:
        if ord(char) in glyphs:
            out.append(char)
            continue
        if char.isspace():  # a tab or line break typed into a name
            out.append(" ")
            continue
        base = [part for part in unicodedata.normalize("NFKD", char) if ord(part) in glyphs]
        out.append("".join(base) or "?")
    return "".join(out)
