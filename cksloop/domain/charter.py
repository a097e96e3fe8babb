"""The yearly charter report's rules: which years it covers, its units, and the flagged materials.

Source: the CKS progress report under the Belgian Charter for Responsible Supply Chain Management
in Fashion (section 2: organic cotton, recycled polyester, LENZING™ fibres; section 3: downstream).
"""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from .errors import InvalidDetails
from .messages import N_

#: the years a report can cover: season codes (SS25, AW25) name the year in two digits
FIRST_YEAR, LAST_YEAR = 2000, 2099
#: what a figure counts (a drill list of the same length) …
COUNTED_UNITS = frozenset({"garments", "cycles", "lots", "workshops", "products", "events", "returns"})
#: … or measures (a drill list of what it is measured on; participants are a sum over workshop entries)
MEASURED_UNITS = frozenset({"kg", "eur", "pct", "days", "participants"})


def parse_year(raw: Any, *, today: dt.date) -> int:
    """The report's year from a text: four digits, FIRST_YEAR to LAST_YEAR; absent: last year.

    Raises ``InvalidDetails`` naming ``year`` for anything else. A year without records (one still to
    come, too) is a valid question: its report says nothing was recorded."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return today.year - 1  # the report is written about the year that ended
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        raise InvalidDetails({"year": N_("A year is four digits, e.g. 2025.")})
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidDetails({"year": N_("Choose a year from 2000 to 2099.")})
    return year


class FlaggedMaterial(StrEnum):
    """The materials the roadmap tracks (report section 2), in the report's order."""

    ORGANIC_COTTON = "organic_cotton"
    RECYCLED_POLYESTER = "recycled_polyester"
    LENZING = "lenzing"
    OTHER = "other_flagged"

    @property
    def label(self) -> str:
        return _MATERIAL_LABELS[self]


_MATERIAL_LABELS = {
    FlaggedMaterial.ORGANIC_COTTON: N_("organic cotton"),
    FlaggedMaterial.RECYCLED_POLYESTER: N_("recycled polyester"),
    FlaggedMaterial.LENZING: N_("LENZING™ fibres"),
    FlaggedMaterial.OTHER: N_("other flagged materials"),
}


def flag_of(fibre: str, certification: str, sustainable: bool) -> FlaggedMaterial | None:
    """Which flagged material a fibre of a composition is, or None for a conventional one."""
    fibre_l, cert_l = fibre.strip().lower(), certification.strip().lower()
    if "lenzing" in cert_l:
        return FlaggedMaterial.LENZING
    if fibre_l == "cotton" and "organic" in cert_l:
        return FlaggedMaterial.ORGANIC_COTTON
    if fibre_l == "polyester" and "recycled" in cert_l:
        return FlaggedMaterial.RECYCLED_POLYESTER
    if sustainable or cert_l:
        return FlaggedMaterial.OTHER
    return None


class Half(StrEnum):
    """A year's two collections: summer (SSyy) and winter (AWyy)."""

    SUMMER = "summer"
    WINTER = "winter"

    def season(self, year: int) -> str:
        return f"{'SS' if self is Half.SUMMER else 'AW'}{year % 100:02d}"

    @property
    def label(self) -> str:
        return N_("summer") if self is Half.SUMMER else N_("winter")


def share_pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole`` to one decimal, or None with nothing to divide by."""
    return None if whole <= 0 else round(100.0 * part / whole, 1)


def parse_target_pct(raw: Any) -> int:
    """A target share: a whole percentage 0–100; raises ``InvalidDetails`` naming ``target_pct``."""
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 100:
        raise InvalidDetails({"target_pct": N_("A target is a whole percentage from 0 to 100.")})
    return int(text)
