"""Where goods sold to a bulk buyer may go (DOMAIN.md §5; Directive (EU) 2025/1892, Reg. (EU) 2024/1157)."""
from __future__ import annotations

from .messages import N_, LabelledEnum

EU_EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)
#: OECD members outside the EU/EEA; a contract may name some of them as allowed.
OTHER_OECD = frozenset("AU CA CL CO CR IL JP KR MX NZ CH TR GB US".split())



class DestinationUse(LabelledEnum):
    """What may happen to goods where they go; landfill, incineration and energy recovery never."""

    REUSE = "reuse", N_("resale for reuse")
    LICENSED_SORTING = "licensed_sorting", N_("a licensed EU sorter")
    LICENSED_RECYCLING = "licensed_recycling", N_("a licensed EU recycler")


ALLOWED_USES = frozenset(use.value for use in DestinationUse)


def check_destination(*, country: str, use: str, allowed_countries: frozenset[str] = EU_EEA,
                      excluded: frozenset[str] = frozenset()) -> str | None:
    """None when goods may go to ``country`` for ``use``; otherwise the untranslated reason.

    The default allow-list is the EU/EEA; non-OECD destinations are never allowed, and
    landfill, incineration and energy recovery are never an allowed use.
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
