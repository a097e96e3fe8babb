"""Property: over random splits, moves, reweighs, consumptions and leftovers, every gram is accounted for."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cksloop.domain.errors import DomainError
from cksloop.domain.offcuts import LotSnapshot, OffcutAction, apply, decide, replay
from tests.unit.offcut_fixtures import PLACES, context, create_details

A = OffcutAction
grams = st.one_of(st.integers(min_value=-5, max_value=1200), st.just("12"), st.just("x"), st.just(2.5))
# leftovers are mostly small, so returns after a consumption succeed as well as fail
small = st.one_of(st.integers(min_value=1, max_value=80), grams)
consumer = st.sampled_from([{"workshop_id": 1}, {"workshop_id": 2}, {"project_id": 7}, {"note": "test"}, {}])


def _round_trip(taken: Any, back: Any, who: dict[str, Any]) -> list[tuple[OffcutAction, dict[str, Any]]]:
    return [(A.CONSUME, {"grams": taken, **who}), (A.RETURN_LEFTOVER, {"grams": back, **who})]


def steps() -> st.SearchStrategy[list[tuple[OffcutAction, dict[str, Any]]]]:
    """Single steps, and a consumption followed by leftovers of the same consumer."""
    named = st.sampled_from([{"workshop_id": 1}, {"workshop_id": 2}, {"project_id": 7}, {"note": "test"}])
    trip = st.builds(_round_trip, st.integers(min_value=1, max_value=600), small, named)
    return st.lists(st.one_of(trip, step().map(lambda one: [one])), max_size=30).map(
        lambda groups: [one for group in groups for one in group])


def step() -> st.SearchStrategy[tuple[OffcutAction, dict[str, Any]]]:
    return st.one_of(
        st.tuples(st.just(A.SPLIT), st.builds(lambda p: {"parts_g": p}, st.lists(grams, min_size=1, max_size=4))),
        st.tuples(st.just(A.MOVE), st.builds(lambda to: {"to_location": to}, st.sampled_from([*PLACES, "GONE"]))),
        st.tuples(st.just(A.REWEIGH), st.builds(lambda w, r: {"weight_g": w, "reason": r}, grams,
                                                st.sampled_from(["cutting_loss", "soiled", "nonsense"]))),
        st.tuples(st.just(A.CONSUME), st.builds(lambda g, c: {"grams": g, **c}, grams, consumer)),
        st.tuples(st.just(A.RETURN_LEFTOVER), st.builds(lambda g, c: {"grams": g, **c}, small, consumer)),
        st.tuples(st.just(A.CREATE), st.just(create_details())),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weight=st.integers(min_value=1, max_value=3000), steps=steps())
def test_random_lot_histories_stay_balanced_never_negative_and_equal_to_their_replay(weight, steps):
    lot = LotSnapshot()
    first = decide(lot, A.CREATE, create_details(weight_g=weight), context())
    lot, changes = apply(lot, first), [first]
    for action, details in steps:
        before = lot
        try:
            change = decide(lot, action, details, context())
        except DomainError as refusal:
            assert refusal.render()  # a refusal says why in words
            assert lot == before
            continue
        lot = apply(lot, change)
        changes.append(change)
        # always balanced, no part negative, and what each consumer holds adds up to consumed
        assert lot.weight_in_g == lot.split_out_g + lot.consumed_g + lot.waste_g + lot.remaining_g == weight
        assert min(lot.split_out_g, lot.consumed_g, lot.waste_g, lot.remaining_g) >= 0
        assert sum(lot.consumed_by.values()) == lot.consumed_g
        assert all(held > 0 for held in lot.consumed_by.values())
        assert lot.version == len(changes)
    assert replay(changes) == lot
