"""Offcut lots through the ledger: every step keeps the mass balance and equals the replay of the stored events."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from cksloop.db.models import OffcutLot, OffcutLotEvent
from cksloop.domain.errors import NotPermitted, VersionConflict
from cksloop.domain.lifecycle import Role
from cksloop.domain.offcuts import InsufficientOffcut
from cksloop.services import offcut_lots
from tests.builders import OTHER_STORE, STORE, make_user

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 98}, {"fibre": "elastane", "pct": 2}],
       "colour": "indigo", "weight_g": 1000, "location": STORE,
       "source": {"style_number": "SS25-0101", "supplier": "Atelier Izmir"}}


def _balance(lot: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return lot["weight_in_g"], lot["split_out_g"], lot["consumed_g"], lot["waste_g"], lot["remaining_g"]


def _balanced(lot: dict[str, Any]) -> bool:
    return lot["weight_in_g"] == lot["split_out_g"] + lot["consumed_g"] + lot["waste_g"] + lot["remaining_g"]


@pytest.fixture
def organiser(db_session):
    return make_user(db_session, Role.WORKSHOP_ORGANISER)


def test_a_lot_created_split_consumed_reweighed_and_returned_balances_after_every_step(db_session, organiser, now):
    lot = offcut_lots.create(db_session, details=dict(LOT), actor=organiser, now=now)
    code = lot["code"]
    assert code == "CKSR-00001" and _balance(lot) == (1000, 0, 0, 0, 1000) and lot["location"] == STORE
    assert offcut_lots.replay_matches(db_session, code)

    lot = offcut_lots.act(db_session, code=code, action="split", details={"parts_g": [400, 200]},
                          actor=organiser, now=now, expected_version=1)
    assert _balance(lot) == (1000, 600, 0, 0, 400) and lot["new_lots"] == ["CKSR-00002", "CKSR-00003"]
    assert [offcut_lots.lot_dict(db_session, c)["remaining_g"] for c in lot["new_lots"]] == [400, 200]
    assert offcut_lots.lot_dict(db_session, "CKSR-00002")["source"] == {"split_from": code}
    assert all(offcut_lots.replay_matches(db_session, c) for c in [code, *lot["new_lots"]])

    lot = offcut_lots.act(db_session, code=code, action="consume", details={"grams": 150, "note": "bracelets"},
                          actor=organiser, now=now, expected_version=2)
    assert _balance(lot) == (1000, 600, 150, 0, 250) and offcut_lots.replay_matches(db_session, code)

    lot = offcut_lots.act(db_session, code=code, action="reweigh", details={"weight_g": 240, "reason": "cutting_loss"},
                          actor=organiser, now=now, expected_version=3)
    assert _balance(lot) == (1000, 600, 150, 10, 240) and offcut_lots.replay_matches(db_session, code)

    lot = offcut_lots.act(db_session, code=code, action="return_leftover", details={"grams": 50},
                          actor=organiser, now=now, expected_version=4)
    assert _balance(lot) == (1000, 600, 100, 10, 290) and _balanced(lot)
    assert lot["version"] == 5 and [e["action"] for e in lot["events"]] == [
        "create", "split", "consume", "reweigh", "return_leftover"]
    assert offcut_lots.replay_matches(db_session, code)


def test_consuming_more_than_remains_is_refused_with_what_is_left_and_nothing_written(db_session, organiser, now):
    code = offcut_lots.create(db_session, details=dict(LOT), actor=organiser, now=now)["code"]
    with pytest.raises(InsufficientOffcut) as refused:
        offcut_lots.act(db_session, code=code, action="consume", details={"grams": 1001, "note": "too much"},
                        actor=organiser, now=now)
    assert refused.value.details["remaining_g"] == 1000 and refused.value.details["lot"] == code
    assert db_session.scalar(select(func.count()).select_from(OffcutLotEvent)) == 1
    assert offcut_lots.lot_dict(db_session, code)["remaining_g"] == 1000


def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(db_session, organiser, now):
    code = offcut_lots.create(db_session, details=dict(LOT), actor=organiser, now=now)["code"]
    with pytest.raises(VersionConflict):
        offcut_lots.act(db_session, code=code, action="move", details={"to_location": OTHER_STORE},
                        actor=organiser, now=now, expected_version=0)
    assert offcut_lots.lot_dict(db_session, code)["version"] == 1


def test_a_retry_with_the_same_idempotency_key_writes_once_and_answers_alike(db_session, organiser, now):
    code = offcut_lots.create(db_session, details=dict(LOT), actor=organiser, now=now)["code"]
    answers = [offcut_lots.act(db_session, code=code, action="consume", details={"grams": 100, "note": "pouches"},
                               actor=organiser, now=now, idempotency_key="k-1") for _ in range(2)]
    assert answers[0] == answers[1] and answers[0]["remaining_g"] == 900
    assert offcut_lots.lot_dict(db_session, code)["version"] == 2


def test_store_staff_may_not_register_a_lot(db_session, now):
    with pytest.raises(NotPermitted):
        offcut_lots.create(db_session, details=dict(LOT), actor=make_user(db_session, Role.STORE_STAFF), now=now)
    assert db_session.scalar(select(func.count()).select_from(OffcutLot)) == 0
