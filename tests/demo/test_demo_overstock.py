"""The demo's current collection gives the overstock review something to review: a best seller, flagged styles, plans."""
from __future__ import annotations

from sqlalchemy import select

from cksloop.db.models import User
from cksloop.demo.overstock import plan_overstock
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Action, Role
from cksloop.services import overstock, overstock_reviews
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


def test_the_previous_review_shows_its_decisions_beside_what_happened_since(session):  # noqa: F811
    """The demo's review of two weeks ago: a style held, a markdown executed through the review, an
    outlet move decided and not yet carried out; today's review shows each with its effect since."""
    plan = plan_overstock(FIXED_NOW)
    decided_on = local_date(plan.review_at)
    (earlier,) = overstock_reviews.list_reviews(session, season=plan.season)
    assert earlier["as_of"] == decided_on.isoformat()
    assert (earlier["decisions"], earlier["executed"]) == (3, 1)

    merchandiser = session.scalar(select(User).where(User.role == Role.MERCHANDISER).order_by(User.id).limit(1))
    today = overstock_reviews.open_review(session, season=plan.season, as_of=None, actor=merchandiser, now=FIXED_NOW)
    try:
        shown = overstock_reviews.review_view(session, today.id)
        assert shown["previous"]["id"] == earlier["id"]
        previous = {d["style"]: d for d in shown["previous"]["decisions"]}
        assert {s: d["decision"] for s, d in previous.items()} == {d.style: d.decision for d in plan.decisions}
        for decision in plan.decisions:
            units = [u for u in plan.units if u.style == decision.style]
            # net units sold after the review's day, from the plan's own steps
            sold = sum(1 for u in units for at, action, _ in u.steps
                       if action is Action.SELL and local_date(at) > decided_on) - \
                sum(1 for u in units for at, action, _ in u.steps
                    if action is Action.CUSTOMER_RETURN and local_date(at) > decided_on)
            assert previous[decision.style]["effect"]["sold_total"] == sold, decision.style
            assert previous[decision.style]["executed"] is decision.execute
            assert previous[decision.style]["decided_by"] == merchandiser.name
        shirt = plan.styles[3].number
        marked = plan.decisions[1].writes[Action.MARK_DOWN.value]
        # every shirt on hand was concerned; those in the outlet were already below the new price
        assert previous[shirt]["wrote"] == {"garments": marked, "events": marked}
        assert previous[shirt]["garments"] > marked
        assert previous[shirt]["effect"]["sold"]["outlet"] >= 1  # the outlet still sells the shirt
    finally:
        session.delete(today)
        session.commit()
