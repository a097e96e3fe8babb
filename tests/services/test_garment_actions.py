"""Taking actions through services.garments.act against the real database: the row is its replay."""
from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cksloop.db.models import Garment, GarmentEvent, Location
from cksloop.domain.errors import DomainError, IllegalTransition, InvalidDetails, NotFound, VersionConflict
from cksloop.domain.lifecycle import Action, GarmentState, Role, allowed_actions
from cksloop.services import garments
from cksloop.services.garments import IdempotencyMismatch, act, count_events, replay_matches, snapshot_of
from tests.builders import OTHER_STORE, PATHS, make_garment, make_user
from tests.strategies import actions, details_for, likely_details

_example = itertools.count()


def _ledger(session, garment: Garment) -> list[tuple[int, str]]:
    return [(e.seq, e.action.value) for e in garments.events_of(session, garment)]


def test_random_action_sequences_keep_every_garment_equal_to_its_replay(db_session, world, now):
    """Hypothesis drives act() with valid and invalid requests; refusals write nothing."""
    users = {role: make_user(db_session, role) for role in Role}
    places = list(db_session.scalars(select(Location.code)))
    partner = world["partner"].id
    outcomes = {"written": 0, "refused": 0}
    any_details = details_for(places=places, partners=[partner], buyer_lots=[1],
                              today=garments.local_date(now))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def run(data: st.DataObject) -> None:
        example = next(_example)
        start = data.draw(st.sampled_from(sorted(PATHS)), label="start state")
        garment = make_garment(db_session, state=start, now=now)
        # (user, idempotency key) → (request fingerprint, first answer)
        answered: dict[tuple[int, str], tuple[str, dict[str, Any]]] = {}
        for step in range(data.draw(st.integers(min_value=1, max_value=10), label="steps")):
            db_session.refresh(garment)
            snapshot = snapshot_of(garment)
            possible = allowed_actions(garment.state)
            action = data.draw(st.sampled_from(possible) if possible and data.draw(st.booleans()) else actions)
            likely = st.just(likely_details(action, snapshot, partner=partner))
            details = data.draw(st.one_of(likely, likely, any_details))
            actor = users[data.draw(st.sampled_from(list(Role)))]
            version = data.draw(st.sampled_from([None, garment.version, garment.version - 1]))
            key = data.draw(st.sampled_from([None, f"ex{example}-a", f"ex{example}-b"]))
            request = json.dumps([action, details, version], sort_keys=True, default=str)
            slot = (actor.id, key or "")
            before, version_before = count_events(db_session), garment.version
            try:
                result = act(db_session, code=garment.code, action=action, details=details, actor=actor,
                             now=now, expected_version=version, idempotency_key=key)
            except DomainError as refusal:
                outcomes["refused"] += 1
                assert count_events(db_session) == before, f"refused {action} wrote an event"
                if isinstance(refusal, IdempotencyMismatch):
                    assert slot in answered and answered[slot][0] != request
                db_session.refresh(garment)
                assert garment.version == version_before
            else:
                if slot in answered:
                    assert answered[slot][0] == request
                    assert result.as_dict() == answered[slot][1], "a retry must get the first answer"
                    assert count_events(db_session) == before, "a retry must not write again"
                else:
                    outcomes["written"] += 1
                    assert count_events(db_session) == before + 1
                    assert result.version == version_before + 1
                    if key:
                        answered[slot] = (request, result.as_dict())
                db_session.refresh(garment)
            assert replay_matches(db_session, garment), f"row differs from replay after step {step}"

    run()
    # the sequences exercised both paths, so the invariant was checked after real writes too
    assert outcomes["written"] > 0 and outcomes["refused"] > 0, outcomes


def test_refused_action_names_the_state_and_writes_nothing(db_session, now):
    garment = make_garment(db_session, state=GarmentState.SOLD, now=now)
    clerk = make_user(db_session, Role.STORE_STAFF)
    before = count_events(db_session)
    with pytest.raises(IllegalTransition) as caught:
        act(db_session, code=garment.code, action=Action.ADD_TO_RENTAL_POOL, details={}, actor=clerk, now=now)
    assert caught.value.state == "sold"
    assert caught.value.allowed == ["customer_return"]
    assert count_events(db_session) == before
    db_session.refresh(garment)
    assert garment.state is GarmentState.SOLD


def test_unknown_garment_code_is_not_found(db_session, now):
    clerk = make_user(db_session, Role.STORE_STAFF)
    with pytest.raises(NotFound) as caught:
        act(db_session, code="NOPE-<b>", action=Action.SELL, details={}, actor=clerk, now=now)
    assert "NOPE-<b>" in caught.value.render()


def test_stale_expected_version_is_a_conflict_that_says_what_the_garment_is_now(db_session, now):
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    clerk = make_user(db_session, Role.STORE_STAFF)
    stale = garment.version - 1
    before = count_events(db_session)
    with pytest.raises(VersionConflict) as caught:
        act(db_session, code=garment.code, action=Action.REMOVE_FROM_RENTAL_POOL, details={}, actor=clerk,
            now=now, expected_version=stale)
    assert caught.value.details["current_version"] == garment.version
    assert caught.value.details["state"] == "in_rental_pool"
    assert "remove_from_rental_pool" in caught.value.details["allowed_actions"]
    assert count_events(db_session) == before


def test_retried_request_with_the_same_idempotency_key_writes_once(db_session, now):
    garment = make_garment(db_session, now=now)
    clerk = make_user(db_session, Role.STORE_STAFF)
    first = act(db_session, code=garment.code, action=Action.TRANSFER, details={"to_location": OTHER_STORE},
                actor=clerk, now=now, idempotency_key="till-7-0001")
    again = act(db_session, code=garment.code, action=Action.TRANSFER, details={"to_location": OTHER_STORE},
                actor=clerk, now=now, idempotency_key="till-7-0001")
    assert again == first
    assert [a for _, a in _ledger(db_session, garment)] == ["receive", "transfer"]
    with pytest.raises(IdempotencyMismatch):
        act(db_session, code=garment.code, action=Action.SELL, details={}, actor=clerk, now=now,
            idempotency_key="till-7-0001")
    assert len(_ledger(db_session, garment)) == 2


def test_every_event_is_numbered_one_after_the_other(db_session, now):
    garment = make_garment(db_session, state=GarmentState.AWAITING_INSPECTION, now=now)
    seqs = [seq for seq, _ in _ledger(db_session, garment)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert garment.version == len(seqs)
    stored = db_session.scalar(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id,
                                                          GarmentEvent.seq == 1))
    assert stored is not None and stored.to_state is GarmentState.IN_STOCK
    assert stored.occurred_at.replace(tzinfo=dt.UTC) == now or stored.occurred_at == now


@pytest.mark.parametrize("place", ["\x00\x07", "ANT\x00MEIR", "x" * 41])
def test_a_location_code_no_location_can_have_is_refused_as_invalid_details(db_session, now, place):
    # found by the property test above: a NUL byte reached PostgreSQL as a query parameter (500)
    garment = make_garment(db_session, now=now)
    admin = make_user(db_session, Role.ADMIN)
    before = count_events(db_session)
    with pytest.raises(InvalidDetails) as caught:
        act(db_session, code=garment.code, action=Action.TRANSFER, details={"to_location": place},
            actor=admin, now=now)
    assert set(caught.value.field_errors) == {"to_location"}
    assert count_events(db_session) == before
