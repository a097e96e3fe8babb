"""Counts say whose they are, and every home tile belongs to the role that sees it."""
from __future__ import annotations

import re

from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import OTHER_STORE, make_garment

S = GarmentState


def _tiles(html: str) -> list[str]:
    """The text of each home or rentals tile, whitespace folded."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tile)).strip()
            for tile in re.findall(r'<li class="task[^"]*">(.*?)</li>', html, re.S)]


def test_workshop_organisers_home_shows_no_rental_tile(login) -> None:
    home = login(Role.WORKSHOP_ORGANISER).get("/").get_data(as_text=True)
    assert not any("Rentals overdue" in tile for tile in _tiles(home))
    assert any("Garments retired" in tile for tile in _tiles(home))


def test_the_clerks_home_counts_her_store_and_the_rentals_page_says_it_counts_all_locations(
        login, db_session, now) -> None:
    make_garment(db_session, state=S.IN_CARE, now=now)
    make_garment(db_session, state=S.IN_CARE, location=OTHER_STORE, now=now)
    clerk = login(Role.STORE_STAFF)
    home = _tiles(clerk.get("/").get_data(as_text=True))
    assert "1 Garments in cleaning or repair at CKS Antwerpen Meir" in home
    assert any(t.startswith("0 Rentals overdue in all locations") for t in home)
    rentals = _tiles(clerk.get("/rentals/").get_data(as_text=True))
    assert "2 In cleaning or repair in all locations" in rentals


def test_the_care_list_filters_by_location(login, db_session, now) -> None:
    here = make_garment(db_session, state=S.IN_CARE, now=now)
    there = make_garment(db_session, state=S.IN_CARE, location=OTHER_STORE, now=now)
    clerk = login(Role.STORE_STAFF)
    everything = clerk.get("/rentals/care").get_data(as_text=True)
    assert here.code in everything and there.code in everything
    assert "2 garments in cleaning or repair" in everything
    gent = clerk.get(f"/rentals/care?location={OTHER_STORE}").get_data(as_text=True)
    assert there.code in gent and here.code not in gent
    assert "1 garment in cleaning or repair" in gent and "at CKS Gent Veldstraat" in gent
