"""The public product passport's rules: what a scanned label may tell anyone (DOMAIN.md §6).

Counts only, never who: the garment's life is told as numbers of rental cycles, repairs, cleanings
and previous owners, computed from its ledger events. Words that come from a fixed vocabulary (category, colour,
certification, care phrases) are marked in ``vocabulary``, shared with the staff pages.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import DomainError
from .lifecycle import Action, CareKind, GarmentState, LocationKind, RetireRoute
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


#: at most this many cities are named (a chain of a few dozen stores; the page stays short)
MAX_REPAIR_CITIES = 30


def repair_cities(locations: Iterable[Any]) -> tuple[str, ...]:
    """Where a customer can take the garment for a repair: the cities of the stores among the
    active ``locations`` (anything with ``kind`` and ``city``), each once, sorted. A warehouse, an
    outlet or a partner takes no repairs; a place, never who works there."""
    return tuple(sorted({loc.city for loc in locations if loc.kind is LocationKind.STORE and loc.city}))[
        :MAX_REPAIR_CITIES]


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
