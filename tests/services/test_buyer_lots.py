"""Buyer lots through the ledger: the flow draft → confirmed → shipped, cancel, refusals that write nothing, races."""
from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLot, BuyerLotGarment, Garment, GarmentEvent, User
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.buyer_contracts import ContractViolation, InvalidContract, Restrictions
from cksloop.domain.buyer_lots import GarmentCannotJoin, LotNotAllowedNow, LotStatus, Shipment
from cksloop.domain.destinations import EndUse
from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import buyer_lots, buyers
from cksloop.services.garments import replay_matches
from tests.builders import make_garment, make_user

PLANNED = dt.date(2026, 11, 20)


@pytest.fixture
def merch(db_session: Session) -> User:
    return make_user(db_session, Role.MERCHANDISER)


@pytest.fixture
def buyer_id(db_session: Session, now: dt.datetime, merch: User) -> int:
    buyer = buyers.create_buyer(db_session, name="Textiel Opkoop NV", vat_number="BE0417497106", country="be",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(db_session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(forbidden_countries=frozenset({"FR"})), actor_id=merch.id, now=now)
    return buyer.id


def _lot(session: Session, buyer_id: int, codes: list[str], merch: User, now: dt.datetime, **declared: Any) -> int:
    return buyer_lots.create_lot(session, buyer_id=buyer_id, destination_country=declared.get("country", "NL"),
                                 end_use=declared.get("end_use", EndUse.REUSE), planned_ship_on=PLANNED,
                                 codes=codes, actor=merch, now=now)


def _states(session: Session, codes: list[str]) -> set[GarmentState | None]:
    session.expire_all()
    return set(session.scalars(select(Garment.state).where(Garment.code.in_(codes))))


def _counts(session: Session) -> tuple[int, int, int]:
    return (session.scalar(select(func.count()).select_from(BuyerLot)) or 0,
            session.scalar(select(func.count()).select_from(BuyerLotGarment)) or 0,
            session.scalar(select(func.count()).select_from(GarmentEvent)) or 0)


def test_a_buyer_with_a_vat_number_failing_its_country_check_is_refused_naming_the_field(db_session: Session, now):
    with pytest.raises(InvalidDetails) as refused:
        buyers.create_buyer(db_session, name="X", vat_number="BE0417497107", country="BE",
                            contact_email="a@b.example", now=now)
    assert set(refused.value.field_errors) == {"vat_number"}
    with pytest.raises(InvalidDetails) as unknown:
        buyers.create_buyer(db_session, name="X", vat_number="123456", country="XQ", contact_email="a@b.example",
                            now=now)
    assert "country" in unknown.value.field_errors


def test_an_amendment_is_a_new_version_and_a_contract_ending_before_it_starts_is_not_stored(
        db_session: Session, now, buyer_id: int, merch: User):
    second = buyers.add_contract(db_session, buyer_id=buyer_id, valid_from=dt.date(2026, 6, 1), valid_to=None,
                                 restrictions=Restrictions(), actor_id=merch.id, now=now)
    assert second.version == 2
    with pytest.raises(InvalidContract):
        buyers.add_contract(db_session, buyer_id=buyer_id, valid_from=dt.date(2026, 6, 1),
                            valid_to=dt.date(2026, 5, 1), restrictions=Restrictions(), actor_id=merch.id, now=now)
    assert [row.version for row in buyers.contract_rows(db_session, buyer_id)] == [1, 2]


def test_a_lot_goes_from_draft_to_confirmed_to_shipped_and_its_garments_follow_in_the_ledger(
        db_session: Session, now, buyer_id: int, merch: User):
    codes = [make_garment(db_session).code for _ in range(3)]
    lot_id = _lot(db_session, buyer_id, codes, merch, now)
    view = buyer_lots.lot_view(db_session, lot_id)
    assert (view["status"], view["contract_version"], view["garments"]) == ("draft", 1, sorted(codes))
    assert _states(db_session, codes) == {GarmentState.ALLOCATED_TO_BUYER_LOT}
    buyer_lots.confirm(db_session, lot_id=lot_id, actor=merch, now=now)
    buyer_lots.ship(db_session, lot_id=lot_id, actor=merch, now=now, shipment=Shipment(
        shipped_on=PLANNED, carrier="DHL", transport_document="CMR-1", gross_weight_g=4200))
    view = buyer_lots.lot_view(db_session, lot_id)
    assert (view["status"], view["gross_weight_kg"], view["proof_due_on"]) == ("shipped", 4.2, "2027-01-19")
    assert _states(db_session, codes) == {GarmentState.SHIPPED_TO_BUYER}
    events = db_session.scalars(select(GarmentEvent).where(GarmentEvent.action == Action.SHIP_TO_BUYER)).all()
    assert {e.details["buyer_lot"] for e in events} == {lot_id} and len(events) == 3
    assert all(replay_matches(db_session, g) for g in db_session.scalars(select(Garment)))


def test_a_lot_for_remanufacturing_ships_on_its_contract_although_the_default_check_would_refuse_it(
        db_session: Session, now, buyer_id: int, merch: User):
    buyers.add_contract(db_session, buyer_id=buyer_id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(allowed_end_uses=frozenset({EndUse.REMANUFACTURING})),
                        actor_id=merch.id, now=now)
    code = make_garment(db_session).code
    lot_id = _lot(db_session, buyer_id, [code], merch, now, end_use=EndUse.REMANUFACTURING)
    buyer_lots.confirm(db_session, lot_id=lot_id, actor=merch, now=now)
    buyer_lots.ship(db_session, lot_id=lot_id, actor=merch, now=now, shipment=Shipment(
        shipped_on=PLANNED, carrier="DHL", transport_document="CMR-2", gross_weight_g=900))
    assert _states(db_session, [code]) == {GarmentState.SHIPPED_TO_BUYER}


def test_cancelling_a_confirmed_lot_releases_its_garments_to_stock_and_to_other_lots(
        db_session: Session, now, buyer_id: int, merch: User):
    codes = [make_garment(db_session).code for _ in range(2)]
    lot_id = _lot(db_session, buyer_id, codes, merch, now)
    buyer_lots.confirm(db_session, lot_id=lot_id, actor=merch, now=now)
    buyer_lots.cancel(db_session, lot_id=lot_id, actor=merch, now=now)
    view = buyer_lots.lot_view(db_session, lot_id)
    assert (view["status"], view["garments"]) == ("cancelled", [])
    assert _states(db_session, codes) == {GarmentState.IN_STOCK}
    again = _lot(db_session, buyer_id, codes, merch, now)
    assert buyer_lots.lot_view(db_session, again)["garments"] == sorted(codes)
    with pytest.raises(LotNotAllowedNow):
        buyer_lots.confirm(db_session, lot_id=lot_id, actor=merch, now=now)


def test_garments_are_added_and_removed_only_while_the_lot_is_a_draft(db_session: Session, now, buyer_id, merch):
    first, second = make_garment(db_session).code, make_garment(db_session).code
    lot_id = _lot(db_session, buyer_id, [first], merch, now)
    buyer_lots.change_garments(db_session, lot_id=lot_id, add=[second], remove=[first], actor=merch, now=now)
    assert buyer_lots.lot_view(db_session, lot_id)["garments"] == [second]
    assert _states(db_session, [first]) == {GarmentState.IN_STOCK}
    buyer_lots.confirm(db_session, lot_id=lot_id, actor=merch, now=now)
    with pytest.raises(LotNotAllowedNow):
        buyer_lots.change_garments(db_session, lot_id=lot_id, add=[first], remove=[], actor=merch, now=now)


@pytest.mark.parametrize(("country", "end_use", "rule"), [
    ("FR", EndUse.REUSE, "country_forbidden"),
    ("NL", EndUse.LANDFILL, "use_never_allowed"),
    ("GH", EndUse.REUSE, "outside_oecd"),
    ("NL", EndUse.REMANUFACTURING, "use_not_allowed"),
])
def test_a_refused_declaration_names_the_rule_and_writes_nothing(db_session: Session, now, buyer_id, merch,
                                                                 country, end_use, rule):
    code = make_garment(db_session).code
    before = _counts(db_session)
    with pytest.raises(ContractViolation) as refused:
        _lot(db_session, buyer_id, [code], merch, now, country=country, end_use=end_use)
    assert refused.value.details["rule"] == rule
    assert _counts(db_session) == before
    assert _states(db_session, [code]) == {GarmentState.IN_STOCK}


def test_a_sold_garment_or_one_in_another_lot_cannot_join_and_nothing_of_the_lot_is_written(
        db_session: Session, now, buyer_id, merch):
    free = make_garment(db_session).code
    sold = make_garment(db_session, state=GarmentState.SOLD).code
    with pytest.raises(GarmentCannotJoin) as refused:
        _lot(db_session, buyer_id, [free, sold], merch, now)
    assert refused.value.details["garments"][0]["code"] == sold
    assert _states(db_session, [free]) == {GarmentState.IN_STOCK}
    _lot(db_session, buyer_id, [free], merch, now)
    before = _counts(db_session)
    with pytest.raises(GarmentCannotJoin):
        _lot(db_session, buyer_id, [free], merch, now)
    assert _counts(db_session) == before


def test_two_merchandisers_adding_the_same_garment_to_two_lots_at_once_exactly_one_succeeds(
        db_session: Session, now, buyer_id, merch, database_url: str):
    shared = make_garment(db_session).code
    lots_ = [_lot(db_session, buyer_id, [make_garment(db_session).code], merch, now) for _ in range(2)]
    engine = make_engine(database_url, pool_size=4, max_overflow=2)
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(2, timeout=60)

    def attempt(i: int) -> Any:
        with sessions() as session:
            actor = session.get(User, merch.id)
            barrier.wait()
            try:
                return buyer_lots.change_garments(session, lot_id=lots_[i], add=[shared], remove=[], actor=actor,
                                                  now=now)
            except DomainError as refusal:
                return refusal

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [f.result(timeout=60) for f in [pool.submit(attempt, i) for i in range(2)]]
    finally:
        engine.dispose()
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1
    assert all(isinstance(r, (GarmentCannotJoin, buyer_lots.LotChanged)) for r in results if r not in winners)
    db_session.expire_all()
    holders = db_session.scalars(select(BuyerLotGarment.lot_id).join(Garment, Garment.id == BuyerLotGarment.garment_id)
                                 .where(Garment.code == shared)).all()
    assert holders == winners
    garment = db_session.scalar(select(Garment).where(Garment.code == shared))
    assert garment.version == 2 and replay_matches(db_session, garment)


def test_the_lot_status_word_is_stored_as_the_domain_says(db_session: Session, now, buyer_id, merch):
    lot_id = _lot(db_session, buyer_id, [make_garment(db_session).code], merch, now)
    assert db_session.get(BuyerLot, lot_id).status is LotStatus.DRAFT
