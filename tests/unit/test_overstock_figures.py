"""Overstock figures on a small fixture, every value computed by hand (including returns and markdowns)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.lifecycle import GarmentState, LocationKind
from cksloop.domain.overstock_figures import (Channel, DailySales, LocationType, Receipt, StockItem, age_days,
                                              by_location, by_size, compute_lines, is_overstock_sale, markdown_depth,
                                              on_hand_location_type, own_channel_share, sell_through, shown_days,
                                              shown_pct, shown_weeks, weeks_of_cover)

D = dt.date
AS_OF = D(2026, 5, 1)  # the four-week window runs from 4 April to 1 May
S, O, R, B = Channel.STORE, Channel.OUTLET, Channel.RENTAL_SALE, Channel.BUYER

SALES = [
    DailySales(D(2026, 3, 10), "S1", "M", "ANT", S, sold=4),               # before the window
    DailySales(D(2026, 4, 10), "S1", "M", "ANT", S, sold=3, returned=1),   # net 2 in the window
    DailySales(D(2026, 4, 20), "S1", "L", "OUT", O, sold=2),
    DailySales(D(2026, 4, 25), "S1", "L", "DRS", R, sold=1),
    DailySales(D(2026, 5, 2), "S1", "M", "ANT", S, sold=5),                # after the review date
    DailySales(D(2026, 4, 25), "S2", "M", "ANT", S, sold=7),               # another style
]
RECEIPTS = [Receipt(D(2026, 2, 1), "S1", "M", "WH", 10), Receipt(D(2026, 2, 1), "S1", "L", "WH", 10),
            Receipt(D(2026, 5, 3), "S1", "L", "WH", 50)]


def items(n, size, location, kind, first, price, original=7995, style="S1"):
    return [StockItem(style, size, location, kind, first, price, original) for _ in range(n)]


STOCK = [
    *items(4, "M", "WH", LocationType.WAREHOUSE, D(2026, 2, 1), 7995),
    *items(2, "L", "ANT", LocationType.STORE, D(2026, 2, 1), 5595),      # marked down 30 %
    *items(2, "L", "OUT", LocationType.OUTLET, D(2026, 3, 1), 3995),     # outlet price
    *items(2, "M", "DRS", LocationType.RENTAL_POOL, D(2026, 2, 1), 7995),
]


def s1(**kwargs):
    return compute_lines(as_of=AS_OF, sales=SALES, stock=STOCK, receipts=RECEIPTS, planned={"S1": 24}, **kwargs)


def test_a_style_line_counts_receipts_net_sales_by_channel_and_stock_by_location_type():
    line = s1()["S1"]
    assert line.planned == 24 and line.received == 20  # the delivery of 3 May is after the review
    assert dict(line.sold) == {S: 6, O: 2, R: 1} and line.sold_total == 9 and line.returned == 1
    assert dict(line.on_hand) == {LocationType.WAREHOUSE: 4, LocationType.STORE: 2, LocationType.OUTLET: 2,
                                  LocationType.RENTAL_POOL: 2}
    assert line.sold_last_4_weeks == 5 and line.weekly_rate == 1.25
    assert line.first_received_on == D(2026, 2, 1) and line.oldest_age_days == 89


def test_a_style_line_shows_its_figures_rounded_once():
    assert s1()["S1"].as_shown() == {
        "planned": 24, "received": 20,
        "sold": {"store": 6, "outlet": 2, "rental_sale": 1, "buyer": 0}, "sold_total": 9, "returned": 1,
        "on_hand": {"store": 2, "warehouse": 4, "outlet": 2, "rental_pool": 2}, "on_hand_total": 10,
        "sell_through_pct": 47,          # 9 / 19 = 47.4 %
        "weeks_of_cover": 8.0,           # 10 / (5 / 4)
        "age_days": 83,                  # (8 × 89 + 2 × 61) / 10 = 83.4
        "markdown_depth_pct": 16,        # 1 − 67150 / 79950 = 16.0 %
        "rental_pool_share_pct": 20,     # 2 / 10
        "outlet_sell_through_pct": 50,   # 2 sold at the outlet, 2 on hand there
    }


def test_lines_drill_down_to_sizes():
    lines = compute_lines(as_of=AS_OF, sales=[r for r in SALES if r.style == "S1"], stock=STOCK,
                          receipts=RECEIPTS, key=by_size)
    assert sorted(lines) == ["L", "M"]
    m, large = lines["M"].as_shown(), lines["L"].as_shown()
    assert (m["sold_total"], m["on_hand_total"], m["sell_through_pct"], m["weeks_of_cover"]) == (6, 6, 50, 12.0)
    assert (large["sold_total"], large["on_hand_total"], large["sell_through_pct"], large["weeks_of_cover"]) == \
        (3, 4, 43, 5.3)  # 3 / 7 = 42.9 %; 4 / 0.75 = 5.33


def test_lines_drill_down_to_locations():
    lines = compute_lines(as_of=AS_OF, sales=[r for r in SALES if r.style == "S1"], stock=STOCK,
                          receipts=RECEIPTS, key=by_location)
    shown = {k: (v.sold_total, v.on_hand_total, v.as_shown()["sell_through_pct"]) for k, v in lines.items()}
    assert shown == {"ANT": (6, 2, 75), "DRS": (1, 2, 33), "OUT": (2, 2, 50), "WH": (0, 4, 0)}
    assert lines["WH"].received == 20 and lines["WH"].weeks_of_cover is None


def test_a_style_without_sales_or_stock_has_no_ratios_rather_than_zeros():
    line = compute_lines(as_of=AS_OF, sales=[], stock=[], receipts=[Receipt(D(2026, 2, 1), "S9", "M", "WH", 3)])["S9"]
    shown = line.as_shown()
    assert shown["sell_through_pct"] is None and shown["weeks_of_cover"] is None
    assert shown["age_days"] is None and shown["markdown_depth_pct"] is None and shown["rental_pool_share_pct"] is None
    assert shown["outlet_sell_through_pct"] is None


@pytest.mark.parametrize("sold, on_hand, expected", [(0, 0, None), (0, 5, 0.0), (5, 0, 1.0), (1, 3, 0.25),
                                                     (-2, 4, 0.0)])
def test_sell_through_is_sold_over_sold_plus_on_hand(sold, on_hand, expected):
    assert sell_through(sold=sold, on_hand=on_hand) == expected


@pytest.mark.parametrize("on_hand, sold, expected", [(10, 0, None), (10, -3, None), (10, 4, 10.0), (0, 4, 0.0),
                                                     (9, 12, 3.0)])
def test_weeks_of_cover_is_on_hand_over_the_mean_weekly_sales_of_four_weeks(on_hand, sold, expected):
    assert weeks_of_cover(on_hand=on_hand, sold_last_4_weeks=sold) == expected


def test_stock_age_counts_whole_days_since_the_first_receipt():
    assert age_days(D(2026, 2, 1), AS_OF) == 89
    assert age_days(AS_OF, AS_OF) == 0 and age_days(D(2026, 5, 2), AS_OF) == 0


def test_markdown_depth_is_one_minus_current_over_original_price():
    assert shown_pct(markdown_depth(price_cents=7000, original_price_cents=10000)) == 30
    assert markdown_depth(price_cents=9995, original_price_cents=9995) == 0
    assert markdown_depth(price_cents=100, original_price_cents=0) is None


@pytest.mark.parametrize("fraction, shown", [(0.125, 13), (0.145, 15), (0.005, 1), (0.0049, 0), (1 / 3, 33),
                                             (2 / 3, 67), (1.0, 100), (None, None)])
def test_percentages_are_shown_whole_with_halves_rounded_up(fraction, shown):
    assert shown_pct(fraction) == shown


@pytest.mark.parametrize("weeks, shown", [(5.25, 5.3), (5.35, 5.4), (16 / 3, 5.3), (8.0, 8.0), (None, None)])
def test_weeks_of_cover_are_shown_to_one_decimal_with_halves_rounded_up(weeks, shown):
    assert shown_weeks(weeks) == shown


def test_days_are_shown_whole():
    assert (shown_days(83.4), shown_days(83.5), shown_days(None)) == (83, 84, None)


@pytest.mark.parametrize("state, kind, expected", [
    (GarmentState.IN_STOCK, LocationKind.STORE, LocationType.STORE),
    (GarmentState.IN_STOCK, LocationKind.WAREHOUSE, LocationType.WAREHOUSE),
    (GarmentState.IN_STOCK, LocationKind.OUTLET, LocationType.OUTLET),
    (GarmentState.IN_CARE, LocationKind.PARTNER, LocationType.WAREHOUSE),
    (GarmentState.ALLOCATED_TO_BUYER_LOT, LocationKind.WAREHOUSE, LocationType.WAREHOUSE),
    (GarmentState.IN_RENTAL_POOL, LocationKind.STORE, LocationType.RENTAL_POOL),
    (GarmentState.RENTED_OUT, LocationKind.PARTNER, LocationType.RENTAL_POOL),
    (GarmentState.AWAITING_INSPECTION, LocationKind.WAREHOUSE, LocationType.RENTAL_POOL),
    (GarmentState.SOLD, LocationKind.STORE, None),
    (GarmentState.SHIPPED_TO_BUYER, LocationKind.WAREHOUSE, None),
    (GarmentState.RETIRED, LocationKind.WAREHOUSE, None),
    (GarmentState.WRITTEN_OFF, LocationKind.STORE, None),
    (None, LocationKind.STORE, None),
])
def test_a_garment_counts_on_hand_by_its_state_and_location_kind(state, kind, expected):
    assert on_hand_location_type(state, kind) == expected


@pytest.mark.parametrize("sold, share", [({S: 6, O: 2, R: 1, B: 1}, 0.9), ({B: 3}, 0.0), ({S: 2}, 1.0), ({}, None)])
def test_the_own_channel_share_is_stores_outlet_and_rental_sale_against_buyers(sold, share):
    assert own_channel_share(sold) == share


@pytest.mark.parametrize("channel, paid, overstock", [(S, 7995, False), (S, 5595, True), (O, 7995, True),
                                                     (R, 7995, True), (B, 800, True)])
def test_overstock_sales_are_markdowns_outlet_rental_sales_and_buyers(channel, paid, overstock):
    assert is_overstock_sale(channel=channel, price_paid_cents=paid, original_price_cents=7995) is overstock


def test_channels_and_location_types_carry_their_labels():
    assert Channel.RENTAL_SALE.label == "rental sale" and LocationType.RENTAL_POOL.label == "rental pool"


_rows = st.lists(st.builds(
    DailySales, day=st.dates(D(2026, 1, 1), D(2026, 6, 30)), style=st.just("S1"), size=st.sampled_from("SML"),
    location=st.sampled_from(["ANT", "GNT", "OUT"]), channel=st.sampled_from(list(Channel)),
    sold=st.integers(0, 20), returned=st.integers(0, 3)), max_size=40)
_stock = st.lists(st.builds(
    StockItem, style=st.just("S1"), size=st.sampled_from("SML"), location=st.sampled_from(["ANT", "WH", "OUT"]),
    location_type=st.sampled_from(list(LocationType)), first_received_on=st.dates(D(2026, 1, 1), D(2026, 5, 1)),
    price_cents=st.integers(1, 20_000), original_price_cents=st.integers(20_000, 30_000)), max_size=40)


@given(sales=_rows, stock=_stock)
def test_the_sizes_of_a_style_add_up_to_the_style(sales, stock):
    style = compute_lines(as_of=AS_OF, sales=sales, stock=stock).get("S1")
    sizes = compute_lines(as_of=AS_OF, sales=sales, stock=stock, key=by_size).values()
    assert (style.sold_total if style else 0) == sum(line.sold_total for line in sizes)
    assert (style.on_hand_total if style else 0) == sum(line.on_hand_total for line in sizes)
    assert (style.sold_last_4_weeks if style else 0) == sum(line.sold_last_4_weeks for line in sizes)
    if style and style.sell_through is not None:
        assert 0 <= style.sell_through <= 1
    if style and style.markdown_depth is not None:
        assert 0 <= style.markdown_depth < 1
