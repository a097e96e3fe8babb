"""Overstock review sessions: the review date, a decision's parameters, and the effect of a past decision."""
from __future__ import annotations

import datetime as dt

import pytest

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.overstock_figures import Channel, DailySales
from cksloop.domain.overstock_proposals import Decision
from cksloop.domain.overstock_review import DecisionRequest, decision_effect, parse_as_of, parse_decision

D = dt.date
TODAY = D(2026, 12, 1)
STYLES = {"SS26-101", "SS26-102"}


@pytest.mark.parametrize("raw, expected", [(None, TODAY), ("", TODAY), ("2026-11-17", D(2026, 11, 17)),
                                           (" 2026-12-01 ", TODAY), (D(2026, 6, 1), D(2026, 6, 1))])
def test_the_review_date_defaults_to_today(raw, expected):
    assert parse_as_of(raw, today=TODAY) == expected


@pytest.mark.parametrize("raw", ["2026-12-02", "2026-02-30", "01/12/2026", "1999-12-31", 20261201,
                                 dt.datetime(2026, 11, 1, 10, 0)])
def test_a_review_date_in_the_future_or_malformed_is_refused(raw):
    with pytest.raises(InvalidDetails) as refused:
        parse_as_of(raw, today=TODAY)
    assert "as_of" in refused.value.field_errors


@pytest.mark.parametrize("raw, expected", [
    ({"style": "SS26-101", "decision": "mark_down", "reason": "slow", "percent": 30},
     DecisionRequest("SS26-101", Decision.MARK_DOWN, "slow", percent=30, params={"percent": 30})),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "slow", "percent": "12.5%"},
     DecisionRequest("SS26-101", Decision.MARK_DOWN, "slow", percent=12.5, params={"percent": 12.5})),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "slow", "target_price_cents": 2995},
     DecisionRequest("SS26-101", Decision.MARK_DOWN, "slow", target_price_cents=2995,
                     params={"target_price_cents": 2995})),
    ({"style": "SS26-102", "decision": "transfer", "reason": " Gent sells it ", "to_location": "GNT"},
     DecisionRequest("SS26-102", Decision.TRANSFER, "Gent sells it", to_location="GNT", params={"to_location": "GNT"})),
    ({"style": "SS26-102", "decision": "outlet", "reason": "old", "to_location": "OUT"},
     DecisionRequest("SS26-102", Decision.OUTLET, "old", to_location="OUT", params={"to_location": "OUT"})),
    ({"style": "SS26-102", "decision": "buyer_lot", "reason": "last", "buyer_lot_id": 7},
     DecisionRequest("SS26-102", Decision.BUYER_LOT, "last", buyer_lot_id=7, params={"buyer_lot_id": 7})),
    ({"style": "SS26-102", "decision": "rental_pool", "reason": "rents well"},
     DecisionRequest("SS26-102", Decision.RENTAL_POOL, "rents well")),
    ({"style": "SS26-102", "decision": "hold", "reason": "new delivery selling"},
     DecisionRequest("SS26-102", Decision.HOLD, "new delivery selling")),
])
def test_a_decision_is_read_with_the_parameters_it_takes(raw, expected):
    assert parse_decision(raw, styles=STYLES) == expected


@pytest.mark.parametrize("raw, fields", [
    ({"style": "SS26-999", "decision": "hold", "reason": "x"}, {"style"}),
    ({"decision": "hold", "reason": "x"}, {"style"}),
    ({"style": "SS26-101", "decision": "burn", "reason": "x"}, {"decision"}),
    ({"style": "SS26-101", "decision": "hold", "reason": " "}, {"reason"}),
    ({"style": "SS26-101", "decision": "hold", "reason": "x" * 501}, {"reason"}),
    ({"style": "SS26-101", "decision": "hold", "reason": "x", "percent": 30}, {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x"}, {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x", "percent": 30, "target_price_cents": 2995},
     {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x", "percent": 101}, {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x", "percent": 0}, {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x", "percent": True}, {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x", "percent": "lots"}, {"percent"}),
    ({"style": "SS26-101", "decision": "mark_down", "reason": "x", "target_price_cents": 29.95},
     {"target_price_cents"}),
    ({"style": "SS26-101", "decision": "transfer", "reason": "x"}, {"to_location"}),
    ({"style": "SS26-101", "decision": "outlet", "reason": "x", "to_location": "OUT", "buyer_lot_id": 3},
     {"buyer_lot_id"}),
    ({"style": "SS26-101", "decision": "buyer_lot", "reason": "x", "buyer_lot_id": "7"}, {"buyer_lot_id"}),
    ({}, {"style", "decision", "reason"}),
])
def test_a_wrong_decision_is_refused_naming_every_field(raw, fields):
    with pytest.raises(InvalidDetails) as refused:
        parse_decision(raw, styles=STYLES)
    assert set(refused.value.field_errors) == fields


SALES = [
    DailySales(D(2026, 11, 17), "SS26-101", "M", "ANT", Channel.STORE, sold=5),   # the review's own day
    DailySales(D(2026, 11, 20), "SS26-101", "M", "ANT", Channel.STORE, sold=4, returned=1),
    DailySales(D(2026, 11, 25), "SS26-101", "L", "OUT", Channel.OUTLET, sold=3),
    DailySales(D(2026, 12, 2), "SS26-101", "L", "OUT", Channel.OUTLET, sold=9),   # after this review
    DailySales(D(2026, 11, 25), "SS26-102", "L", "ANT", Channel.STORE, sold=8),   # another style
]


def test_the_effect_of_a_decision_counts_net_sales_after_the_review_day_by_channel():
    effect = decision_effect(style="SS26-101", decided_on=D(2026, 11, 17), as_of=TODAY, sales=SALES, on_hand=14)
    assert effect.as_shown() == {
        "since": "2026-11-17", "as_of": "2026-12-01",
        "sold": {"store": 3, "outlet": 3, "rental_sale": 0, "buyer": 0}, "sold_total": 6, "on_hand": 14,
        "sell_through_pct": 30,  # 6 / 20
        "sell_through_pct_by_channel": {"store": 15, "outlet": 15, "rental_sale": 0, "buyer": 0},
    }


def test_a_decision_with_nothing_sold_since_shows_zero_not_nothing():
    effect = decision_effect(style="SS26-101", decided_on=TODAY, as_of=TODAY, sales=SALES, on_hand=14)
    assert effect.sold_total == 0 and effect.as_shown()["sell_through_pct"] == 0


def test_a_two_weekly_review_runs_from_rollup_rows_to_a_markdown_and_its_effect_two_weeks_later():
    from cksloop.domain.lifecycle import GarmentState
    from cksloop.domain.markdown import GarmentPrice, MarkdownPolicy, plan_markdown
    from cksloop.domain.overstock_figures import LocationType, StockItem, compute_lines
    from cksloop.domain.overstock_proposals import propose, store_rates
    from cksloop.domain.overstock_rules import CollectionRules, evaluate

    start, review_on = D(2026, 2, 1), D(2026, 5, 1)
    sales = [DailySales(D(2026, 4, 15), "SLOW", "M", "ANT", Channel.STORE, sold=1),
             DailySales(D(2026, 4, 15), "FAST", "M", "ANT", Channel.STORE, sold=30)]
    stock = [StockItem(style, "M", "WH", LocationType.WAREHOUSE, first, 7995, 7995)
             for style, n, first in (("SLOW", 20, start), ("FAST", 10, D(2026, 4, 1))) for _ in range(n)]
    rules, policy = CollectionRules(season="SS26", season_starts_on=start), MarkdownPolicy()
    lines = compute_lines(as_of=review_on, sales=sales, stock=stock)
    flags = {style: evaluate(line, rules) for style, line in lines.items()}
    assert [f.rule.value for f in flags["SLOW"]] == ["below_plan", "cover", "age"] and flags["FAST"] == []

    slow_stock = [s for s in stock if s.style == "SLOW"]
    proposals = propose(line=lines["SLOW"], flags=flags["SLOW"], stock=slow_stock, policy=policy,
                        rates=store_rates(style="SLOW", as_of=review_on, sales=sales))
    assert [p.action.value for p in proposals] == ["transfer", "mark_down", "outlet", "buyer_lot"]
    markdown = proposals[1]
    decision = parse_decision({"style": "SLOW", "decision": "mark_down", "reason": markdown.render(),
                               "percent": markdown.details["percent"]}, styles=set(lines))
    plan = plan_markdown(policy, [GarmentPrice(f"CKS-{i:05d}", GarmentState.IN_STOCK, s.price_cents,
                                               s.original_price_cents) for i, s in enumerate(slow_stock)],
                         percent=decision.percent)
    assert {c.to_price_cents for c in plan.changes} == {3995} and len(plan.changes) == 20

    later = [*sales, DailySales(D(2026, 5, 8), "SLOW", "M", "ANT", Channel.STORE, sold=6)]
    effect = decision_effect(style="SLOW", decided_on=review_on, as_of=D(2026, 5, 15), sales=later, on_hand=14)
    assert (effect.sold_total, effect.as_shown()["sell_through_pct"]) == (6, 30)
