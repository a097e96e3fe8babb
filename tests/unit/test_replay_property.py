"""Property: whatever actions are tried, in whatever order, replay(changes) equals the live snapshot."""
from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import (RULES, Action, Change, Context, LocationKind, Place, Snapshot,
                                      allowed_actions, apply, decide, replay)
from tests.strategies import actions, details_for, likely_details, roles

TODAY = dt.date(2026, 11, 25)
PLACES = {
    "ANT-MEIR": Place("ANT-MEIR", LocationKind.STORE),
    "GENT-VELD": Place("GENT-VELD", LocationKind.STORE),
    "WH-WOMMELGEM": Place("WH-WOMMELGEM", LocationKind.WAREHOUSE),
    "OUTLET-WOMMELGEM": Place("OUTLET-WOMMELGEM", LocationKind.OUTLET),
    "DRESSR-ANT": Place("DRESSR-ANT", LocationKind.PARTNER),
}
PARTNERS, BUYER_LOTS = (1,), (4,)
ANY_DETAILS = details_for(places=list(PLACES), partners=PARTNERS, buyer_lots=BUYER_LOTS, today=TODAY)


@st.composite
def attempts(draw: st.DrawFn) -> list[tuple[Action, dict[str, Any], Context]]:
    """A sequence of attempted actions, decided against the snapshot as it evolves."""
    steps: list[tuple[Action, dict[str, Any], Context]] = []
    snapshot = Snapshot()
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        possible = allowed_actions(snapshot.state)
        # three in four attempts pick an action the state allows, so sequences travel the loop
        pick_possible = possible and draw(st.integers(min_value=0, max_value=3)) > 0
        action = draw(st.sampled_from(possible) if pick_possible else actions)
        likely = st.just(likely_details(action, snapshot))
        details = draw(st.one_of(likely, likely, ANY_DETAILS))
        # mostly a role that may take the action, so refusals by role do not crowd out the rest
        role = draw(st.one_of(st.sampled_from(sorted(RULES[action].roles)), roles))
        ctx = Context(actor_role=role, today=TODAY, here=draw(st.sampled_from([None, *PLACES])),
                      places=PLACES, partners=frozenset(PARTNERS), buyer_lots=frozenset(BUYER_LOTS))
        steps.append((action, details, ctx))
        try:
            snapshot = apply(snapshot, decide(snapshot, action, details, ctx))
        except DomainError:
            pass
    return steps


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts())
def test_random_action_sequences_never_break_replay_equals_the_live_snapshot(steps):
    snapshot, changes = Snapshot(), []
    for action, details, ctx in steps:
        try:
            change = decide(snapshot, action, details, ctx)
        except DomainError as refusal:
            # a refusal says why in words and never changes the garment
            assert refusal.render()
            continue
        assert change.from_state == snapshot.state
        assert change.to_state in RULES[action].to_states
        assert ctx.actor_role in RULES[action].roles
        snapshot = apply(snapshot, change)
        changes.append(change)
        assert replay(changes) == snapshot
    assert replay(changes) == snapshot


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_details_for_any_action_are_decided_or_refused_with_a_domain_error(data):
    # no TypeError, KeyError or AssertionError may escape, whatever junk the details hold
    action = data.draw(actions)
    state = data.draw(st.sampled_from(sorted(RULES[action].from_states, key=lambda s: s.value if s else "")))
    snapshot = Snapshot(state=state, location=data.draw(st.sampled_from([None, *PLACES])),
                        price_cents=data.draw(st.sampled_from([None, 1, 12995])))
    ctx = Context(actor_role=next(iter(RULES[action].roles)), today=TODAY, places=PLACES,
                  partners=frozenset(PARTNERS), buyer_lots=frozenset(BUYER_LOTS))
    details = data.draw(ANY_DETAILS)
    try:
        change = decide(snapshot, action, details, ctx)
    except DomainError as refusal:
        assert refusal.code in {"invalid_details", "not_allowed_now", "forbidden"}
    else:
        assert isinstance(change, Change)
        assert apply(snapshot, change).state is change.to_state


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts(), st.integers(min_value=0, max_value=24))
def test_replay_refuses_a_ledger_with_an_event_left_out(steps, drop):
    snapshot, changes = Snapshot(), []
    for action, details, ctx in steps:
        try:
            change = decide(snapshot, action, details, ctx)
        except DomainError:
            continue
        snapshot = apply(snapshot, change)
        changes.append(change)
    if len(changes) < 2:
        return
    # leaving out any event but the last breaks the chain of from/to states
    index = drop % (len(changes) - 1)
    gapped = changes[:index] + changes[index + 1:]
    try:
        replayed = replay(gapped)
    except DomainError:
        return
    # only a self-loop (transfer, mark-down) can be dropped without breaking the chain;
    # then the replayed state still matches although location or price may differ
    assert changes[index].from_state == changes[index].to_state
    assert replayed.state == snapshot.state
