"""Overstock proposals: which actions a flagged style gets, with reasons, ranked by the value they keep."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.markdown import MarkdownPolicy
from cksloop.domain.overstock_figures import Channel, DailySales, LocationType, StockItem, compute_lines
from cksloop.domain.overstock_proposals import (Decision, RentalDemand, StoreRate, ValueShares, propose,
                                                share_by_rate, store_rates)
from cksloop.domain.overstock_rules import Flag, Rule

D = dt.date
AS_OF = D(2026, 5, 1)  # 12.7 weeks after the first receipt: the policy's −50 % step is due
FIRST = D(2026, 2, 1)
FLAGS = [Flag(Rule.COVER, "%(weeks)s weeks", {"weeks": 9})]
POLICY = MarkdownPolicy()
NAMES = {"ANT": "Antwerpen Meir", "GNT": "Gent", "BRG": "Brugge"}

SALES = [
    DailySales(D(2026, 4, 10), "S1", "M", "ANT", Channel.STORE, sold=3, returned=1),  # 2 in 4 weeks: 0.5 a week
    DailySales(D(2026, 4, 20), "S1", "L", "GNT", Channel.STORE, sold=6),              # 1.5 a week
    DailySales(D(2026, 3, 1), "S1", "L", "BRG", Channel.STORE, sold=4),               # before the window
    DailySales(D(2026, 4, 21), "S1", "L", "OUT", Channel.OUTLET, sold=9),             # not a store
    DailySales(D(2026, 4, 22), "S2", "L", "BRG", Channel.STORE, sold=9),              # another style
]


def items(n, size, location, kind, price=7995, original=7995):
    return [StockItem("S1", size, location, kind, FIRST, price, original) for _ in range(n)]


STOCK = [*items(4, "M", "WH", LocationType.WAREHOUSE), *items(2, "L", "ANT", LocationType.STORE),
         *items(2, "M", "BRG", LocationType.STORE)]


def proposals(stock=STOCK, rental=RentalDemand(utilisation=0.75, pool_units=1, target_pool_units=4), **kwargs):
    line = compute_lines(as_of=AS_OF, sales=SALES, stock=stock)["S1"]
    rates = store_rates(style="S1", as_of=AS_OF, sales=SALES, names=NAMES)
    return propose(line=line, flags=kwargs.pop("flags", FLAGS), stock=stock, rates=rates, policy=POLICY,
                   rental=rental, **kwargs)


def test_store_rates_name_the_stores_selling_the_style_fastest_first():
    assert store_rates(style="S1", as_of=AS_OF, sales=SALES, names=NAMES) == [
        StoreRate("GNT", "Gent", 1.5), StoreRate("ANT", "Antwerpen Meir", 0.5)]


def test_a_flagged_style_gets_every_action_ranked_by_the_value_each_garment_keeps():
    found = proposals()
    assert [(p.action, p.units, p.unit_value_cents) for p in found] == [
        (Decision.TRANSFER, 6, 7995),     # warehouse 4 + Brugge 2 (no sales there lately), at their price
        (Decision.RENTAL_POOL, 3, 4797),  # the pool wants 4 and holds 1; 60 % of 79,95
        (Decision.MARK_DOWN, 8, 3995),    # −50 %: 3997,50 → 39,95
        (Decision.OUTLET, 8, 3198),       # 40 % of 79,95
        (Decision.BUYER_LOT, 8, 799),     # 10 % of 79,95
    ]
    assert found[0].value_kept_cents == 6 * 7995


def test_a_transfer_names_the_stores_with_their_rate_and_the_sizes_to_move():
    transfer = proposals()[0].as_dict()
    assert transfer["reason"] == ("Move 6 units to the stores that sell this style fastest, units a week: "
                                  "Gent (1.5), Antwerpen Meir (0.5).")
    assert transfer["sizes"] == {"M": 6}
    assert transfer["to_stores"] == [{"location": "GNT", "name": "Gent", "units_per_week": 1.5, "units": 5},
                                     {"location": "ANT", "name": "Antwerpen Meir", "units_per_week": 0.5, "units": 1}]


def test_the_markdown_proposal_is_the_policys_next_step_with_its_reason():
    markdown = next(p for p in proposals() if p.action == Decision.MARK_DOWN).as_dict()
    assert markdown["percent"] == 50 and markdown["policy_version"] == 1
    assert markdown["reason"] == "Mark 8 units down to 50% below the original price: the policy's step after 10 weeks."


def test_a_rental_pool_proposal_says_how_well_the_style_rents_and_how_short_the_pool_is():
    rental = next(p for p in proposals() if p.action == Decision.RENTAL_POOL)
    assert rental.render() == ("Add 3 units to the rental pool: it rents 75% of the time and holds 1 of the "
                               "4 garments wanted.")


@pytest.mark.parametrize("rental", [None, RentalDemand(0.4, 1, 4), RentalDemand(None, 0, 4), RentalDemand(0.9, 4, 4)])
def test_no_rental_pool_proposal_when_the_style_rents_badly_or_the_pool_is_full(rental):
    assert Decision.RENTAL_POOL not in [p.action for p in proposals(rental=rental)]


def test_a_cheaper_assumption_for_rental_ranks_the_markdown_before_it():
    found = proposals(shares=ValueShares(rental_pct=45))
    assert [p.action for p in found][:3] == [Decision.TRANSFER, Decision.MARK_DOWN, Decision.RENTAL_POOL]


def test_a_buyer_lot_comes_last_whatever_it_would_keep():
    assert proposals(shares=ValueShares(buyer_pct=100))[-1].action == Decision.BUYER_LOT


def test_no_markdown_is_proposed_once_the_due_step_is_given():
    stock = [*items(4, "M", "WH", LocationType.WAREHOUSE, price=3995), *items(2, "L", "ANT", LocationType.STORE,
                                                                              price=3995)]
    assert Decision.MARK_DOWN not in [p.action for p in proposals(stock=stock)]


def test_no_transfer_without_a_store_that_sells_the_style():
    stock = items(4, "M", "WH", LocationType.WAREHOUSE)
    line = compute_lines(as_of=AS_OF, sales=[], stock=stock)["S1"]
    found = propose(line=line, flags=FLAGS, stock=stock, rates=[], policy=POLICY)
    assert [p.action for p in found] == [Decision.MARK_DOWN, Decision.OUTLET, Decision.BUYER_LOT]


def test_garments_in_the_rental_pool_are_never_proposed_for_sale():
    assert proposals(stock=items(3, "M", "DRS", LocationType.RENTAL_POOL), rental=None) == []


def test_a_line_that_breaks_no_rule_gets_no_proposals():
    assert proposals(flags=[]) == []


@pytest.mark.parametrize("units, rates, parts", [
    (6, [1.5, 0.5], [5, 1]),          # 4.5 / 1.5: the tie of halves goes to the faster store
    (10, [2.0, 1.0, 1.0], [5, 3, 2]),  # 5 / 2.5 / 2.5
    (1, [1.0, 1.0], [1, 0]),
    (0, [1.0], [0]),
    (3, [], []),
])
def test_transferred_units_are_shared_by_the_stores_rates(units, rates, parts):
    stores = [StoreRate(f"S{i}", f"S{i}", r) for i, r in enumerate(rates)]
    assert share_by_rate(units, stores) == parts


@given(units=st.integers(0, 500), rates=st.lists(st.floats(0.25, 50), min_size=1, max_size=5))
def test_shared_units_always_add_up(units, rates):
    parts = share_by_rate(units, [StoreRate(str(i), str(i), r) for i, r in enumerate(rates)])
    assert sum(parts) == units and min(parts) >= 0


def test_every_decision_carries_its_label():
    assert Decision.HOLD.label == "Hold until the next review"
    assert {d.value for d in Decision} == {"transfer", "rental_pool", "mark_down", "outlet", "buyer_lot", "hold"}


_stock = st.lists(st.builds(
    StockItem, style=st.just("S1"), size=st.sampled_from("SML"), location=st.sampled_from(["ANT", "BRG", "WH", "OUT"]),
    location_type=st.sampled_from(list(LocationType)), first_received_on=st.dates(D(2025, 10, 1), AS_OF),
    price_cents=st.integers(100, 20_000), original_price_cents=st.integers(20_000, 30_000)), min_size=1, max_size=30)


@given(stock=_stock, rental_pct=st.integers(0, 100), outlet_pct=st.integers(0, 100))
def test_proposals_are_ordered_by_value_kept_per_garment_with_a_buyer_lot_last(stock, rental_pct, outlet_pct):
    found = proposals(stock=stock, shares=ValueShares(rental_pct=rental_pct, outlet_pct=outlet_pct))
    own = [p for p in found if p.action != Decision.BUYER_LOT]
    assert [p.unit_value_cents for p in own] == sorted((p.unit_value_cents for p in own), reverse=True)
    assert all(p.action != Decision.BUYER_LOT for p in found[:-1])
    assert all(p.units > 0 and p.action != Decision.HOLD for p in found)
    assert len({p.action for p in found}) == len(found)


_unit = st.builds(
    lambda size, where, price_off, days: StockItem("S1", size, where[0], where[1], AS_OF + dt.timedelta(days),
                                                   7995 - price_off, 7995),
    st.sampled_from(["S", "M", "L"]),
    st.sampled_from([("WH", LocationType.WAREHOUSE), ("ANT", LocationType.STORE), ("BRG", LocationType.STORE),
                     ("OUT", LocationType.OUTLET), ("DRS", LocationType.RENTAL_POOL)]),
    st.sampled_from([0, 0, 2000, 4000]), st.integers(-120, 10))


def grouped(stock: list[StockItem], selling: set[str]) -> list[StockItem]:
    """The garments folded into rows as the collection review reads them: alike in everything but
    the receipt day, on one side of the review date, and the stores that have not sold the style
    lately taken together (place "")."""
    rows: dict[tuple, list[StockItem]] = {}
    for s in stock:
        place = "" if s.location_type == LocationType.STORE and s.location not in selling else s.location
        rows.setdefault((s.style, s.size, place, s.location_type, s.price_cents, s.original_price_cents,
                         s.first_received_on > AS_OF), []).append(s)
    return [StockItem(*key[:4], min(s.first_received_on for s in alike), key[4], key[5], len(alike),
                      sum(s.first_received_on.toordinal() for s in alike)) for key, alike in rows.items()]


@given(st.lists(_unit, min_size=1, max_size=30), st.integers(0, 6))
def test_grouped_stock_rows_give_the_figures_and_proposals_of_their_garments(stock, short):
    rental = RentalDemand(utilisation=0.9, pool_units=1, target_pool_units=1 + short)
    rates = store_rates(style="S1", as_of=AS_OF, sales=SALES, names=NAMES)  # ANT and GNT sell it, BRG not lately
    rows = grouped(stock, {r.location for r in rates})
    assert compute_lines(as_of=AS_OF, sales=SALES, stock=rows) == compute_lines(as_of=AS_OF, sales=SALES, stock=stock)
    line = compute_lines(as_of=AS_OF, sales=SALES, stock=stock)["S1"]
    assert propose(line=line, flags=FLAGS, stock=rows, rates=rates, policy=POLICY, rental=rental) == \
        propose(line=line, flags=FLAGS, stock=stock, rates=rates, policy=POLICY, rental=rental)
