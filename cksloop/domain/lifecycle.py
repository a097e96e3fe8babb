"""The garment lifecycle: states, actions, who may take them, and what each one requires.

Every change of a garment is one of these actions. ``decide`` checks an action against the
garment's current snapshot and returns the ``Change`` the ledger records; ``replay`` rebuilds a
snapshot from recorded changes and refuses any chain the rules would not have allowed.

Destruction is deliberately not an action: EU Regulation 2024/1781 (Art. 25) bans destroying
unsold apparel, so the only ways out of the loop are sale, a vetted buyer, retirement into
offcuts / remanufacturing / (with a legal ground) recycling, or a write-off of a lost piece.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .errors import IllegalTransition, InvalidDetails, NotPermitted
from .inspection import Grade, ReturnReason, parse_defects
from .messages import N_


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


Decider = Callable[[Snapshot, dict[str, Any], Context], Change]


@dataclass(frozen=True)
class ActionRule:
    """One action: the states it starts from, the roles that may take it, what it needs."""

    action: Action
    from_states: frozenset[GarmentState | None]
    roles: frozenset[Role]
    to_states: frozenset[GarmentState]
    requires: tuple[str, ...]
    decide: Decider


# --- detail parsing: small, strict, and saying which field is wrong ---------------------------

_MAX_NOTE = 2000


def _text(details: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = False,
          max_len: int = 200) -> str | None:
    value = details.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = N_("This field is required.")
        return None
    if not isinstance(value, str):
        errors[name] = N_("Must be text.")
        return None
    value = value.strip()
    if len(value) > max_len:
        errors[name] = N_("Too long.")
        return None
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        errors[name] = N_("Contains control characters.")
        return None
    return value


def _int(details: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = False,
         minimum: int | None = None, maximum: int | None = None) -> int | None:
    value = details.get(name)
    if value is None or value == "":
        if required:
            errors[name] = N_("This field is required.")
        return None
    if isinstance(value, bool):
        errors[name] = N_("Must be a whole number.")
        return None
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            errors[name] = N_("Must be a whole number.")
            return None
    if not isinstance(value, int):
        errors[name] = N_("Must be a whole number.")
        return None
    if minimum is not None and value < minimum:
        errors[name] = N_("Too small.")
        return None
    if maximum is not None and value > maximum:
        errors[name] = N_("Too large.")
        return None
    return value


def _choice(details: Mapping[str, Any], name: str, enum: type[StrEnum], errors: dict[str, str], *,
            required: bool = False) -> Any:
    value = details.get(name)
    if value is None or value == "":
        if required:
            errors[name] = N_("This field is required.")
        return None
    try:
        return enum(value)
    except ValueError:
        errors[name] = N_("Not one of the allowed values.")
        return None


def _date(details: Mapping[str, Any], name: str, errors: dict[str, str], *,
          required: bool = False) -> dt.date | None:
    value = details.get(name)
    if value is None or value == "":
        if required:
            errors[name] = N_("This field is required.")
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and 2000 <= parsed.year <= 2100:
            return parsed
    errors[name] = N_("Must be a date (YYYY-MM-DD) between 2000 and 2100.")
    return None


def _place(details: Mapping[str, Any], name: str, ctx: Context, errors: dict[str, str], *,
           kinds: Iterable[LocationKind], required: bool = True) -> Place | None:
    code = _text(details, name, errors, required=required, max_len=40)
    if code is None:
        return None
    place = ctx.places.get(code)
    if place is None:
        errors[name] = N_("No such location.")
        return None
    if place.kind not in set(kinds):
        errors[name] = N_("This kind of location cannot take the garment for this action.")
        return None
    return place


def _note(details: Mapping[str, Any], errors: dict[str, str], out: dict[str, Any]) -> None:
    note = _text(details, "note", errors, max_len=_MAX_NOTE)
    if note:
        out["note"] = note


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidDetails(errors)


_SELLING_PLACES = (LocationKind.STORE, LocationKind.OUTLET)
_STOCK_PLACES = (LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.OUTLET)

# --- the deciders: one per action ------------------------------------------------------------


def _receive(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    place = _place(d, "location", ctx, errors, kinds=_STOCK_PLACES)
    price = _int(d, "price_cents", errors, required=True, minimum=1, maximum=10_000_000)
    out: dict[str, Any] = {}
    _note(d, errors, out)
    _raise(errors)
    assert place is not None
    return Change(Action.RECEIVE, snap.state, GarmentState.IN_STOCK, place.code, price, out)


def _transfer(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    place = _place(d, "to_location", ctx, errors, kinds=_STOCK_PLACES)
    if place is not None and place.code == snap.location:
        errors["to_location"] = N_("The garment is already there.")
    out: dict[str, Any] = {}
    _note(d, errors, out)
    _raise(errors)
    assert place is not None
    out["from_location"] = snap.location
    return Change(Action.TRANSFER, snap.state, snap.state or GarmentState.IN_STOCK, place.code,
                  snap.price_cents, out)


def _sell(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    price = _int(d, "price_cents", errors, minimum=0, maximum=10_000_000)
    if snap.location is not None and snap.location in ctx.places:
        if ctx.places[snap.location].kind not in _SELLING_PLACES:
            errors["location"] = N_("Garments are sold from a store or the outlet, not from here.")
    out: dict[str, Any] = {"price_cents": price if price is not None else snap.price_cents}
    receipt = _text(d, "receipt", errors, max_len=60)
    if receipt:
        out["receipt"] = receipt
    _raise(errors)
    return Change(Action.SELL, snap.state, GarmentState.SOLD, snap.location, snap.price_cents, out)


def _customer_return(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    if d.get("location") in (None, "") and ctx.here:
        d = {**d, "location": ctx.here}
    place = _place(d, "location", ctx, errors, kinds=_SELLING_PLACES)
    out: dict[str, Any] = {}
    _note(d, errors, out)
    _raise(errors)
    assert place is not None
    return Change(Action.CUSTOMER_RETURN, snap.state, GarmentState.IN_STOCK, place.code,
                  snap.price_cents, out)


def _add_to_pool(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    partner = _int(d, "partner", errors, minimum=1)
    if partner is not None:
        if partner not in ctx.partners:
            errors["partner"] = N_("No such rental partner.")
        out["partner"] = partner
    _note(d, errors, out)
    _raise(errors)
    return Change(Action.ADD_TO_RENTAL_POOL, snap.state, GarmentState.IN_RENTAL_POOL, snap.location,
                  snap.price_cents, out)


def _simple(action: Action, to_state: GarmentState) -> Decider:
    def decide(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
        errors: dict[str, str] = {}
        out: dict[str, Any] = {}
        _note(d, errors, out)
        _raise(errors)
        return Change(action, snap.state, to_state, snap.location, snap.price_cents, out)

    return decide


def _check_out(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    partner = _int(d, "partner", errors, required=True, minimum=1)
    if partner is not None and partner not in ctx.partners:
        errors["partner"] = N_("No such rental partner.")
    due_on = _date(d, "due_on", errors, required=True)
    if due_on is not None and due_on < ctx.today:
        errors["due_on"] = N_("The due date cannot be before the start of the rental.")
    reference = _text(d, "partner_reference", errors, max_len=64)
    out: dict[str, Any] = {"partner": partner, "due_on": due_on.isoformat() if due_on else None,
                           "started_on": ctx.today.isoformat()}
    if reference:
        out["partner_reference"] = reference
    _note(d, errors, out)
    _raise(errors)
    return Change(Action.CHECK_OUT_RENTAL, snap.state, GarmentState.RENTED_OUT, snap.location,
                  snap.price_cents, out)


def _grade_route(grade: Grade, d: Mapping[str, Any], errors: dict[str, str],
                 out: dict[str, Any]) -> tuple[GarmentState, GarmentState | None]:
    """Where an inspection grade sends a garment (DOMAIN.md §3), and where care returns it."""
    if grade is Grade.A:
        return GarmentState.IN_RENTAL_POOL, None
    if grade is Grade.B:
        out["care_kind"] = CareKind.CLEANING.value
        return GarmentState.IN_CARE, GarmentState.IN_RENTAL_POOL
    if grade is Grade.C:
        out["care_kind"] = CareKind.REPAIR.value
        return GarmentState.IN_CARE, GarmentState.IN_RENTAL_POOL
    if grade is Grade.D:
        return GarmentState.IN_STOCK, None  # out of rental; the merchandiser sends it to the outlet
    route = _choice(d, "retire_route", RetireRoute, errors, required=True)
    if route is RetireRoute.RECYCLING:
        errors["retire_route"] = N_("Recycling needs a legal ground: use the retire action.")
    if route is not None:
        out["retire_route"] = route.value
    return GarmentState.RETIRED, None


def _inspection(d: Mapping[str, Any], errors: dict[str, str], out: dict[str, Any], *,
                reason: ReturnReason | None) -> Grade | None:
    grade = _choice(d, "grade", Grade, errors, required=True)
    raw_defects = d.get("defects") or []
    defects, defect_errors = parse_defects(raw_defects)
    errors.update(defect_errors)
    if reason is ReturnReason.QUALITY_RETURN and not defects and "defects" not in errors:
        errors["defects"] = N_("A quality return needs at least one defect: say what fell short.")
    if grade is not None:
        out["grade"] = grade.value
    out["defects"] = [defect.as_dict() for defect in defects]
    _note(d, errors, out)
    return grade


def _return_rental(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    reason = _choice(d, "reason", ReturnReason, errors, required=True)
    if reason is not None:
        out["reason"] = reason.value
    place = None
    if d.get("location") not in (None, ""):
        place = _place(d, "location", ctx, errors, kinds=_STOCK_PLACES)
    if reason is ReturnReason.LOST:
        # nothing came back, so there is nothing to inspect: the piece is written off
        _note(d, errors, out)
        _raise(errors)
        out["write_off_reason"] = WriteOffReason.LOST_BY_RENTER.value
        return Change(Action.RETURN_RENTAL, snap.state, GarmentState.WRITTEN_OFF, snap.location,
                      snap.price_cents, out)
    grade = _inspection(d, errors, out, reason=reason)
    to_state, care_return = (GarmentState.IN_STOCK, None)
    if grade is not None:
        to_state, care_return = _grade_route(grade, d, errors, out)
    _raise(errors)
    if care_return is not None:
        out["care_return_state"] = care_return.value
    location = place.code if place else (ctx.here or snap.location)
    return Change(Action.RETURN_RENTAL, snap.state, to_state, location, snap.price_cents, out)


def _receive_rental_return(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    place = None
    if d.get("location") not in (None, ""):
        place = _place(d, "location", ctx, errors, kinds=_STOCK_PLACES)
    _note(d, errors, out)
    _raise(errors)
    location = place.code if place else (ctx.here or snap.location)
    return Change(Action.RECEIVE_RENTAL_RETURN, snap.state, GarmentState.AWAITING_INSPECTION,
                  location, snap.price_cents, out)


def _inspect(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    reason = _choice(d, "reason", ReturnReason, errors)
    if reason is ReturnReason.LOST:
        errors["reason"] = N_("A garment that is here cannot be lost: choose another reason.")
    if reason is not None:
        out["reason"] = reason.value
    grade = _inspection(d, errors, out, reason=reason)
    to_state, care_return = (GarmentState.IN_STOCK, None)
    if grade is not None:
        to_state, care_return = _grade_route(grade, d, errors, out)
    _raise(errors)
    if care_return is not None:
        out["care_return_state"] = care_return.value
    return Change(Action.INSPECT, snap.state, to_state, snap.location, snap.price_cents, out)


def _start_care(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    kind = _choice(d, "care_kind", CareKind, errors, required=True)
    if kind is not None:
        out["care_kind"] = kind.value
    _note(d, errors, out)
    _raise(errors)
    back = snap.state if snap.state in (GarmentState.IN_RENTAL_POOL, GarmentState.IN_STOCK) \
        else GarmentState.IN_RENTAL_POOL
    out["care_return_state"] = back.value
    return Change(Action.START_CARE, snap.state, GarmentState.IN_CARE, snap.location,
                  snap.price_cents, out)


def _finish_care(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    outcome = _choice(d, "outcome", CareOutcome, errors, required=True)
    cost = _int(d, "cost_cents", errors, minimum=0, maximum=1_000_000)
    if cost is not None:
        out["cost_cents"] = cost
    _note(d, errors, out)
    _raise(errors)
    assert outcome is not None
    out["outcome"] = outcome.value
    if outcome is CareOutcome.FAILED:
        to_state = GarmentState.AWAITING_INSPECTION  # re-grade: D or E takes it out of rental
    else:
        to_state = snap.care_return_state or GarmentState.IN_RENTAL_POOL
    return Change(Action.FINISH_CARE, snap.state, to_state, snap.location, snap.price_cents, out)


def _move_to_outlet(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    place = _place(d, "to_location", ctx, errors, kinds=(LocationKind.OUTLET,))
    if place is not None and place.code == snap.location:
        errors["to_location"] = N_("The garment is already there.")
    price = _int(d, "price_cents", errors, minimum=1, maximum=10_000_000)
    if price is not None and snap.price_cents is not None and price > snap.price_cents:
        errors["price_cents"] = N_("The outlet price cannot be higher than the current price.")
    out: dict[str, Any] = {"from_location": snap.location}
    _note(d, errors, out)
    _raise(errors)
    assert place is not None
    new_price = price if price is not None else snap.price_cents
    if new_price != snap.price_cents:
        out["previous_price_cents"] = snap.price_cents
    return Change(Action.MOVE_TO_OUTLET, snap.state, GarmentState.IN_STOCK, place.code, new_price, out)


def _mark_down(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    price = _int(d, "price_cents", errors, required=True, minimum=1, maximum=10_000_000)
    if price is not None and snap.price_cents is not None and price >= snap.price_cents:
        errors["price_cents"] = N_("A markdown must lower the price.")
    out: dict[str, Any] = {"previous_price_cents": snap.price_cents}
    _note(d, errors, out)
    _raise(errors)
    return Change(Action.MARK_DOWN, snap.state, snap.state or GarmentState.IN_STOCK, snap.location,
                  price, out)


def _allocate(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    lot = _int(d, "buyer_lot", errors, required=True, minimum=1)
    if lot is not None and lot not in ctx.buyer_lots:
        errors["buyer_lot"] = N_("No open buyer lot with this number.")
    out: dict[str, Any] = {"buyer_lot": lot}
    _note(d, errors, out)
    _raise(errors)
    return Change(Action.ALLOCATE_TO_BUYER_LOT, snap.state, GarmentState.ALLOCATED_TO_BUYER_LOT,
                  snap.location, snap.price_cents, out)


def _ship(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    from .destinations import check_destination  # keeps this module readable; no cycle

    errors: dict[str, str] = {}
    country = _text(d, "destination_country", errors, required=True, max_len=2)
    use = _text(d, "destination_use", errors, required=True, max_len=40)
    document = _text(d, "transport_document", errors, required=True, max_len=120)
    out: dict[str, Any] = {}
    if country and use and not errors:
        refusal = check_destination(country=country.upper(), use=use)
        if refusal:
            errors["destination_country"] = refusal
    _note(d, errors, out)
    _raise(errors)
    out.update(destination_country=country.upper() if country else None, destination_use=use,
               transport_document=document)
    return Change(Action.SHIP_TO_BUYER, snap.state, GarmentState.SHIPPED_TO_BUYER, snap.location,
                  snap.price_cents, out)


def _retire(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    route = _choice(d, "route", RetireRoute, errors, required=True)
    ground = _choice(d, "ground", DestructionGround, errors)
    if route is RetireRoute.RECYCLING and ground is None and "ground" not in errors:
        # ESPR counts recycling of unsold apparel as destruction: only on a legal ground
        errors["ground"] = N_("Recycling counts as destruction under EU Regulation 2024/1781: "
                              "name the ground (Delegated Regulation 2026/296), or choose "
                              "offcuts or remanufacturing.")
    if route is not None:
        out["route"] = route.value
    if ground is not None:
        out["ground"] = ground.value
    _note(d, errors, out)
    _raise(errors)
    return Change(Action.RETIRE, snap.state, GarmentState.RETIRED, snap.location, snap.price_cents, out)


def _write_off(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    reason = _choice(d, "reason", WriteOffReason, errors, required=True)
    out: dict[str, Any] = {"reason": reason.value if reason else None}
    _note(d, errors, out)
    _raise(errors)
    return Change(Action.WRITE_OFF, snap.state, GarmentState.WRITTEN_OFF, snap.location,
                  snap.price_cents, out)


# --- the table ---------------------------------------------------------------------------------

S = GarmentState
R = Role
_ALL_STAFF = frozenset({R.STORE_STAFF, R.MERCHANDISER, R.ADMIN})
_MERCH = frozenset({R.MERCHANDISER, R.ADMIN})
_RETIRERS = frozenset({R.MERCHANDISER, R.WORKSHOP_ORGANISER, R.ADMIN})
_ON_HAND = frozenset({S.IN_STOCK, S.IN_RENTAL_POOL, S.AWAITING_INSPECTION, S.IN_CARE})


def _rule(action: Action, from_states: Iterable[GarmentState | None], roles: Iterable[Role],
          to_states: Iterable[GarmentState], requires: tuple[str, ...], decide: Decider) -> ActionRule:
    return ActionRule(action, frozenset(from_states), frozenset(roles), frozenset(to_states),
                      requires, decide)


RULES: dict[Action, ActionRule] = {r.action: r for r in [
    _rule(Action.RECEIVE, [None], _ALL_STAFF, [S.IN_STOCK], ("location", "price_cents"), _receive),
    _rule(Action.TRANSFER, [S.IN_STOCK], _ALL_STAFF, [S.IN_STOCK], ("to_location",), _transfer),
    _rule(Action.SELL, [S.IN_STOCK], _ALL_STAFF, [S.SOLD], (), _sell),
    _rule(Action.CUSTOMER_RETURN, [S.SOLD], _ALL_STAFF, [S.IN_STOCK], ("location",), _customer_return),
    _rule(Action.ADD_TO_RENTAL_POOL, [S.IN_STOCK], _ALL_STAFF, [S.IN_RENTAL_POOL], (), _add_to_pool),
    _rule(Action.REMOVE_FROM_RENTAL_POOL, [S.IN_RENTAL_POOL], _ALL_STAFF, [S.IN_STOCK], (),
          _simple(Action.REMOVE_FROM_RENTAL_POOL, S.IN_STOCK)),
    _rule(Action.CHECK_OUT_RENTAL, [S.IN_RENTAL_POOL], _ALL_STAFF, [S.RENTED_OUT],
          ("partner", "due_on"), _check_out),
    _rule(Action.RETURN_RENTAL, [S.RENTED_OUT], _ALL_STAFF,
          [S.IN_RENTAL_POOL, S.IN_CARE, S.IN_STOCK, S.RETIRED, S.WRITTEN_OFF], ("reason", "grade"),
          _return_rental),
    _rule(Action.RECEIVE_RENTAL_RETURN, [S.RENTED_OUT], _ALL_STAFF, [S.AWAITING_INSPECTION], (),
          _receive_rental_return),
    _rule(Action.INSPECT, [S.AWAITING_INSPECTION], _ALL_STAFF,
          [S.IN_RENTAL_POOL, S.IN_CARE, S.IN_STOCK, S.RETIRED], ("grade",), _inspect),
    _rule(Action.START_CARE, [S.IN_STOCK, S.IN_RENTAL_POOL, S.AWAITING_INSPECTION], _ALL_STAFF,
          [S.IN_CARE], ("care_kind",), _start_care),
    _rule(Action.FINISH_CARE, [S.IN_CARE], _ALL_STAFF,
          [S.IN_RENTAL_POOL, S.IN_STOCK, S.AWAITING_INSPECTION], ("outcome",), _finish_care),
    _rule(Action.MOVE_TO_OUTLET, [S.IN_STOCK], _MERCH, [S.IN_STOCK], ("to_location",), _move_to_outlet),
    _rule(Action.MARK_DOWN, [S.IN_STOCK], _MERCH, [S.IN_STOCK], ("price_cents",), _mark_down),
    _rule(Action.ALLOCATE_TO_BUYER_LOT, [S.IN_STOCK], _MERCH, [S.ALLOCATED_TO_BUYER_LOT],
          ("buyer_lot",), _allocate),
    _rule(Action.RELEASE_FROM_BUYER_LOT, [S.ALLOCATED_TO_BUYER_LOT], _MERCH, [S.IN_STOCK], (),
          _simple(Action.RELEASE_FROM_BUYER_LOT, S.IN_STOCK)),
    _rule(Action.SHIP_TO_BUYER, [S.ALLOCATED_TO_BUYER_LOT], _MERCH, [S.SHIPPED_TO_BUYER],
          ("destination_country", "destination_use", "transport_document"), _ship),
    _rule(Action.RETIRE, [S.IN_STOCK, S.AWAITING_INSPECTION, S.IN_CARE], _RETIRERS, [S.RETIRED],
          ("route",), _retire),
    _rule(Action.WRITE_OFF, sorted(_ON_HAND | {S.RENTED_OUT, S.ALLOCATED_TO_BUYER_LOT}), _MERCH,
          [S.WRITTEN_OFF], ("reason",), _write_off),
]}

#: a rental cycle starts with an action into "rented out", a care step with one into "in care",
#: and inspections follow a rental: a history without these actions has no life in rental
RENTAL_LIFE_ACTIONS = frozenset(action for action, rule in RULES.items()
                                if rule.to_states & {GarmentState.RENTED_OUT, GarmentState.IN_CARE})


def allowed_actions(state: GarmentState | None, role: Role | None = None) -> list[Action]:
    """The actions possible from ``state`` (for ``role`` when given), in table order."""
    return [a for a, r in RULES.items()
            if state in r.from_states and (role is None or role in r.roles)]


def may(role: Role, action: Action) -> bool:
    """Whether ``role`` may take ``action`` at all, whatever the state."""
    return role in RULES[action].roles


def decide(snapshot: Snapshot, action: Action, details: Mapping[str, Any], ctx: Context) -> Change:
    """Check ``action`` for a garment in ``snapshot`` and return the change to record.

    Raises NotPermitted (role), IllegalTransition (state, with the allowed actions) or
    InvalidDetails (field → reason). Nothing is changed: the caller records the Change.
    """
    rule = RULES[action]
    if ctx.actor_role not in rule.roles:
        raise NotPermitted(action=action.value, role=ctx.actor_role.value,
                           roles=sorted(r.value for r in rule.roles))
    if snapshot.state not in rule.from_states:
        raise IllegalTransition(action=action.value,
                                state=snapshot.state.value if snapshot.state else None,
                                allowed=[a.value for a in allowed_actions(snapshot.state, ctx.actor_role)])
    change = rule.decide(snapshot, dict(details), ctx)
    assert change.to_state in rule.to_states, (action, change.to_state)
    return change


def apply(snapshot: Snapshot, change: Change) -> Snapshot:
    """The snapshot after ``change``; refuses a change the rules could never have produced."""
    rule = RULES[change.action]
    if change.from_state != snapshot.state or snapshot.state not in rule.from_states \
            or change.to_state not in rule.to_states:
        raise IllegalTransition(action=change.action.value,
                                state=snapshot.state.value if snapshot.state else None,
                                allowed=[a.value for a in allowed_actions(snapshot.state)])
    care_return = snapshot.care_return_state
    if change.to_state is GarmentState.IN_CARE:
        raw = change.details.get("care_return_state")
        care_return = GarmentState(raw) if raw else GarmentState.IN_RENTAL_POOL
    elif snapshot.state is GarmentState.IN_CARE:
        care_return = None
    return replace(snapshot, state=change.to_state, location=change.location,
                   price_cents=change.price_cents, care_return_state=care_return)


def replay(changes: Iterable[Change]) -> Snapshot:
    """Rebuild a garment's snapshot from its ledger, oldest first."""
    snapshot = Snapshot()
    for change in changes:
        snapshot = apply(snapshot, change)
    return snapshot
