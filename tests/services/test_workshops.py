"""Workshops end to end on a real database: plan, log with the lots' ledger, refusals, corrections, figures."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from cksloop.db.models import OffcutLotEvent, WorkshopEntry
from cksloop.domain.errors import InvalidDetails, NotPermitted
from cksloop.domain.lifecycle import Role
from cksloop.domain.offcut_figures import Period
from cksloop.domain.offcuts import InsufficientOffcut
from cksloop.domain.workshop_logs import AlreadyLogged, ConfirmationRequired, WorkshopNotStarted
from cksloop.services import offcut_lots, workshop_figures, workshops
from tests.builders import OTHER_STORE, STORE, make_user

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo", "location": STORE}


def make_lot(session, actor, now, grams=1000, location=STORE):
    return offcut_lots.create(session, details={**LOT, "weight_g": grams, "location": location}, actor=actor,
                              now=now)["code"]


def make_workshop(session, actor, now, *, hours=-2, capacity=12, store=STORE):
    return workshops.plan(session, store=store, starts_at=(now + dt.timedelta(hours=hours)).isoformat(),
                          theme="Pouches from denim", capacity=capacity, organiser=None, actor=actor, now=now)["id"]


def _events(session):
    return session.scalar(select(func.count()).select_from(OffcutLotEvent))


def test_a_logged_workshop_consumes_its_lots_and_counts_in_the_figures(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    first, second = make_lot(db_session, organiser, now, 1000), make_lot(db_session, organiser, now, 400)
    workshop_id = make_workshop(db_session, organiser, now)
    answer = workshops.log(db_session, workshop_id=workshop_id, participants=9, actor=organiser, now=now,
                           products=[{"type": "jewellery_pouch", "quantity": 6}, {"type": "bracelet", "quantity": 5}],
                           lots=[{"code": first, "grams": 200}, {"code": second}],
                           leftovers=[{"code": first, "grams": 30}])
    # the second lot's grams were pre-filled from typical use: 6 × 35 + 5 × 12 = 270, less 200 given
    assert {lot["code"]: lot["grams"] for lot in answer["lots"]} == {first: 170, second: 70}
    assert {lot["code"]: lot["remaining_g"] for lot in answer["lots"]} == {first: 830, second: 330}
    for code in (first, second):
        assert offcut_lots.replay_matches(db_session, code)
    lot = offcut_lots.lot_dict(db_session, first)
    assert [e["action"] for e in lot["events"]] == ["create", "consume", "return_leftover"]
    assert lot["events"][1]["details"]["workshop_id"] == workshop_id
    figures = workshop_figures.figures(db_session, period=Period.year(now.year), store=STORE)
    assert (figures.workshops_held, figures.participants, figures.products_made) == (1, 9, 11)
    assert figures.products_by_type == {"bracelet": 5, "jewellery_pouch": 6}
    assert figures.reused_in_workshops_g == 240
    elsewhere = workshop_figures.figures(db_session, period=Period.year(now.year), store=OTHER_STORE)
    assert elsewhere.workshops_held == 0 and not elsewhere.has_data
    for name in workshop_figures.FIGURES:
        rows = workshop_figures.drill(db_session, period=Period.year(now.year), store=STORE, figure=name)
        counted = {"workshops_held": len(rows), "participants": sum(r.get("participants", 0) for r in rows),
                   "products_made": sum(r.get("products", 0) for r in rows)}.get(name, sum(r.get("grams", 1) for r in rows))
        assert counted == getattr(figures, name), name


def test_a_workshop_not_started_cannot_be_logged_and_nothing_is_written(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    code = make_lot(db_session, organiser, now)
    workshop_id = make_workshop(db_session, organiser, now, hours=3)
    before = _events(db_session)
    with pytest.raises(WorkshopNotStarted):
        workshops.log(db_session, workshop_id=workshop_id, participants=3, actor=organiser, now=now,
                      products=[{"type": "bracelet", "quantity": 3}], lots=[{"code": code, "grams": 40}])
    assert _events(db_session) == before


def test_consuming_more_than_remains_names_the_lot_and_writes_nothing(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    enough, short = make_lot(db_session, organiser, now, 1000), make_lot(db_session, organiser, now, 50)
    workshop_id = make_workshop(db_session, organiser, now)
    before = _events(db_session)
    with pytest.raises(InsufficientOffcut) as refused:
        workshops.log(db_session, workshop_id=workshop_id, participants=3, actor=organiser, now=now,
                      products=[{"type": "toiletry_bag", "quantity": 2}],
                      lots=[{"code": enough, "grams": 100}, {"code": short, "grams": 80}])
    assert refused.value.details["lot"] == short and refused.value.details["remaining_g"] == 50
    assert _events(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(WorkshopEntry)) == 0
    assert offcut_lots.lot_dict(db_session, enough)["remaining_g"] == 1000


def test_participants_over_capacity_need_confirmation(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    code = make_lot(db_session, organiser, now)
    workshop_id = make_workshop(db_session, organiser, now, capacity=5)
    log = dict(workshop_id=workshop_id, participants=7, actor=organiser, now=now,
               products=[{"type": "bracelet", "quantity": 7}], lots=[{"code": code}])
    with pytest.raises(ConfirmationRequired):
        workshops.log(db_session, **log)
    assert workshops.log(db_session, **log, confirmed=True)["participants"] == 7


def test_the_same_lot_scanned_twice_is_counted_once(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    code = make_lot(db_session, organiser, now)
    workshop_id = make_workshop(db_session, organiser, now)
    answer = workshops.log(db_session, workshop_id=workshop_id, participants=2, actor=organiser, now=now,
                           products=[{"type": "bracelet", "quantity": 2}],
                           lots=[{"code": code, "grams": 25}, {"code": code.lower()}, {"code": code, "grams": 25}])
    assert answer["lots"] == [{"code": code, "grams": 25, "remaining_g": 975}]


@pytest.mark.parametrize("participants,quantity", [(0, 2), (-1, 2), (2, 0), (2, -3), ("two", 2)])
def test_zero_negative_or_unreadable_counts_are_refused(db_session, now, participants, quantity):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    code = make_lot(db_session, organiser, now)
    workshop_id = make_workshop(db_session, organiser, now)
    with pytest.raises(InvalidDetails):
        workshops.log(db_session, workshop_id=workshop_id, participants=participants, actor=organiser, now=now,
                      products=[{"type": "bracelet", "quantity": quantity}], lots=[{"code": code, "grams": 20}])
    assert offcut_lots.lot_dict(db_session, code)["remaining_g"] == 1000


def test_a_logged_workshop_is_corrected_only_by_a_compensating_entry(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    code = make_lot(db_session, organiser, now)
    workshop_id = make_workshop(db_session, organiser, now)
    log = dict(workshop_id=workshop_id, participants=4, actor=organiser, now=now,
               products=[{"type": "bracelet", "quantity": 4}], lots=[{"code": code, "grams": 60}])
    workshops.log(db_session, **log)
    with pytest.raises(AlreadyLogged):
        workshops.log(db_session, **log)
    corrected = workshops.correct(db_session, workshop_id=workshop_id, participants=5, actor=organiser, now=now,
                                  products=[{"type": "bracelet", "quantity": 5}], lots=[{"code": code, "grams": 48}],
                                  note="one more participant; 12 g came back")
    assert corrected["participants"] == 5 and corrected["lots"] == [{"code": code, "grams": 48, "remaining_g": 952}]
    assert [(e["kind"], e["participants"]) for e in corrected["entries"]] == [("log", 4), ("correction", 1)]
    assert offcut_lots.replay_matches(db_session, code)
    figures = workshop_figures.figures(db_session, period=Period.year(now.year), store=STORE)
    assert (figures.workshops_held, figures.participants, figures.reused_in_workshops_g) == (1, 5, 48)


def test_store_staff_may_not_log_a_workshop(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    clerk = make_user(db_session, Role.STORE_STAFF)
    code = make_lot(db_session, organiser, now)
    workshop_id = make_workshop(db_session, organiser, now)
    with pytest.raises(NotPermitted):
        workshops.log(db_session, workshop_id=workshop_id, participants=2, actor=clerk, now=now,
                      products=[{"type": "bracelet", "quantity": 2}], lots=[{"code": code, "grams": 20}])


def test_a_lot_in_another_store_is_refused(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    code = make_lot(db_session, organiser, now, location=OTHER_STORE)
    workshop_id = make_workshop(db_session, organiser, now)
    with pytest.raises(InvalidDetails) as refused:
        workshops.log(db_session, workshop_id=workshop_id, participants=2, actor=organiser, now=now,
                      products=[{"type": "bracelet", "quantity": 2}], lots=[{"code": code, "grams": 20}])
    assert f"lots.{code}" in refused.value.field_errors


def test_an_added_product_type_needs_its_material_use(db_session, now):
    with pytest.raises(InvalidDetails):
        workshops.add_product_type(db_session, key="keyring", name="keyring", typical_use_g=0, now=now)
    workshops.add_product_type(db_session, key="keyring", name="keyring", typical_use_g=8, now=now)
    assert workshops.product_types(db_session)["keyring"].typical_use_g == 8


def test_planning_refuses_a_closed_or_unknown_store_and_lists_upcoming(db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    with pytest.raises(InvalidDetails) as refused:
        workshops.plan(db_session, store="NOWHERE", starts_at="yesterday", theme="", capacity=0, organiser=None,
                       actor=organiser, now=now)
    assert set(refused.value.field_errors) >= {"store", "starts_at", "theme", "capacity"}
    soon = make_workshop(db_session, organiser, now, hours=24)
    make_workshop(db_session, organiser, now, hours=24, store=OTHER_STORE)
    listed = workshops.list_workshops(db_session, store=STORE, start=now)
    assert [w["id"] for w in listed] == [soon] and listed[0]["organiser"] == organiser.id
