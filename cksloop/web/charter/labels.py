"""The words of the charter report: section titles, figure labels (also for keys made from data) and
values formatted for the reader's language."""
from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, gettext, lazy_gettext, ngettext

from cksloop.domain.charter import FlaggedMaterial, Half
from cksloop.domain.destinations import EndUse
from cksloop.domain.inspection import DefectCode
from cksloop.domain.lifecycle import DestructionGround, RetireRoute
from cksloop.domain.workshops import BUILTIN_PRODUCT_TYPES
from cksloop.services.charter.offcuts import HELD_PREFIX, PARTICIPANTS_PREFIX, PRODUCTS_PREFIX
from cksloop.web.i18n import money, percent

SECTION_TITLES = {
    "rental": lazy_gettext("Rental"),
    "overstock": lazy_gettext("Overstock"),
    "buyers": lazy_gettext("Buyers"),
    "offcuts": lazy_gettext("Offcuts and workshops"),
    "unsold": lazy_gettext("Unsold goods"),
    "materials": lazy_gettext("Materials"),
}

FIGURE_LABELS = {
    "pool_garments": lazy_gettext("Garments in the rental pool"),
    "garments_rented": lazy_gettext("Garments rented out"),
    "rental_cycles": lazy_gettext("Rental cycles"),
    "days_rented": lazy_gettext("Days rented"),
    "utilisation": lazy_gettext("Utilisation"),
    "turnaround": lazy_gettext("Turnaround (return to ready again)"),
    "returns": lazy_gettext("Returns"),
    "returns_inspected": lazy_gettext("Returns inspected"),
    "quality_returns": lazy_gettext("Quality returns"),
    "attention_points": lazy_gettext("Attention points raised"),
    "units_sold_own": lazy_gettext("Sold in own channels"),
    "units_sold_outlet": lazy_gettext("Sold at the outlet"),
    "outlet_share": lazy_gettext("Outlet share of own sales"),
    "value_sold_own": lazy_gettext("Value sold in own channels"),
    "markdown_depth": lazy_gettext("Markdown depth"),
    "units_to_buyers": lazy_gettext("Shipped to buyers"),
    "lots_shipped": lazy_gettext("Buyer lots shipped"),
    "pieces_shipped": lazy_gettext("Pieces shipped to buyers"),
    "kg_shipped": lazy_gettext("Kilograms shipped to buyers"),
    "lots_proven": lazy_gettext("Lots with proof accepted"),
    "lots_overdue": lazy_gettext("Lots with proof overdue"),
    "lots_registered": lazy_gettext("Offcut lots registered"),
    "kg_registered": lazy_gettext("Kilograms of offcuts registered"),
    "kg_used": lazy_gettext("Kilograms of offcuts used"),
    "kg_wasted": lazy_gettext("Kilograms of offcuts wasted"),
    "workshops_held": lazy_gettext("Workshops held"),
    "participants": lazy_gettext("Participants"),
    "products_made": lazy_gettext("Products made in workshops"),
    "kg_used_in_workshops": lazy_gettext("Kilograms of offcuts used in workshops"),
    "remanufactured_made": lazy_gettext("Remanufactured products made"),
    "remanufactured_sold": lazy_gettext("Remanufactured products sold"),
    "retired": lazy_gettext("Garments retired"),
    "discards": lazy_gettext("Discards (recycling counts as destruction)"),
    "written_off": lazy_gettext("Written off (lost or stolen)"),
}


def figure_label(key: str) -> str:
    """The label of a figure, also for keys made from data (a defect code, a season, a destination)."""
    if key in FIGURE_LABELS:
        return str(FIGURE_LABELS[key])
    head, _, rest = key.partition("_")
    if key.startswith("quality_returns_") and key[16:].upper() in DefectCode.__members__:
        return gettext("Quality returns with %(defect)s", defect=str(DefectCode[key[16:].upper()].label))
    if key.startswith("sell_through_"):
        return gettext("Sell-through of collection %(season)s", season=key[13:].upper())
    if head in ("pieces", "kg") and "_" in rest:
        country, _, use = rest.partition("_")
        if use in EndUse._value2member_map_:
            use_text = str(EndUse(use).label)
            return (gettext("Pieces to %(country)s for %(use)s", country=country.upper(), use=use_text)
                    if head == "pieces" else
                    gettext("Kilograms to %(country)s for %(use)s", country=country.upper(), use=use_text))
    if key.startswith("retired_") and key[8:] in RetireRoute._value2member_map_:
        return gettext("Retired: %(route)s", route=str(RetireRoute(key[8:]).label))
    if key.startswith("discards_") and key[9:] in DestructionGround._value2member_map_:
        return gettext("Discards on ground %(ground)s", ground=str(DestructionGround(key[9:]).label))
    if key.startswith(HELD_PREFIX):
        return gettext("Workshops held in %(store)s", store=key.removeprefix(HELD_PREFIX).upper())
    if key.startswith(PARTICIPANTS_PREFIX):
        return gettext("Participants in %(store)s", store=key.removeprefix(PARTICIPANTS_PREFIX).upper())
    if key.startswith(PRODUCTS_PREFIX):
        kind = key.removeprefix(PRODUCTS_PREFIX)
        # a type an admin added has only its key here: shown with spaces
        name = gettext(BUILTIN_PRODUCT_TYPES[kind].name) if kind in BUILTIN_PRODUCT_TYPES else kind.replace("_", " ")
        return gettext("Products made: %(type)s", type=name)
    if head in Half._value2member_map_ and rest == "pieces":
        return gettext("Pieces in the %(half)s collection", half=gettext(Half(head).label))
    for material in FlaggedMaterial:
        if head in Half._value2member_map_ and rest.startswith(material.value):
            how = gettext("by pieces") if rest.endswith("_pieces_pct") else gettext("by weight")
            return f"{gettext(Half(head).label)} · {gettext(material.label)} · {how}"
    return key


def unit_text(unit: str, value: Any) -> str:
    """A figure's value with its unit, in the reader's language."""
    if value is None:
        return "—"
    if unit == "pct":
        return percent(value / 100, 1)
    if unit == "eur":
        return money(int(round(value * 100)))
    if unit == "kg":
        return gettext("%(kg)s kg", kg=format_decimal(value, "#,##0.###"))
    if unit == "days":
        # 1.0 reads as one day; 0.5 and 2.5 as days
        return ngettext("%(days)s day", "%(days)s days", 1 if value == 1 else 2, days=format_decimal(value, "#,##0.0"))
    return format_decimal(value)
