"""Property through the database: random lot histories stay balanced and equal the replay of their stored events."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots
from tests.builders import OTHER_STORE, STORE, WAREHOUSE, make_user

grams = st.one_of(st.integers(min_value=-5, max_value=700), st.just("x"))
note = st.just({"note": "workshop test"})
steps = st.lists(st.one_of(
    st.tuples(st.just("split"), st.builds(lambda p: {"parts_g": p}, st.lists(grams, min_size=1, max_size=3))),
    st.tuples(st.just("move"), st.builds(lambda to: {"to_location": to}, st.sampled_from([STORE, OTHER_STORE,
                                                                                           WAREHOUSE, "GONE"]))),
    st.tuples(st.just("reweigh"), st.builds(lambda w: {"weight_g": w, "reason": "cutting_loss"}, grams)),
    st.tuples(st.just("consume"), st.builds(lambda g, c: {"grams": g, **c}, grams, note)),
    st.tuples(st.just("return_leftover"), st.builds(lambda g, c: {"grams": g, **c}, grams, note)),
), max_size=8)


def _balanced(lot: dict[str, Any]) -> bool:
    parts = (lot["split_out_g"], lot["consumed_g"], lot["waste_g"], lot["remaining_g"])
    return min(parts) >= 0 and lot["weight_in_g"] == sum(parts)


# few examples: each one writes real rows on SQLite or PostgreSQL (the domain's own property runs 200)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(weight=st.integers(min_value=1, max_value=1500), history=steps)
def test_random_histories_through_the_ledger_stay_balanced_and_equal_their_replay(db_session, now, weight, history):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    lot = offcut_lots.create(db_session, actor=organiser, now=now, details={
        "material": "linen", "composition": [{"fibre": "linen", "pct": 100}], "colour": "ecru",
        "weight_g": weight, "location": STORE})
    for action, details in history:
        before = offcut_lots.lot_dict(db_session, lot["code"])
        try:
            lot = offcut_lots.act(db_session, code=lot["code"], action=action, details=details, actor=organiser,
                                  now=now, expected_version=before["version"])
        except DomainError as refusal:
            assert refusal.render() and offcut_lots.lot_dict(db_session, lot["code"]) == before  # nothing written
            continue
        assert _balanced(lot) and lot["version"] == before["version"] + 1
        assert offcut_lots.replay_matches(db_session, lot["code"])
    for code in [lot["code"], *lot.get("new_lots", [])]:
        assert offcut_lots.replay_matches(db_session, code)
