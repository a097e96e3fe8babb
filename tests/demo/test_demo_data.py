"""Demo data: a believable chain, every reachable state, and a ledger that replays exactly."""
from __future__ import annotations

import datetime as dt
import random
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from cksloop.db import migrate
from cksloop.db.models import (Buyer, BuyerLot, Garment, GarmentEvent, Inspection, Location, RemanufacturedGarment,
                               RemanufacturedStyle, RentalCycle, RentalPartner, Style, User)
from cksloop.db.session import make_engine, make_session_factory
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason
from cksloop.domain.labels import is_valid_gtin, usable_gtin
from cksloop.domain.lifecycle import GarmentState, LocationKind, Role
from cksloop import demo
from cksloop.demo.buyer_proof import DISCARDS
from cksloop.demo.overstock import plan_overstock
from cksloop.services import accounts, buyers, garments
from tests import conftest
from tests.conftest import FIXED_NOW, PG_ADMIN_URL

#: the buyer demo's lots (cksloop/demo/buyers.py) write these, counted by hand: lots of 8 (shipped),
#: 4 (cancelled), 6 (confirmed) and 6 + 1 (draft) allocated; 4 released by the cancel, 1 taken out of
#: the draft; 8 shipped
BUYER_LOT_EVENTS = {"allocate_to_buyer_lot": 25, "release_from_buyer_lot": 5, "ship_to_buyer": 8}


@pytest.fixture(scope="module")
def demo_database(_template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own for the module: the demo is loaded once and only read afterwards."""
    if conftest.test_database_kind() == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        shutil.copyfile(_template_database, path)
        yield f"sqlite:///{path}"
        return
    name = f"cksloop_demo_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="module")
def loaded(demo_database: str) -> Iterator[tuple[Session, demo.DemoResult]]:
    engine = make_engine(demo_database)
    session = make_session_factory(engine)()
    result = demo.load_demo_data(session, now=FIXED_NOW, seed=demo.DEFAULT_SEED)
    yield session, result
    session.close()
    engine.dispose()


@pytest.fixture
def session(loaded: tuple[Session, demo.DemoResult]) -> Session:
    return loaded[0]


@pytest.fixture
def result(loaded: tuple[Session, demo.DemoResult]) -> demo.DemoResult:
    return loaded[1]


def test_demo_garments_reach_every_state_reachable_today(session):
    states = set(session.scalars(select(Garment.state).distinct()))

    assert states == set(GarmentState)


def test_every_demo_garment_equals_the_replay_of_its_ledger(session):
    mismatched = [g.code for g in session.scalars(select(Garment)) if not garments.replay_matches(session, g)]

    assert mismatched == []


def _remanufactured(session) -> int:
    # the remanufactured blazers (issue 15) come from a partner's project, not from the planned histories
    return session.scalar(select(func.count()).select_from(RemanufacturedGarment)) or 0


def test_demo_has_a_few_hundred_garments_and_a_few_thousand_events(session, result):
    # the overstock collection (cksloop/demo/overstock.py), issue 14's year of discards
    # (cksloop/demo/buyer_proof.py) and the remanufactured blazers (issue 15) come on top of the
    # chain's planned garments
    extra = len(plan_overstock(FIXED_NOW).units) + len(DISCARDS) + _remanufactured(session)
    assert result.garments == demo.DEFAULT_GARMENTS == session.scalar(select(func.count(Garment.id))) - extra
    assert 2000 <= result.events <= 6000
    assert sum(result.states.values()) == result.garments


def test_every_event_lies_in_the_past_and_each_history_runs_forward_in_time(session):
    rows = session.execute(select(GarmentEvent.garment_id, GarmentEvent.seq, GarmentEvent.occurred_at)
                           .order_by(GarmentEvent.garment_id, GarmentEvent.seq)).all()
    last: dict[int, dt.datetime] = {}
    backwards = []
    for garment_id, seq, occurred_at in rows:
        occurred_at = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=dt.UTC)
        assert occurred_at < FIXED_NOW, (garment_id, seq)
        if garment_id in last and occurred_at <= last[garment_id]:
            backwards.append((garment_id, seq))
        last[garment_id] = occurred_at

    assert backwards == []
    assert min(last.values()) < FIXED_NOW - dt.timedelta(days=90)  # histories span months


def test_the_ledger_holds_exactly_the_planned_histories(session):
    partner_id = session.scalar(select(RentalPartner.id))
    plans = demo.plan_garments(count=demo.DEFAULT_GARMENTS, rng=random.Random(demo.DEFAULT_SEED),
                               now=FIXED_NOW, partner_id=partner_id)
    planned = Counter(step.action.value for plan in plans for step in plan.steps)
    planned["receive"] = len(plans) + len(DISCARDS)
    planned += plan_overstock(FIXED_NOW).actions()
    planned["retire"] += len(DISCARDS)  # issue 14's year of discards, each received then recycled

    recorded = Counter({action.value: n for action, n in session.execute(
        select(GarmentEvent.action, func.count()).where(GarmentEvent.garment_id.not_in(
            select(RemanufacturedGarment.garment_id))).group_by(GarmentEvent.action)).all()})

    assert recorded - Counter(BUYER_LOT_EVENTS) == planned
    assert {action: recorded[action] for action in BUYER_LOT_EVENTS} == BUYER_LOT_EVENTS


def test_there_is_exactly_one_quality_return_and_it_is_a_snag_on_the_snag_sensitive_style(session):
    quality = list(session.scalars(select(Inspection).where(Inspection.reason == ReturnReason.QUALITY_RETURN)))

    assert len(quality) == 1
    assert [d.code for d in quality[0].defects] == [DefectCode.SNAG]
    garment = session.get(Garment, quality[0].garment_id)
    snag_sensitive = [s.number for s in demo.STYLES if s.snag_sensitive]
    assert [garment.style.style_number] == snag_sensitive
    cycles = session.scalar(select(func.count()).select_from(RentalCycle)
                            .where(RentalCycle.return_reason == ReturnReason.QUALITY_RETURN))
    assert cycles == 1


def test_rental_returns_are_mostly_normal_and_graded_a_or_b(session):
    grades = Counter(session.scalars(select(Inspection.grade)))
    normal = session.scalar(select(func.count()).select_from(Inspection)
                            .where(Inspection.reason == ReturnReason.END_OF_RENTAL))

    assert sum(grades.values()) >= 100
    assert (grades[Grade.A] + grades[Grade.B]) / sum(grades.values()) > 0.8
    assert normal / sum(grades.values()) > 0.9


def test_rented_out_garments_each_have_one_open_cycle_and_some_are_overdue(session):
    rented = session.scalar(select(func.count()).select_from(Garment)
                            .where(Garment.state == GarmentState.RENTED_OUT))
    open_cycles = list(session.scalars(select(RentalCycle).where(RentalCycle.returned_at.is_(None))))

    assert rented == len(open_cycles) == len({c.garment_id for c in open_cycles}) > 0
    assert any(c.due_on < FIXED_NOW.date() for c in open_cycles)
    assert any(c.due_on >= FIXED_NOW.date() for c in open_cycles)


def test_there_is_one_theft_and_retirements_go_to_offcuts_and_remanufacturing(session):
    written_off = list(session.scalars(select(GarmentEvent).where(GarmentEvent.to_state == GarmentState.WRITTEN_OFF)))
    routes = Counter(e.details.get("route") or e.details.get("retire_route") for e in session.scalars(
        select(GarmentEvent).where(GarmentEvent.to_state == GarmentState.RETIRED)))

    assert [e.details.get("reason") for e in written_off].count("stolen") == 1
    assert set(routes) == {"offcuts", "remanufacturing", "recycling"}
    assert routes["recycling"] == len(DISCARDS)


def test_the_demo_year_of_discards_has_grounds_evidence_and_a_disclosure(session):
    from cksloop.services import disclosure

    year = FIXED_NOW.year - 1
    found, read = disclosure.disclosure(session, year=year)
    assert found.units == len(DISCARDS) and read.unclassified == []
    assert all(c.weight_g > 0 and "none" not in c.grounds for c in found.categories)
    assert {r.ground for r in read.discards} == {g for *_, g in DISCARDS}


def test_demo_styles_cover_three_collections_with_a_valid_gtin_for_every_size_and_full_compositions(session):
    styles = list(session.scalars(select(Style)))
    sizes = [size for style in styles for size in style.sizes]
    with_gtin = [size for size in sizes if size.gtin]
    certifications = {m.certification for style in styles for m in style.materials if m.sustainable}

    overstock = plan_overstock(FIXED_NOW)
    lines = set(session.scalars(select(RemanufacturedStyle.style_id)))
    assert {s.season for s in styles if s.id not in lines} == {"SS25", "AW25", "SS26", overstock.season}
    assert len([s for s in styles if s.id not in lines]) == len(demo.STYLES) + len(overstock.styles) >= 30
    assert all(sum(m.percent for m in style.materials) == 100 for style in styles)
    assert all(is_valid_gtin(size.gtin) and size.gtin.startswith("05400009") for size in with_gtin)
    assert with_gtin == sizes, "every demo size has a GTIN, so every demo label is GS1 (issue 20, finding 6)"
    assert len({size.gtin for size in sizes}) == len(sizes)
    assert {"organic", "recycled", "LENZING™ ECOVERO™", "TENCEL™"} <= certifications


def test_every_demo_garment_label_is_a_gs1_digital_link(session):
    garments = list(session.scalars(select(Garment)))
    short = [g.code for g in garments if usable_gtin(g.style.gtin_for(g.size)) is None]
    assert garments and short == []


def test_demo_locations_are_belgian_stores_the_warehouse_the_outlet_and_partners(session):
    locations = {loc.code: loc for loc in session.scalars(select(Location))}
    kinds = Counter(loc.kind for loc in locations.values())
    partner = session.scalar(select(RentalPartner))

    assert kinds[LocationKind.STORE] >= 8 and kinds[LocationKind.WAREHOUSE] == kinds[LocationKind.OUTLET] == 1
    assert {"Antwerpen", "Gent", "Brussel", "Leuven", "Hasselt", "Brugge", "Mechelen", "Kortrijk"} <= {
        loc.city for loc in locations.values()}
    assert locations["WH-WOMMELGEM"].city == "Wommelgem"
    assert (partner.name, partner.default_rental_days) == ("Dressr", 10)
    assert "Rebelle" in locations["REBELLE-ANT"].name


def test_demo_creates_one_user_per_role_who_can_sign_in_with_the_printed_password(session, result):
    users = {u.email: u for u in session.scalars(select(User))}

    assert {u.role for u in result.created_users} == {r.value for r in Role}
    for created in result.created_users:
        assert len(created.password) >= 16
        assert accounts.authenticate(session, email=created.email, password=created.password) is not None
        assert created.password not in users[created.email].password_hash
    assert users["store@cks.example"].home_location.code == "ANT-MEIR"


def test_demo_passwords_differ_from_one_run_to_the_next(result, db_session):
    other = demo.DemoResult()
    demo.ensure_catalogue(db_session, other)
    demo.ensure_users(db_session, other)

    first = {u.email: u.password for u in result.created_users}
    second = {u.email: u.password for u in other.created_users}
    assert first.keys() == second.keys()
    assert all(first[email] != second[email] for email in first)
    assert len(set(first.values())) == len(first)


def test_users_that_already_exist_keep_their_password(db_session):
    first = demo.DemoResult()
    demo.ensure_catalogue(db_session, first)
    demo.ensure_users(db_session, first)
    again = demo.DemoResult()
    demo.ensure_users(db_session, again)

    assert again.created_users == []
    assert sorted(again.existing_users) == sorted(u.email for u in first.created_users)
    admin = next(u for u in first.created_users if u.role == "admin")
    assert accounts.authenticate(db_session, email=admin.email, password=admin.password) is not None


def _plan_signature(plans: list[Any]) -> list[tuple[Any, ...]]:
    return [(p.story, p.style.number, p.size, p.received_at,
             [(s.action, sorted(s.details.items(), key=str), s.actor, s.at) for s in p.steps]) for p in plans]


def test_the_same_seed_gives_the_same_histories_and_another_seed_other_ones():
    def plans(seed: int) -> list[Any]:
        return demo.plan_garments(count=120, rng=random.Random(seed), now=FIXED_NOW, partner_id=1)

    assert _plan_signature(plans(7)) == _plan_signature(plans(7))
    assert _plan_signature(plans(7)) != _plan_signature(plans(8))


@pytest.mark.parametrize("count", [16, 40])
def test_even_a_small_demo_plans_every_story_once(count):
    plans = demo.plan_garments(count=count, rng=random.Random(1), now=FIXED_NOW, partner_id=1)

    assert len(plans) == count
    assert len({p.story for p in plans}) == len(demo.STORIES)


@pytest.mark.parametrize("cents, off, expected", [(12995, 30, 9095), (18995, 50, 9495), (2995, 60, 1195),
                                                  (100, 90, 95)])
def test_sale_prices_end_in_95_and_are_below_the_price(cents, off, expected):
    assert demo.sale_price(cents, off) == expected


def test_demo_has_two_buyers_one_narrow_with_amended_contracts_and_a_lot_in_each_state(session):
    rows = {b.name: b for b in session.scalars(select(Buyer))}
    assert set(rows) == {"Textiel Opkoop NV", "Tweedehands Noord BV"}
    for buyer in rows.values():
        assert [c.version for c in buyers.contract_rows(session, buyer.id)] == [1, 2]
    narrow = buyers.restrictions_of(buyers.contract_rows(session, rows["Tweedehands Noord BV"].id)[-1].restrictions)
    assert (narrow.allowed_countries, narrow.allowed_groups, narrow.exclude_home_market) == (
        frozenset({"BE", "NL", "FR"}), frozenset(), True)
    assert {u.value for u in narrow.allowed_end_uses} == {"reuse"}
    statuses = Counter(session.scalars(select(BuyerLot.status)))
    assert statuses == Counter({LotStatus.DRAFT: 1, LotStatus.CONFIRMED: 1, LotStatus.SHIPPED: 1,
                                LotStatus.CANCELLED: 1})
    shipped = session.scalar(select(BuyerLot).where(BuyerLot.status == LotStatus.SHIPPED))
    assert shipped.shipped_on is not None and shipped.gross_weight_g > 0 and shipped.contract_version == 2


def test_demo_holds_past_and_upcoming_workshops_in_several_stores_and_remanufactured_blazers_for_sale(session):
    from cksloop.services import offcut_lots, remanufacturing, workshops

    listed = workshops.list_workshops(session)
    held = [w for w in listed if w["logged"]]
    upcoming = [w for w in listed if dt.datetime.fromisoformat(w["starts_at"]) > FIXED_NOW]
    assert len({w["store"] for w in held}) >= 3 and len({w["store"] for w in upcoming}) >= 3
    assert all(workshops.log_dict(session, w["id"])["products"] for w in held)
    [project] = remanufacturing.list_projects(session)
    assert project["partner_location"] == "REBELLE-ANT" and len(project["products"]) == 3
    assert {p["state"] for p in project["products"]} == {"in_stock"}
    for lot in offcut_lots.list_lots(session, per_page=200)[0]:
        assert offcut_lots.replay_matches(session, lot["code"])
