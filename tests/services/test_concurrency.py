"""Real races: twenty clients act on the same garment at the same moment; exactly one lands.

Each client has its own database session (and connection) and they are released together by a
barrier, in-process through the service and over HTTP against a real threaded server, on
whichever database the run uses (scripts/test runs SQLite and PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, User
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.errors import IllegalTransition, VersionConflict
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import tokens
from cksloop.services.garments import act, replay_matches
from tests.builders import OTHER_STORE, OUTLET, PASSWORD, make_garment, make_user

CLIENTS = 20
TIMEOUT = 60  # seconds for any one client: a hung race fails instead of blocking CI


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine with a connection for every client, so the pool does not serialise the race."""
    engine = make_engine(database_url, pool_size=CLIENTS, max_overflow=5)
    yield engine
    engine.dispose()


def race(n: int, attempt: Callable[[int], Any]) -> list[Any]:
    """Run ``attempt(i)`` in ``n`` threads released at the same instant; their results in order."""
    barrier = threading.Barrier(n, timeout=TIMEOUT)

    def run(i: int) -> Any:
        barrier.wait()
        return attempt(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(run, i) for i in range(n)]
        return [f.result(timeout=TIMEOUT) for f in futures]


def service_race(engine: Engine, actor_ids: list[int], requests: list[tuple[str, Action, dict[str, Any], int | None]],
                 now: dt.datetime) -> list[Any]:
    """Each request through services.garments.act in its own session: the result or the refusal."""
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(len(requests), timeout=TIMEOUT)

    def attempt(i: int) -> Any:
        with sessions() as session:
            actor = session.get(User, actor_ids[i % len(actor_ids)])
            code, action, details, version = requests[i]
            barrier.wait()  # everything loaded: only the action itself races
            try:
                return act(session, code=code, action=action, details=details, actor=actor, now=now,
                           expected_version=version)
            except (VersionConflict, IllegalTransition) as refusal:
                return refusal

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(attempt, i) for i in range(len(requests))]
        return [f.result(timeout=TIMEOUT) for f in futures]


def assert_ledger_sound(engine: Engine, garment_ids: list[int]) -> None:
    """No duplicate sequence numbers, numbering without gaps, every row equal to its replay."""
    with make_session_factory(engine)() as session:
        duplicates = session.execute(
            select(GarmentEvent.garment_id, GarmentEvent.seq).group_by(GarmentEvent.garment_id, GarmentEvent.seq)
            .having(func.count() > 1)).all()
        assert duplicates == []
        for garment_id in garment_ids:
            garment = session.get(Garment, garment_id)
            assert garment is not None
            seqs = list(session.scalars(select(GarmentEvent.seq).where(GarmentEvent.garment_id == garment_id)
                                        .order_by(GarmentEvent.seq)))
            assert seqs == list(range(1, garment.version + 1))
            assert replay_matches(session, garment)


def _events(engine: Engine, garment_id: int) -> list[str]:
    with make_session_factory(engine)() as session:
        return [a.value for a in session.scalars(select(GarmentEvent.action).where(
            GarmentEvent.garment_id == garment_id).order_by(GarmentEvent.seq))]


def _winners(results: list[Any]) -> list[Any]:
    refused = [r for r in results if isinstance(r, (VersionConflict, IllegalTransition))]
    assert all(r.render() for r in refused)  # every loser is told why in words
    return [r for r in results if r not in refused]


# --- through the service, one session per client ----------------------------------------------

def test_twenty_clerks_selling_the_same_garment_at_once_sell_it_once(db_session, engine, now):
    garment = make_garment(db_session, now=now)
    clerks = [make_user(db_session, Role.STORE_STAFF).id for _ in range(4)]
    before = _events(engine, garment.id)
    results = service_race(engine, clerks, [(garment.code, Action.SELL, {}, None)] * CLIENTS, now)
    winners = _winners(results)
    assert len(winners) == 1
    assert winners[0].state == "sold"
    assert _events(engine, garment.id) == [*before, "sell"]
    assert_ledger_sound(engine, [garment.id])


def test_twenty_different_actions_on_the_same_version_land_exactly_once(db_session, engine, now):
    garment = make_garment(db_session, now=now)
    admin = make_user(db_session, Role.ADMIN).id
    choices = [
        (Action.TRANSFER, {"to_location": OTHER_STORE}), (Action.SELL, {}),
        (Action.MARK_DOWN, {"price_cents": 9995}), (Action.ADD_TO_RENTAL_POOL, {}),
        (Action.START_CARE, {"care_kind": "cleaning"}), (Action.MOVE_TO_OUTLET, {"to_location": OUTLET}),
        (Action.RETIRE, {"route": "offcuts"}), (Action.WRITE_OFF, {"reason": "stolen"}),
    ]
    requests = [(garment.code, *choices[i % len(choices)], garment.version) for i in range(CLIENTS)]
    results = service_race(engine, [admin], requests, now)
    winners = _winners(results)
    assert len(winners) == 1
    losers = [r for r in results if r not in winners]
    assert all(isinstance(r, VersionConflict) for r in losers)  # each had read the same version
    assert all(r.details["state"] == winners[0].state for r in losers)
    assert len(_events(engine, garment.id)) == garment.version + 1
    assert_ledger_sound(engine, [garment.id])


def test_a_self_loop_action_on_one_version_lands_once_not_twenty_times(db_session, engine, now):
    # a transfer leaves the state as it was: only the version guard stops it landing twenty times
    garment = make_garment(db_session, now=now)
    clerk = make_user(db_session, Role.STORE_STAFF).id
    requests = [(garment.code, Action.TRANSFER, {"to_location": OTHER_STORE}, garment.version)] * CLIENTS
    winners = _winners(service_race(engine, [clerk], requests, now))
    assert len(winners) == 1
    assert _events(engine, garment.id)[-1] == "transfer"
    assert len(_events(engine, garment.id)) == garment.version + 1
    assert_ledger_sound(engine, [garment.id])


def test_overlapping_requests_on_five_garments_land_once_per_garment(db_session, engine, now):
    pieces = [make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now) for _ in range(5)]
    clerks = [make_user(db_session, Role.STORE_STAFF).id for _ in range(2)]
    requests = [(pieces[i % 5].code, Action.REMOVE_FROM_RENTAL_POOL, {}, None) for i in range(CLIENTS)]
    results = service_race(engine, clerks, requests, now)
    landed = Counter(r.code for r in _winners(results))
    assert landed == Counter({p.code: 1 for p in pieces})
    assert_ledger_sound(engine, [p.id for p in pieces])


def test_twenty_retries_with_one_idempotency_key_write_once_and_answer_alike(db_session, engine, now):
    garment = make_garment(db_session, now=now)
    till = make_user(db_session, Role.STORE_STAFF).id
    sessions = make_session_factory(engine)

    def attempt(_: int) -> Any:
        with sessions() as session:
            actor = session.get(User, till)
            try:
                return act(session, code=garment.code, action=Action.SELL, details={"receipt": "T-9"},
                           actor=actor, now=now, idempotency_key="till-3-receipt-T-9").as_dict()
            except (VersionConflict, IllegalTransition) as conflict:
                return conflict

    results = race(CLIENTS, attempt)
    answers = [r for r in results if isinstance(r, dict)]
    # whenever a retry loses the race (version moved, or the garment is already sold) it looks
    # for the first answer again: every retry gets the first sale's answer, never a 409
    assert len(answers) == CLIENTS, results
    assert all(a == answers[0] for a in answers)
    assert _events(engine, garment.id)[-1] == "sell"
    assert _events(engine, garment.id).count("sell") == 1
    assert_ledger_sound(engine, [garment.id])


# --- over HTTP, against a real threaded server ------------------------------------------------

def _request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
             opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str, str]:
    """(status, body, final url) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=TIMEOUT) as response:
            return response.status, response.read().decode(), response.url
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_twenty_api_clients_acting_at_once_get_one_success_and_nineteen_conflicts(db_session, live_server, now):
    garment = make_garment(db_session, now=now)
    issued = [tokens.create_token(db_session, email=make_user(db_session, Role.STORE_STAFF).email,
                                    label="race", now=now) for _ in range(4)]
    url = f"{live_server}/api/v1/garments/{garment.code}/actions"
    body = json.dumps({"action": "sell", "expected_version": garment.version}).encode()

    def attempt(i: int) -> tuple[int, dict[str, Any]]:
        status, text, _ = _request(url, data=body, headers={
            "Authorization": f"Bearer {issued[i % len(issued)]}", "Content-Type": "application/json"})
        return status, json.loads(text)

    results = race(CLIENTS, attempt)
    statuses = Counter(status for status, _ in results)
    assert statuses == Counter({200: 1, 409: CLIENTS - 1}), results
    conflicts = [answer for status, answer in results if status == 409]
    assert {a["error"] for a in conflicts} <= {"version_conflict", "not_allowed_now"}
    assert all(a["message"] and a["details"]["state"] == "sold" for a in conflicts)
    db_session.rollback()  # a fresh read transaction sees what the server committed ...
    db_session.expire_all()  # ... and the garment already in the session is read again
    assert db_session.get(Garment, garment.id).state is GarmentState.SOLD
    assert_ledger_sound(db_session.get_bind(), [garment.id])


def test_twenty_people_tapping_the_same_form_button_at_once_change_the_garment_once(app, db_session,
                                                                                      live_server, now):
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    people = []
    for _ in range(4):  # four signed-in browsers, five taps each
        user = make_user(db_session, Role.STORE_STAFF)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        login = _request(f"{live_server}/login", opener=opener)[1]
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
        status, _, _ = _request(f"{live_server}/login", opener=opener, data=urllib.parse.urlencode(
            {"email": user.email, "password": PASSWORD, "csrf_token": csrf}).encode())
        assert status == 302
        page = _request(f"{live_server}/garments/{garment.code}", opener=opener)[1]
        people.append((opener, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)))
    url = f"{live_server}/garments/{garment.code}/actions/remove_from_rental_pool"

    def attempt(i: int) -> tuple[int, str]:
        opener, csrf = people[i % len(people)]
        form = urllib.parse.urlencode({"csrf_token": csrf, "expected_version": garment.version}).encode()
        status, text, _ = _request(url, data=form, opener=opener)
        return status, text

    results = race(CLIENTS, attempt)
    statuses = Counter(status for status, _ in results)
    assert statuses == Counter({303: 1, 409: CLIENTS - 1}), statuses
    assert all("Someone else changed this garment" in text or "not possible" in text
               for status, text in results if status == 409)
    db_session.rollback()  # a fresh read transaction sees what the server committed ...
    db_session.expire_all()  # ... and the garment already in the session is read again
    assert db_session.get(Garment, garment.id).state is GarmentState.IN_STOCK
    assert_ledger_sound(db_session.get_bind(), [garment.id])
