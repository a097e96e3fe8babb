"""Labels of offcut lots: the same Label the garment sheets and ZPL print, its QR carrying the lot's URL."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import OffcutLot
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.labels import MAX_LABELS, Label, unique_codes
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import is_lot_code, lot_label_url


def _composition_text(composition: Sequence[dict[str, object]]) -> str:
    return ", ".join(f"{part.get('pct')}% {part.get('fibre')}" for part in composition or [])


def _as_label(base_url: str, lot: OffcutLot) -> Label:
    # the garment label's fields, read for a lot: code, material, weight left, colour, composition
    return Label(code=lot.code, url=lot_label_url(base_url, lot.code), style_number=lot.material,
                 style_name=_composition_text(lot.composition), size=f"{lot.remaining_g} g", colour=lot.colour)


def lot_labels(session: Session, *, codes: Sequence[str], base_url: str) -> list[Label]:
    """Labels of the lots ``codes`` in the order given (each once), the weight printed as left now.

    Raises InvalidDetails for an empty or too long list, malformed codes (``details.malformed_codes``)
    or codes no lot has (``details.unknown_codes``).
    """
    codes = unique_codes(codes)
    if not codes:
        raise InvalidDetails({"codes": N_("Choose at least one offcut lot.")})
    if len(codes) > MAX_LABELS:
        raise InvalidDetails({"codes": N_("At most 5,000 labels at once: split the selection.")})
    malformed = [c for c in codes if not is_lot_code(c)]
    if malformed:
        error = InvalidDetails({"codes": N_("Not an offcut lot code (they look like CKSR-00012).")})
        error.details["malformed_codes"] = [c[:40] for c in malformed[:50]]
        raise error
    found = {lot.code: lot for lot in session.scalars(select(OffcutLot).where(OffcutLot.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        error = InvalidDetails({"codes": N_("No offcut lot has this code.")})
        error.details["unknown_codes"] = unknown[:50]
        raise error
    return [_as_label(base_url, found[c]) for c in codes]


def lot_label(session: Session, *, code: str, base_url: str) -> Label:
    """The label of one lot; NotFound when no lot has ``code``."""
    lot = session.scalar(select(OffcutLot).where(OffcutLot.code == code)) if is_lot_code(code) else None
    if lot is None:
        raise NotFound(N_("No offcut lot with code %(code)s."), code=code[:40])
    return _as_label(base_url, lot)
