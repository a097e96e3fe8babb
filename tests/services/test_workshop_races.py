"""Real races on workshop logs: two organisers consuming the last grams of one lot at once; exactly one lands."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from cksloop.db.models import User, WorkshopEntry
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.errors import VersionConflict
from cksloop.domain.lifecycle import Role
from cksloop.domain.offcuts import InsufficientOffcut
from cksloop.domain.workshop_logs import AlreadyLogged
from cksloop.services import offcut_lots, workshops
from tests.builders import STORE, make_user

TIMEOUT = 60


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=4, max_overflow=2)
    yield engine
    engine.dispose()


def _race(engine: Engine, attempts: list[tuple[int, int]], code: str, now: Any) -> list[Any]:
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(len(attempts), timeout=TIMEOUT)

    def attempt(actor_id: int, workshop_id: int) -> Any:
        with sessions() as session:
            actor = session.get(User, actor_id)
            barrier.wait()
            try:
                return workshops.log(session, workshop_id=workshop_id, participants=10, actor=actor, now=now,
                                     products=[{"type": "bracelet", "quantity": 10}], lots=[{"code": code, "grams": 120}])
            except (VersionConflict, InsufficientOffcut, AlreadyLogged) as refusal:
                return refusal

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return [f.result(timeout=TIMEOUT) for f in [pool.submit(attempt, *a) for a in attempts]]


def _setup(db_session, now, *, workshops_count: int) -> tuple[list[int], list[int], str]:
    organisers = [make_user(db_session, Role.WORKSHOP_ORGANISER) for _ in range(2)]
    code = offcut_lots.create(db_session, actor=organisers[0], now=now, details={
        "material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
        "weight_g": 120, "location": STORE})["code"]
    ids = [workshops.plan(db_session, store=STORE, starts_at=(now - dt.timedelta(hours=2)).isoformat(),
                          theme="Bracelets", capacity=12, organiser=None, actor=o, now=now)["id"]
           for o in organisers[:workshops_count]]
    user_ids = [o.id for o in organisers]
    db_session.close()
    return user_ids, ids, code


def test_two_organisers_logging_the_last_grams_of_one_lot_at_once_exactly_one_succeeds(db_session, engine, now):
    users, held, code = _setup(db_session, now, workshops_count=2)
    results = _race(engine, list(zip(users, held)), code, now)
    winners = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if not isinstance(r, dict)]
    assert len(winners) == 1 and len(refused) == 1
    assert isinstance(refused[0], (InsufficientOffcut, VersionConflict))
    lot = offcut_lots.lot_dict(db_session, code)
    assert lot["remaining_g"] == 0 and lot["consumed_g"] == 120
    assert db_session.scalar(select(func.count()).select_from(WorkshopEntry)) == 1
    assert offcut_lots.replay_matches(db_session, code)


def test_two_organisers_logging_the_same_workshop_at_once_write_one_log(db_session, engine, now):
    users, [held], code = _setup(db_session, now, workshops_count=1)
    results = _race(engine, [(users[0], held), (users[1], held)], code, now)
    assert sum(isinstance(r, dict) for r in results) == 1
    assert db_session.scalar(select(func.count()).select_from(WorkshopEntry)) == 1
    assert offcut_lots.lot_dict(db_session, code)["consumed_g"] == 120
