"""Garments retired into offcuts feed a named lot (issue 15): the garment's ledger points to the lot,
and the lot names the garments it came from — whether the lot existed or is registered with them."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cksloop.db.models import GarmentEvent, OffcutLot
from cksloop.db.queries.offcuts import garments_retired_into
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import garments, offcut_lots
from tests.builders import STORE, make_garment, make_user

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
       "weight_g": 900, "location": STORE}


@pytest.fixture
def organiser(db_session, world) -> Any:
    return make_user(db_session, Role.WORKSHOP_ORGANISER)


def _last_event(db_session, garment) -> GarmentEvent:
    db_session.rollback()
    return db_session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id)
                              .order_by(GarmentEvent.seq.desc())).first()


def test_retiring_a_garment_into_offcuts_names_the_lot_it_feeds(db_session, organiser, now):
    lot = offcut_lots.create(db_session, details=LOT, actor=organiser, now=now)
    garment = make_garment(db_session, now=now)
    garments.act(db_session, code=garment.code, action=Action.RETIRE, actor=organiser, now=now,
                 details={"route": "offcuts", "offcut_lot": lot["code"].lower()})
    event = _last_event(db_session, garment)
    assert event.action is Action.RETIRE and event.details["offcut_lot"] == lot["code"]
    assert garments_retired_into(db_session, lot["code"]) == [garment.code]
    assert garments.replay_matches(db_session, garments.get_garment(db_session, garment.code))


@pytest.mark.parametrize("details, reason", [
    ({"route": "remanufacturing", "offcut_lot": "CKSR-00001"}, "Only a garment cut into offcuts feeds an offcut lot."),
    ({"route": "offcuts", "offcut_lot": "CKSR-09999"}, "No offcut lot has this code."),
    ({"route": "offcuts", "offcut_lot": "not a lot"}, "Not an offcut lot code (they look like CKSR-00012)."),
])
def test_a_retirement_naming_a_wrong_lot_is_refused_and_writes_nothing(db_session, organiser, now, details, reason):
    offcut_lots.create(db_session, details=LOT, actor=organiser, now=now)
    garment = make_garment(db_session, now=now)
    with pytest.raises(InvalidDetails) as refused:
        garments.act(db_session, code=garment.code, action=Action.RETIRE, actor=organiser, now=now, details=details)
    assert refused.value.field_errors == {"offcut_lot": reason}
    assert garments.get_garment(db_session, garment.code).state is GarmentState.IN_STOCK


def test_registering_a_lot_from_garments_retires_them_into_it_in_one_transaction(db_session, organiser, now):
    pieces = [make_garment(db_session, now=now) for _ in range(2)]
    already = make_garment(db_session, now=now)
    garments.act(db_session, code=already.code, action=Action.RETIRE, actor=organiser, now=now,
                 details={"route": "offcuts"})
    lot = offcut_lots.create(db_session, actor=organiser, now=now, details={
        **LOT, "source": {"garments": [p.code for p in pieces] + [already.code]}})
    assert lot["source"]["garments"] == [p.code for p in pieces] + [already.code]
    for piece in pieces:
        event = _last_event(db_session, piece)
        assert (event.action, event.details["route"], event.details["offcut_lot"]) == (
            Action.RETIRE, "offcuts", lot["code"])
        assert garments.replay_matches(db_session, garments.get_garment(db_session, piece.code))
    assert "offcut_lot" not in _last_event(db_session, already).details  # retired before: left as it was
    assert garments_retired_into(db_session, lot["code"]) == [p.code for p in pieces]


@pytest.mark.parametrize("state", [GarmentState.SOLD, GarmentState.RENTED_OUT])
def test_a_lot_naming_a_garment_that_cannot_be_retired_is_refused_and_nothing_is_written(
        db_session, organiser, now, state):
    fine = make_garment(db_session, now=now)
    stuck = make_garment(db_session, now=now, state=state)
    with pytest.raises(InvalidDetails) as refused:
        offcut_lots.create(db_session, actor=organiser, now=now,
                           details={**LOT, "source": {"garments": [fine.code, stuck.code]}})
    assert refused.value.details["not_retirable"] == [stuck.code]
    db_session.rollback()
    assert db_session.scalar(select(OffcutLot.id)) is None
    assert garments.get_garment(db_session, fine.code).state is GarmentState.IN_STOCK


def test_a_lot_naming_an_unknown_garment_is_refused(db_session, organiser, now):
    with pytest.raises(InvalidDetails) as refused:
        offcut_lots.create(db_session, actor=organiser, now=now,
                           details={**LOT, "source": {"garments": ["CKS-99999"]}})
    assert refused.value.details["unknown_codes"] == ["CKS-99999"]
