"""The lifecycle's vocabulary: roles, places, garment states, actions and the facts the rules read."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..messages import N_, LabelledEnum


class Role(LabelledEnum):
    STORE_STAFF = "store_staff", N_("store staff")
    WORKSHOP_ORGANISER = "workshop_organiser", N_("workshop organiser")
    MERCHANDISER = "merchandiser", N_("merchandiser")
    ADMIN = "admin", N_("administrator")


class LocationKind(LabelledEnum):
    STORE = "store", N_("store")
    WAREHOUSE = "warehouse", N_("warehouse")
    OUTLET = "outlet", N_("outlet")
    PARTNER = "partner", N_("partner")  # rental partner, repairer, remanufacturer: holds garments, sells none


class GarmentState(LabelledEnum):
    IN_STOCK = "in_stock", N_("in stock")
    IN_RENTAL_POOL = "in_rental_pool", N_("in the rental pool")
    RENTED_OUT = "rented_out", N_("rented out")
    AWAITING_INSPECTION = "awaiting_inspection", N_("returned, awaiting inspection")
    IN_CARE = "in_care", N_("in care (cleaning or repair)")
    SOLD = "sold", N_("sold")
    ALLOCATED_TO_BUYER_LOT = "allocated_to_buyer_lot", N_("allocated to a buyer lot")
    SHIPPED_TO_BUYER = "shipped_to_buyer", N_("shipped to a buyer")
    RETIRED = "retired", N_("retired")
    WRITTEN_OFF = "written_off", N_("written off")


#: States in which the garment has left CKS for good (a customer return can still bring a sold one back).
FINAL_STATES = frozenset({GarmentState.SHIPPED_TO_BUYER, GarmentState.RETIRED, GarmentState.WRITTEN_OFF})


class Action(LabelledEnum):
    RECEIVE = "receive", N_("Receive")
    TRANSFER = "transfer", N_("Transfer to another location")
    SELL = "sell", N_("Sell")
    CUSTOMER_RETURN = "customer_return", N_("Take back a customer return")
    ADD_TO_RENTAL_POOL = "add_to_rental_pool", N_("Add to the rental pool")
    REMOVE_FROM_RENTAL_POOL = "remove_from_rental_pool", N_("Take out of the rental pool")
    CHECK_OUT_RENTAL = "check_out_rental", N_("Check out to the rental partner")
    RETURN_RENTAL = "return_rental", N_("Return from rental, with inspection")
    RECEIVE_RENTAL_RETURN = "receive_rental_return", N_("Receive a rental return (inspect later)")
    INSPECT = "inspect", N_("Inspect")
    START_CARE = "start_care", N_("Send to cleaning or repair")
    FINISH_CARE = "finish_care", N_("Finish cleaning or repair")
    MOVE_TO_OUTLET = "move_to_outlet", N_("Move to the outlet")
    MARK_DOWN = "mark_down", N_("Mark down")
    ALLOCATE_TO_BUYER_LOT = "allocate_to_buyer_lot", N_("Allocate to a buyer lot")
    RELEASE_FROM_BUYER_LOT = "release_from_buyer_lot", N_("Release from the buyer lot")
    SHIP_TO_BUYER = "ship_to_buyer", N_("Ship to the buyer")
    RETIRE = "retire", N_("Retire (offcuts, remanufacturing, recycling)")
    WRITE_OFF = "write_off", N_("Write off (lost or stolen)")


class CareKind(LabelledEnum):
    CLEANING = "cleaning", N_("cleaning")
    REPAIR = "repair", N_("repair")


class CareOutcome(LabelledEnum):
    DONE = "done", N_("done: ready again")
    # a failed repair goes back to inspection to be re-graded (D/E retire it)
    FAILED = "failed", N_("failed: inspect and re-grade")


class RetireRoute(LabelledEnum):
    OFFCUTS = "offcuts", N_("cut into offcuts for workshops")  # for workshop products
    REMANUFACTURING = "remanufacturing", N_("to a remanufacturing partner")  # e.g. unique blazers
    RECYCLING = "recycling", N_("recycling (needs a legal ground)")


class DestructionGround(LabelledEnum):
    """Grounds of Delegated Regulation (EU) 2026/296 under which recycling is allowed at all."""

    DANGEROUS = "a_dangerous", N_("(a) dangerous product")
    NON_COMPLIANT = "b_non_compliant", N_("(b) does not comply with the law")
    IP_INFRINGEMENT = "c_ip_infringement", N_("(c) infringes intellectual property")
    IP_LICENCE = "d_ip_licence", N_("(d) bound by an intellectual property licence")
    UNSUITABLE_FOR_REUSE = "e_unsuitable_for_reuse", N_("(e) unsuitable for reuse or remanufacturing")
    DAMAGED_BEYOND_REPAIR = "f_damaged_beyond_repair", N_("(f) damaged beyond cost-effective repair")
    UNFIXABLE_DEFECTS = "g_unfixable_defects", N_("(g) defects that cannot be fixed")
    DONATION_REFUSED = "h_donation_refused", N_("(h) donation refused")
    NO_DONATION_RECIPIENT = "i_no_donation_recipient", N_("(i) donated, but no recipient found")
    NO_REUSE_RECIPIENT = "j_no_reuse_recipient", N_("(j) prepared for reuse, but no recipient found")


#: What people call a reason but Delegated Regulation 2026/296 does not accept as a ground.
NOT_GROUNDS = frozenset({"end_of_season", "overproduction"})


class WriteOffReason(LabelledEnum):
    LOST = "lost", N_("lost")
    STOLEN = "stolen", N_("stolen")
    LOST_IN_TRANSIT = "lost_in_transit", N_("lost in transit")
    LOST_BY_RENTER = "lost_by_renter", N_("lost by the renter")


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
    #: codes of the offcut lots a retirement into offcuts may name (the ones that exist)
    offcut_lots: frozenset[str] = frozenset()
