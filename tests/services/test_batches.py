"""Batch scanning: one action on many garments in one transaction, through the ledger."""
from __future__ import annotations

import datetime as dt
import collections
import time
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, RentalCycle
from cksloop.domain.errors import IllegalTransition, InvalidDetails, NotPermitted
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import batches, garments
from cksloop.services.batches import Outcome
from tests.builders import OTHER_STORE, OUTLET, STORE, make_garment, make_user

S = GarmentState


def events_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(GarmentEvent)) or 0


@pytest.fixture
def staff(db_session: Session, world: dict[str, Any]) -> Any:
    return make_user(db_session, Role.STORE_STAFF)


@pytest.fixture
def merchandiser(db_session: Session, world: dict[str, Any]) -> Any:
    return make_user(db_session, Role.MERCHANDISER)


def test_a_box_of_rental_returns_is_received_and_each_scan_gets_its_own_answer(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    rented = [make_garment(db_session, state=S.RENTED_OUT) for _ in range(3)]
    on_shelf = make_garment(db_session, state=S.IN_STOCK)
    before = events_count(db_session)
    codes = [rented[0].code, rented[1].code.lower(), rented[0].code, on_shelf.code, "CKS-99999",
             f"  {rented[2].code} "]

    result = batches.apply_batch(db_session, action=Action.RECEIVE_RENTAL_RETURN, codes=codes,
                                 details={}, actor=staff, now=now)

    assert [(line.code, line.outcome) for line in result.lines] == [
        (rented[0].code, Outcome.APPLIED), (rented[1].code, Outcome.APPLIED),
        (rented[0].code, Outcome.DUPLICATE), (on_shelf.code, Outcome.REFUSED),
        ("CKS-99999", Outcome.UNKNOWN), (rented[2].code, Outcome.APPLIED)]
    refused = result.lines[3]
    assert isinstance(refused.error, IllegalTransition)
    assert refused.state == "in_stock" and "add_to_rental_pool" in refused.allowed_actions
    assert "already scanned" in result.lines[2].error.render()
    assert "No garment with code CKS-99999" in result.lines[4].error.render()
    assert result.count(Outcome.APPLIED) == 3 and events_count(db_session) == before + 3
    db_session.expire_all()
    for garment in rented:
        db_session.refresh(garment)
        assert garment.state is S.AWAITING_INSPECTION
        assert garments.replay_matches(db_session, garment)
    open_cycles = db_session.scalar(select(func.count()).select_from(RentalCycle)
                                    .where(RentalCycle.returned_at.is_(None)))
    assert open_cycles == 0  # each return closed its rental cycle, as a single return does
    assert result.lines[0].state == "awaiting_inspection" and "inspect" in result.lines[0].allowed_actions


def test_events_of_a_batch_name_the_person_and_the_time(db_session: Session, staff: Any,
                                                        now: dt.datetime) -> None:
    garment = make_garment(db_session, state=S.IN_STOCK)
    batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL, codes=[garment.code],
                        details={"note": "rail 3"}, actor=staff, now=now)
    last = db_session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id)
                              .order_by(GarmentEvent.seq.desc())).first()
    assert last is not None
    assert (last.action, last.actor_id, last.details) == (Action.ADD_TO_RENTAL_POOL, staff.id, {"note": "rail 3"})
    assert last.occurred_at.replace(tzinfo=dt.UTC) == now


def test_a_batch_where_nothing_can_be_done_writes_nothing(db_session: Session, staff: Any,
                                                          now: dt.datetime) -> None:
    sold = make_garment(db_session, state=S.SOLD)
    before = events_count(db_session)
    result = batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL,
                                 codes=[sold.code, "CKS-77777", "not a code", "CKS-0\x0001", 42],
                                 details={}, actor=staff, now=now)
    assert [line.outcome for line in result.lines] == [Outcome.REFUSED] + [Outcome.UNKNOWN] * 4
    assert "not a garment code" in result.lines[2].error.render()
    assert events_count(db_session) == before


def test_a_role_that_may_never_take_the_action_is_refused_before_anything_is_read(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    garment = make_garment(db_session)
    with pytest.raises(NotPermitted):
        batches.apply_batch(db_session, action=Action.MOVE_TO_OUTLET, codes=[garment.code],
                            details={"to_location": OUTLET}, actor=staff, now=now)
    with pytest.raises(NotPermitted):
        batches.check_action(db_session, action=Action.MOVE_TO_OUTLET, code=garment.code,
                             details={"to_location": OUTLET}, actor=staff, now=now)
    db_session.refresh(garment)
    assert garment.version == 1


def test_details_wrong_for_every_garment_are_refused_once_for_the_whole_batch(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    garment = make_garment(db_session)
    for details in ({}, {"to_location": "NOWHERE"}, {"to_location": "DRESSR-ANT"}):
        with pytest.raises(InvalidDetails) as caught:
            batches.apply_batch(db_session, action=Action.TRANSFER, codes=[garment.code],
                                details=details, actor=staff, now=now)
        assert "to_location" in caught.value.field_errors
    db_session.refresh(garment)
    assert garment.version == 1


@pytest.mark.parametrize("codes", [[], "CKS-00001", [f"CKS-{n:05d}" for n in range(batches.MAX_BATCH + 1)]])
def test_an_empty_a_non_list_or_an_oversized_batch_is_refused(db_session: Session, staff: Any,
                                                               now: dt.datetime, codes: Any) -> None:
    with pytest.raises(InvalidDetails) as caught:
        batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL, codes=codes, details={},
                            actor=staff, now=now)
    assert "codes" in caught.value.field_errors


def test_a_full_batch_of_different_codes_plus_its_double_scans_is_taken(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    """500 garments is the limit, not 500 scans: the doubles of a full box are reported, not refused."""
    garment = make_garment(db_session)
    others = [f"CKS-{n:05d}" for n in range(90000, 90000 + batches.MAX_BATCH - 1)]
    codes = [garment.code, *others, garment.code, others[0], others[-1].lower()]
    result = batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL, codes=codes, details={},
                                 actor=staff, now=now)
    outcomes = [line.outcome for line in result.lines]
    assert len(outcomes) == batches.MAX_BATCH + 3
    assert outcomes[0] is Outcome.APPLIED and outcomes[-3:] == [Outcome.DUPLICATE] * 3
    assert outcomes.count(Outcome.UNKNOWN) == batches.MAX_BATCH - 1


@pytest.mark.parametrize("extra", [["CKS-99999"], ["CKS-90000"] * (batches.MAX_SCANS - batches.MAX_BATCH + 1)])
def test_one_garment_more_or_too_many_doubles_is_refused(db_session: Session, staff: Any,
                                                          now: dt.datetime, extra: list[str]) -> None:
    codes = [f"CKS-{n:05d}" for n in range(90000, 90000 + batches.MAX_BATCH)] + extra
    with pytest.raises(InvalidDetails) as caught:
        batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL, codes=codes, details={},
                            actor=staff, now=now)
    assert "codes" in caught.value.field_errors


def test_a_garment_already_at_the_destination_is_refused_and_the_rest_move(
        db_session: Session, merchandiser: Any, now: dt.datetime) -> None:
    here = make_garment(db_session, location=STORE)
    there = make_garment(db_session, location=OTHER_STORE)
    result = batches.apply_batch(db_session, action=Action.TRANSFER, codes=[here.code, there.code],
                                 details={"to_location": OTHER_STORE}, actor=merchandiser, now=now)
    assert [line.outcome for line in result.lines] == [Outcome.APPLIED, Outcome.REFUSED]
    assert isinstance(result.lines[1].error, InvalidDetails)
    assert result.lines[1].error.field_errors == {"to_location": "The garment is already there."}
    db_session.refresh(here)
    assert here.location is not None and here.location.code == OTHER_STORE


def test_moving_to_the_outlet_with_an_outlet_price_records_the_old_price(
        db_session: Session, merchandiser: Any, now: dt.datetime) -> None:
    garment = make_garment(db_session)
    old_price = garment.price_cents
    result = batches.apply_batch(db_session, action=Action.MOVE_TO_OUTLET, codes=[garment.code],
                                 details={"to_location": OUTLET, "price_cents": 4995},
                                 actor=merchandiser, now=now)
    assert result.lines[0].outcome is Outcome.APPLIED
    db_session.refresh(garment)
    assert (garment.price_cents, garment.location.code) == (4995, OUTLET)
    last = garments.events_of(db_session, garment)[-1]
    assert last.details["previous_price_cents"] == old_price


def test_checking_out_a_batch_to_the_rental_partner_opens_a_cycle_per_garment(
        db_session: Session, staff: Any, world: dict[str, Any], now: dt.datetime) -> None:
    pool = [make_garment(db_session, state=S.IN_RENTAL_POOL) for _ in range(2)]
    due = (now + dt.timedelta(days=10)).date().isoformat()
    batches.apply_batch(db_session, action=Action.CHECK_OUT_RENTAL, codes=[g.code for g in pool],
                        details={"partner": world["partner"].id, "due_on": due}, actor=staff, now=now)
    cycles = db_session.scalars(select(RentalCycle).where(RentalCycle.returned_at.is_(None))).all()
    assert sorted(c.garment_id for c in cycles) == sorted(g.id for g in pool)


def test_a_check_says_whether_a_garment_can_take_the_action_and_writes_nothing(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    rented = make_garment(db_session, state=S.RENTED_OUT)
    in_stock = make_garment(db_session)
    before = events_count(db_session)

    ok = batches.check_action(db_session, action=Action.RECEIVE_RENTAL_RETURN, code=rented.code.lower(),
                              details={}, actor=staff, now=now)
    no = batches.check_action(db_session, action=Action.RECEIVE_RENTAL_RETURN, code=in_stock.code,
                              details={}, actor=staff, now=now)
    gone = batches.check_action(db_session, action=Action.RECEIVE_RENTAL_RETURN, code="CKS-55555",
                                details={}, actor=staff, now=now)

    assert (ok.outcome, ok.ok, ok.code, ok.style_number) == (Outcome.ALLOWED, True, rented.code, "SS25-0101")
    assert (no.outcome, no.ok, no.state) == (Outcome.REFUSED, False, "in_stock")
    assert "is not possible while the garment is in_stock" in no.error.render()
    assert gone.outcome is Outcome.UNKNOWN
    assert events_count(db_session) == before


def test_a_retried_batch_with_the_same_key_answers_the_first_result_and_writes_nothing(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    rented = make_garment(db_session, state=S.RENTED_OUT)
    on_shelf = make_garment(db_session)
    codes = [rented.code, on_shelf.code, rented.code]
    first = batches.apply_batch(db_session, action=Action.RECEIVE_RENTAL_RETURN, codes=codes,
                                details={}, actor=staff, now=now, idempotency_key="box-17")
    after_first = events_count(db_session)
    again = [batches.apply_batch(db_session, action=Action.RECEIVE_RENTAL_RETURN, codes=codes,
                                 details={}, actor=staff, now=now, idempotency_key="box-17")
             for _ in range(2)]
    assert events_count(db_session) == after_first
    for replay in again:
        assert replay.replayed and not first.replayed
        assert [(l.code, l.outcome, l.state) for l in replay.lines] == \
            [(l.code, l.outcome, l.state) for l in first.lines]
        assert replay.lines[1].error is not None and first.lines[1].error is not None
        assert replay.lines[1].error.render() == first.lines[1].error.render()
        assert replay.lines[1].error.code == "not_allowed_now"
    with pytest.raises(batches.IdempotencyKeyReused):
        batches.apply_batch(db_session, action=Action.RECEIVE_RENTAL_RETURN, codes=[on_shelf.code],
                            details={}, actor=staff, now=now, idempotency_key="box-17")


def test_batch_actions_offered_depend_on_the_role() -> None:
    staff_actions = batches.batch_actions_for(Role.STORE_STAFF)
    merch_actions = batches.batch_actions_for(Role.MERCHANDISER)
    assert staff_actions[0] is Action.RECEIVE_RENTAL_RETURN
    assert Action.MOVE_TO_OUTLET not in staff_actions and Action.MOVE_TO_OUTLET in merch_actions
    assert Action.INSPECT not in merch_actions and Action.SELL not in merch_actions


def test_two_hundred_garments_load_in_one_query_and_apply_well_under_a_second(
        db_session: Session, staff: Any, now: dt.datetime) -> None:
    codes = [make_garment(db_session).code for _ in range(200)]
    engine = db_session.get_bind()
    cpu_seconds: list[float] = []
    # there and back again, up to five runs until one is fast enough (stopping in the pool): the 2-core
    # machine is shared and may be busy with other test runs (CPU time, not wall time, for that too);
    # the statement count below is the exact guard against a query per garment creeping in
    actions = [Action.ADD_TO_RENTAL_POOL, Action.REMOVE_FROM_RENTAL_POOL] * 2 + [Action.ADD_TO_RENTAL_POOL]
    for action in actions:
        if cpu_seconds and min(cpu_seconds) < 1.0 and action is Action.REMOVE_FROM_RENTAL_POOL:
            break
        db_session.expire_all()
        statements: list[str] = []

        def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", _count)
        try:
            started = time.process_time()
            result = batches.apply_batch(db_session, action=action, codes=codes, details={},
                                         actor=staff, now=now)
            cpu_seconds.append(time.process_time() - started)
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        assert result.count(Outcome.APPLIED) == 200
        garment_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
                         and "FROM garments" in s]
        assert len(garment_reads) == 1, garment_reads
        # a bounded number of statements per garment (its row, its ledger line, the rental facts
        # that follow), never a query that grows with the batch
        per_garment = collections.Counter(" ".join(s.split())[:60] for s in statements)
        assert len(statements) <= 6 * 200 + 20, per_garment.most_common(8)
    assert min(cpu_seconds) < 1.0, f"200-garment batches took {cpu_seconds} s of CPU"
    in_pool = db_session.scalar(select(func.count()).select_from(Garment)
                                .where(Garment.state == S.IN_RENTAL_POOL))
    assert in_pool == 200
