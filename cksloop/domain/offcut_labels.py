"""Offcut lot codes (CKSR-00012, "reststof") and the URLs their QR labels carry (issue 15).

A lot code must never be mistaken for a garment code (``CKS-00049``, labels.GARMENT_CODE) nor the
other way round: the "R" right after "CKS" makes the two patterns disjoint, so the scan parser can
try both on the same text. Lot labels use the short path ``/r/{code}``: lots have no GTIN, so
there is no GS1 Digital Link form for them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

#: An offcut lot code: "CKSR-" and 4 to 12 digits or capitals, e.g. CKSR-00012.
LOT_CODE = re.compile(r"^CKSR-[0-9A-Z]{4,12}$")

#: "CKSR-12", "cksr12", "CKSR 00012": the prefix with a short or spaced number, as people type it
#: (the prefix is required: a bare number is read as a garment's, labels.garment_code_in)
_SHORT_LOT_CODE = re.compile(r"^CKSR[- ]?([0-9]{1,12})$")

#: The first path segment of a lot label URL: {BASE_URL}/r/{code}.
LOT_PATH_SEGMENT = "r"


def is_lot_code(text: object) -> bool:
    """Whether ``text`` is a lot code exactly as stored (capitals)."""
    return isinstance(text, str) and bool(LOT_CODE.match(text))


def format_lot_code(number: int, width: int = 5) -> str:
    """The code of lot number ``number``: 12 → CKSR-00012."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"a lot number is a positive whole number, not {number!r}")
    return f"CKSR-{number:0{width}d}"


def lot_code_in(text: str) -> str | None:
    """The lot code ``text`` spells as scanners and people type it, else None.

    Exact codes in any letter case ("cksr-00012") and the prefix with a short number ("CKSR-12"
    is CKSR-00012, as garment codes are read by labels.garment_code_in).
    """
    # ASCII first: upper-casing a ligature makes new letters, and no label of ours holds one
    if not isinstance(text, str) or not text.isascii():
        return None
    upper = text.strip().upper()
    if LOT_CODE.fullmatch(upper):
        return upper
    short = _SHORT_LOT_CODE.fullmatch(upper)
    code = f"CKSR-{short.group(1).zfill(5)}" if short else None
    return code if code and LOT_CODE.fullmatch(code) else None


def lot_code_in_path(segments: Sequence[str]) -> str | None:
    """The lot code a label URL's path names (segments after our base path, unquoted), else None."""
    if len(segments) == 2 and segments[0] == LOT_PATH_SEGMENT:
        return lot_code_in(segments[1])
    return None


def lot_path(code: str) -> str:
    """The label path of a lot: /r/{code}."""
    return f"/{LOT_PATH_SEGMENT}/{code}"


def lot_label_url(base_url: str, code: str) -> str:
    """The absolute URL printed in a lot's QR code."""
    return base_url.rstrip("/") + lot_path(code)
