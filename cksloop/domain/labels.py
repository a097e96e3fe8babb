"""Garment codes and the URLs their QR labels carry (GS1 Digital Link, DOMAIN.md §6)."""
from __future__ import annotations

import re

#: A garment code: "CKS-" and 4 to 12 digits or capitals, e.g. CKS-00123. It is the GS1 serial (AI 21).
GARMENT_CODE = re.compile(r"^CKS-[0-9A-Z]{4,12}$")


def is_garment_code(text: str) -> bool:
    return bool(GARMENT_CODE.match(text))


def format_garment_code(number: int, width: int = 5) -> str:
    return f"CKS-{number:0{width}d}"


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid_gtin(gtin: str) -> bool:
    return gtin.isdigit() and len(gtin) in (8, 12, 13, 14) and \
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
