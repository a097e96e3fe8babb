"""Markdown policy: steps, floor, price endings, and refusals — every value computed by hand."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.lifecycle import GarmentState
from cksloop.domain.markdown import (GarmentPrice, MarkdownPolicy, MarkdownRefused, MarkdownStep, Repricing,
                                     due_step, floor_price, next_step, parse_policy, plan_markdown,
                                     round_down_to_ending, round_up_to_ending, target_price)

POLICY = MarkdownPolicy()  # −30 % after 6 weeks, −50 % after 10, −70 % after 14; floor 25 %; ,95


@pytest.mark.parametrize("original, percent, ending, expected", [
    (9995, 30, 95, 6995),     # 6996,5 → 6996 → ,95
    (9995, 50, 95, 4995),     # 4997,5 → 4997 → ,95
    (9995, 70, 95, 2995),     # 2998,5 → 2998 → ,95 (floor 2499)
    (8000, 12.5, 95, 6995),   # 7000 → ,95
    (8000, "12.5", 95, 6995),
    (8000, "20%", 95, 6395),  # 6400 → ,95
    (9995, 30, 99, 6899),     # 6996 → highest ,99 at or below is 68,99
    (9995, 30, 0, 6900),
    (9995, 30, None, 6996),   # no ending: rounded down to the cent
    (10000, 75, 95, 2595),    # 2500 is the floor; ,95 below it would cross it, so the next ,95 up
])
def test_a_percentage_is_the_depth_below_the_original_price_rounded_down_to_the_ending(original, percent, ending,
                                                                                     expected):
    policy = MarkdownPolicy(ending_cents=ending)
    assert target_price(policy, original_price_cents=original, percent=percent) == expected


@pytest.mark.parametrize("target, expected", [(5000, 4995), (4995, 4995), (9995, 9995), (2600, 2595)])
def test_a_target_price_is_rounded_down_to_the_ending_too(target, expected):
    assert target_price(POLICY, original_price_cents=9995, target_price_cents=target) == expected


@pytest.mark.parametrize("kwargs, reason", [
    ({"percent": 100.5}, "percent_out_of_range"),
    ({"percent": 101}, "percent_out_of_range"),
    ({"percent": 0}, "percent_out_of_range"),
    ({"percent": -5}, "percent_out_of_range"),
    ({"percent": 76}, "under_floor"),        # 2400 < floor 2500
    ({"percent": 100}, "under_floor"),       # a price of 0
    ({"percent": "abc"}, "invalid"),
    ({"percent": "nan"}, "invalid"),
    ({"percent": True}, "invalid"),
    ({"target_price_cents": 10001}, "price_rise"),
    ({"target_price_cents": 2499}, "under_floor"),
    ({"target_price_cents": 0}, "invalid"),
    ({"target_price_cents": "3000"}, "invalid"),
    ({"target_price_cents": True}, "invalid"),
    ({}, "invalid"),
    ({"percent": 30, "target_price_cents": 5000}, "invalid"),
])
def test_a_markdown_outside_the_policy_is_refused_with_its_reason(kwargs, reason):
    with pytest.raises(MarkdownRefused) as refused:
        target_price(POLICY, original_price_cents=10000, **kwargs)
    assert refused.value.reason == reason
    assert refused.value.details["reason"] == reason


def test_the_under_floor_refusal_names_the_floor_in_euros():
    with pytest.raises(MarkdownRefused) as refused:
        target_price(POLICY, original_price_cents=10000, percent=80)
    assert refused.value.render() == ("That price (20,00) is under the floor of 25,00 "
                                      "(25% of the original price).")
    assert refused.value.details["floor_price_cents"] == 2500


def test_the_floor_is_its_share_of_the_original_rounded_up_to_the_cent():
    assert floor_price(POLICY, 9995) == 2499  # 2498,75
    assert floor_price(MarkdownPolicy(floor_pct=0, steps=()), 9995) == 0


@pytest.mark.parametrize("price, ending, down, up", [
    (6996, 95, 6995, 7095), (6995, 95, 6995, 6995), (7000, 95, 6995, 7095), (94, 95, 0, 95),
    (6996, 99, 6899, 6999), (6996, 0, 6900, 7000), (6996, None, 6996, 6996),
])
def test_prices_round_to_the_policy_ending(price, ending, down, up):
    assert round_down_to_ending(price, ending) == down
    assert round_up_to_ending(price, ending) == up


@pytest.mark.parametrize("weeks, due", [(0, None), (5.9, None), (6, 30), (9.9, 30), (10, 50), (14, 70), (40, 70)])
def test_the_step_due_is_the_deepest_the_stock_age_has_reached(weeks, due):
    step = due_step(POLICY, weeks_since_receipt=weeks)
    assert (step.percent if step else None) == due


@pytest.mark.parametrize("weeks, depth, expected", [(8, 0, 30), (8, 30, None), (10, 30, 50), (10, 50.03, None),
                                                    (15, 29, 70), (3, 0, None)])
def test_the_next_step_is_the_due_step_only_when_deeper_than_the_depth_given(weeks, depth, expected):
    step = next_step(POLICY, weeks_since_receipt=weeks, depth_pct=depth)
    assert (step.percent if step else None) == expected


@pytest.mark.parametrize("kwargs", [
    {"floor_pct": 100}, {"floor_pct": -1}, {"ending_cents": 100}, {"ending_cents": -1},
    {"steps": (MarkdownStep(6, 30), MarkdownStep(4, 50))},           # later step earlier
    {"steps": (MarkdownStep(6, 50), MarkdownStep(10, 30))},          # later step shallower
    {"steps": (MarkdownStep(6, 80),)},                               # under the 25 % floor
    {"steps": (MarkdownStep(6, 0),)}, {"steps": (MarkdownStep(-1, 30),)},
])
def test_a_policy_that_contradicts_itself_is_refused(kwargs):
    with pytest.raises(MarkdownRefused) as refused:
        MarkdownPolicy(**kwargs)
    assert refused.value.reason == "invalid"


def test_a_policy_is_read_from_a_form():
    policy = parse_policy({"steps": "4:20, 8:40; 12:60", "floor_pct": "30", "ending_cents": ""}, version=3)
    assert policy == MarkdownPolicy(steps=(MarkdownStep(4, 20), MarkdownStep(8, 40), MarkdownStep(12, 60)),
                                    floor_pct=30, ending_cents=None, version=3)
    assert parse_policy({"steps": [[6, 30]], "ending_cents": 99}).steps == (MarkdownStep(6, 30),)
    assert parse_policy({}) == MarkdownPolicy()


@pytest.mark.parametrize("raw", [{"steps": "6-30"}, {"steps": "6:30, 4:50"}, {"floor_pct": "x"},
                                 {"ending_cents": True}, {"steps": [[6]]}])
def test_a_malformed_policy_form_is_refused(raw):
    with pytest.raises(MarkdownRefused):
        parse_policy(raw)


def garment(code: str, price: int, state: GarmentState = GarmentState.IN_STOCK, original: int = 9995):
    return GarmentPrice(code=code, state=state, price_cents=price, original_price_cents=original)


def test_a_markdown_reprices_only_garments_above_the_new_price():
    plan = plan_markdown(POLICY, [garment("CKS-0001", 9995), garment("CKS-0002", 5995), garment("CKS-0003", 6995)],
                         percent=30)
    assert plan.changes == (Repricing("CKS-0001", 9995, 6995),)
    assert plan.kept == ("CKS-0002", "CKS-0003")
    assert plan.details["policy_version"] == 1


def test_each_garment_is_marked_down_from_its_own_original_price():
    plan = plan_markdown(POLICY, [garment("CKS-0001", 9995), garment("CKS-0002", 7995, original=7995)], percent=50)
    assert plan.changes == (Repricing("CKS-0001", 9995, 4995), Repricing("CKS-0002", 7995, 3995))


def test_a_target_price_above_a_garments_current_price_leaves_it_alone():
    plan = plan_markdown(POLICY, [garment("CKS-0001", 9995), garment("CKS-0002", 3995)], target_price_cents=5000)
    assert plan.changes == (Repricing("CKS-0001", 9995, 4995),) and plan.kept == ("CKS-0002",)


@pytest.mark.parametrize("state", [GarmentState.SOLD, GarmentState.RENTED_OUT, GarmentState.ALLOCATED_TO_BUYER_LOT,
                                   GarmentState.IN_RENTAL_POOL, GarmentState.SHIPPED_TO_BUYER])
def test_one_garment_that_cannot_be_marked_down_refuses_the_whole_markdown_naming_it(state):
    with pytest.raises(MarkdownRefused) as refused:
        plan_markdown(POLICY, [garment("CKS-0001", 9995), garment("CKS-0002", 9995, state)], percent=30)
    assert refused.value.reason == "garment_state"
    assert refused.value.details["garments"] == [{"code": "CKS-0002", "state": state.value}]
    assert "CKS-0002" in refused.value.render()


def test_an_empty_selection_is_refused():
    with pytest.raises(MarkdownRefused):
        plan_markdown(POLICY, [], percent=30)


@given(original=st.integers(1, 10_000_000), percent=st.integers(1, 100), current=st.integers(1, 10_000_000),
       ending=st.sampled_from([None, 0, 95, 99]), floor=st.integers(0, 60))
def test_a_markdown_never_raises_a_price_never_crosses_the_floor_and_keeps_the_ending(original, percent, current,
                                                                                     ending, floor):
    policy = MarkdownPolicy(steps=(), floor_pct=floor, ending_cents=ending)
    try:
        plan = plan_markdown(policy, [garment("CKS-0001", current, original=original)], percent=percent)
    except MarkdownRefused as refused:
        assert refused.reason in ("under_floor", "percent_out_of_range")
        return
    for change in plan.changes:
        assert change.to_price_cents < change.from_price_cents
        assert floor_price(policy, original) <= change.to_price_cents <= original
        if ending is not None:
            assert change.to_price_cents % 100 == ending
    assert len(plan.changes) + len(plan.kept) == 1
