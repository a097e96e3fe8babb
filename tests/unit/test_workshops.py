"""Workshops: planning, product types, logging a held workshop and correcting it by compensation."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.offcuts import InsufficientOffcut, OffcutAction, apply
from cksloop.domain.workshop_logs import (AlreadyLogged, ConfirmationRequired, EntryKind, WorkshopNotStarted,
                                          correct_workshop, log_workshop, suggest_grams, totals)
from cksloop.domain.workshops import (BUILTIN_PRODUCT_TYPES, ProductType, Workshop, define_product_type,
                                      plan_workshop, upcoming)
from tests.unit.offcut_fixtures import PLACES, context, make_lot

NOW = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)
STARTED = Workshop(1, "ANT-MEIR", NOW - dt.timedelta(hours=2), "Jewellery pouches", capacity=12, organiser=5)
TYPES = dict(BUILTIN_PRODUCT_TYPES)  # jewellery_pouch 35 g, toiletry_bag 120 g, bracelet 12 g
LOTS = {"CKSR-00012": make_lot("CKSR-00012", 1000), "CKSR-00013": make_lot("CKSR-00013", 300),
        "CKSR-00020": make_lot("CKSR-00020", 900, location="GENT-VELD")}


def log(**overrides: Any):
    args: dict[str, Any] = dict(
        workshop=STARTED, participants=10, products=[{"type": "jewellery_pouch", "quantity": 10}],
        lots=[{"code": "CKSR-00012", "grams": 400}], leftovers=None, product_types=TYPES, snapshots=LOTS,
        entries=(), ctx=context(), now=NOW)
    return log_workshop(**{**args, **overrides})


# --- planning and product types -------------------------------------------------------------------

def test_a_planned_workshop_is_stored_in_utc_and_listed_among_the_stores_upcoming_ones():
    plan = plan_workshop(store="ANT-MEIR", starts_at="2026-12-05T14:00+01:00", theme="Toiletry bags",
                         capacity="15", organiser=5, places=PLACES, organisers=frozenset({5}))
    assert plan.starts_at == dt.datetime(2026, 12, 5, 13, 0, tzinfo=dt.UTC) and plan.capacity == 15
    assert upcoming([plan, STARTED], store="ANT-MEIR", now=NOW) == [plan]
    assert upcoming([plan], store="GENT-VELD", now=NOW) == []


@pytest.mark.parametrize("field, value", [
    ("store", "WH-WOMMELGEM"), ("store", "CLOSED"), ("starts_at", "2026-12-05T14:00"), ("starts_at", "soon"),
    ("theme", ""), ("capacity", 0), ("capacity", 501), ("capacity", "many"), ("organiser", 99),
])
def test_a_workshop_plan_with_a_wrong_field_is_refused_naming_it(field, value):
    args = dict(store="ANT-MEIR", starts_at="2026-12-05T14:00+01:00", theme="Bracelets", capacity=10,
                organiser=5, places=PLACES, organisers=frozenset({5}))
    with pytest.raises(InvalidDetails) as refusal:
        plan_workshop(**{**args, field: value})
    assert field in refusal.value.field_errors


def test_an_admin_adds_a_product_type_only_with_its_material_use_in_grams():
    added = define_product_type(key="scrunchie", name="Scrunchie", typical_use_g="25", existing=TYPES)
    assert added == ProductType("scrunchie", "Scrunchie", 25)
    for use in (None, "", 0, -3, "a lot"):
        with pytest.raises(InvalidDetails) as refusal:
            define_product_type(key="scrunchie", name="Scrunchie", typical_use_g=use, existing=TYPES)
        assert "typical_use_g" in refusal.value.field_errors
    with pytest.raises(InvalidDetails):
        define_product_type(key="bracelet", name="Bracelet", typical_use_g=10, existing=TYPES)


# --- logging --------------------------------------------------------------------------------------

def test_a_held_workshop_logs_its_counts_and_consumes_the_lots_with_leftovers_returned():
    logged = log(lots=[{"code": "CKSR-00012", "grams": 400}], leftovers=[{"code": "cksr-00012", "grams": 60}])
    entry = logged.entry
    assert (entry.kind, entry.participants, entry.products, entry.held_on) == \
        (EntryKind.LOG, 10, (("jewellery_pouch", 10),), dt.date(2026, 11, 25))
    [steps] = logged.lot_steps
    assert steps.expected_version == 1
    assert [(c.action, c.details["grams"], c.details["workshop_id"]) for c in steps.changes] == \
        [(OffcutAction.CONSUME, 400, 1), (OffcutAction.RETURN_LEFTOVER, 60, 1)]
    lot = LOTS["CKSR-00012"]
    for change in steps.changes:
        lot = apply(lot, change)
    assert (lot.remaining_g, lot.consumed_g) == (660, 340) and entry.lots[0].net_g == 340


def test_grams_left_out_are_prefilled_from_the_typical_use_shared_over_the_lots_within_what_they_hold():
    # 10 toiletry bags take 1,200 g: the 300 g lot gives all it has, the 1,000 g lot the rest
    logged = log(products=[{"type": "toiletry_bag", "quantity": 10}],
                 lots=[{"code": "CKSR-00013"}, {"code": "CKSR-00012"}])
    assert {u.code: u.consumed_g for u in logged.entry.lots} == {"CKSR-00013": 300, "CKSR-00012": 900}
    assert suggest_grams(products={"bracelet": 5}, product_types=TYPES,
                         lots=[LOTS["CKSR-00012"], LOTS["CKSR-00013"]]) == {"CKSR-00012": 30, "CKSR-00013": 30}


def test_grams_entered_for_one_lot_leave_only_the_rest_of_the_typical_use_to_prefill():
    # 10 jewellery pouches take 350 g: 300 g entered for one lot, 50 g prefilled for the other
    logged = log(lots=[{"code": "CKSR-00012"}, {"code": "CKSR-00013", "grams": 300}])
    assert {u.code: u.consumed_g for u in logged.entry.lots} == {"CKSR-00012": 50, "CKSR-00013": 300}
    with pytest.raises(InvalidDetails) as refusal:  # nothing left to prefill: the grams must be entered
        log(lots=[{"code": "CKSR-00012"}, {"code": "CKSR-00013", "grams": 350}])
    assert "lots.CKSR-00012" in refusal.value.field_errors


def test_the_same_lot_scanned_twice_in_one_log_is_counted_once():
    logged = log(lots=[{"code": "CKSR-00012", "grams": 400}, {"code": "CKSR-00012"},
                       {"code": "cksr-00012", "grams": 400}])
    assert [(u.code, u.consumed_g) for u in logged.entry.lots] == [("CKSR-00012", 400)]
    assert sum(c.consumed_g for s in logged.lot_steps for c in s.changes) == 400


def test_product_lines_of_one_type_add_up():
    logged = log(products=[{"type": "bracelet", "quantity": 3}, {"type": "bracelet", "quantity": "4"}])
    assert logged.entry.products == (("bracelet", 7),)


def test_a_workshop_that_has_not_started_cannot_be_logged_as_held():
    later = Workshop(2, "ANT-MEIR", NOW + dt.timedelta(minutes=1), "Later", capacity=12)
    with pytest.raises(WorkshopNotStarted) as refusal:
        log(workshop=later)
    assert refusal.value.code == "workshop_not_started"


def test_more_participants_than_places_needs_a_confirmation_and_then_logs():
    with pytest.raises(ConfirmationRequired) as warning:
        log(participants=13)
    assert warning.value.details == {"participants": 13, "capacity": 12}
    assert log(participants=13, confirmed=True).entry.participants == 13


def test_a_workshop_is_logged_once_and_a_second_log_is_refused():
    first = log().entry
    with pytest.raises(AlreadyLogged):
        log(entries=[first])


@pytest.mark.parametrize("overrides, field", [
    ({"participants": 0}, "participants"),
    ({"participants": -2}, "participants"),
    ({"participants": "ten"}, "participants"),
    ({"products": []}, "products"),
    ({"products": [{"type": "teapot", "quantity": 1}]}, "products"),
    ({"products": [{"type": "bracelet", "quantity": 0}]}, "products.bracelet"),
    ({"products": [{"type": "odd", "quantity": 1}]}, "products"),  # a type stored without material use
    ({"lots": []}, "lots"),
    ({"lots": [{"code": "CKS-00012", "grams": 10}]}, "lots"),  # a garment, not a lot
    ({"lots": [{"code": "CKSR-09999", "grams": 10}]}, "lots.CKSR-09999"),
    ({"lots": [{"code": "CKSR-00020", "grams": 10}]}, "lots.CKSR-00020"),  # in another store
    ({"lots": [{"code": "CKSR-00012", "grams": 0}]}, "lots.CKSR-00012"),
    ({"lots": [{"code": "CKSR-00012", "grams": -4}]}, "lots.CKSR-00012"),
    ({"lots": [{"code": "CKSR-00012", "grams": 10}, {"code": "CKSR-00012", "grams": 20}]}, "lots.CKSR-00012"),
    ({"leftovers": [{"code": "CKSR-00013", "grams": 10}]}, "leftovers.CKSR-00013"),  # not used here
    ({"leftovers": [{"code": "CKSR-00012", "grams": 401}]}, "leftovers.CKSR-00012"),
    ({"leftovers": [{"code": "CKSR-00012"}]}, "leftovers.CKSR-00012"),
])
def test_a_log_with_bad_input_is_refused_naming_the_field_and_implies_no_lot_change(overrides, field):
    types = {**TYPES, "odd": ProductType("odd", "Odd", 0)}
    with pytest.raises(InvalidDetails) as refusal:
        log(product_types=types, **overrides)
    assert field in refusal.value.field_errors


def test_a_log_using_more_than_a_lot_holds_is_refused_with_what_is_left():
    with pytest.raises(InsufficientOffcut) as refusal:
        log(lots=[{"code": "CKSR-00013", "grams": 301}])
    assert refusal.value.details["lot"] == "CKSR-00013" and refusal.value.details["remaining_g"] == 300


# --- corrections ----------------------------------------------------------------------------------

def test_a_correction_records_only_the_differences_and_returns_or_takes_the_grams_that_differ():
    first = log(lots=[{"code": "CKSR-00012", "grams": 400}])
    lot12 = LOTS["CKSR-00012"]
    for change in first.lot_steps[0].changes:
        lot12 = apply(lot12, change)
    snapshots = {**LOTS, "CKSR-00012": lot12}
    fixed = correct_workshop(
        workshop=STARTED, participants=9, products=[{"type": "jewellery_pouch", "quantity": 10},
                                                    {"type": "bracelet", "quantity": 2}],
        lots=[{"code": "CKSR-00012", "grams": 350}, {"code": "CKSR-00013", "grams": 24}],
        note="Counted again after closing", product_types=TYPES, snapshots=snapshots, entries=[first.entry],
        ctx=context())
    entry = fixed.entry
    assert (entry.kind, entry.participants, entry.products) == (EntryKind.CORRECTION, -1, (("bracelet", 2),))
    assert {s.code: [(c.action, c.details["grams"]) for c in s.changes] for s in fixed.lot_steps} == {
        "CKSR-00012": [(OffcutAction.RETURN_LEFTOVER, 50)], "CKSR-00013": [(OffcutAction.CONSUME, 24)]}
    participants, products, grams = totals([first.entry, entry])
    assert (participants, products, grams) == (9, {"jewellery_pouch": 10, "bracelet": 2},
                                               {"CKSR-00012": 350, "CKSR-00013": 24})


def test_a_correction_needs_a_reason_a_difference_and_an_earlier_log():
    first = log()
    args: dict[str, Any] = dict(workshop=STARTED, participants=10, products=[{"type": "jewellery_pouch", "quantity": 10}],
                                lots=[{"code": "CKSR-00012", "grams": 400}], note="Recount", product_types=TYPES,
                                snapshots=LOTS, entries=[first.entry], ctx=context())
    with pytest.raises(InvalidDetails) as refusal:
        correct_workshop(**args)
    assert "workshop" in refusal.value.field_errors  # nothing differs
    with pytest.raises(InvalidDetails) as refusal:
        correct_workshop(**{**args, "participants": 11, "note": ""})
    assert "note" in refusal.value.field_errors
    with pytest.raises(InvalidDetails):
        correct_workshop(**{**args, "entries": []})
