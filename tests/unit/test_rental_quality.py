"""Rental quality rules: periods, utilisation and rates, attention points, the statement, safe CSV cells."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.rental_quality import (Figures, Period, Thresholds, attention_reasons, build_statement,
                                           csv_cell, days_overdue, is_acknowledged, material_label, parse_period,
                                           parse_thresholds, rate, total, utilisation)

TODAY = dt.date(2026, 11, 25)


def test_period_defaults_to_this_year_up_to_today():
    assert parse_period(None, "", today=TODAY) == Period(dt.date(2026, 1, 1), TODAY)
    assert parse_period("2025-03-01", None, today=TODAY) == Period(dt.date(2025, 3, 1), TODAY)
    assert parse_period(None, "2024-06-30", today=TODAY) == Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30))


def test_period_includes_both_ends():
    assert parse_period("2026-02-01", "2026-02-28", today=TODAY).days == 28


@pytest.mark.parametrize("raw_from, raw_to, field", [
    ("2026-02-30", None, "from"), ("25/11/2026", None, "from"), ("20261125", None, "from"),
    (None, "1999-12-31", "to"), (None, "2101-01-01", "to"), ("2026-12-01", "2026-11-30", "to"),
    ("2000-01-01", "2100-12-31", "from"), (" ", "tomorrow", "to"), (None, "2026-11-25T10:00", "to"),
])
def test_a_malformed_or_backward_period_names_the_field(raw_from, raw_to, field):
    with pytest.raises(InvalidDetails) as refused:
        parse_period(raw_from, raw_to, today=TODAY)
    assert field in refused.value.field_errors


def test_utilisation_is_days_rented_over_days_in_the_pool():
    assert utilisation(15.0, 20.0) == 0.75
    assert utilisation(0.0, 0.0) is None
    assert utilisation(3.0, 2.0) == 1.0  # rounding at the edges of a period never shows more than all of it


def test_quality_return_rate_is_quality_returns_over_returns():
    assert rate(1, 4) == 0.25 and rate(0, 0) is None
    figures = Figures(returns=2, quality_returns=1, days_rented=5.0, days_in_pool=10.0)
    assert figures.quality_return_rate == 0.5 and figures.utilisation == 0.5


def test_figures_add_up_including_defects_by_type():
    a = Figures(garments=1, cycles=2, days_rented=3.5, days_in_pool=7.0, returns=1, quality_returns=1,
                defects={"SNAG": 1}, repairs=1)
    b = Figures(garments=2, cycles=1, days_rented=1.5, days_in_pool=3.0, returns=2, defects={"SNAG": 2, "PILL": 1},
                cleanings=2)
    assert a + b == Figures(garments=3, cycles=3, days_rented=5.0, days_in_pool=10.0, returns=3, quality_returns=1,
                            defects={"SNAG": 3, "PILL": 1}, repairs=1, cleanings=2)
    assert (a + b).defect_count == 4 and total([]) == Figures() and Figures().is_empty()


_figures = st.builds(Figures, garments=st.integers(0, 50), cycles=st.integers(0, 50),
                     days_rented=st.integers(0, 500).map(float), days_in_pool=st.integers(0, 500).map(float),
                     returns=st.integers(0, 50), quality_returns=st.integers(0, 50),
                     defects=st.dictionaries(st.sampled_from(["SNAG", "PILL", "TEAR"]), st.integers(1, 9)))


@given(st.lists(_figures, max_size=6))
def test_totals_do_not_depend_on_the_order_of_the_groups(groups):
    assert total(groups) == total(reversed(groups))
    combined = total(groups)
    assert combined.defect_count == sum(g.defect_count for g in groups)
    assert combined.utilisation is None or 0.0 <= combined.utilisation <= 1.0


def test_one_quality_return_is_an_attention_point_by_default():
    assert attention_reasons(Figures(returns=1, quality_returns=1), Thresholds()) == ["quality_returns"]
    assert attention_reasons(Figures(returns=9), Thresholds()) == []


def test_defects_and_quality_rate_pass_their_own_thresholds():
    many_defects = Figures(returns=3, defects={"PILL": 3, "ABR": 2})
    assert attention_reasons(many_defects, Thresholds()) == ["defects"]
    frequent = Figures(returns=10, quality_returns=2)
    strict = Thresholds(min_quality_returns=5, min_quality_rate=0.2, min_returns_for_rate=10)
    assert attention_reasons(frequent, strict) == ["quality_rate"]
    too_few = Figures(returns=4, quality_returns=2)
    assert attention_reasons(too_few, strict) == []  # a rate over four returns says little


def test_thresholds_come_from_a_form_in_percent_and_refuse_nonsense():
    parsed = parse_thresholds({"min_quality_returns": "2", "min_defects": "", "min_quality_rate": "15%"}, Thresholds())
    assert parsed == Thresholds(min_quality_returns=2, min_defects=5, min_quality_rate=0.15)
    with pytest.raises(InvalidDetails) as refused:
        parse_thresholds({"min_defects": "0", "min_quality_rate": "150", "min_quality_returns": "x"}, Thresholds())
    assert set(refused.value.field_errors) == {"min_defects", "min_quality_rate", "min_quality_returns"}
    with pytest.raises(InvalidDetails):
        Thresholds(min_quality_returns=0)


def test_an_acknowledgement_holds_until_newer_evidence():
    noon = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    assert is_acknowledged(noon, noon - dt.timedelta(hours=1))
    assert is_acknowledged(noon, None)
    assert not is_acknowledged(noon, noon + dt.timedelta(minutes=1))
    assert not is_acknowledged(None, noon)


def test_statement_is_one_reproducible_line():
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    statement = build_statement(period, garments=120, cycles=431, quality_returns=1,
                                reasons={"SNAG": 1, "PILL": 0})
    assert statement.render() == ("2025-01-01 to 2025-12-31: 120 garments, 431 rental cycles, 1 quality return "
                                  "(reasons: snag, pulled yarn, loop (1))")
    again = build_statement(period, garments=120, cycles=431, quality_returns=1, reasons={"PILL": 0, "SNAG": 1})
    assert again == statement
    assert statement.as_dict()["reasons"] == [{"defect": "SNAG", "count": 1}]


def test_statement_orders_reasons_by_count_then_code_and_says_none():
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    several = build_statement(period, garments=1, cycles=1, quality_returns=3, reasons={"TEAR": 1, "SNAG": 2, "ABR": 1})
    assert [code for code, _ in several.reasons] == ["SNAG", "ABR", "TEAR"]
    nothing = build_statement(period, garments=0, cycles=0, quality_returns=0, reasons={})
    assert nothing.render().endswith("0 garments, 0 rental cycles, 0 quality returns (reasons: none)")


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\r=1", "'\r=1"), ("CKS-00001", "CKS-00001"), ("", ""), (None, ""), (-5, -5), (2.5, 2.5),
])
def test_csv_cells_never_start_a_formula(value, safe):
    assert csv_cell(value) == safe


@given(st.text(max_size=30))
def test_no_text_cell_starts_with_a_formula_character(text):
    cell = csv_cell(text)
    assert not (isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"))


def test_days_overdue_counts_whole_days_after_the_due_date():
    assert days_overdue(dt.date(2026, 11, 20), TODAY) == 5
    assert days_overdue(TODAY, TODAY) == 0 and days_overdue(dt.date(2026, 12, 1), TODAY) == 0


def test_materials_are_named_as_merchandisers_say_them():
    assert material_label("Viscose", "LENZING™ ECOVERO™") == "viscose (LENZING™ ECOVERO™)"
    assert material_label("wool", "") == "wool"
