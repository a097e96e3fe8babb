"""The charter report over HTTP: the JSON the issue names, drills that match, the seed's sentence in
three languages, bad years refused with a clear message, the CSV, the targets page, and the roles."""
from __future__ import annotations

import csv
import html
import io

import pytest

from cksloop.domain.charter import COUNTED_UNITS, MEASURED_UNITS
from cksloop.domain.lifecycle import Role
from tests.charter_world import add_workshops, build

SECTIONS = {"rental", "overstock", "buyers", "offcuts", "unsold", "materials"}


@pytest.fixture
def chain(db_session):
    return build(db_session)


@pytest.fixture
def workshop_chain(db_session, chain):
    return {**chain, **add_workshops(db_session, chain)}


@pytest.fixture
def merch(login):
    return login(Role.MERCHANDISER)


def test_the_json_report_has_the_issues_shape_and_units(merch, chain):
    body = merch.get("/api/v1/reports/charter?year=2025").get_json()
    assert set(body) == {"year", "has_data", "sections", "sentences"}
    assert body["year"] == 2025 and body["has_data"] is True
    assert set(body["sections"]) == SECTIONS
    for figures in body["sections"].values():
        for figure in figures.values():
            assert set(figure) == {"value", "unit", "previous", "drill"}
            assert figure["unit"] in COUNTED_UNITS | MEASURED_UNITS
    assert set(body["sentences"]) == {"nl", "en", "fr"}
    assert body["sections"]["rental"]["quality_returns_snag"]["value"] == 1


def test_every_counted_figure_drills_to_a_list_of_exactly_its_length(merch, chain):
    body = merch.get("/api/v1/reports/charter?year=2025").get_json()
    counted = 0
    for figures in body["sections"].values():
        for key, figure in figures.items():
            answer = merch.get(figure["drill"] + "&per_page=200")
            assert answer.status_code == 200, (key, answer.get_data(as_text=True))
            page = answer.get_json()
            if figure["unit"] in COUNTED_UNITS:
                assert page["count"] == figure["value"] == len(page["items"]), key
                counted += 1
    assert counted >= 20


def test_the_seeds_rental_sentence_comes_out_of_one_snagging_quality_return(merch, chain):
    sentences = merch.get("/api/v1/reports/charter?year=2025").get_json()["sentences"]
    dutch = [s for s in sentences["nl"] if "onvoldoende kwaliteit" in s["text"]]
    assert [s["text"] for s in dutch] == [
        "Op één item na is in 2025 geen kledingstuk teruggekeerd wegens onvoldoende kwaliteit. Het enige "
        "teruggestuurde item bleek gevoeliger voor haken, wat we meenemen als aandachtspunt in de verdere "
        "ontwikkeling van toekomstige collecties."]
    assert "rental.quality_returns" in dutch[0]["rests_on"] and "rental.quality_returns_snag" in dutch[0]["rests_on"]
    english = [s["text"] for s in sentences["en"] if "insufficient quality" in s["text"]]
    assert english == ["Except for one item, no garment came back for insufficient quality in 2025. The one item "
                       "returned proved more sensitive to snagging, which we take along as a point of attention "
                       "in developing future collections."]
    assert any("accrocs" in s["text"] for s in sentences["fr"])
    # the other paragraphs carry the year's figures, in every language
    assert any("2 kledingstukken" in s["text"] and "outlet" in s["text"] for s in sentences["nl"])
    assert len(sentences["nl"]) == len(sentences["en"]) == len(sentences["fr"]) >= 5


def test_a_year_without_quality_returns_says_so_instead(merch, chain):
    sentences = merch.get("/api/v1/reports/charter?year=2026").get_json()["sentences"]["en"]
    assert "In 2026, no garment came back for insufficient quality; 1 return was inspected." in \
        [s["text"] for s in sentences]


def test_a_year_with_nothing_recorded_answers_has_data_false_and_the_page_says_so(merch, chain):
    body = merch.get("/api/v1/reports/charter?year=2012").get_json()
    assert body["has_data"] is False and body["sentences"] == {"nl": [], "en": [], "fr": []}
    page = merch.get("/reports/charter?year=2012")
    assert page.status_code == 200 and "Nothing recorded for 2012." in page.get_data(as_text=True)


@pytest.mark.parametrize("year", ["abc", "1999", "2100", "20255", "25", "2025.0", "-2025", "２０２５"])
def test_a_bad_year_is_refused_with_a_clear_message_never_a_500(merch, year):
    api = merch.get("/api/v1/reports/charter", query_string={"year": year})
    assert api.status_code == 422 and api.get_json()["error"] == "invalid_details"
    assert list(api.get_json()["details"]["fields"]) == ["year"]
    drill = merch.get("/api/v1/reports/charter/drill/rental/rental_cycles", query_string={"year": year})
    assert drill.status_code == 422
    page = merch.get("/reports/charter", query_string={"year": year})
    assert page.status_code == 422
    assert ("A year is four digits" in page.get_data(as_text=True)
            or "Choose a year from 2000 to 2099." in page.get_data(as_text=True))
    assert merch.get("/reports/charter.csv", query_string={"year": year}).status_code == 422


def test_an_unknown_figure_answers_not_found(merch):
    answer = merch.get("/api/v1/reports/charter/drill/rental/nothing?year=2025")
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
    assert merch.get("/reports/charter/drill/nope/rental_cycles?year=2025").status_code == 404


def test_the_page_links_each_figure_to_the_garments_it_counts(merch, chain):
    page = merch.get("/reports/charter?year=2025").get_data(as_text=True)
    assert "/reports/charter/drill/rental/quality_returns_snag?year=2025&amp;seen=1" in page
    drill = merch.get("/reports/charter/drill/rental/quality_returns_snag?year=2025&seen=1").get_data(as_text=True)
    assert f'href="/garments/{chain["codes"]["g1"]}"' in drill
    assert "The list shows today's data." in html.unescape(drill) and "changed since" not in drill


def test_a_drill_for_data_changed_since_says_the_list_shows_todays_data(merch, chain):
    drill = merch.get("/reports/charter/drill/rental/quality_returns?year=2025&seen=3").get_data(as_text=True)
    assert "The report showed 3 when it was opened; the data changed since." in drill


def test_the_csv_names_each_figure_with_value_unit_and_previous_year(merch, chain):
    answer = merch.get("/reports/charter.csv?year=2026")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1] == ["Section", "Figure", "Key", "Value", "Unit", "Previous year"]
    by_key = {row[2]: row for row in rows[2:]}
    assert by_key["rental.rental_cycles"][3:] == ["1", "cycles", "2"]
    assert by_key["buyers.kg_shipped"][3:] == ["2.5", "kg", ""]


def test_a_merchandiser_sets_targets_and_the_report_shows_them(merch, chain):
    saved = merch.post("/reports/charter/targets", data={"season": "SS25", "lenzing": "80", "organic_cotton": ""})
    assert saved.status_code == 302
    page = merch.get("/reports/charter?year=2025").get_data(as_text=True)
    assert "80.0%" in page
    refused = merch.post("/reports/charter/targets", data={"season": "SS25", "lenzing": "180"})
    assert refused.status_code == 422 and "A target is a whole percentage from 0 to 100." in \
        refused.get_data(as_text=True)
    assert merch.post("/reports/charter/targets", data={"season": "XX25"}).status_code == 422


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
def test_store_staff_and_workshop_organisers_may_not_open_the_report(login, role):
    who = login(role)
    for url in ("/reports/charter?year=2025", "/reports/charter.csv?year=2025",
                "/reports/charter/drill/rental/rental_cycles?year=2025", "/reports/charter/targets",
                "/api/v1/reports/charter?year=2025", "/api/v1/reports/charter/drill/rental/rental_cycles?year=2025"):
        assert who.get(url).status_code == 403, url
    assert who.post("/reports/charter/targets", data={"season": "SS25", "lenzing": "10"}).status_code == 403


def test_the_navigation_offers_the_report_to_merchandisers_only(merch, login):
    assert 'href="/reports/charter"' in merch.get("/").get_data(as_text=True)
    assert 'href="/reports/charter"' not in login(Role.STORE_STAFF).get("/").get_data(as_text=True)


def test_the_workshop_sentence_counts_workshops_stores_participants_products_and_kg(merch, workshop_chain):
    sentences = merch.get("/api/v1/reports/charter?year=2025").get_json()["sentences"]
    found = {lang: [s for s in sentences[lang] if "offcuts.workshops_held" in s["rests_on"]]
             for lang in ("nl", "en", "fr")}
    assert [s["text"] for s in found["en"]] == [
        "In 2025 we held 2 workshops in 2 stores with 14 participants, who made 12 products from 0.61 kg of offcuts."]
    assert [s["text"] for s in found["nl"]] == [
        "In 2025 hielden we 2 workshops in 2 winkels met 14 deelnemers, die 12 producten maakten van 0,61 kg "
        "reststoffen."]
    assert [s["text"].replace("\u00a0", " ") for s in found["fr"]] == [
        "En 2025, nous avons organisé 2 ateliers dans 2 magasins avec 14 participants, qui ont fabriqué 12 produits "
        "à partir de 0,61 kg de chutes de tissu."]
    assert found["en"][0]["rests_on"] == ["offcuts.workshops_held", "offcuts.workshops_held_ant-meir",
                                          "offcuts.workshops_held_gent-veld", "offcuts.participants",
                                          "offcuts.products_made", "offcuts.kg_used_in_workshops"]
    english = [s["text"] for s in merch.get("/api/v1/reports/charter?year=2026").get_json()["sentences"]["en"]]
    assert "In 2026 we held 1 workshop in 1 store with 10 participants, who made 10 products from 0.12 kg of " \
        "offcuts." in english


def test_a_year_without_workshops_has_no_workshop_sentence(merch, chain):
    sentences = merch.get("/api/v1/reports/charter?year=2025").get_json()["sentences"]
    assert not [s for lang in sentences.values() for s in lang if "offcuts.workshops_held" in s["rests_on"]]


def test_every_workshop_figure_drills_over_http_and_the_page_names_it(merch, workshop_chain):
    body = merch.get("/api/v1/reports/charter?year=2025").get_json()
    offcuts = body["sections"]["offcuts"]
    assert offcuts["participants_gent-veld"] == {
        "value": 6, "unit": "participants", "previous": None,
        "drill": "/api/v1/reports/charter/drill/offcuts/participants_gent-veld?year=2025"}
    for key, figure in offcuts.items():
        page = merch.get(figure["drill"] + "&per_page=200").get_json()
        if figure["unit"] in COUNTED_UNITS:
            assert page["count"] == figure["value"] == len(page["items"]), key
    report = merch.get("/reports/charter?year=2025").get_data(as_text=True)
    for text in ("Offcuts and workshops", "Workshops held in GENT-VELD", "Products made: toiletry bag",
                 "Remanufactured products sold"):
        assert text in report, text
    drill = merch.get("/reports/charter/drill/offcuts/remanufactured_made?year=2025&seen=2").get_data(as_text=True)
    assert f'href="/garments/{workshop_chain["blazers"][0]}"' in drill
