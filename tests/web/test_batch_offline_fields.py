"""What an offline queue sends with a batch: the versions it saw and the phone's time of the scan."""
from __future__ import annotations

from sqlalchemy import select

from cksloop.db.models import GarmentEvent
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import garments
from tests.builders import make_garment, make_user


def _post(client, body, key="k-1"):
    return client.client.post("/api/v1/actions/batch", json=body, headers={"Idempotency-Key": key,
                                                                           "X-CSRFToken": client.csrf})


def test_a_garment_changed_since_it_was_scanned_is_refused_with_its_state_now(login, db_session, now) -> None:
    clerk = login(Role.STORE_STAFF)
    seen, moved = make_garment(db_session, now=now), make_garment(db_session, now=now)
    versions = {seen.code: seen.version, moved.code: moved.version}
    other = make_user(db_session, Role.STORE_STAFF, name="Other Store")
    garments.act(db_session, code=moved.code, action=Action.SELL, details={}, actor=other, now=now)
    answer = _post(clerk, {"action": "add_to_rental_pool", "codes": [seen.code, moved.code],
                           "expected_versions": versions, "queued_at": "2026-11-25T10:59:00+01:00"})
    assert answer.status_code == 200, answer.get_json()
    lines = {line["code"]: line for line in answer.get_json()["results"]}
    assert lines[seen.code]["outcome"] == "applied"
    assert lines[moved.code]["outcome"] == "refused" and lines[moved.code]["error"] == "version_conflict"
    assert lines[moved.code]["state"] == "sold" and "sold" in lines[moved.code]["message"]
    db_session.rollback()
    event = db_session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == seen.id)
                               .order_by(GarmentEvent.seq.desc())).first()
    assert event.action is Action.ADD_TO_RENTAL_POOL
    assert event.details["queued_at"] == "2026-11-25T10:59:00+01:00"
    page = clerk.get(f"/garments/{seen.code}").get_data(as_text=True)
    assert "Scanned offline at" in page


def test_a_replay_of_the_queued_batch_writes_nothing_twice(login, db_session, now) -> None:
    clerk = login(Role.STORE_STAFF)
    garment = make_garment(db_session, now=now)
    body = {"action": "add_to_rental_pool", "codes": [garment.code],
            "expected_versions": {garment.code: garment.version}}
    first, again = _post(clerk, body, "offline-1"), _post(clerk, body, "offline-1")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["replayed"] is True
    db_session.rollback()
    count = len(db_session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id)).all())
    assert count == 2  # received, then pooled once


def test_bad_versions_and_times_are_refused_and_change_nothing(login, db_session, now) -> None:
    clerk = login(Role.STORE_STAFF)
    garment = make_garment(db_session, now=now)
    for extra in ({"expected_versions": [1]}, {"expected_versions": {garment.code: "one"}},
                  {"expected_versions": {garment.code: True}}, {"queued_at": "yesterday"},
                  {"queued_at": "2026-11-25T10:00:00"}):
        answer = _post(clerk, {"action": "add_to_rental_pool", "codes": [garment.code], **extra}, key=str(extra))
        assert answer.status_code == 422, extra
    db_session.rollback()
    assert db_session.get(type(garment), garment.id).state is GarmentState.IN_STOCK
    assert len(db_session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id)).all()) == 1


def test_null_versions_or_time_are_refused_not_taken_as_absent(login, db_session, now) -> None:
    clerk = login(Role.STORE_STAFF)
    garment = make_garment(db_session, now=now)
    for extra in ({"expected_versions": None}, {"queued_at": None}, {"queued_at": ""}):
        answer = _post(clerk, {"action": "add_to_rental_pool", "codes": [garment.code], **extra}, key=str(extra))
        assert answer.status_code == 422, extra
