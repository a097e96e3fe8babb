"""Return inspection: grades, return reasons and the defect taxonomy (DOMAIN.md §3)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .messages import N_, LabelledEnum


class Grade(LabelledEnum):
    A = "A", N_("A — ready to rent as is")
    B = "B", N_("B — rent after cleaning or a minor fix")
    C = "C", N_("C — repair needed")  # re-graded after the repair
    D = "D", N_("D — retire from rental (outlet or resale)")
    E = "E", N_("E — not sellable (offcuts, remanufacturing)")  # or recycling, on a legal ground


class ReturnReason(LabelledEnum):
    END_OF_RENTAL = "end_of_rental", N_("normal end of rental")
    # came back because quality fell short (the report's snagging item)
    QUALITY_RETURN = "quality_return", N_("quality return (quality fell short)")
    CUSTOMER_DAMAGE = "customer_damage", N_("damaged by the customer")
    LOST = "lost", N_("lost by the renter")


class DefectCode(LabelledEnum):
    SNAG = "SNAG", N_("snag, pulled yarn, loop")
    PILL = "PILL", N_("pilling, fuzzing")
    ABR = "ABR", N_("abrasion, thinning, hole from wear")
    SEAM = "SEAM", N_("seam slippage, open seam")
    FADE = "FADE", N_("colour fading or bleeding")
    SHR = "SHR", N_("shrinkage, spirality, deformation")
    TRIM = "TRIM", N_("missing or broken button, zip, hook, label, QR tag")
    TEAR = "TEAR", N_("tear, hole, moth")
    STN = "STN", N_("stain")
    ODOUR = "ODOUR", N_("odour")
    FIT = "FIT", N_("stretched, bagging")


class Zone(LabelledEnum):
    FRONT = "front", N_("front")
    BACK = "back", N_("back")
    SLEEVE = "sleeve", N_("sleeve")
    COLLAR = "collar", N_("collar")
    CUFF = "cuff", N_("cuff")
    HEM = "hem", N_("hem")
    WAIST = "waist", N_("waist")
    POCKET = "pocket", N_("pocket")
    LINING = "lining", N_("lining")
    SEAM = "seam", N_("seam")
    CLOSURE = "closure", N_("closure (zip, buttons)")
    WHOLE = "whole", N_("whole garment")


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
