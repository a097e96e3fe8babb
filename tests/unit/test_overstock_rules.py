"""Overstock rules per collection: the plan curve, the flags with the rule named, versions, the form."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.overstock_figures import Channel, Line, LocationType
from cksloop.domain.overstock_rules import (CollectionRules, PlanCurve, Rule, evaluate, linear_plan, parse_rules,
                                            revise, s_curve_plan, week_of_season)

D = dt.date
START = D(2026, 2, 1)
AS_OF = D(2026, 5, 1)  # 89 days into the season: week 13
RULES = CollectionRules(season="SS26", season_starts_on=START)


def line(*, sold=9, on_hand=10, window=5, ages=834, as_of=AS_OF):
    """By default the S1 line of the figures fixture: 47 % sold, 8.0 weeks of cover, 83.4 days old."""
    return Line(key="S1", as_of=as_of, sold={Channel.STORE: sold}, on_hand={LocationType.WAREHOUSE: on_hand},
                sold_last_4_weeks=window, age_days_total=ages)


def test_the_s_curve_sells_half_its_target_mid_season_and_all_of_it_at_the_end():
    plan = s_curve_plan(weeks=26, target=0.8)
    assert plan.planned_at(13) == 0.4 and plan.planned_at(26) == 0.8
    assert plan.planned_at(1) == pytest.approx(0.8 * (3 / 26 ** 2 - 2 / 26 ** 3), abs=1e-6)  # 0.35 %
    assert plan.planned_at(0) == 0 and plan.planned_at(40) == 0.8


def test_the_s_curve_asks_less_than_linear_early_and_more_after_mid_season():
    s, linear = s_curve_plan(), linear_plan()
    assert linear.planned_at(1) == pytest.approx(0.8 / 26, abs=1e-6)
    assert s.planned_at(4) < linear.planned_at(4) and s.planned_at(20) > linear.planned_at(20)
    assert s.planned_at(13) == linear.planned_at(13)


@pytest.mark.parametrize("weeks", [(), (0.2, 0.1), (0.5, 1.2), (-0.1,)])
def test_a_plan_curve_that_falls_or_leaves_0_to_100_percent_is_refused(weeks):
    with pytest.raises(InvalidDetails):
        PlanCurve(weeks)


@pytest.mark.parametrize("as_of, week", [(D(2026, 1, 31), 0), (START, 1), (D(2026, 2, 7), 1), (D(2026, 2, 8), 2),
                                         (AS_OF, 13)])
def test_week_1_is_the_first_seven_days_of_the_season(as_of, week):
    assert week_of_season(START, as_of) == week


def test_a_line_just_inside_every_default_rule_is_not_flagged():
    # 47 % sold against a plan of 40 %, 8.0 weeks of cover (max 8), 83.4 days old (max 84)
    assert evaluate(line(), RULES) == []


def test_a_line_under_the_plan_curve_is_flagged_with_the_rule_named():
    flags = evaluate(line(sold=3, on_hand=10), RULES)  # 3 / 13 = 23 %
    assert [f.rule for f in flags] == [Rule.BELOW_PLAN]
    assert flags[0].as_dict() == {"rule": "below_plan",
                                  "message": "Sell-through 23% is below the plan of 40% for week 13 of the season."}


def test_a_line_within_the_plan_tolerance_is_not_flagged():
    assert evaluate(line(sold=36, on_hand=64, window=40), RULES) == []  # 36 % against 40 % − 5 points


def test_cover_and_age_above_their_maximum_are_flagged():
    stricter = revise(RULES, max_weeks_of_cover=7, max_age_weeks=11)
    assert [f.as_dict() for f in evaluate(line(), stricter)] == [
        {"rule": "cover", "message": "8.0 weeks of cover, more than the 7 allowed."},
        {"rule": "age", "message": "Stock is 83 days old on average, more than 11 weeks."},
    ]


def test_no_sales_in_four_weeks_is_above_any_cover():
    flags = evaluate(line(window=0, on_hand=12, sold=12, ages=0), RULES)
    assert [f.as_dict() for f in flags] == [
        {"rule": "cover", "message": "No sales in the last four weeks with 12 units on hand."}]


def test_a_line_with_fewer_units_than_the_minimum_is_not_judged():
    assert evaluate(line(sold=0, on_hand=9, window=0, ages=9000), RULES) == []
    assert len(evaluate(line(sold=0, on_hand=9, window=0, ages=9000), revise(RULES, min_units_on_hand=9))) == 3


def test_before_the_season_starts_sell_through_is_not_judged():
    assert evaluate(line(sold=0, window=10, ages=0, as_of=D(2026, 1, 20)), RULES) == []


def test_flags_are_rendered_in_the_readers_language():
    flag = evaluate(line(sold=3), RULES)[0]
    dutch = {flag.message: "Verkoopgraad %(actual)s%% ligt onder het plan van %(planned)s%% "
                           "in week %(week)s van het seizoen."}
    assert flag.render(dutch.get) == "Verkoopgraad 23% ligt onder het plan van 40% in week 13 van het seizoen."


def test_a_revision_is_a_new_version_and_leaves_the_old_one_as_it_was():
    revised = revise(RULES, max_age_weeks=10)
    assert (revised.version, revised.max_age_weeks) == (2, 10)
    assert (RULES.version, RULES.max_age_weeks) == (1, 12)


def test_rules_are_read_from_a_merchandisers_form_as_the_next_version():
    rules = parse_rules({"max_weeks_of_cover": "6,5", "max_age_weeks": "10", "min_units_on_hand": "0",
                         "plan_tolerance_pct": "2", "plan": "linear", "end_of_season_pct": "90"}, RULES)
    assert (rules.version, rules.max_weeks_of_cover, rules.max_age_weeks, rules.min_units_on_hand) == (2, 6.5, 10, 0)
    assert rules.plan_tolerance == 0.02 and rules.plan == linear_plan(target=0.9)
    assert parse_rules({}, RULES).plan == RULES.plan


@pytest.mark.parametrize("raw, field", [
    ({"max_weeks_of_cover": "0"}, "max_weeks_of_cover"), ({"max_weeks_of_cover": "nan"}, "max_weeks_of_cover"),
    ({"max_age_weeks": "2.5"}, "max_age_weeks"), ({"min_units_on_hand": "-1"}, "min_units_on_hand"),
    ({"plan_tolerance_pct": "60"}, "plan_tolerance_pct"), ({"end_of_season_pct": "0"}, "end_of_season_pct"),
    ({"plan": "cubic"}, "plan"), ({"max_age_weeks": True}, "max_age_weeks"),
])
def test_a_wrong_rule_value_is_refused_naming_its_field(raw, field):
    with pytest.raises(InvalidDetails) as refused:
        parse_rules(raw, RULES)
    assert field in refused.value.field_errors


@given(target=st.floats(0.05, 1.0), weeks=st.integers(1, 52))
def test_every_plan_curve_rises_week_by_week_to_its_target(target, weeks):
    for build in (s_curve_plan, linear_plan):
        plan = build(weeks=weeks, target=target)
        assert all(a <= b for a, b in zip(plan.weeks, plan.weeks[1:]))
        assert plan.planned_at(weeks) == pytest.approx(target, abs=1e-6)
