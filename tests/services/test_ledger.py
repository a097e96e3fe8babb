"""The one ledger write path: decide on a plain read, compare-and-set, record, project, commit — or nothing."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, RentalCycle, UserStore
from cksloop.domain.errors import VersionConflict
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.domain.sale_price import SalePriceRefused
from cksloop.domain.store_scope import OutOfScope
from cksloop.services import (batches, garment_exits, garments, ledger, overstock_rollups, rental_rollups, rental_tables,
                              settings, streams)
from cksloop.services.batches import Outcome
from tests.builders import OTHER_STORE, STORE, make_garment, make_user


def events(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(GarmentEvent)) or 0


def test_the_garment_ledger_names_its_projections_in_one_explicit_list() -> None:
    kinds = [type(p) for p in streams.GARMENTS.projections]
    assert kinds == [
        rental_tables.RentalTables,
        rental_rollups.Rollups,
        overstock_rollups.SalesRollup,
        overstock_rollups.ReceiptsRollup,
        garment_exits.GarmentExits,
    ]


class Broken:
    """A projection that fails: the whole unit of work must write nothing."""

    def apply(self, session: Session, recorded: ledger.Recorded) -> None:
        raise RuntimeError("projection failed")

    def before_commit(self, session: Session) -> None:
        pass

    def discard(self, session: Session) -> None:
        pass


def test_a_failing_projection_leaves_the_garment_and_its_ledger_untouched(db_session, world, now) -> None:
    staff = make_user(db_session)
    garment = make_garment(db_session)
    before = events(db_session)
    decision = garments.decide_action(db_session, code=garment.code, action=Action.ADD_TO_RENTAL_POOL,
                                      details={}, actor=staff, now=now)
    stream = dataclasses.replace(streams.GARMENTS, projections=(*streams.GARMENTS.projections, Broken()))
    with pytest.raises(RuntimeError):
        ledger.write(db_session, stream=stream, plan=ledger.Plan([decision], answer=lambda r: r),
                     actor_id=staff.id, now=now)
    assert events(db_session) == before
    assert garments.get_garment(db_session, garment.code).state is GarmentState.IN_STOCK


def test_a_version_that_moved_after_the_decision_writes_nothing(db_session, world, now, app) -> None:
    staff = make_user(db_session)
    garment = make_garment(db_session)
    decision = garments.decide_action(db_session, code=garment.code, action=Action.ADD_TO_RENTAL_POOL,
                                      details={}, actor=staff, now=now)
    with app.extensions["cksloop.sessions"]() as other:  # someone else acts first
        garments.act(other, code=garment.code, action=Action.TRANSFER, details={"to_location": OTHER_STORE},
                     actor=make_user(other, Role.MERCHANDISER), now=now)
    before = events(db_session)
    with pytest.raises(ledger.StaleVersion):
        ledger.write(db_session, stream=streams.GARMENTS, plan=ledger.Plan([decision], answer=lambda r: r),
                     actor_id=staff.id, now=now)
    assert events(db_session) == before
    assert garments.get_garment(db_session, garment.code).state is GarmentState.IN_STOCK


# 3 garments: a compare-and-set each; 40: one statement for the batch (ledger._compare_and_set_many)
@pytest.mark.parametrize("size", [3, 40])
def test_a_batch_whose_garment_moved_meanwhile_decides_again_once_and_lands(db_session, world, now, app,
                                                                            monkeypatch, size) -> None:
    staff = make_user(db_session)
    codes = [make_garment(db_session).code for _ in range(size)]
    real_load = batches._load
    loads: list[int] = []

    def load_then_someone_acts(session: Session, wanted: Any) -> dict[str, Garment]:
        found = real_load(session, wanted)
        loads.append(1)
        if len(loads) == 1:  # between the batch's read and its write, a colleague moves one piece
            with app.extensions["cksloop.sessions"]() as other:
                garments.act(other, code=codes[1], action=Action.ADD_TO_RENTAL_POOL, details={},
                             actor=make_user(other), now=now)
                garments.act(other, code=codes[1], action=Action.REMOVE_FROM_RENTAL_POOL, details={},
                             actor=make_user(other), now=now)
        return found

    monkeypatch.setattr(batches, "_load", load_then_someone_acts)
    result = batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL, codes=codes, details={},
                                 actor=staff, now=now)
    assert len(loads) == 2  # decided twice
    assert [line.outcome for line in result.lines] == [Outcome.APPLIED] * size
    assert [line.version for line in result.lines] == [2, 4] + [2] * (size - 2)
    assert all(garments.replay_matches(db_session, garments.get_garment(db_session, c)) for c in codes)


@pytest.mark.parametrize("size", [2, 40])
def test_a_garment_moving_twice_under_a_batch_is_a_version_conflict_with_nothing_written(
        db_session, world, now, app, monkeypatch, size) -> None:
    staff = make_user(db_session)
    codes = [make_garment(db_session).code for _ in range(size)]
    real_load = batches._load

    def load_then_someone_acts(session: Session, wanted: Any) -> dict[str, Garment]:
        found = real_load(session, wanted)
        with app.extensions["cksloop.sessions"]() as other:
            garments.act(other, code=codes[0], action=Action.START_CARE, details={"care_kind": "cleaning"},
                         actor=make_user(other), now=now)
            garments.act(other, code=codes[0], action=Action.FINISH_CARE, details={"outcome": "done"},
                         actor=make_user(other), now=now)
        return found

    monkeypatch.setattr(batches, "_load", load_then_someone_acts)
    before = events(db_session)
    with pytest.raises(VersionConflict):
        batches.apply_batch(db_session, action=Action.ADD_TO_RENTAL_POOL, codes=codes, details={},
                            actor=staff, now=now)
    assert events(db_session) == before + 4  # only the colleague's four events
    assert all(garments.get_garment(db_session, code).version == 1 for code in codes[1:])


def test_rental_tables_follow_the_event_in_the_same_unit_of_work(db_session, world, now) -> None:
    staff = make_user(db_session)
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    garments.act(db_session, code=garment.code, action=Action.CHECK_OUT_RENTAL, actor=staff, now=now,
                 details={"partner": world["partner"].id, "due_on": (now.date() + dt.timedelta(days=7)).isoformat()})
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(RentalCycle)
                             .where(RentalCycle.garment_id == garment.id)) == 1


def test_a_clerk_is_refused_a_garment_at_another_store_until_an_admin_gives_them_that_store(
        db_session, world, now) -> None:
    clerk = make_user(db_session, Role.STORE_STAFF, home_location=STORE)
    garment = make_garment(db_session, location=OTHER_STORE)
    with pytest.raises(OutOfScope) as refused:
        garments.act(db_session, code=garment.code, action=Action.SELL, details={}, actor=clerk, now=now)
    assert refused.value.details["location"] == OTHER_STORE
    db_session.add(UserStore(user_id=clerk.id, location_id=db_session.scalar(
        select(Location.id).where(Location.code == OTHER_STORE))))
    db_session.commit()
    assert garments.act(db_session, code=garment.code, action=Action.SELL, details={}, actor=clerk,
                        now=now).state == "sold"


def test_a_clerk_may_pull_a_garment_from_another_store_into_their_own(db_session, world, now) -> None:
    clerk = make_user(db_session, Role.STORE_STAFF, home_location=STORE)
    garment = make_garment(db_session, location=OTHER_STORE)
    result = garments.act(db_session, code=garment.code, action=Action.TRANSFER, details={"to_location": STORE},
                          actor=clerk, now=now)
    assert result.location == STORE


def test_the_store_discount_limit_an_admin_sets_applies_to_the_next_sale(db_session, world, now) -> None:
    clerk = make_user(db_session)
    garment = make_garment(db_session)
    price = garment.price_cents
    sold = -(-price * 70 // 100)  # 30 % off, to the cent
    assert settings.store_discount_limit(db_session) == 20
    with pytest.raises(SalePriceRefused):
        garments.act(db_session, code=garment.code, action=Action.SELL, actor=clerk, now=now,
                     details={"price_cents": sold, "discount_reason": "damaged"})
    settings.set_value(db_session, key="store_discount_limit_pct", value="30", actor=None, now=now)
    result = garments.act(db_session, code=garment.code, action=Action.SELL, actor=clerk, now=now,
                          details={"price_cents": sold, "discount_reason": "damaged"})
    assert result.details == {"price_cents": sold, "discount_reason": "damaged"}
    assert result.price_cents == price  # the garment's price stays; the sale records what was paid
