"""Offcut figures per period and place, read from the lot and garment ledgers (issue 15)."""
from __future__ import annotations

import datetime as dt

import pytest

from cksloop.domain.lifecycle import Action, Role
from cksloop.domain.offcut_figures import Period
from cksloop.services import garments, offcut_lots
from cksloop.services.offcut_figures import offcut_figures
from tests.builders import OTHER_STORE, STORE, make_garment, make_user

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
       "location": STORE}
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(db_session, world):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    before = offcut_lots.create(db_session, details={**LOT, "weight_g": 500}, actor=organiser, now=at(20, 2))
    lot = offcut_lots.create(db_session, details={**LOT, "weight_g": 2000}, actor=organiser, now=at(2))
    code = lot["code"]
    steps = [("consume", {"grams": 300, "note": "pouches"}, 5), ("reweigh", {"weight_g": 1650, "reason": "damaged"}, 6),
             ("split", {"parts_g": [400, 250]}, 7), ("move", {"to_location": OTHER_STORE}, 8),
             ("consume", {"grams": 100, "note": "bracelets"}, 9)]
    parts: list[str] = []
    for action, details, day in steps:
        lot = offcut_lots.act(db_session, code=code, action=action, details=details, actor=organiser, now=at(day))
        parts += lot.get("new_lots", [])
    offcut_lots.act(db_session, code=code, action="consume", details={"grams": 50, "note": "April"},
                    actor=organiser, now=at(3, 4))
    garment = make_garment(db_session, now=at(1))
    garments.act(db_session, code=garment.code, action=Action.RETIRE, actor=organiser, now=at(10),
                 details={"route": "offcuts", "offcut_lot": code})
    return {"before": before["code"], "lot": code, "parts": parts, "garment": garment.code}


def test_march_everywhere_counts_each_gram_once_with_its_drill_list(db_session, history):
    figures = offcut_figures(db_session, period=MARCH)
    assert figures["created"]["grams"] == 2000  # the split parts are not created offcuts
    assert [i["lot"] for i in figures["created"]["items"]] == [history["lot"]]
    assert figures["consumed_otherwise"]["grams"] == 400 and figures["consumed_otherwise"]["count"] == 2
    assert (figures["wasted"]["grams"], figures["split"]["grams"]) == (50, 650)
    assert figures["consumed_by_workshops"] == {"grams": 0, "kg": 0.0, "count": 0, "items": []}
    # left at the end of March: the big lot (900 g), its two parts, and February's lot
    assert figures["remaining"]["grams"] == 900 + 400 + 250 + 500
    assert figures["garments_retired_into_offcuts"] == {
        "count": 1, "items": [{"garment": history["garment"], "offcut_lot": history["lot"]}]}


def test_figures_per_store_count_where_the_lot_lay(db_session, history):
    here = offcut_figures(db_session, period=MARCH, location=STORE)
    there = offcut_figures(db_session, period=MARCH, location=OTHER_STORE)
    assert here["consumed_otherwise"]["grams"] == 300 and there["consumed_otherwise"]["grams"] == 100
    assert {i["lot"] for i in there["remaining"]["items"]} == {history["lot"]}
    assert {i["lot"] for i in here["remaining"]["items"]} == {history["before"], *history["parts"]}
    assert there["created"]["count"] == 0


def test_a_period_before_anything_happened_is_empty(db_session, history):
    figures = offcut_figures(db_session, period=Period(dt.date(2025, 1, 1), dt.date(2025, 2, 1)))
    assert all(figures[name]["count"] == 0 for name in ("created", "wasted", "remaining",
                                                         "garments_retired_into_offcuts"))
