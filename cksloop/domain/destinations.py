"""Where goods sold to a bulk buyer may go and for what use (DOMAIN.md §5).

Sources: Directive (EU) 2025/1892, Waste Shipment Regulation (EU) 2024/1157, Regulation (EU) 2024/1781.
"""
from __future__ import annotations

from .messages import N_, LabelledEnum

EU_EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)
#: OECD members outside the EU/EEA; a contract may name some of them as allowed.
#: (Today's sets for the single-garment form; dated memberships live in country_groups.py.)
OTHER_OECD = frozenset("AU CA CL CO CR IL JP KR MX NZ CH TR GB US".split())


class EndUse(LabelledEnum):
    """What the buyer does with the goods: one vocabulary for contracts, lots and shipments."""

    REUSE = "reuse", N_("resale for reuse")
    REMANUFACTURING = "remanufacturing", N_("remanufacturing")
    LICENSED_SORTING = "licensed_sorting", N_("a licensed EU sorter")
    LICENSED_RECYCLING = "licensed_recycling", N_("a licensed EU recycler")
    LANDFILL = "landfill", N_("landfill")
    INCINERATION = "incineration", N_("incineration")
    ENERGY_RECOVERY = "energy_recovery", N_("energy recovery")
    DESTRUCTION = "destruction", N_("destruction")

    @property
    def may_be_allowed(self) -> bool:
        """Whether a contract may allow this use at all (the others are dumping or destruction)."""
        return self in CONTRACTABLE_USES


#: Uses a contract may allow (any of them).
CONTRACTABLE_USES = frozenset({EndUse.REUSE, EndUse.REMANUFACTURING, EndUse.LICENSED_SORTING,
                               EndUse.LICENSED_RECYCLING})
#: Uses never allowed, whatever a contract says (DOMAIN.md §5.1: no landfill, incineration, energy
#: recovery or dumping; destruction of unsold apparel is banned by Reg. (EU) 2024/1781 Art. 25).
NEVER_ALLOWED_USES = frozenset({EndUse.LANDFILL, EndUse.INCINERATION, EndUse.ENERGY_RECOVERY,
                                EndUse.DESTRUCTION})
#: Uses allowed when the contract says nothing else: reuse, residue to a licensed sorter or recycler.
ALLOWED_USES = frozenset({EndUse.REUSE.value, EndUse.LICENSED_SORTING.value, EndUse.LICENSED_RECYCLING.value})


def check_destination(*, country: str, use: str, allowed_countries: frozenset[str] = EU_EEA,
                      excluded: frozenset[str] = frozenset()) -> str | None:
    """None when goods may go to ``country`` for ``use``; otherwise the untranslated reason.

    The default allow-list is the EU/EEA; non-OECD destinations are never allowed, and
    landfill, incineration, energy recovery and destruction are never an allowed use.
    (A lot under a buyer contract is checked by buyer_contracts.check_declaration instead.)
    """
    if use not in ALLOWED_USES:
        return N_("Only reuse, or residue to a licensed EU sorter or recycler, is allowed.")
    if country in excluded:
        return N_("The contract excludes this country.")
    if country not in EU_EEA | OTHER_OECD:
        return N_("Goods may not go to countries outside the OECD.")
    if country not in allowed_countries:
        return N_("The contract does not allow this country.")
    return None
