"""Offcut figures with drill lists (issue 15): every total is the sum of its items, per consumer kind."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.offcut_drills import LotLine, period_figures, remaining_at_end

DAY = dt.date(2026, 3, 2)


def line(lot: str, action: str, change: int, location: str = "ANT", **details) -> LotLine:
    return LotLine(lot, action, details, change, DAY, location)


def test_consumption_is_split_by_consumer_and_leftovers_count_negative():
    figures = period_figures([
        line("CKSR-00001", "create", 1000, weight_g=1000),
        line("CKSR-00001", "consume", -300, grams=300, workshop_id=4),
        line("CKSR-00001", "return_leftover", 50, grams=50, workshop_id=4),
        line("CKSR-00001", "consume", -200, grams=200, project_id=2),
        line("CKSR-00001", "consume", -100, grams=100, note="samples"),
        line("CKSR-00001", "reweigh", -40, weight_g=360, waste_g=40, reason="soiled"),
        line("CKSR-00001", "split", -150, parts_g=[100, 50]),
        line("CKSR-00002", "create", 100, weight_g=100, source={"split_from": "CKSR-00001"}),
    ])
    grams = {name: f["grams"] for name, f in figures.items()}
    assert grams == {"created": 1000, "consumed_by_workshops": 250, "consumed_by_projects": 200,
                     "consumed_otherwise": 100, "wasted": 40, "split": 150}
    assert [i["grams"] for i in figures["consumed_by_workshops"]["items"]] == [300, -50]
    assert figures["consumed_by_workshops"]["items"][0]["workshop_id"] == 4
    assert figures["wasted"]["items"][0]["reason"] == "soiled" and figures["created"]["kg"] == 1.0


def test_remaining_follows_each_lot_to_where_it_lies_at_the_end():
    lines = [line("CKSR-00001", "create", 800), line("CKSR-00001", "move", 0, location="GENT"),
             line("CKSR-00002", "create", 300), line("CKSR-00002", "consume", -300, grams=300, note="x")]
    assert remaining_at_end(lines, location="GENT")["items"] == [{"lot": "CKSR-00001", "grams": 800,
                                                                  "location": "GENT"}]
    assert remaining_at_end(lines, location="ANT")["count"] == 0  # used up lots are not listed
    assert remaining_at_end(lines, location=None)["grams"] == 800


@given(st.lists(st.tuples(st.sampled_from(["create", "consume", "reweigh", "split"]),
                          st.integers(1, 5000), st.sampled_from([{}, {"workshop_id": 1}, {"project_id": 2}])),
                max_size=40))
def test_every_total_is_the_sum_and_count_of_its_drill_list(steps):
    lines = []
    for action, grams, who in steps:
        signed = grams if action == "create" else -grams
        extra = {"waste_g": grams} if action == "reweigh" else {}
        lines.append(line("CKSR-00001", action, signed, **who, **extra))
    for figure in period_figures(lines).values():
        assert figure["grams"] == sum(i["grams"] for i in figure["items"])
        assert figure["count"] == len(figure["items"])
