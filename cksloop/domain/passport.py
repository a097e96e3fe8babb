"""The public product passport's rules: what a scanned label may tell anyone (DOMAIN.md §6).

Counts only, never who: the garment's life is told as numbers of rental cycles, repairs, cleanings
and previous owners, computed from its ledger events. Words that come from a fixed vocabulary
(category, colour, certification, care phrases) are marked here so every language can show them;
free text the catalogue holds outside these vocabularies is shown as CKS wrote it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import DomainError
from .lifecycle import Action, CareKind, GarmentState, RetireRoute
from .messages import N_


class GarmentGone(DomainError):
    """The garment no longer exists as a garment: retired (offcuts, remanufacturing, recycling) or
    written off. Its passport answers 410 Gone with the reason, and nothing else about it."""

    code = "gone"

    def __init__(self, *, reason: str, code: str):
        super().__init__(reason, code=code)


_GONE_REASONS = {
    RetireRoute.OFFCUTS.value: N_("Garment %(code)s was cut into offcuts: its fabric lives on in "
                                  "products made in CKS workshops."),
    RetireRoute.REMANUFACTURING.value: N_("Garment %(code)s went to a remanufacturing partner: its "
                                          "fabric lives on in new pieces."),
    RetireRoute.RECYCLING.value: N_("Garment %(code)s was retired and sent to recycling."),
}
_RETIRED = N_("Garment %(code)s has been retired.")
_WRITTEN_OFF = N_("Garment %(code)s is no longer in circulation.")


def check_public(*, code: str, state: GarmentState | None, retire_route: str | None) -> None:
    """Raise GarmentGone when a retired or written-off garment's label is scanned.

    A written-off garment says only that it is out of circulation: "lost" or "stolen" would tell a
    stranger holding it more than they need.
    """
    if state is GarmentState.RETIRED:
        raise GarmentGone(reason=_GONE_REASONS.get(retire_route or "", _RETIRED), code=code)
    if state is GarmentState.WRITTEN_OFF:
        raise GarmentGone(reason=_WRITTEN_OFF, code=code)


# --- the garment's life so far, in counts ------------------------------------------------------

@dataclass(frozen=True)
class LifeCounts:
    rental_cycles: int = 0
    repairs: int = 0
    cleanings: int = 0
    previous_owners: int = 0

    @property
    def is_new(self) -> bool:
        return not (self.rental_cycles or self.repairs or self.cleanings or self.previous_owners)


def count_life(events: Iterable[tuple[Any, Mapping[str, Any] | None, Any]],
               state: GarmentState | None) -> LifeCounts:
    """Count rental cycles, repairs, cleanings and previous owners from ``events`` in ledger order,
    each as (action, details, to_state).

    A care spell starts by a care action or by an inspection that sends the garment to care;
    its kind is in the event's ``care_kind``. Previous owners are the sales before the current
    one (issue 16): while the garment is sold, its last sale is its current owner. The ledger does
    not tell a purchase taken back within days from a buy-back, so every sale counts.
    """
    cycles = repairs = cleanings = sales = 0
    for action, details, to_state in events:
        cycles += action == Action.CHECK_OUT_RENTAL
        sales += action == Action.SELL
        if to_state == GarmentState.IN_CARE:
            kind = (details or {}).get("care_kind")
            repairs += kind == CareKind.REPAIR.value
            cleanings += kind == CareKind.CLEANING.value
    current = 1 if state is GarmentState.SOLD and sales else 0
    return LifeCounts(rental_cycles=cycles, repairs=repairs, cleanings=cleanings,
                      previous_owners=sales - current)


# --- vocabularies the page translates -------------------------------------------------------------

#: Garment categories of the catalogue (what the style import accepts today).
CATEGORIES: dict[str, str] = {
    "dress": N_("dress"), "shirt": N_("shirt"), "trousers": N_("trousers"), "blouse": N_("blouse"),
    "skirt": N_("skirt"), "jumpsuit": N_("jumpsuit"), "blazer": N_("blazer"), "t-shirt": N_("T-shirt"),
    "shorts": N_("shorts"), "knit": N_("knitwear"), "top": N_("top (garment)"), "jacket": N_("jacket"),
    "coat": N_("coat"), "jeans": N_("jeans"),
}

#: Colour names the catalogue uses.
COLOURS: dict[str, str] = {
    "navy": N_("navy"), "ecru": N_("ecru"), "sand": N_("sand"), "white": N_("white"),
    "sage": N_("sage green"), "terracotta": N_("terracotta"), "stone": N_("stone"),
    "navy-ecru stripe": N_("navy and ecru stripes"), "light blue": N_("light blue"),
    "champagne": N_("champagne"), "camel": N_("camel"), "bordeaux": N_("burgundy"),
    "charcoal": N_("charcoal"), "emerald": N_("emerald green"), "black": N_("black"),
    "chestnut": N_("chestnut"), "silver": N_("silver"), "sky blue": N_("sky blue"),
    "mid blue": N_("mid blue"), "multicolour": N_("multicoloured"), "lilac": N_("lilac"),
    "olive": N_("olive"), "beige": N_("beige"),
}

#: Material flags (certifications) that are plain words; trade marks (LENZING™ ECOVERO™) stay as written.
CERTIFICATIONS: dict[str, str] = {
    "organic": N_("organic"), "recycled": N_("recycled"),
}

#: Care instructions as phrases (a care text is these, separated by commas or full stops).
CARE_PHRASES: dict[str, str] = {
    "30°c gentle": N_("30 °C gentle cycle"),
    "30°c gentle cycle": N_("30 °C gentle cycle"),
    "30°c wool cycle inside out": N_("30 °C wool cycle, inside out"),
    "40°c": N_("40 °C"),
    "no tumble dry": N_("do not tumble dry"),
    "do not tumble dry": N_("do not tumble dry"),
    "tumble dry low": N_("tumble dry on low heat"),
    "iron on low heat": N_("iron on low heat"),
    "iron on medium heat": N_("iron on medium heat"),
    "dry clean or hand wash cold": N_("dry clean or hand wash cold"),
    "hand wash cold inside out": N_("hand wash cold, inside out"),
    "dry flat": N_("dry flat"),
    "do not iron the sequins": N_("do not iron the sequins"),
}


def vocabulary_word(vocabulary: Mapping[str, str], value: str) -> str | None:
    """The marked word for ``value`` (letter case ignored), or None when it is free text."""
    return vocabulary.get(value.strip().lower())


def care_phrases(care: str) -> list[str] | None:
    """The care text as marked phrases, in order, or None when any part is free text (then the
    page shows the whole text as written rather than half of it translated)."""
    parts = [" ".join(p.split()).lower() for p in re.split(r"[,.;]", care)]
    parts = [p for p in parts if p]
    if not parts or any(p not in CARE_PHRASES for p in parts):
        return None
    return [CARE_PHRASES[p] for p in parts]


def recycled_percent(materials: Iterable[tuple[str, int, bool, str]]) -> int:
    """The share by weight of fibres certified as recycled (fibre, percent, sustainable, certification)."""
    return sum(percent for _, percent, _, cert in materials if "recycled" in cert.lower())


# --- estimates, only with their source and caveat (DOMAIN.md §7) ----------------------------------

@dataclass(frozen=True)
class Estimate:
    """An outside estimate: never a measurement of this garment. Its texts are message templates
    (a per cent sign is written %%), shown through the page's translation."""

    statement: str
    source: str
    caveat: str


LONGER_USE = Estimate(
    statement=N_("Keeping clothes in use 9 months longer cuts their carbon, water and waste footprints "
                 "by 20–30%% each; 3 months longer, by 5–10%%."),
    source=N_("WRAP (UK), “Valuing our clothes”, 2012"),
    caveat=N_("An average for clothing in the UK, not a measurement of this garment. The benefit of "
              "rental depends on how often a garment is worn, whether it really replaces a purchase, "
              "and on transport and cleaning."),
)
