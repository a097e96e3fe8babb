"""Unsold-goods disclosure: lawful discards only, and the yearly figures against hand-computed ones."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.disclosure import (NO_GROUND, DiscardRecord, MeasureRecord, PreventionMeasure, Treatment,
                                       category_of, check_discard, disclose, evidence_kept_until,
                                       measure_of_retirement,
                                       split_percent, treatment_of_retirement)
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import DestructionGround, RetireRoute

T = Treatment
G = DestructionGround
DAY = dt.date(2027, 5, 1)


def test_a_discard_with_a_ground_and_evidence_is_allowed():
    assert check_discard(ground="f_damaged_beyond_repair", evidence="photo/2027/0412.jpg") is G.DAMAGED_BEYOND_REPAIR


@pytest.mark.parametrize(("ground", "evidence", "fields"), [
    (None, "doc.pdf", {"ground"}),
    ("a_dangerous", "", {"evidence"}),
    ("a_dangerous", None, {"evidence"}),
    ("end_of_season", "doc.pdf", {"ground"}),
    ("overproduction", "doc.pdf", {"ground"}),
    ("z_because", "doc.pdf", {"ground"}),
    ("", "  ", {"ground", "evidence"}),
])
def test_a_discard_without_a_real_ground_or_without_evidence_is_refused(ground, evidence, fields):
    with pytest.raises(InvalidDetails) as refused:
        check_discard(ground=ground, evidence=evidence)
    assert set(refused.value.field_errors) == fields


def test_end_of_season_is_refused_with_its_own_reason():
    with pytest.raises(InvalidDetails) as refused:
        check_discard(ground="end_of_season", evidence="doc.pdf")
    assert "not grounds" in refused.value.field_errors["ground"]


def test_only_recycling_among_retirements_is_a_discard_the_others_are_measures():
    assert treatment_of_retirement(RetireRoute.RECYCLING) is T.RECYCLING
    assert treatment_of_retirement(RetireRoute.REMANUFACTURING) is None
    assert treatment_of_retirement(RetireRoute.OFFCUTS) is None
    assert measure_of_retirement(RetireRoute.REMANUFACTURING) is PreventionMeasure.REMANUFACTURING
    assert measure_of_retirement(RetireRoute.OFFCUTS) is PreventionMeasure.WORKSHOPS
    assert measure_of_retirement(RetireRoute.RECYCLING) is None


@pytest.mark.parametrize(("cn", "headings", "category"), [
    ("6204", frozenset(), "62"), ("62043100", frozenset(), "62"), ("6403 99", frozenset({"6403"}), "6403"),
    ("61.09", frozenset({"6403"}), "61"),
])
def test_the_category_is_the_chapter_or_the_heading_where_asked(cn, headings, category):
    assert category_of(cn, four_digit_headings=headings) == category


@pytest.mark.parametrize("cn", ["6", "", "ab12"])
def test_a_cn_code_without_two_digits_is_refused(cn):
    with pytest.raises(InvalidDetails):
        category_of(cn)


def record(code: str, cn: str, grams: int, ground: G | None, treatment: T) -> DiscardRecord:
    return DiscardRecord(code, cn, grams, ground, treatment, DAY)


# The fixture, computed by hand:
#   chapter 62: 3 garments, 400 + 400 + 200 = 1000 g; recycling 800 g (80 %), disposal 200 g (20 %)
#   chapter 61: 3 garments of 100 g each, one per treatment → 33.4 / 33.3 / 33.3 (largest remainder,
#               the tie going to the earlier treatment of Annex I's order)
#   heading 6403 (asked at 4 digits): 1 garment of unknown weight (0 g) → by units: 100 % unknown
FIXTURE = [
    record("W-1", "62043100", 400, G.DAMAGED_BEYOND_REPAIR, T.RECYCLING),
    record("W-2", "6204", 400, G.UNFIXABLE_DEFECTS, T.RECYCLING),
    record("W-3", "6211", 200, G.DANGEROUS, T.DISPOSAL),
    record("K-1", "6109", 100, G.DAMAGED_BEYOND_REPAIR, T.PREPARING_FOR_REUSE),
    record("K-2", "6110", 100, G.DAMAGED_BEYOND_REPAIR, T.RECYCLING),
    record("K-3", "6110", 100, None, T.OTHER_RECOVERY),
    record("S-1", "64039900", 0, G.NON_COMPLIANT, T.UNKNOWN),
]


def test_the_disclosure_matches_the_hand_computed_figures():
    result = disclose(year=2027, entity_name="Claes Retail Group", entity_identifier="BE0403019261",
                      discards=FIXTURE, four_digit_headings=frozenset({"6403"}),
                      measures=[MeasureRecord(PreventionMeasure.RENTAL, 120, 48_000),
                                MeasureRecord(PreventionMeasure.OUTLET, 900, 360_000),
                                MeasureRecord(PreventionMeasure.RENTAL, 30, 12_000)])
    by_code = {c.cn_code: c for c in result.categories}
    assert list(by_code) == ["61", "62", "6403"]
    c62 = by_code["62"]
    assert (c62.units, c62.weight_g, c62.weight_kg) == (3, 1000, Decimal("1.000"))
    assert c62.grounds == {"a_dangerous": 1, "f_damaged_beyond_repair": 1, "g_unfixable_defects": 1}
    assert c62.treatment_pct == {T.PREPARING_FOR_REUSE: Decimal("0.0"), T.RECYCLING: Decimal("80.0"),
                                 T.OTHER_RECOVERY: Decimal("0.0"), T.DISPOSAL: Decimal("20.0"),
                                 T.UNKNOWN: Decimal("0.0")}
    assert c62.garments == ("W-1", "W-2", "W-3")
    c61 = by_code["61"]
    assert c61.grounds == {"f_damaged_beyond_repair": 2, NO_GROUND: 1}
    assert [c61.treatment_pct[t] for t in T] == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3"),
                                                Decimal("0.0"), Decimal("0.0")]
    assert by_code["6403"].treatment_pct[T.UNKNOWN] == Decimal("100.0")
    assert (result.units, result.weight_g) == (7, 1300)
    assert [(m.measure, m.units, m.weight_g) for m in result.measures] == [
        (PreventionMeasure.OUTLET, 900, 360_000), (PreventionMeasure.RENTAL, 150, 60_000)]


def test_a_year_without_discards_discloses_no_category():
    result = disclose(year=2027, entity_name="CRG", entity_identifier="BE0403019261", discards=[])
    assert result.categories == () and result.units == 0


@given(shares=st.dictionaries(st.sampled_from(list(T)), st.integers(min_value=0, max_value=10**9)),
       decimals=st.integers(min_value=0, max_value=3))
def test_a_treatment_split_sums_to_exactly_100_and_each_share_is_within_one_step(shares, decimals):
    pct = split_percent(shares, order=list(T), decimals=decimals)
    assert set(pct) == set(T)
    total = sum(shares.values())
    if total == 0:
        assert all(p == 0 for p in pct.values())
        return
    assert sum(pct.values()) == 100
    step = Decimal(1).scaleb(-decimals)
    for t in T:
        exact = Decimal(shares.get(t, 0) * 100) / total
        assert abs(pct[t] - exact) < step


@given(st.lists(st.tuples(st.sampled_from(["6109", "6204", "6403"]), st.integers(min_value=0, max_value=5000),
                          st.sampled_from(list(T))), min_size=1, max_size=40))
def test_every_discard_is_counted_once_and_every_category_splits_to_100(rows):
    records = [record(f"G{i}", cn, grams, G.DANGEROUS, t) for i, (cn, grams, t) in enumerate(rows)]
    result = disclose(year=2027, entity_name="CRG", entity_identifier="X", discards=records)
    assert result.units == len(records)
    assert result.weight_g == sum(grams for _, grams, _ in rows)
    assert sorted(g for c in result.categories for g in c.garments) == sorted(r.garment_code for r in records)
    for category in result.categories:
        assert sum(category.treatment_pct.values()) == 100
        assert sum(category.grounds.values()) == category.units


@pytest.mark.parametrize(("day", "until"), [("2027-05-01", "2032-05-01"), ("2028-02-29", "2033-02-28")])
def test_the_evidence_of_a_discard_is_kept_five_years(day, until):
    assert evidence_kept_until(dt.date.fromisoformat(day)) == dt.date.fromisoformat(until)
