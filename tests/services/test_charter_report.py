"""The charter report's figures against values worked out by hand on a chain spanning 2025 and 2026,
and every counted figure against the length of the list it drills into (both databases)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from cksloop.db.models import MaterialTarget
from cksloop.domain.charter import FlaggedMaterial
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.services import charter
from cksloop.services.charter import materials
from tests.charter_world import add_workshops, build

# the pool stay of G1 from 2 Feb 2025 10:00 UTC to the end of 2025 in Brussels (31 Dec 23:00 UTC)
POOL_DAYS_2025 = (dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC) - dt.datetime(2025, 2, 2, 10, tzinfo=dt.UTC)) \
    .total_seconds() / 86400
NONE = 0.0

EXPECTED_2025 = {
    "rental": {"pool_garments": 1, "garments_rented": 1, "rental_cycles": 2,
               "days_rented": 20.0,  # 1-11 March and 1-11 April
               "utilisation": round(100 * 20 / POOL_DAYS_2025, 1),
               "turnaround": 2.0,  # ready at once after March, four days of repair after April
               "returns": 2, "returns_inspected": 2, "quality_returns": 1, "quality_returns_snag": 1,
               "attention_points": 1},
    "overstock": {"units_sold_own": 2, "units_sold_outlet": 1, "outlet_share": 50.0,
                  "value_sold_own": 254.95,  # 65.00 + 189.95
                  "markdown_depth": 20.3,  # 1 - 254.95 / (129.95 + 189.95) = 20.3 %
                  "units_to_buyers": 0,
                  "sell_through_ss25": 50.0,  # G2 of G1, G2
                  "sell_through_aw25": 50.0},  # G3 of G3, G4
    "buyers": {"lots_shipped": 0, "pieces_shipped": 0, "lots_proven": 0, "lots_overdue": 0},
    "offcuts": {"lots_registered": 1, "kg_registered": 1.0, "kg_used": 0.3, "kg_wasted": 0.1,
                # no workshop and no remanufactured piece: counted zeros, and no participants or kg of theirs
                "workshops_held": 0, "products_made": 0, "remanufactured_made": 0, "remanufactured_sold": 0},
    "unsold": {"retired": 1, "retired_offcuts": 0, "retired_remanufacturing": 0, "retired_recycling": 1,
               "discards": 1, "discards_f_damaged_beyond_repair": 1, "written_off": 0},
    "materials": {"summer_pieces": 2, "winter_pieces": 2,
                  # SS25 is the dress: 100 % LENZING™ ECOVERO™ viscose
                  **{f"summer_{m}_{how}_pct": NONE for m in ("organic_cotton", "recycled_polyester", "other_flagged")
                     for how in ("pieces", "weight")},
                  "summer_lenzing_pieces_pct": 100.0, "summer_lenzing_weight_pct": 100.0,
                  # AW25 is the blazer: 70 % wool, 30 % recycled polyester
                  **{f"winter_{m}_{how}_pct": NONE for m in ("organic_cotton", "lenzing", "other_flagged")
                     for how in ("pieces", "weight")},
                  "winter_recycled_polyester_pieces_pct": 100.0, "winter_recycled_polyester_weight_pct": 30.0},
}

EXPECTED_2026 = {
    "rental": {"pool_garments": 1, "garments_rented": 1, "rental_cycles": 1, "days_rented": 10.0, "turnaround": 0.0,
               "returns": 1, "returns_inspected": 1, "quality_returns": 0, "attention_points": 0},
    "overstock": {"units_sold_own": 1, "units_sold_outlet": 0, "outlet_share": 0.0, "value_sold_own": 129.95,
                  "markdown_depth": 0.0, "units_to_buyers": 1,
                  "sell_through_ss25": 66.7,  # G2, G5 of G1, G2, G5
                  "sell_through_aw25": 33.3},  # G3 of G3, G4, G6 (G6 went to a buyer, not an own channel)
    "buyers": {"lots_shipped": 1, "pieces_shipped": 1, "kg_shipped": 2.5, "lots_proven": 0, "lots_overdue": 0,
               "pieces_nl_reuse": 1, "kg_nl_reuse": 2.5},
    "offcuts": {"lots_registered": 0, "workshops_held": 0, "products_made": 0, "remanufactured_made": 0,
                "remanufactured_sold": 0},
    "unsold": {"retired": 0, "retired_offcuts": 0, "retired_remanufacturing": 0, "retired_recycling": 0,
               "discards": 0, "written_off": 0},
    "materials": {"summer_pieces": 0, "winter_pieces": 0},
}


# the offcuts section once add_workshops has run (its docstring tells the story)
WORKSHOPS_2025 = {
    "lots_registered": 3, "kg_registered": 4.0,  # the chain's lot (1000 g), W1 (2000 g) and W2 (1000 g)
    "kg_used": 1.41,  # 300 (the chain's pouches) + 300 − 40 (A) + 400 − 50 (B corrected) + 500 (the project)
    "kg_wasted": 0.1,
    "workshops_held": 2, "participants": 14,  # A and B (8 + 5 + 1); C was planned, never held
    "workshops_held_ant-meir": 1, "participants_ant-meir": 8,
    "workshops_held_gent-veld": 1, "participants_gent-veld": 6,
    "products_made": 12, "products_made_bracelet": 4, "products_made_jewellery_pouch": 6,
    "products_made_toiletry_bag": 2,  # 3 logged, 1 taken off by the correction
    "kg_used_in_workshops": 0.61,  # 260 g in A, 350 g in B
    "remanufactured_made": 2, "remanufactured_sold": 1,
}
WORKSHOPS_2026 = {
    "lots_registered": 0, "kg_used": 0.12,
    "workshops_held": 1, "participants": 10, "workshops_held_ant-meir": 1, "participants_ant-meir": 10,
    "products_made": 10, "products_made_bracelet": 10, "kg_used_in_workshops": 0.12,
    # B2 sold in February, B1 (sold in 2025, taken back) again in April: two garments, each once
    "remanufactured_made": 0, "remanufactured_sold": 2,
}


@pytest.fixture
def chain(db_session):
    return build(db_session)


@pytest.fixture
def workshop_chain(db_session, chain):
    return {**chain, **add_workshops(db_session, chain)}


def _values(report: charter.Report) -> dict[str, dict[str, float]]:
    return {name: {k: f.value for k, f in figures.items()} for name, figures in report.sections.items()}


def test_every_figure_of_2025_matches_the_hand_computed_value(db_session, now, chain):
    report = charter.build_report(db_session, year=2025, now=now)
    assert report.has_data
    values = _values(report)
    rental = values.pop("rental")
    assert rental.pop("utilisation") == pytest.approx(EXPECTED_2025["rental"]["utilisation"], abs=0.05)
    expected = {k: dict(v) for k, v in EXPECTED_2025.items()}
    expected["rental"].pop("utilisation")
    assert {"rental": rental, **values} == expected


def test_2026_shows_its_own_figures_with_2025_beside_each(db_session, now, chain):
    report = charter.build_report(db_session, year=2026, now=now)
    values = _values(report)
    utilisation = values["rental"].pop("utilisation")
    assert 0 < utilisation < 10
    assert values == EXPECTED_2026
    previous = {name: {k: f.previous for k, f in figures.items()} for name, figures in report.sections.items()}
    assert previous["rental"]["rental_cycles"] == 2 and previous["rental"]["quality_returns"] == 1
    assert previous["overstock"]["value_sold_own"] == 254.95 and previous["offcuts"]["lots_registered"] == 1
    # a figure the year before did not have (no lot went to NL then) has no previous value, not a zero
    assert previous["buyers"]["pieces_nl_reuse"] is None and previous["buyers"]["kg_shipped"] is None


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_counted_figure_equals_the_length_of_its_drill_list(db_session, now, chain, year):
    report = charter.build_report(db_session, year=year, now=now)
    checked = 0
    for name, figures in report.sections.items():
        for key, figure in figures.items():
            assert figure.drill and figure.drill.startswith(f"/api/v1/reports/charter/drill/{name}/")
            drill_key = figure.drill.rsplit("/", 1)[1].split("?")[0]
            page = charter.drill(db_session, year=year, section=name, figure=drill_key, page=1, per_page=500)
            if figure.counted:
                assert page.count == figure.value == len(page.items), (name, key)
                checked += 1
            else:
                assert page.count >= 0
    assert checked >= 20


def test_the_quality_return_list_names_the_snagged_garment(db_session, now, chain):
    page = charter.drill(db_session, year=2025, section="rental", figure="quality_returns_snag", page=1, per_page=50)
    assert [(i["code"], i["reason"]) for i in page.items] == [(chain["codes"]["g1"], "quality_return")]


def test_a_year_with_nothing_recorded_has_no_data(db_session, now, chain):
    report = charter.build_report(db_session, year=2010, now=now)
    assert report.has_data is False
    assert all(not f.value for figures in report.sections.values() for f in figures.values())


def test_a_figure_the_report_does_not_have_is_not_found(db_session, now):
    for section, figure in (("rental", "nothing"), ("nothing", "rental_cycles"), ("overstock", "received_xx99"),
                            ("buyers", "pieces_nl_landfills")):
        with pytest.raises(NotFound):
            charter.drill(db_session, year=2025, section=section, figure=figure, page=1, per_page=10)


def test_material_targets_are_set_changed_and_cleared(db_session, now, chain):
    materials.set_targets(db_session, season="SS25", values={"organic_cotton": "40", "lenzing": "25"},
                          actor_id=None, now=now)
    materials.set_targets(db_session, season="SS25", values={"organic_cotton": "45", "lenzing": ""},
                          actor_id=None, now=now)
    assert materials.targets(db_session, ["SS25"]) == {("SS25", FlaggedMaterial.ORGANIC_COTTON): 45}


@pytest.mark.parametrize("bad", ["101", "-1", "abc", "4.5"])
def test_a_target_that_is_not_a_whole_percentage_is_refused_and_nothing_written(db_session, now, bad):
    with pytest.raises(InvalidDetails) as refused:
        materials.set_targets(db_session, season="AW25", values={"organic_cotton": "30", "lenzing": bad},
                              actor_id=None, now=now)
    assert list(refused.value.field_errors) == ["lenzing"]
    assert db_session.scalar(select(func.count()).select_from(MaterialTarget)) == 0


def test_workshops_products_and_remanufactured_pieces_match_the_hand_computed_values(db_session, now,
                                                                                      workshop_chain):
    before = _values(charter.build_report(db_session, year=2025, now=now))["offcuts"]
    assert before == WORKSHOPS_2025
    report = charter.build_report(db_session, year=2026, now=now)
    assert _values(report)["offcuts"] == WORKSHOPS_2026
    offcuts = report.sections["offcuts"]
    assert {k: f.unit for k, f in offcuts.items() if k.startswith(("workshops_held", "participants", "products",
                                                                    "remanufactured"))} == {
        "workshops_held": "workshops", "workshops_held_ant-meir": "workshops", "participants": "participants",
        "participants_ant-meir": "participants", "products_made": "products", "products_made_bracelet": "products",
        "remanufactured_made": "garments", "remanufactured_sold": "garments"}
    previous = {k: f.previous for k, f in offcuts.items()}
    assert (previous["workshops_held"], previous["participants"], previous["participants_ant-meir"],
            previous["products_made_bracelet"], previous["remanufactured_made"],
            previous["remanufactured_sold"]) == (2, 14, 8, 4, 2, 1)


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_workshop_figure_drills_to_a_list_as_long_as_it_counts(db_session, now, workshop_chain, year):
    report = charter.build_report(db_session, year=year, now=now)
    for key, figure in report.sections["offcuts"].items():
        drill_key = figure.drill.rsplit("/", 1)[1].split("?")[0]
        page = charter.drill(db_session, year=year, section="offcuts", figure=drill_key, page=1, per_page=500)
        if figure.counted:
            assert page.count == figure.value == len(page.items), key
        elif figure.unit == "participants":
            assert sum(item["participants"] for item in page.items) == figure.value, key
        elif key == "kg_used_in_workshops":
            assert sum(item["grams"] for item in page.items) == round(figure.value * 1000), key


def test_the_workshop_lists_name_the_workshops_products_and_blazers(db_session, now, workshop_chain):
    held = charter.drill(db_session, year=2025, section="offcuts", figure="workshops_held_gent-veld", page=1,
                         per_page=50)
    assert [(i["workshop"], i["store"], i["participants"]) for i in held.items] == \
        [(workshop_chain["workshops"][1], "GENT-VELD", 5)]
    bags = charter.drill(db_session, year=2025, section="offcuts", figure="products_made_toiletry_bag", page=1,
                         per_page=50)
    assert [(i["workshop"], i["type"]) for i in bags.items] == [(workshop_chain["workshops"][1], "toiletry_bag")] * 2
    sold = charter.drill(db_session, year=2026, section="offcuts", figure="remanufactured_sold", page=1, per_page=50)
    assert sorted(i["code"] for i in sold.items) == sorted(workshop_chain["blazers"])
    # a page of a list read whole is still a page, with the whole list's length
    second = charter.drill(db_session, year=2025, section="offcuts", figure="products_made", page=2, per_page=5)
    assert second.count == 12 and len(second.items) == 5 and second.has_next


def test_a_store_or_product_type_the_year_does_not_have_is_not_found(db_session, now, workshop_chain):
    for figure in ("workshops_held_nowhere", "participants_gent-veld-x", "remanufactured_lost",
                   "products_made_nothing"):
        with pytest.raises(NotFound):
            charter.drill(db_session, year=2026, section="offcuts", figure=figure, page=1, per_page=10)
