"""Review sessions: opening stores the lines and versions, decisions are checked, executing writes the
ledger once (or nothing, naming the garment that moved), and the next review shows the effect."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cksloop.db.models import Garment, GarmentEvent, OverstockReviewDecision
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.domain.markdown import MarkdownRefused
from cksloop.domain.overstock_sessions import AlreadyExecuted, GarmentsMoved
from cksloop.services import buyer_lots, buyers, garments, overstock, overstock_execution, overstock_reviews
from cksloop.services.overstock_rollups import sums_from_events
from tests.builders import OUTLET, STORE, WAREHOUSE, make_user
from tests.services.test_overstock import DAY, build_fixture, rollup_rows


@pytest.fixture
def meeting(db_session, now):
    style, units = build_fixture(db_session, now)
    merch = make_user(db_session, Role.MERCHANDISER)
    review = overstock_reviews.open_review(db_session, season="AW26", as_of=None, actor=merch, now=now)
    return style, units, merch, review


def prices(session, units) -> dict[str, int | None]:
    session.rollback()
    return {g.code: g.price_cents for g in session.scalars(select(Garment).where(
        Garment.id.in_([u.id for u in units])))}


def test_opening_a_review_stores_its_lines_and_the_rule_and_policy_versions(db_session, now, meeting):
    _, _, _, review = meeting
    live = overstock.review(db_session, season="AW26", as_of=now.date())
    stored = overstock_reviews.review_view(db_session, review.id)
    assert stored["as_of"] == now.date().isoformat() and stored["season"] == "AW26"
    assert (stored["rules_version"], stored["policy_version"]) == (live.rules_version, live.policy_version) == (2, 1)
    assert stored["lines"] == [line.as_dict() for line in live.lines]


def test_a_review_date_in_the_future_is_refused(db_session, now, world):
    merch = make_user(db_session, Role.MERCHANDISER)
    with pytest.raises(InvalidDetails) as refused:
        overstock_reviews.open_review(db_session, season="AW26", as_of="2026-11-26", actor=merch, now=now)
    assert "as_of" in refused.value.field_errors


def test_a_decision_for_a_style_not_in_the_review_is_refused(db_session, now, meeting):
    _, _, merch, review = meeting
    with pytest.raises(InvalidDetails) as refused:
        overstock_reviews.record_decision(db_session, review_id=review.id, actor=merch, now=now, raw={
            "style": "SS25-0101", "decision": "hold", "reason": "not ours"})
    assert refused.value.field_errors == {"style": "This style is not in the review."}
    assert db_session.scalar(select(OverstockReviewDecision.id)) is None


@pytest.mark.parametrize("raw, reason", [({"percent": 101}, None), ({"percent": 90}, "under_floor"),
                                         ({"target_price_cents": 20000}, "price_rise")])
def test_a_markdown_the_policy_refuses_is_not_recorded(db_session, now, meeting, raw, reason):
    _, _, merch, review = meeting
    with pytest.raises((MarkdownRefused, InvalidDetails)) as refused:
        overstock_reviews.record_decision(db_session, review_id=review.id, actor=merch, now=now, raw={
            "style": "AW26-0301", "decision": "mark_down", "reason": "slow", **raw})
    if reason:
        assert refused.value.details["reason"] == reason
    assert db_session.scalar(select(OverstockReviewDecision.id)) is None


def test_executing_a_markdown_reprices_every_garment_in_stock_once_and_keeps_lower_prices(db_session, now, meeting):
    _, units, merch, review = meeting
    decision = overstock_reviews.record_decision(db_session, review_id=review.id, actor=merch, now=now, raw={
        "style": "AW26-0301", "decision": "mark_down", "reason": "cover 14 weeks", "percent": 30})
    # in stock: 5 at the store or warehouse at 10000, the outlet's 6000 and the marked-down 5000
    assert len(decision.garments) == 7
    before = prices(db_session, units)
    answer = overstock_execution.execute(db_session, review_id=review.id, decision_id=decision.id, actor=merch,
                                         now=now)
    after = prices(db_session, units)
    # 10000 × 0.7 = 7000, rounded down to the ,95 ending: 6995; 6000 and 5000 stay
    changed = {c: (before[c], after[c]) for c in after if before[c] != after[c]}
    assert set(changed.values()) == {(10000, 6995)} and answer == {"garments": 5, "events": 5}
    assert len(changed) == 5
    with pytest.raises(AlreadyExecuted):
        overstock_execution.execute(db_session, review_id=review.id, decision_id=decision.id, actor=merch, now=now)
    assert prices(db_session, units) == after
    events = db_session.scalars(select(GarmentEvent).where(GarmentEvent.action == Action.MARK_DOWN)).all()
    assert sum(1 for e in events if e.details.get("overstock_decision") == decision.id) == 5
    history = overstock_execution.price_history(db_session, "AW26-0301")
    assert [(h["from_price_cents"], h["to_price_cents"]) for h in history] == [(10000, 5000)] + [(10000, 6995)] * 5
    for unit in units:
        db_session.refresh(unit)
        assert garments.replay_matches(db_session, unit)
    # the review's figures follow: depth now from 6995 × 5, 6000 and 5000 over 7 × 10000
    (line,) = overstock.review(db_session, season="AW26", as_of=now.date()).lines
    assert line.as_dict()["markdown_depth_pct"] == round(100 * (1 - (5 * 6995 + 6000 + 5000) / 70000))


def test_a_garment_sold_since_the_decision_refuses_the_whole_execution_and_is_named(db_session, now, meeting):
    _, units, merch, review = meeting
    decision = overstock_reviews.record_decision(db_session, review_id=review.id, actor=merch, now=now, raw={
        "style": "AW26-0301", "decision": "outlet", "reason": "last chance", "to_location": OUTLET})
    moved = units[5]  # at the store, in stock
    assert moved.code in decision.garments
    garments.act(db_session, code=moved.code, action=Action.SELL, details={}, actor=merch, now=now)
    before = db_session.scalar(select(GarmentEvent.id).order_by(GarmentEvent.id.desc()).limit(1))
    with pytest.raises(GarmentsMoved) as refused:
        overstock_execution.execute(db_session, review_id=review.id, decision_id=decision.id, actor=merch, now=now)
    assert refused.value.params["code"] == moved.code and refused.value.details["garments"][0]["state"] == "sold"
    db_session.rollback()
    assert db_session.scalar(select(GarmentEvent.id).order_by(GarmentEvent.id.desc()).limit(1)) == before
    assert db_session.get(OverstockReviewDecision, decision.id).executed_at is None


def test_transfer_rental_pool_and_hold_write_what_they_say(db_session, now, meeting):
    _, units, merch, review = meeting
    record = lambda **raw: overstock_reviews.record_decision(  # noqa: E731
        db_session, review_id=review.id, actor=merch, now=now, raw={"style": "AW26-0301", "reason": "r", **raw})
    hold = record(decision="hold")
    assert overstock_execution.execute(db_session, review_id=review.id, decision_id=hold.id, actor=merch,
                                       now=now) == {"garments": 0, "events": 0}
    transfer = record(decision="transfer", to_location=STORE)
    # the warehouse's four (the store's own stay, the outlet's stay)
    assert overstock_execution.execute(db_session, review_id=review.id, decision_id=transfer.id, actor=merch,
                                       now=now) == {"garments": 4, "events": 4}
    pool = record(decision="rental_pool")
    assert overstock_execution.execute(db_session, review_id=review.id, decision_id=pool.id, actor=merch,
                                       now=now) == {"garments": 6, "events": 6}
    db_session.rollback()
    states = {g.state for g in db_session.scalars(select(Garment).where(Garment.code.in_(pool.garments)))}
    assert states == {GarmentState.IN_RENTAL_POOL}
    view = overstock_reviews.review_view(db_session, review.id)
    assert [(d["decision"], d["executed"], d["wrote"]["events"]) for d in view["decisions"]] == [
        ("hold", True, 0), ("transfer", True, 4), ("rental_pool", True, 6)]


def test_a_buyer_lot_decision_adds_the_garments_to_the_draft_lot(db_session, now, meeting):
    _, _, merch, review = meeting
    buyer = buyers.create_buyer(db_session, name="Opkoop NV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(db_session, buyer_id=buyer.id, valid_from=now.date(), valid_to=None,
                        restrictions=buyers.Restrictions(), actor_id=None, now=now)
    lot = buyer_lots.create_lot(db_session, buyer_id=buyer.id, destination_country="NL",
                                end_use=buyer_lots.EndUse.REUSE, planned_ship_on=now.date(), codes=[],
                                actor=merch, now=now)
    decision = overstock_reviews.record_decision(db_session, review_id=review.id, actor=merch, now=now, raw={
        "style": "AW26-0301", "decision": "buyer_lot", "reason": "last", "buyer_lot_id": lot})
    assert overstock_execution.execute(db_session, review_id=review.id, decision_id=decision.id, actor=merch,
                                       now=now) == {"garments": 7, "events": 7}
    assert sorted(buyer_lots.lot_view(db_session, lot)["garments"]) == sorted(decision.garments)
    with pytest.raises(AlreadyExecuted):
        overstock_execution.execute(db_session, review_id=review.id, decision_id=decision.id, actor=merch, now=now)


def test_the_next_review_shows_last_times_decisions_with_sales_since_by_channel(db_session, now, meeting):
    _, units, merch, first = meeting
    decision = overstock_reviews.record_decision(db_session, review_id=first.id, actor=merch, now=now, raw={
        "style": "AW26-0301", "decision": "mark_down", "reason": "slow", "percent": 30})
    overstock_execution.execute(db_session, review_id=first.id, decision_id=decision.id, actor=merch, now=now)
    later = now + 14 * DAY
    garments.act(db_session, code=units[5].code, action=Action.SELL, details={}, actor=merch, now=later - 3 * DAY)
    garments.act(db_session, code=units[7].code, action=Action.SELL, details={}, actor=merch, now=later - 2 * DAY)
    second = overstock_reviews.open_review(db_session, season="AW26", as_of=later.date(), actor=merch, now=later)
    view = overstock_reviews.review_view(db_session, second.id)
    (previous,) = view["previous"]["decisions"]
    assert view["previous"]["id"] == first.id and previous["decision"] == "mark_down" and previous["executed"]
    effect = previous["effect"]
    # one store sale and one outlet sale since; 5 on hand now: 2 / (2 + 5)
    assert effect["sold"] == {"store": 1, "outlet": 1, "rental_sale": 0, "buyer": 0}
    assert effect["on_hand"] == 5 and effect["sell_through_pct"] == 29
    assert effect["sell_through_pct_by_channel"]["store"] == 14
    assert rollup_rows(db_session) == sums_from_events(db_session)
    assert [r["id"] for r in overstock_reviews.list_reviews(db_session, season="AW26")] == [second.id, first.id]


def test_the_previous_review_is_of_the_same_season(db_session, now, meeting):
    _, _, merch, _ = meeting
    other = overstock_reviews.open_review(db_session, season="SS25", as_of=now.date() - dt.timedelta(days=1),
                                          actor=merch, now=now)
    assert overstock_reviews.review_view(db_session, other.id)["previous"] is None
