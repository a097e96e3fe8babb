"""The demo's current collection gives the overstock review something to review: a best seller, flagged styles, plans."""
from __future__ import annotations

from cksloop.demo.overstock import plan_overstock
from cksloop.services import overstock
from tests.conftest import FIXED_NOW
from tests.demo.test_demo_data import demo_database, loaded, session  # noqa: F401  (the module's loaded demo)


def test_the_demo_review_opens_on_the_current_collection_with_flagged_and_unflagged_styles(session):  # noqa: F811
    plan = plan_overstock(FIXED_NOW)
    assert plan.season == "AW26" and overstock.latest_season_with_stock(session) == plan.season
    review = overstock.review(session, season=plan.season, as_of=FIXED_NOW.date())
    lines = {line.line.key: line for line in review.lines}
    assert set(lines) == {s.number for s in plan.styles}
    flags = {style: [f.rule.value for f in line.flags] for style, line in lines.items()}
    best, blazer, trousers, shirt, party, coat = (s.number for s in plan.styles)
    assert flags[best] == [] and lines[best].line.on_hand_total >= 10  # judged, and selling well
    assert flags[blazer] == ["below_plan", "cover", "age"] and flags[trousers] == ["age"]
    assert flags[shirt] == ["below_plan", "cover", "age"]
    assert lines[blazer].proposals and lines[blazer].proposals[-1].action.value == "buyer_lot"
    shown = {style: line.as_dict() for style, line in lines.items()}
    assert shown[shirt]["returned"] == 2 and shown[shirt]["sold_by_channel"]["outlet"] == 3
    assert shown[blazer]["markdown_depth_pct"] > 0 and shown[party]["rental_pool_share_pct"] == 50
    assert all(shown[s.number]["planned"] == plan.planned_units[s.number] for s in plan.styles)
