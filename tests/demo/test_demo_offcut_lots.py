"""Demo offcut lots (issue 15): several stores, catalogue materials, 200–3000 g, some split, moved and
reweighed, some made from garments the demo retired into offcuts; every lot balanced and equal to its replay."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from cksloop.db.models import Garment, OffcutLot, OffcutLotEvent
from cksloop.demo import workshops as workshop_demo
from cksloop.demo.chain import STYLES, WAREHOUSE
from cksloop.domain.lifecycle import GarmentState
from cksloop.services import offcut_lots
from tests.demo.test_demo_data import demo_database, loaded, session  # noqa: F401  (the loaded demo)


def test_demo_lots_lie_in_several_stores_and_the_warehouse_cut_from_catalogue_materials(session):
    lots = list(session.scalars(select(OffcutLot)))
    places = Counter(lot.location.code for lot in lots if lot.location)
    assert len([p for p in places if p != WAREHOUSE]) >= 3 and WAREHOUSE in places
    fibres = {f for style in STYLES for f, *_ in style.materials}
    assert {lot.material for lot in lots} <= fibres
    registered = [lot.weight_in_g for lot in lots if not {"split_from", "garments"} & set(lot.source)]
    assert registered and all(200 <= w <= 3000 for w in registered)


def test_demo_lots_were_split_moved_and_reweighed_and_every_one_replays(session):
    actions = Counter(session.scalars(select(OffcutLotEvent.action)))
    assert {"create", "split", "move", "reweigh"} <= set(actions)
    # the only consumption is the workshop demo's (cksloop/demo/workshops.py), logged after the lots exist
    assert actions["consume"] <= 2 * len(workshop_demo.WORKSHOPS) + 1
    for code in session.scalars(select(OffcutLot.code)):
        assert offcut_lots.replay_matches(session, code), code


def test_some_demo_lots_are_made_from_garments_retired_into_offcuts(session):
    from_garments = [lot for lot in session.scalars(select(OffcutLot)) if lot.source.get("garments")]
    assert from_garments
    for lot in from_garments:
        states = set(session.scalars(select(Garment.state).where(Garment.code.in_(lot.source["garments"]))))
        assert states == {GarmentState.RETIRED}
