"""The offcut lot ledger: each action's rules, its refusals, and the mass balance it keeps."""
from __future__ import annotations

import pytest

from cksloop.domain.errors import InvalidDetails, NotPermitted
from cksloop.domain.lifecycle import Role
from cksloop.domain.offcuts import (InsufficientOffcut, LotActionNotPossible, LotChange, LotSnapshot,
                                    OffcutAction, WasteReason, apply, decide, may_write, replay,
                                    split_children)
from tests.unit.offcut_fixtures import context, create_details, make_lot

A = OffcutAction


def test_a_new_lot_holds_its_weight_in_full_at_its_location():
    lot = make_lot(weight_g=1000)
    assert (lot.code, lot.location, lot.version) == ("CKSR-00012", "ANT-MEIR", 1)
    assert (lot.weight_in_g, lot.remaining_g, lot.consumed_g, lot.waste_g, lot.split_out_g) == (1000, 1000, 0, 0, 0)


def test_a_whole_float_weight_is_accepted_as_grams():
    change = decide(LotSnapshot(), A.CREATE, create_details(weight_g=400.0), context())
    assert change.weight_in_g == 400 and isinstance(change.details["weight_g"], int)


@pytest.mark.parametrize("weight", [0, -5, "abc", 12.5, True, None, "", [400], 1_000_001])
def test_a_lot_with_a_zero_negative_fractional_or_non_numeric_weight_is_refused(weight):
    with pytest.raises(InvalidDetails) as refusal:
        decide(LotSnapshot(), A.CREATE, create_details(weight_g=weight), context())
    assert "weight_g" in refusal.value.field_errors


@pytest.mark.parametrize("field, value", [
    ("code", "CKS-00012"), ("location", "NOWHERE"), ("location", "OUTLET-WOMMELGEM"), ("material", ""),
    ("composition", [{"fibre": "cotton", "pct": 90}]), ("composition", []), ("area_m2", -1),
    ("source", "style 123"),
])
def test_a_lot_with_a_wrong_detail_is_refused_naming_the_field(field, value):
    with pytest.raises(InvalidDetails) as refusal:
        decide(LotSnapshot(), A.CREATE, {**create_details(), field: value}, context())
    assert field in refusal.value.field_errors


def test_a_lot_cannot_be_created_twice_nor_used_before_it_is_created():
    with pytest.raises(LotActionNotPossible):
        decide(make_lot(), A.CREATE, create_details(), context())
    with pytest.raises(LotActionNotPossible):
        decide(LotSnapshot(), A.CONSUME, {"grams": 10, "note": "test"}, context())


@pytest.mark.parametrize("role, allowed", [
    (Role.STORE_STAFF, False), (Role.WORKSHOP_ORGANISER, True), (Role.MERCHANDISER, True), (Role.ADMIN, True),
])
def test_workshop_organisers_merchandisers_and_admins_write_lots_and_store_staff_only_read(role, allowed):
    assert may_write(role) is allowed
    if allowed:
        assert decide(make_lot(), A.CONSUME, {"grams": 10, "workshop_id": 1}, context(role)).consumed_g == 10
    else:
        with pytest.raises(NotPermitted):
            decide(make_lot(), A.CONSUME, {"grams": 10, "workshop_id": 1}, context(role))


def test_consuming_more_than_remains_is_refused_saying_how_much_is_left():
    lot = make_lot(weight_g=500)
    with pytest.raises(InsufficientOffcut) as refusal:
        decide(lot, A.CONSUME, {"grams": 501, "workshop_id": 1}, context())
    assert refusal.value.code == "insufficient_offcut"
    assert refusal.value.details == {"lot": "CKSR-00012", "remaining_g": 500, "requested_g": 501}
    assert "500 g left" in refusal.value.render()


def test_consuming_exactly_what_remains_empties_the_lot_and_keeps_it_balanced():
    lot = apply(make_lot(weight_g=500), decide(make_lot(weight_g=500), A.CONSUME,
                                                {"grams": 500, "project_id": 7}, context()))
    assert lot.remaining_g == 0 and lot.consumed_g == 500 and lot.is_balanced


@pytest.mark.parametrize("details, field", [
    ({"grams": 10}, "note"),  # nobody named: say in a note what the offcuts went into
    ({"grams": 10, "workshop_id": 99}, "workshop_id"),
    ({"grams": 10, "project_id": 99}, "project_id"),
    ({"grams": 10, "workshop_id": 1, "project_id": 7}, "workshop_id"),
    ({"grams": 0, "workshop_id": 1}, "grams"),
    ({"grams": "ten", "workshop_id": 1}, "grams"),
])
def test_a_consumption_without_a_known_consumer_or_a_valid_weight_is_refused(details, field):
    with pytest.raises(InvalidDetails) as refusal:
        decide(make_lot(), A.CONSUME, details, context())
    assert field in refusal.value.field_errors


def test_a_split_makes_parts_that_add_up_and_new_lots_that_name_their_parent():
    lot = make_lot(weight_g=1000)
    change = decide(lot, A.SPLIT, {"parts_g": [400, 200]}, context())
    after = apply(lot, change)
    assert (after.split_out_g, after.remaining_g) == (600, 400)
    children = [apply(LotSnapshot(), c) for c in split_children(
        change, codes=["CKSR-00013", "CKSR-00014"], material={"material": "denim", "colour": "indigo"})]
    assert [c.weight_in_g for c in children] == [400, 200]
    assert sum(c.weight_in_g for c in children) == after.split_out_g
    assert all(c.location == "ANT-MEIR" for c in children)
    assert split_children(change, codes=["CKSR-00013", "CKSR-00014"], material={})[0].details["source"] == \
        {"split_from": "CKSR-00012"}


@pytest.mark.parametrize("parts", [[], [400, 0], [400, -1], "400,200", [400.5], list(range(1, 60))])
def test_a_split_with_missing_zero_or_malformed_parts_is_refused(parts):
    with pytest.raises(InvalidDetails):
        decide(make_lot(), A.SPLIT, {"parts_g": parts}, context())


def test_a_split_whose_parts_exceed_the_lot_is_refused_with_what_remains():
    with pytest.raises(InsufficientOffcut) as refusal:
        decide(make_lot(weight_g=500), A.SPLIT, {"parts_g": [400, 200]}, context())
    assert refusal.value.details["remaining_g"] == 500 and refusal.value.details["requested_g"] == 600


def test_a_move_goes_to_an_open_lot_place_other_than_where_the_lot_is():
    lot = make_lot()
    assert apply(lot, decide(lot, A.MOVE, {"to_location": "REBELLE-ANT"}, context())).location == "REBELLE-ANT"
    for to in ("ANT-MEIR", "CLOSED-STORE", "OUTLET-WOMMELGEM", None):
        with pytest.raises(InvalidDetails):
            decide(lot, A.MOVE, {"to_location": to}, context())


def test_a_reweigh_records_the_difference_as_waste_with_its_reason():
    lot = make_lot(weight_g=1000)
    change = decide(lot, A.REWEIGH, {"weight_g": 940, "reason": "cutting_loss"}, context())
    after = apply(lot, change)
    assert (after.waste_g, after.remaining_g, change.details["reason"]) == (60, 940, "cutting_loss")
    assert after.is_balanced


def test_a_reweigh_that_finds_waste_needs_a_reason_and_other_needs_a_note():
    lot = make_lot(weight_g=1000)
    with pytest.raises(InvalidDetails) as refusal:
        decide(lot, A.REWEIGH, {"weight_g": 900}, context())
    assert "reason" in refusal.value.field_errors
    with pytest.raises(InvalidDetails) as refusal:
        decide(lot, A.REWEIGH, {"weight_g": 900, "reason": WasteReason.OTHER}, context())
    assert "note" in refusal.value.field_errors


def test_a_reweigh_heavier_than_the_ledger_is_refused_because_a_lot_cannot_gain_weight():
    with pytest.raises(InvalidDetails) as refusal:
        decide(make_lot(weight_g=1000), A.REWEIGH, {"weight_g": 1001, "reason": "other"}, context())
    assert refusal.value.details["remaining_g"] == 1000


def test_a_reweigh_to_zero_turns_the_whole_remainder_into_waste():
    lot = make_lot(weight_g=300)
    after = apply(lot, decide(lot, A.REWEIGH, {"weight_g": 0, "reason": "soiled"}, context()))
    assert (after.remaining_g, after.waste_g) == (0, 300)


def test_leftovers_return_to_the_lot_only_up_to_what_their_consumer_took():
    lot = make_lot(weight_g=1000)
    lot = apply(lot, decide(lot, A.CONSUME, {"grams": 300, "workshop_id": 1}, context()))
    lot = apply(lot, decide(lot, A.RETURN_LEFTOVER, {"grams": 120, "workshop_id": 1}, context()))
    assert (lot.consumed_g, lot.remaining_g, lot.consumed_by) == (180, 820, {"workshop:1": 180})
    with pytest.raises(InvalidDetails) as refusal:
        decide(lot, A.RETURN_LEFTOVER, {"grams": 181, "workshop_id": 1}, context())
    assert refusal.value.details["held_g"] == 180
    with pytest.raises(InvalidDetails):
        decide(lot, A.RETURN_LEFTOVER, {"grams": 1, "workshop_id": 2}, context())  # workshop 2 took nothing


def test_replay_rebuilds_the_live_snapshot_and_refuses_a_chain_the_rules_never_allow():
    lot, changes = LotSnapshot(), []
    steps = [(A.CREATE, create_details(weight_g=800)), (A.SPLIT, {"parts_g": [100]}),
             (A.CONSUME, {"grams": 250, "note": "sample cards"}), (A.REWEIGH, {"weight_g": 440, "reason": "damaged"}),
             (A.RETURN_LEFTOVER, {"grams": 50}), (A.MOVE, {"to_location": "WH-WOMMELGEM"})]
    for action, details in steps:
        change = decide(lot, action, details, context())
        changes.append(change)
        lot = apply(lot, change)
    assert replay(changes) == lot
    assert (lot.weight_in_g, lot.split_out_g, lot.consumed_g, lot.waste_g, lot.remaining_g) == (800, 100, 200, 10, 490)
    overdraw = LotChange(A.CONSUME, "CKSR-00012", "WH-WOMMELGEM", {"grams": 491}, consumed_g=491, consumer="other")
    with pytest.raises(LotActionNotPossible):
        replay([*changes, overdraw])
    with pytest.raises(LotActionNotPossible):
        replay(changes[1:])  # no create first


def test_a_lot_records_where_it_came_from_style_order_supplier_retired_garments_or_parent_lot():
    source = {"style_number": "W24-0117", "production_order": "PO-8812", "supplier": "Atelier Gent",
              "garments": ["CKS-00049", "CKS-00050", "CKS-00049"]}
    change = decide(LotSnapshot(), A.CREATE, create_details(source=source), context())
    assert change.details["source"] == {**source, "garments": ["CKS-00049", "CKS-00050"]}
    assert decide(LotSnapshot(), A.CREATE, create_details(source={"split_from": "CKSR-00001"}),
                  context()).details["source"] == {"split_from": "CKSR-00001"}


@pytest.mark.parametrize("source", [
    {"colour_of_moon": "x"}, {"garments": ["CKSR-00001"]}, {"garments": []}, {"garments": "CKS-00049"},
    {"split_from": "CKS-00049"}, {"supplier": "x" * 61}, {"style_number": 12},
])
def test_a_lot_source_naming_something_unknown_or_malformed_is_refused(source):
    with pytest.raises(InvalidDetails) as refusal:
        decide(LotSnapshot(), A.CREATE, create_details(source=source), context())
    assert "source" in refusal.value.field_errors


def test_an_action_given_as_its_word_is_decided_and_an_unknown_word_is_refused():
    assert decide(make_lot(), "consume", {"grams": 5, "note": "swatches"}, context()).action is A.CONSUME
    with pytest.raises(InvalidDetails) as refusal:
        decide(make_lot(), "burn", {}, context())
    assert "action" in refusal.value.field_errors
