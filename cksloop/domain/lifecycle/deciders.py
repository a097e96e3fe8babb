"""One decider per action: checks the details against the garment and the context, returns the Change.

Destruction is deliberately not an action: EU Regulation 2024/1781 (Art. 25) bans destroying
unsold apparel, so the only ways out of the loop are sale, a vetted buyer, retirement into
offcuts / remanufacturing / (with a legal ground) recycling, or a write-off of a lost piece.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..details import parse_choice, parse_code, parse_date, parse_money, parse_note, parse_text, parse_whole_number, raise_if_any
from ..inspection import Grade, ReturnReason, parse_defects
from ..messages import N_
from ..offcut_labels import lot_code_in
from .vocabulary import (NOT_GROUNDS, Action, CareKind, CareOutcome, Change, Context, DestructionGround, GarmentState,
                         LocationKind, Place, RetireRoute, Snapshot, WriteOffReason)

Decider = Callable[[Snapshot, dict[str, Any], Context], Change]


def _place(details: Mapping[str, Any], name: str, ctx: Context, errors: dict[str, str], *,
           kinds: Iterable[LocationKind], required: bool = True) -> Place | None:
    code = parse_code(details, name, errors, required=required)
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


_SELLING_PLACES = (LocationKind.STORE, LocationKind.OUTLET)
_STOCK_PLACES = (LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.OUTLET)

def _receive(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    place = _place(d, "location", ctx, errors, kinds=_STOCK_PLACES)
    price = parse_money(d, "price_cents", errors, required=True, minimum=1)
    out: dict[str, Any] = {}
    parse_note(d, errors, out)
    raise_if_any(errors)
    assert place is not None
    return Change(Action.RECEIVE, snap.state, GarmentState.IN_STOCK, place.code, price, out)


def _transfer(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    place = _place(d, "to_location", ctx, errors, kinds=_STOCK_PLACES)
    if place is not None and place.code == snap.location:
        errors["to_location"] = N_("The garment is already there.")
    out: dict[str, Any] = {}
    parse_note(d, errors, out)
    raise_if_any(errors)
    assert place is not None
    out["from_location"] = snap.location
    return Change(Action.TRANSFER, snap.state, snap.state or GarmentState.IN_STOCK, place.code,
                  snap.price_cents, out)


def _sell(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    price = parse_money(d, "price_cents", errors, minimum=0)
    if snap.location is not None and snap.location in ctx.places:
        if ctx.places[snap.location].kind not in _SELLING_PLACES:
            errors["location"] = N_("Garments are sold from a store or the outlet, not from here.")
    out: dict[str, Any] = {"price_cents": price if price is not None else snap.price_cents}
    receipt = parse_text(d, "receipt", errors, max_len=60)
    if receipt:
        out["receipt"] = receipt
    raise_if_any(errors)
    return Change(Action.SELL, snap.state, GarmentState.SOLD, snap.location, snap.price_cents, out)


def _customer_return(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    if d.get("location") in (None, "") and ctx.here:
        d = {**d, "location": ctx.here}
    place = _place(d, "location", ctx, errors, kinds=_SELLING_PLACES)
    out: dict[str, Any] = {}
    parse_note(d, errors, out)
    raise_if_any(errors)
    assert place is not None
    return Change(Action.CUSTOMER_RETURN, snap.state, GarmentState.IN_STOCK, place.code,
                  snap.price_cents, out)


def _add_to_pool(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    partner = parse_whole_number(d, "partner", errors, minimum=1)
    if partner is not None:
        if partner not in ctx.partners:
            errors["partner"] = N_("No such rental partner.")
        out["partner"] = partner
    parse_note(d, errors, out)
    raise_if_any(errors)
    return Change(Action.ADD_TO_RENTAL_POOL, snap.state, GarmentState.IN_RENTAL_POOL, snap.location,
                  snap.price_cents, out)


def _simple(action: Action, to_state: GarmentState) -> Decider:
    def decide(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
        errors: dict[str, str] = {}
        out: dict[str, Any] = {}
        parse_note(d, errors, out)
        raise_if_any(errors)
        return Change(action, snap.state, to_state, snap.location, snap.price_cents, out)

    return decide


def _check_out(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    partner = parse_whole_number(d, "partner", errors, required=True, minimum=1)
    if partner is not None and partner not in ctx.partners:
        errors["partner"] = N_("No such rental partner.")
    due_on = parse_date(d, "due_on", errors, required=True)
    if due_on is not None and due_on < ctx.today:
        errors["due_on"] = N_("The due date cannot be before the start of the rental.")
    reference = parse_text(d, "partner_reference", errors, max_len=64)
    out: dict[str, Any] = {"partner": partner, "due_on": due_on.isoformat() if due_on else None,
                           "started_on": ctx.today.isoformat()}
    if reference:
        out["partner_reference"] = reference
    parse_note(d, errors, out)
    raise_if_any(errors)
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
    route = parse_choice(d, "retire_route", RetireRoute, errors, required=True)
    if route is RetireRoute.RECYCLING:
        errors["retire_route"] = N_("Recycling needs a legal ground: use the retire action.")
    if route is not None:
        out["retire_route"] = route.value
    return GarmentState.RETIRED, None


def _inspection(d: Mapping[str, Any], errors: dict[str, str], out: dict[str, Any], *,
                reason: ReturnReason | None) -> Grade | None:
    grade = parse_choice(d, "grade", Grade, errors, required=True)
    raw_defects = d.get("defects") or []
    defects, defect_errors = parse_defects(raw_defects)
    errors.update(defect_errors)
    if reason is ReturnReason.QUALITY_RETURN and not defects and "defects" not in errors:
        errors["defects"] = N_("A quality return needs at least one defect: say what fell short.")
    if grade is not None:
        out["grade"] = grade.value
    out["defects"] = [defect.as_dict() for defect in defects]
    parse_note(d, errors, out)
    return grade


def _return_rental(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    reason = parse_choice(d, "reason", ReturnReason, errors, required=True)
    if reason is not None:
        out["reason"] = reason.value
    place = None
    if d.get("location") not in (None, ""):
        place = _place(d, "location", ctx, errors, kinds=_STOCK_PLACES)
    if reason is ReturnReason.LOST:
        # nothing came back, so there is nothing to inspect: the piece is written off
        parse_note(d, errors, out)
        raise_if_any(errors)
        out["write_off_reason"] = WriteOffReason.LOST_BY_RENTER.value
        return Change(Action.RETURN_RENTAL, snap.state, GarmentState.WRITTEN_OFF, snap.location,
                      snap.price_cents, out)
    grade = _inspection(d, errors, out, reason=reason)
    to_state, care_return = (GarmentState.IN_STOCK, None)
    if grade is not None:
        to_state, care_return = _grade_route(grade, d, errors, out)
    raise_if_any(errors)
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
    parse_note(d, errors, out)
    raise_if_any(errors)
    location = place.code if place else (ctx.here or snap.location)
    return Change(Action.RECEIVE_RENTAL_RETURN, snap.state, GarmentState.AWAITING_INSPECTION,
                  location, snap.price_cents, out)


def _inspect(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    reason = parse_choice(d, "reason", ReturnReason, errors)
    if reason is ReturnReason.LOST:
        errors["reason"] = N_("A garment that is here cannot be lost: choose another reason.")
    if reason is not None:
        out["reason"] = reason.value
    grade = _inspection(d, errors, out, reason=reason)
    to_state, care_return = (GarmentState.IN_STOCK, None)
    if grade is not None:
        to_state, care_return = _grade_route(grade, d, errors, out)
    raise_if_any(errors)
    if care_return is not None:
        out["care_return_state"] = care_return.value
    return Change(Action.INSPECT, snap.state, to_state, snap.location, snap.price_cents, out)


def _start_care(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    kind = parse_choice(d, "care_kind", CareKind, errors, required=True)
    if kind is not None:
        out["care_kind"] = kind.value
    parse_note(d, errors, out)
    raise_if_any(errors)
    back = snap.state if snap.state in (GarmentState.IN_RENTAL_POOL, GarmentState.IN_STOCK) \
        else GarmentState.IN_RENTAL_POOL
    out["care_return_state"] = back.value
    return Change(Action.START_CARE, snap.state, GarmentState.IN_CARE, snap.location,
                  snap.price_cents, out)


def _finish_care(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    outcome = parse_choice(d, "outcome", CareOutcome, errors, required=True)
    cost = parse_money(d, "cost_cents", errors, minimum=0, maximum=1_000_000)
    if cost is not None:
        out["cost_cents"] = cost
    parse_note(d, errors, out)
    raise_if_any(errors)
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
    price = parse_money(d, "price_cents", errors, minimum=1)
    if price is not None and snap.price_cents is not None and price > snap.price_cents:
        errors["price_cents"] = N_("The outlet price cannot be higher than the current price.")
    out: dict[str, Any] = {"from_location": snap.location}
    parse_note(d, errors, out)
    raise_if_any(errors)
    assert place is not None
    new_price = price if price is not None else snap.price_cents
    if new_price != snap.price_cents:
        out["previous_price_cents"] = snap.price_cents
    return Change(Action.MOVE_TO_OUTLET, snap.state, GarmentState.IN_STOCK, place.code, new_price, out)


def _mark_down(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    price = parse_money(d, "price_cents", errors, required=True, minimum=1)
    if price is not None and snap.price_cents is not None and price >= snap.price_cents:
        errors["price_cents"] = N_("A markdown must lower the price.")
    out: dict[str, Any] = {"previous_price_cents": snap.price_cents}
    parse_note(d, errors, out)
    raise_if_any(errors)
    return Change(Action.MARK_DOWN, snap.state, snap.state or GarmentState.IN_STOCK, snap.location,
                  price, out)


def _allocate(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    lot = parse_whole_number(d, "buyer_lot", errors, required=True, minimum=1)
    if lot is not None and lot not in ctx.buyer_lots:
        errors["buyer_lot"] = N_("No open buyer lot with this number.")
    out: dict[str, Any] = {"buyer_lot": lot}
    parse_note(d, errors, out)
    raise_if_any(errors)
    return Change(Action.ALLOCATE_TO_BUYER_LOT, snap.state, GarmentState.ALLOCATED_TO_BUYER_LOT,
                  snap.location, snap.price_cents, out)


def _ship(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    from ..destinations import check_destination  # keeps this module readable; no cycle

    errors: dict[str, str] = {}
    country = parse_text(d, "destination_country", errors, required=True, max_len=2)
    use = parse_text(d, "destination_use", errors, required=True, max_len=40)
    document = parse_text(d, "transport_document", errors, required=True, max_len=120)
    out: dict[str, Any] = {}
    # a garment shipped with its open buyer lot was checked against the buyer's contract when the
    # lot was made (the verdict is kept with the lot); only a lot-less shipment gets the default check
    lot = d.get("buyer_lot")
    under_contract = isinstance(lot, int) and not isinstance(lot, bool) and lot in ctx.buyer_lots
    if under_contract:
        out["buyer_lot"] = lot
    if country and use and not errors and not under_contract:
        refusal = check_destination(country=country.upper(), use=use)
        if refusal:
            errors["destination_country"] = refusal
    parse_note(d, errors, out)
    raise_if_any(errors)
    out.update(destination_country=country.upper() if country else None, destination_use=use,
               transport_document=document)
    return Change(Action.SHIP_TO_BUYER, snap.state, GarmentState.SHIPPED_TO_BUYER, snap.location,
                  snap.price_cents, out)


def _retire(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    route = parse_choice(d, "route", RetireRoute, errors, required=True)
    if route is RetireRoute.RECYCLING and str(d.get("ground") or "").strip().lower() in NOT_GROUNDS:
        errors["ground"] = N_("End of season and overproduction are not grounds for discarding "
                              "(EU Regulation 2024/1781): sell, rent, donate or remanufacture instead.")
        ground = None
    else:
        ground = parse_choice(d, "ground", DestructionGround, errors)
    if route is RetireRoute.RECYCLING and ground is None and "ground" not in errors:
        # ESPR counts recycling of unsold apparel as destruction: only on a legal ground
        errors["ground"] = N_("Recycling counts as destruction under EU Regulation 2024/1781: "
                              "name the ground (Delegated Regulation 2026/296), or choose "
                              "offcuts or remanufacturing.")
    if route is RetireRoute.RECYCLING:
        # the ground needs its evidence (a stored document or photo, kept 5 years); the service
        # checks that the evidence named exists
        evidence = parse_whole_number(d, "evidence", errors, minimum=1, maximum=2**31 - 1)
        if evidence is None and "evidence" not in errors:
            errors["evidence"] = N_("Add the evidence (a document or photo) for the ground; it is kept 5 years.")
        if evidence is not None:
            out["evidence"] = evidence
    if route is not None:
        out["route"] = route.value
    if ground is not None:
        out["ground"] = ground.value
    _offcut_lot(d, route, ctx, errors, out)
    parse_note(d, errors, out)
    raise_if_any(errors)
    return Change(Action.RETIRE, snap.state, GarmentState.RETIRED, snap.location, snap.price_cents, out)


def _offcut_lot(d: dict[str, Any], route: RetireRoute | None, ctx: Context, errors: dict[str, str],
                out: dict[str, Any]) -> None:
    """The offcut lot a garment retired into offcuts feeds (optional): its ledger then points to the
    lot, and the lot names the garments it came from (issue 15)."""
    raw = d.get("offcut_lot")
    if raw in (None, ""):
        return
    code = lot_code_in(raw) if isinstance(raw, str) else None
    if route is not RetireRoute.OFFCUTS:
        errors["offcut_lot"] = N_("Only a garment cut into offcuts feeds an offcut lot.")
    elif code is None:
        errors["offcut_lot"] = N_("Not an offcut lot code (they look like CKSR-00012).")
    elif code not in ctx.offcut_lots:
        errors["offcut_lot"] = N_("No offcut lot has this code.")
    else:
        out["offcut_lot"] = code


def _write_off(snap: Snapshot, d: dict[str, Any], ctx: Context) -> Change:
    errors: dict[str, str] = {}
    reason = parse_choice(d, "reason", WriteOffReason, errors, required=True)
    out: dict[str, Any] = {"reason": reason.value if reason else None}
    parse_note(d, errors, out)
    raise_if_any(errors)
    return Change(Action.WRITE_OFF, snap.state, GarmentState.WRITTEN_OFF, snap.location,
                  snap.price_cents, out)


#: the decider of each action; the rules table says from where, by whom and to what
DECIDERS: dict[Action, Decider] = {
    Action.RECEIVE: _receive,
    Action.TRANSFER: _transfer,
    Action.SELL: _sell,
    Action.CUSTOMER_RETURN: _customer_return,
    Action.ADD_TO_RENTAL_POOL: _add_to_pool,
    Action.REMOVE_FROM_RENTAL_POOL: _simple(Action.REMOVE_FROM_RENTAL_POOL, GarmentState.IN_STOCK),
    Action.CHECK_OUT_RENTAL: _check_out,
    Action.RETURN_RENTAL: _return_rental,
    Action.RECEIVE_RENTAL_RETURN: _receive_rental_return,
    Action.INSPECT: _inspect,
    Action.START_CARE: _start_care,
    Action.FINISH_CARE: _finish_care,
    Action.MOVE_TO_OUTLET: _move_to_outlet,
    Action.MARK_DOWN: _mark_down,
    Action.ALLOCATE_TO_BUYER_LOT: _allocate,
    Action.RELEASE_FROM_BUYER_LOT: _simple(Action.RELEASE_FROM_BUYER_LOT, GarmentState.IN_STOCK),
    Action.SHIP_TO_BUYER: _ship,
    Action.RETIRE: _retire,
    Action.WRITE_OFF: _write_off,
}
