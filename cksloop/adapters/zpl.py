"""ZPL II for 50 × 25 mm labels on Zebra-type thermal printers (203 or 300 dpi): QR and text."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cksloop.adapters.qr import ERROR_LEVEL, QUIET_ZONE, qr_version, symbol_size
from cksloop.domain.labels import ZPL_DPI, Label

LABEL_WIDTH_MM, LABEL_HEIGHT_MM = 50.0, 25.0
MARGIN_MM = 1.0  # thermal printers register the label to ±0.5 mm; keep the quiet zone on it
MAX_MAGNIFICATION = 10  # the largest ^BQ allows

#: Characters that stay as they are in a ^FH field: printable ASCII except ^ and ~ (command
#: prefixes), _ (the ^FH escape itself) and \ (a line break inside ^FB blocks).
_PLAIN = frozenset(chr(c) for c in range(0x20, 0x7F)) - set("^~_\\")

# With the 4-module quiet zone inside a 1 mm margin, the QR gets 23 mm of the label's 25 mm.
# ^BQ prints whole dots per module, so a Digital Link URL (version 5, 45 modules with the quiet
# zone) prints at magnification 4 on 203 dpi (4 dots = 0.50 mm a module, 22.5 mm in all) and
# magnification 6 on 300 dpi (6 dots = 0.51 mm a module, 22.9 mm). The /g/ URL (version 4,
# 41 modules) gets the same magnifications. layout() computes it for any URL.


@dataclass(frozen=True)
class ZplGeometry:
    dpi: int
    width_dots: int
    height_dots: int
    margin_dots: int
    magnification: int  # dots per QR module

    @property
    def module_mm(self) -> float:
        return self.magnification * 25.4 / self.dpi


def dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def geometry(dpi: int, modules_with_quiet_zone: int) -> ZplGeometry:
    if dpi not in ZPL_DPI:
        raise ValueError(f"ZPL labels are made for {ZPL_DPI} dpi, not {dpi}")
    width, height, margin = dots(LABEL_WIDTH_MM, dpi), dots(LABEL_HEIGHT_MM, dpi), dots(MARGIN_MM, dpi)
    magnification = max(1, min(MAX_MAGNIFICATION, (height - 2 * margin) // modules_with_quiet_zone))
    return ZplGeometry(dpi, width, height, margin, magnification)


def field_data(text: str) -> str:
    """``text`` for a ``^FH^FD`` field: anything but plain ASCII as ``_XX`` hex of its UTF-8 bytes
    (the label selects UTF-8 with ^CI28), so no value can end the field or start a command."""
    return "".join(char if char in _PLAIN else "".join(f"_{byte:02X}" for byte in char.encode("utf-8"))
                   for char in text)


def render_labels(labels: Sequence[Label], *, dpi: int = 203) -> str:
    """One ^XA…^XZ format per garment: QR on the left, code, style number, size, colour beside it."""
    return "".join(render_label(label, dpi=dpi) for label in labels)


def render_label(label: Label, *, dpi: int = 203) -> str:
    # the printer draws the symbol (^BQ): only its size is needed here, not its modules
    size = symbol_size(qr_version(label.url))
    shape = geometry(dpi, size + 2 * QUIET_ZONE)
    quiet = QUIET_ZONE * shape.magnification
    qr_x = qr_y = shape.margin_dots + quiet
    qr_side = size * shape.magnification
    text_x = qr_x + qr_side + quiet
    text_width = shape.width_dots - shape.margin_dots - text_x
    scale = dpi / 203
    lines = [(label.code, 34), (label.style_number, 24), (label.size, 24), (label.colour, 24)]
    out = [
        "^XA",
        "^CI28",  # field data is UTF-8
        f"^PW{shape.width_dots}",
        f"^LL{shape.height_dots}",
        "^LH0,0",
        # ^BQ: normal orientation, model 2, magnification, error correction; data "QA," = level Q,
        # automatic input mode
        f"^FO{qr_x},{qr_y}^BQN,2,{shape.magnification},{ERROR_LEVEL},7"
        f"^FH^FD{ERROR_LEVEL}A,{field_data(label.url)}^FS",
    ]
    y = shape.margin_dots + round(6 * scale)
    for text, nominal in lines:
        height = round(nominal * scale)
        text, height = _fit(text, height, text_width)
        out.append(f"^FO{text_x},{y}^A0N,{height},{height}^FH^FD{field_data(text)}^FS")
        y += height + round(10 * scale)
    out.append("^PQ1")
    out.append("^XZ")
    return "\n".join(out) + "\n"


def _fit(text: str, height: int, width: int) -> tuple[str, int]:
    """Font 0 is ~0.6 of its height wide a character at most: shrink to 60 %, then shorten."""
    def fits(t: str, h: int) -> bool:
        return len(t) * h * 0.6 <= width

    if fits(text, height):
        return text, height
    smaller = max(int(height * 0.6), int(width / (0.6 * max(len(text), 1))))
    while len(text) > 1 and not fits(text, smaller):
        text = text[:-2] + "…"
    return text, smaller
