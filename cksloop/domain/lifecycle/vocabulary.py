"""The lifecycle's vocabulary: roles, places, garment states, actions and the facts the rules read."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..messages import N_


class Role(StrEnum):
    STORE_STAFF = "store_staff"
    WORKSHOP_ORGANISER = "workshop_organiser"
    MERCHANDISER = "merchandiser"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.STORE_STAFF: N_("store staff"),
    Role.WORKSHOP_ORGANISER: N_("workshop organiser"),
    Role.MERCHANDISER: N_("merchandiser"),
    Role.ADMIN: N_("administrator"),
}


class LocationKind(StrEnum):
    STORE = "store"
    WAREHOUSE = "warehouse"
    OUTLET = "outlet"
    PARTNER = "partner"  # rental partner, repairer, remanufacturer: holds garments, sells none


class GarmentState(StrEnum):
    IN_STOCK = "in_stock"
    IN_RENTAL_POOL = "in_rental_pool"
    RENTED_OUT = "rented_out"
    AWAITING_INSPECTION = "awaiting_inspection"
    IN_CARE = "in_care"
    SOLD = "sold"
    ALLOCATED_TO_BUYER_LOT = "allocated_to_buyer_lot"
    SHIPPED_TO_BUYER = "shipped_to_buyer"
    RETIRED = "retired"
    WRITTEN_OFF = "written_off"


STATE_LABELS: dict[GarmentState, str] = {
    GarmentState.IN_STOCK: N_("in stock"),
    GarmentState.IN_RENTAL_POOL: N_("in the rental pool"),
    GarmentState.RENTED_OUT: N_("rented out"),
    GarmentState.AWAITING_INSPECTION: N_("returned, awaiting inspection"),
    GarmentState.IN_CARE: N_("in care (cleaning or repair)"),
    GarmentState.SOLD: N_("sold"),
    GarmentState.ALLOCATED_TO_BUYER_LOT: N_("allocated to a buyer lot"),
    GarmentState.SHIPPED_TO_BUYER: N_("shipped to a buyer"),
    GarmentState.RETIRED: N_("retired"),
    GarmentState.WRITTEN_OFF: N_("written off"),
}

#: States in which the garment has left CKS for good (a customer return can still bring a sold one back).
FINAL_STATES = frozenset({GarmentState.SHIPPED_TO_BUYER, GarmentState.RETIRED, GarmentState.WRITTEN_OFF})


class Action(StrEnum):
    RECEIVE = "receive"
    TRANSFER = "transfer"
    SELL = "sell"
    CUSTOMER_RETURN = "customer_return"
    ADD_TO_RENTAL_POOL = "add_to_rental_pool"
    REMOVE_FROM_RENTAL_POOL = "remove_from_rental_pool"
    CHECK_OUT_RENTAL = "check_out_rental"
    RETURN_RENTAL = "return_rental"
    RECEIVE_RENTAL_RETURN = "receive_rental_return"
    INSPECT = "inspect"
    START_CARE = "start_care"
    FINISH_CARE = "finish_care"
    MOVE_TO_OUTLET = "move_to_outlet"
    MARK_DOWN = "mark_down"
    ALLOCATE_TO_BUYER_LOT = "allocate_to_buyer_lot"
    RELEASE_FROM_BUYER_LOT = "release_from_buyer_lot"
    SHIP_TO_BUYER = "ship_to_buyer"
    RETIRE = "retire"
    WRITE_OFF = "write_off"


ACTION_LABELS: dict[Action, str] = {
    Action.RECEIVE: N_("Receive"),
    Action.TRANSFER: N_("Transfer to another location"),
    Action.SELL: N_("Sell"),
    Action.CUSTOMER_RETURN: N_("Take back a customer return"),
    Action.ADD_TO_RENTAL_POOL: N_("Add to the rental pool"),
    Action.REMOVE_FROM_RENTAL_POOL: N_("Take out of the rental pool"),
    Action.CHECK_OUT_RENTAL: N_("Check out to the rental partner"),
    Action.RETURN_RENTAL: N_("Return from rental, with inspection"),
    Action.RECEIVE_RENTAL_RETURN: N_("Receive a rental return (inspect later)"),
    Action.INSPECT: N_("Inspect"),
    Action.START_CARE: N_("Send to cleaning or repair"),
    Action.FINISH_CARE: N_("Finish cleaning or repair"),
    Action.MOVE_TO_OUTLET: N_("Move to the outlet"),
    Action.MARK_DOWN: N_("Mark down"),
    Action.ALLOCATE_TO_BUYER_LOT: N_("Allocate to a buyer lot"),
    Action.RELEASE_FROM_BUYER_LOT: N_("Release from the buyer lot"),
    Action.SHIP_TO_BUYER: N_("Ship to the buyer"),
    Action.RETIRE: N_("Retire (offcuts, remanufacturing, recycling)"),
    Action.WRITE_OFF: N_("Write off (lost or stolen)"),
}


class CareKind(StrEnum):
    CLEANING = "cleaning"
    REPAIR = "repair"


class CareOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"  # a failed repair goes back to inspection to be re-graded (D/E retire it)


class RetireRoute(StrEnum):
    OFFCUTS = "offcuts"  # cut into offcuts for workshop products
    REMANUFACTURING = "remanufacturing"  # e.g. unique blazers with a remanufacturing partner
    RECYCLING = "recycling"


class DestructionGround(StrEnum):
    """Grounds of Delegated Regulation (EU) 2026/296 under which recycling is allowed at all."""

    DANGEROUS = "a_dangerous"
    NON_COMPLIANT = "b_non_compliant"
    IP_INFRINGEMENT = "c_ip_infringement"
    IP_LICENCE = "d_ip_licence"
    UNSUITABLE_FOR_REUSE = "e_unsuitable_for_reuse"
    DAMAGED_BEYOND_REPAIR = "f_damaged_beyond_repair"
    UNFIXABLE_DEFECTS = "g_unfixable_defects"
    DONATION_REFUSED = "h_donation_refused"
    NO_DONATION_RECIPIENT = "i_no_donation_recipient"
    NO_REUSE_RECIPIENT = "j_no_reuse_recipient"


class WriteOffReason(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    LOST_IN_TRANSIT = "lost_in_transit"
    LOST_BY_RENTER = "lost_by_renter"


@dataclass(frozen=True)
class Place:
    """A location as the rules see it."""

    code: str
    kind: LocationKind
    city: str = ""


@dataclass(frozen=True)
class Snapshot:
    """What a garment is now. ``state`` is None before it has been received."""

    state: GarmentState | None = None
    location: str | None = None
    price_cents: int | None = None
    #: where a garment in care goes back to when the care is done
    care_return_state: GarmentState | None = None


@dataclass(frozen=True)
class Change:
    """The outcome of an allowed action: exactly what one ledger event records."""

    action: Action
    from_state: GarmentState | None
    to_state: GarmentState
    location: str | None
    price_cents: int | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """Facts outside the garment that the rules need, looked up by the caller.

    ``places`` holds every location a detail may name, by code; ``partners`` the rental partner
    ids that exist; ``today`` is the caller's local date.
    """

    actor_role: Role
    today: dt.date
    here: str | None = None  # the location the actor works at, when known
    places: Mapping[str, Place] = field(default_factory=dict)
    partners: frozenset[int] = frozenset()
    buyer_lots: frozenset[int] = frozenset()
