"""Style and location pages: lists, facts, and garment counts by state that lead to the garment list."""
from __future__ import annotations

import html
import re

import pytest

from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import OTHER_STORE, OUTLET, STORE, make_garment


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_role_can_open_the_style_and_location_pages(login, db_session, world, role):
    client = login(role=role)
    for path in ("/styles", "/styles/SS25-0101", "/locations", f"/locations/{STORE}"):
        assert client.get(path).status_code == 200, path


def test_style_list_shows_each_style_with_its_number_of_garments(login, db_session, world):
    make_garment(db_session, style=world["dress"])
    make_garment(db_session, style=world["dress"])
    page = text_of(login().get("/styles"))
    assert "Lisa" in page and "SS25-0101" in page and "2 garments" in page
    assert "Noor" in page and "0 garments" in page


@pytest.mark.parametrize("query, shown, hidden", [
    ("season=AW25", "Noor", "Lisa"),
    ("category=dress", "Lisa", "Noor"),
])
def test_style_list_filters_by_season_and_category(login, db_session, world, query, shown, hidden):
    page = text_of(login().get(f"/styles?{query}"))
    assert shown in page and hidden not in page


@pytest.mark.parametrize("query", ["season=ZZ00", "category=spaceship", "page=abc", "page=-4", "page=" + "9" * 40])
def test_style_list_bad_filters_get_a_message_not_an_error(login, db_session, world, query):
    response = login().get(f"/styles?{query}")
    assert response.status_code == 400
    assert "Some filters are not valid" in text_of(response)


def test_style_page_shows_facts_sizes_with_gtin_and_composition(login, db_session, world):
    page = text_of(login().get("/styles/SS25-0101"))
    for fact in ("Lisa", "SS25", "dress", "navy", "Atelier Izmir", "Türkiye", "30°C gentle"):
        assert fact in page, fact
    assert re.search(r"<td>S</td><td>05400000001017</td>", page)
    assert re.search(r"<td>XS</td><td>—</td>", page)
    assert "100% viscose" in page and "sustainable: LENZING™ ECOVERO™" in page


def test_style_composition_flags_only_the_sustainable_materials(login, db_session, world):
    page = text_of(login().get("/styles/AW25-0202"))
    assert re.search(r"70% wool</li>", page)  # conventional wool: no flag
    assert "30% polyester <span class=\"sustainable\">sustainable: recycled</span>" in page


def test_style_page_counts_garments_by_state_and_links_to_the_filtered_list(login, db_session, world):
    make_garment(db_session, style=world["dress"])
    make_garment(db_session, style=world["dress"], state=GarmentState.SOLD)
    make_garment(db_session, style=world["dress"], state=GarmentState.SOLD)
    client = login()
    raw = client.get("/styles/SS25-0101").get_data(as_text=True)
    link = "/garments?style=SS25-0101&amp;state=sold"
    assert re.search(rf'href="{re.escape(link)}">\s*<span class="count">2</span>', raw)
    listed = client.get(html.unescape(link)).get_data(as_text=True)
    assert len(re.findall(r'href="/garments/CKS-', listed)) == 2


def test_unknown_style_is_a_404_with_the_number_escaped(login):
    response = login().get("/styles/<b>bold")
    assert response.status_code == 404
    assert "No style with number &lt;b&gt;bold" in response.get_data(as_text=True)


def test_location_list_groups_locations_by_kind(login, db_session, world):
    page = text_of(login().get("/locations"))
    for heading, name in (("Stores", "CKS Gent Veldstraat"), ("Warehouses", "CRG warehouse"),
                          ("Outlets", "CKS Outlet"), ("Partners", "Dressr")):
        assert heading in page and name in page
    assert page.index("Outlets") < page.index("CKS Outlet")


def test_location_page_shows_kind_city_and_garments_by_state_with_links(login, db_session, world):
    make_garment(db_session, location=OTHER_STORE)
    make_garment(db_session, location=OTHER_STORE, state=GarmentState.IN_CARE)
    make_garment(db_session, location=OUTLET)
    client = login()
    raw = client.get(f"/locations/{OTHER_STORE}").get_data(as_text=True)
    page = html.unescape(raw)
    assert "CKS Gent Veldstraat" in page and "Gent" in page and "store" in page
    link = f"/garments?location={OTHER_STORE}&amp;state=in_care"
    assert re.search(rf'href="{re.escape(link)}">\s*<span class="count">1</span>', raw)
    listed = client.get(f"/garments?location={OTHER_STORE}").get_data(as_text=True)
    assert len(re.findall(r'href="/garments/CKS-', listed)) == 2


def test_empty_location_says_so(login, db_session, world):
    assert "No garments here." in text_of(login().get("/locations/DRESSR-ANT"))


@pytest.mark.parametrize("path", ["/locations/<script>x", "/locations/%00"])
def test_unknown_location_is_a_404_with_the_code_escaped(login, path):
    response = login().get(path)
    assert response.status_code == 404
    assert "<script>x" not in response.get_data(as_text=True)


def test_style_and_location_pages_carry_no_inline_script_or_style(login, db_session, world):
    client = login()
    for path in ("/styles", "/styles/SS25-0101", "/locations", f"/locations/{STORE}"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page, path
