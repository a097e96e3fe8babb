"""Real races on an offcut lot: organisers consuming its last grams at the same moment; exactly one lands."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine

from cksloop.db.models import User
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.errors import VersionConflict
from cksloop.domain.lifecycle import Role
from cksloop.domain.offcuts import InsufficientOffcut
from cksloop.services import offcut_lots
from tests.builders import STORE, make_user

TIMEOUT = 60  # seconds for any one organiser: a hung race fails instead of blocking CI
LOT = {"material": "wool", "composition": [{"fibre": "wool", "pct": 100}], "colour": "camel",
       "weight_g": 300, "location": STORE}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=4, max_overflow=2)
    yield engine
    engine.dispose()


def _race(engine: Engine, actor_ids: list[int], code: str, now: Any, expected_version: int | None) -> list[Any]:
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(len(actor_ids), timeout=TIMEOUT)

    def attempt(actor_id: int) -> Any:
        with sessions() as session:
            actor = session.get(User, actor_id)
            barrier.wait()  # everything loaded: only the consumption races
            try:
                return offcut_lots.act(session, code=code, action="consume", details={"grams": 300, "note": "pouches"},
                                       actor=actor, now=now, expected_version=expected_version)
            except (VersionConflict, InsufficientOffcut) as refusal:
                return refusal

    with ThreadPoolExecutor(max_workers=len(actor_ids)) as pool:
        return [f.result(timeout=TIMEOUT) for f in [pool.submit(attempt, i) for i in actor_ids]]


@pytest.mark.parametrize("expected_version", [1, None], ids=["with_version", "without_version"])
def test_two_organisers_consuming_the_last_grams_at_once_exactly_one_succeeds(db_session, engine, now,
                                                                               expected_version):
    organisers = [make_user(db_session, Role.WORKSHOP_ORGANISER) for _ in range(2)]
    code = offcut_lots.create(db_session, details=dict(LOT), actor=organisers[0], now=now)["code"]
    ids = [o.id for o in organisers]
    db_session.close()
    results = _race(engine, ids, code, now, expected_version)
    winners = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if not isinstance(r, dict)]
    assert len(winners) == 1 and winners[0]["remaining_g"] == 0 and winners[0]["consumed_g"] == 300
    assert len(refused) == 1 and refused[0].render()
    if expected_version is None:  # the loser decided again on the new balance and hears what is left
        assert isinstance(refused[0], InsufficientOffcut) and refused[0].details["remaining_g"] == 0
    with make_session_factory(engine)() as session:
        assert offcut_lots.lot_dict(session, code)["version"] == 2
        assert offcut_lots.replay_matches(session, code)
