"""Return inspection: grades, return reasons and the defect taxonomy (DOMAIN.md §3)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .messages import N_


class Grade(StrEnum):
    A = "A"  # ready to rent as is
    B = "B"  # rent after cleaning or a minor fix
    C = "C"  # repair needed, re-grade after
    D = "D"  # retire from rental: outlet or resale
    E = "E"  # not sellable: offcuts, remanufacturing, recycling


GRADE_LABELS: dict[Grade, str] = {
    Grade.A: N_("A — ready to rent as is"),
    Grade.B: N_("B — rent after cleaning or a minor fix"),
    Grade.C: N_("C — repair needed"),
    Grade.D: N_("D — retire from rental (outlet or resale)"),
    Grade.E: N_("E — not sellable (offcuts, remanufacturing)"),
}


class ReturnReason(StrEnum):
    END_OF_RENTAL = "end_of_rental"
    QUALITY_RETURN = "quality_return"  # came back because quality fell short (the report's snagging item)
    CUSTOMER_DAMAGE = "customer_damage"
    LOST = "lost"


RETURN_REASON_LABELS: dict[ReturnReason, str] = {
    ReturnReason.END_OF_RENTAL: N_("normal end of rental"),
    ReturnReason.QUALITY_RETURN: N_("quality return (quality fell short)"),
    ReturnReason.CUSTOMER_DAMAGE: N_("damaged by the customer"),
    ReturnReason.LOST: N_("lost by the renter"),
}


class DefectCode(StrEnum):
    SNAG = "SNAG"
    PILL = "PILL"
    ABR = "ABR"
    SEAM = "SEAM"
    FADE = "FADE"
    SHR = "SHR"
    TRIM = "TRIM"
    TEAR = "TEAR"
    STN = "STN"
    ODOUR = "ODOUR"
    FIT = "FIT"


DEFECT_LABELS: dict[DefectCode, str] = {
    DefectCode.SNAG: N_("snag, pulled yarn, loop"),
    DefectCode.PILL: N_("pilling, fuzzing"),
    DefectCode.ABR: N_("abrasion, thinning, hole from wear"),
    DefectCode.SEAM: N_("seam slippage, open seam"),
    DefectCode.FADE: N_("colour fading or bleeding"),
    DefectCode.SHR: N_("shrinkage, spirality, deformation"),
    DefectCode.TRIM: N_("missing or broken button, zip, hook, label, QR tag"),
    DefectCode.TEAR: N_("tear, hole, moth"),
    DefectCode.STN: N_("stain"),
    DefectCode.ODOUR: N_("odour"),
    DefectCode.FIT: N_("stretched, bagging"),
}


class Zone(StrEnum):
    FRONT = "front"
    BACK = "back"
    SLEEVE = "sleeve"
    COLLAR = "collar"
    CUFF = "cuff"
    HEM = "hem"
    WAIST = "waist"
    POCKET = "pocket"
    LINING = "lining"
    SEAM = "seam"
    CLOSURE = "closure"
    WHOLE = "whole"


#: what an inspector reads for each zone (pages, history, attention points, exports)
ZONE_LABELS: dict[Zone, str] = {
    Zone.FRONT: N_("front"), Zone.BACK: N_("back"), Zone.SLEEVE: N_("sleeve"), Zone.COLLAR: N_("collar"),
    Zone.CUFF: N_("cuff"), Zone.HEM: N_("hem"), Zone.WAIST: N_("waist"), Zone.POCKET: N_("pocket"),
    Zone.LINING: N_("lining"), Zone.SEAM: N_("seam"), Zone.CLOSURE: N_("closure (zip, buttons)"),
    Zone.WHOLE: N_("whole garment"),
}

MAX_DEFECTS = 20


@dataclass(frozen=True)
class Defect:
    code: DefectCode
    zone: Zone
    severity: int  # 1 barely visible … 5 severe
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "zone": self.zone.value, "severity": self.severity,
                "note": self.note}


def parse_defects(raw: Any) -> tuple[list[Defect], dict[str, str]]:
    """Parse a list of ``{"code", "zone", "severity", "note"}``; returns defects and field errors."""
    if not isinstance(raw, list):
        return [], {"defects": N_("Must be a list of defects.")}
    if len(raw) > MAX_DEFECTS:
        return [], {"defects": N_("Too many defects in one inspection.")}
    defects: list[Defect] = []
    errors: dict[str, str] = {}
    for i, item in enumerate(raw):
        key = f"defects.{i}"
        if not isinstance(item, dict):
            errors[key] = N_("Each defect needs a code, a zone and a severity.")
            continue
        try:
            code = DefectCode(str(item.get("code", "")).upper())
        except ValueError:
            errors[f"{key}.code"] = N_("Not a known defect code.")
            continue
        try:
            zone = Zone(str(item.get("zone", "")).lower())
        except ValueError:
            errors[f"{key}.zone"] = N_("Not a known garment zone.")
            continue
        severity = item.get("severity")
        if isinstance(severity, str) and severity.strip().isdecimal():
            severity = int(severity.strip())
        if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 5:
            errors[f"{key}.severity"] = N_("Severity is a whole number from 1 to 5.")
            continue
        note = item.get("note") or ""
        if not isinstance(note, str) or len(note) > 500:
            errors[f"{key}.note"] = N_("The note must be text of at most 500 characters.")
            continue
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in note):
            errors[f"{key}.note"] = N_("Contains control characters.")  # a NUL byte breaks PostgreSQL
            continue
        defects.append(Defect(code, zone, severity, note.strip()))
    return defects, errors
