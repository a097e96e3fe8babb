"""The overstock charts' series and SVG geometry against hand-computed values."""
from __future__ import annotations

import datetime as dt

import pytest

from cksloop.domain.overstock_charts import (Bar, Frame, PricedUnit, age_buckets, bars, depth_by_week,
                                             label_positions, plan_series, points_attribute, polyline,
                                             sell_through_by_week, ticks, week_end, weeks_until, x_for, y_for)
from cksloop.domain.overstock_figures import Channel, DailySales, LocationType, StockItem

D = dt.date
FRAME = Frame()  # 640 × 240, plot 576 × 184 from (48, 16), baseline at 200


def sale(day: dt.date, sold: int, returned: int = 0) -> DailySales:
    return DailySales(day, "AW26-1", "M", "ANT-MEIR", Channel.STORE, sold, returned)


def item(received: dt.date) -> StockItem:
    return StockItem("AW26-1", "M", "WH", LocationType.WAREHOUSE, received, 5000, 5000)


def test_the_default_frame_leaves_a_576_by_184_plot_above_a_baseline_at_200() -> None:
    assert (FRAME.plot_width, FRAME.plot_height, FRAME.baseline) == (576, 184, 200)


@pytest.mark.parametrize(("position", "count", "x"), [(1, 26, 48), (26, 26, 624), (14, 27, 336), (1, 1, 48)])
def test_points_spread_evenly_from_the_left_to_the_right_edge_of_the_plot(position, count, x) -> None:
    assert x_for(FRAME, position, count) == x


@pytest.mark.parametrize(("value", "top", "y"), [(0, 1, 200), (1, 1, 16), (0.25, 1, 154), (1.5, 1, 16),
                                                  (-0.1, 1, 200), (0.05, 0.1, 108)])
def test_values_map_from_the_baseline_up_and_are_kept_inside_the_plot(value, top, y) -> None:
    assert y_for(FRAME, value, top) == y


def test_bars_share_the_plot_in_equal_slots_and_the_tallest_fills_it() -> None:
    # slot 576 / 4 = 144, bar 80 % of it (115.2) starting 14.4 into the slot; 1/3 of 184 = 61.3
    assert bars(FRAME, [1, 3, 0, 2]) == [Bar(62.4, 138.7, 115.2, 61.3, 1), Bar(206.4, 16.0, 115.2, 184.0, 3),
                                         Bar(350.4, 200.0, 115.2, 0.0, 0), Bar(494.4, 77.3, 115.2, 122.7, 2)]
    assert [b.height for b in bars(FRAME, [0, 0])] == [0.0, 0.0]
    assert bars(FRAME, []) == []


def test_a_polyline_leaves_out_weeks_without_a_value_and_writes_svg_points() -> None:
    points = polyline(FRAME, [(1, 0.0), (2, None), (3, 0.25)], 3)
    assert points == [(48.0, 200.0), (624.0, 154.0)]
    assert points_attribute(points) == "48,200 624,154"
    assert ticks(FRAME, (0.0, 0.5)) == [(200.0, 0.0), (108.0, 0.5)]


def test_week_one_is_the_seasons_first_seven_days() -> None:
    start = D(2026, 8, 1)
    assert week_end(start, 1) == D(2026, 8, 7)
    assert [weeks_until(start, d) for d in (D(2026, 7, 31), start, D(2026, 8, 7), D(2026, 8, 8))] == [0, 1, 1, 2]
    assert label_positions(26, 4) == [1, 4, 8, 12, 16, 20, 24, 26]
    assert plan_series((0.1, 0.3), 3) == [(1, 0.1), (2, 0.3), (3, 0.3)]


def test_sell_through_by_week_divides_net_sales_to_date_by_what_the_collection_had_to_sell() -> None:
    start, as_of = D(2026, 8, 1), D(2026, 8, 20)  # week 3
    sales = [sale(D(2026, 7, 30), 2),  # before the season: counts in week 1
             sale(D(2026, 8, 7), 3), sale(D(2026, 8, 8), 1, returned=1), sale(D(2026, 8, 20), 4),
             sale(D(2026, 8, 21), 10)]  # after the review date: left out
    # sold by the review date 2 + 3 + 0 + 4 = 9, on hand 10: the whole is 19
    assert sell_through_by_week(sales=sales, season_starts_on=start, as_of=as_of, on_hand=10) == [
        (1, 5 / 19), (2, 5 / 19), (3, 9 / 19)]
    assert sell_through_by_week(sales=[], season_starts_on=start, as_of=as_of, on_hand=0) == [
        (1, None), (2, None), (3, None)]


def test_stock_age_buckets_put_a_unit_of_exactly_four_weeks_in_the_younger_bucket() -> None:
    as_of = D(2026, 11, 25)
    stock = [item(as_of - dt.timedelta(days=n)) for n in (28, 29, 0, 200)]
    assert age_buckets(stock, as_of) == [(0, 4, 2), (4, 8, 1), (8, 12, 0), (12, 16, 0), (16, 26, 0), (26, None, 1)]


def test_markdown_depth_by_week_weights_each_received_unit_by_its_original_price() -> None:
    a = PricedUnit(D(2026, 8, 1), [(D(2026, 8, 10), 7000), (D(2026, 8, 1), 10000)], 10000)
    b = PricedUnit(D(2026, 8, 9), [(D(2026, 8, 9), 5000)], 5000)
    assert a.price_on(D(2026, 7, 1)) == 10000 and a.price_on(D(2026, 8, 10)) == 7000
    # week 1 (to 7 Aug): only A, at full price; weeks 2 and 3: 1 − (7000 + 5000) / 15000 = 20 %
    series = depth_by_week([a, b], season_starts_on=D(2026, 8, 1), as_of=D(2026, 8, 16))
    assert [(w, round(v, 6)) for w, v in series] == [(1, 0.0), (2, 0.2), (3, 0.2)]
    assert depth_by_week([], season_starts_on=D(2026, 8, 1), as_of=D(2026, 8, 1)) == [(1, None)]
