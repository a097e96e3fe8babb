"""What a scanned label opens: the public product page for anyone, the garment page for staff, and
never a private fact (price, customer, partner reference, note, staff name, store)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from babel import Locale

from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import catalogue, garments
from tests.builders import STORE, make_garment, make_user

PRICE_CENTS = 98_765
PRIVATE = {
    "price": ["987,65", "987.65", "98765", "98 765"],
    "partner reference": ["DRX-REF-771199"],
    "partner": ["Dressr", "ops@dressr.example"],
    "note": ["Stain near hem, told Mrs Vandersmissen", "Vandersmissen"],
    "staff": ["Zebediah Quartermaine", "zebediah"],
    "location": ["CKS Antwerpen Meir", "ANT-MEIR"],
    "supplier": ["Atelier Izmir"],
}


@pytest.fixture
def storied(db_session, world, now):
    """A dress (size M, with a GTIN) with a distinctive price, rented out twice through Dressr with a
    partner reference and notes, and repaired once after an inspection graded it C."""
    staff = make_user(db_session, Role.STORE_STAFF, name="Zebediah Quartermaine",
                      email="zebediah@cks.example", home_location=STORE)
    garment = catalogue.receive_garment(db_session, style=world["dress"], size="M", location_code=STORE,
                                        actor=staff, now=now, price_cents=PRICE_CENTS)
    partner = world["partner"].id
    due = (now + dt.timedelta(days=10)).date().isoformat()

    def act(action: Action, **details):
        garments.act(db_session, code=garment.code, action=action, details=details, actor=staff, now=now)

    act(Action.ADD_TO_RENTAL_POOL)
    act(Action.CHECK_OUT_RENTAL, partner=partner, due_on=due, partner_reference="DRX-REF-771199",
        note="Stain near hem, told Mrs Vandersmissen")
    act(Action.RETURN_RENTAL, reason="end_of_rental", grade="C",
        defects=[{"code": "STN", "zone": "hem", "severity": 2, "note": "Vandersmissen"}])
    act(Action.FINISH_CARE, outcome="done", cost_cents=1234)
    act(Action.CHECK_OUT_RENTAL, partner=partner, due_on=due)
    act(Action.RETURN_RENTAL, reason="end_of_rental", grade="A")
    db_session.refresh(garment)
    assert garment.state is GarmentState.IN_RENTAL_POOL
    return garment


def english(client, path: str):
    return client.get(path, headers={"Accept-Language": "en"})


def assert_nothing_private(html: str) -> None:
    for what, values in PRIVATE.items():
        for value in values:
            assert value.lower() not in html.lower(), f"the public page shows the {what}: {value}"


def test_visitor_sees_the_product_page_with_its_story_and_no_private_fact(client, storied):
    response = english(client, f"/g/{storied.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    style = storied.style
    for shown in (style.name, style.category, style.colour, storied.code, "viscose", "100%",
                  "LENZING™ ECOVERO™", style.care, Locale("en").territories["TR"]):
        assert shown in html, shown
    assert re.search(r'class="material sustainable">\s*<span class="percent">100%</span>', html)
    assert "Rented out 2 times." in html
    assert "Repaired 1 time." in html
    assert_nothing_private(html)


def test_digital_link_url_opens_the_same_page(client, storied):
    html = english(client, f"/01/05400000001024/21/{storied.code}").get_data(as_text=True)
    assert storied.style.name in html and "05400000001024" in html
    assert_nothing_private(html)


def test_digital_link_with_the_gtin_13_unpadded_is_the_same_garment(client, storied):
    assert english(client, f"/01/5400000001024/21/{storied.code}").status_code == 200


@pytest.mark.parametrize("gtin", ["05400000001017",  # the GTIN of size S, not M
                                  "05400000001025",  # wrong check digit
                                  "0540000000102٤",  # an Arabic-Indic digit
                                  "abc", "0" * 200])
def test_a_gtin_that_is_not_the_garments_own_gives_404(client, storied, gtin):
    assert english(client, f"/01/{gtin}/21/{storied.code}").status_code == 404


def test_a_garment_without_gtin_is_not_found_under_a_digital_link(client, db_session, world):
    blazer = make_garment(db_session, style=world["blazer"], size="38")
    assert english(client, f"/g/{blazer.code}").status_code == 200
    assert english(client, f"/01/05400000001024/21/{blazer.code}").status_code == 404


def test_a_new_garment_says_it_has_not_been_rented_or_repaired_yet(client, db_session, world):
    blazer = make_garment(db_session, style=world["blazer"], size="38")
    html = english(client, f"/g/{blazer.code}").get_data(as_text=True)
    assert "Not rented out or repaired yet." in html
    assert "Rented out" not in html
    # the blazer is 30 % recycled polyester: that part is marked sustainable, the wool is not
    assert re.search(r'class="material sustainable">\s*<span class="percent">30%</span>', html)
    assert re.search(r'class="material">\s*<span class="percent">70%</span>', html)


@pytest.mark.parametrize("path,shown", [
    ("/g/CKS-99999", "CKS-99999"),
    ("/g/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "&lt;img src=x onerror=alert(1)&gt;"),
    ("/g/" + "A" * 5000, "A" * 40),
    ("/01/05400000001024/21/CKS-99999", "CKS-99999"),
])
def test_unknown_codes_give_404_with_the_code_escaped(client, world, path, shown):
    response = english(client, path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    main = html.split("<main>")[1].split("</main>")[0]  # (the header's language switch keeps the path)
    assert shown in main
    assert "<img src=x" not in html
    assert "A" * 41 not in main


def test_signed_in_staff_are_sent_to_the_garment_page(client, storied, login):
    for role in (Role.STORE_STAFF, Role.WORKSHOP_ORGANISER, Role.MERCHANDISER):
        signed_in = login(role)
        for path in (f"/g/{storied.code}", f"/01/05400000001024/21/{storied.code}"):
            response = signed_in.get(path)
            assert response.status_code == 302
            assert response.location == f"/garments/{storied.code}"
        assert signed_in.get(f"/01/05400000001017/21/{storied.code}").status_code == 404
        assert signed_in.get("/g/CKS-99999").status_code == 404


def test_the_page_is_never_cached_for_someone_else(client, storied):
    response = english(client, f"/g/{storied.code}")
    assert "private" in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]


def test_the_page_is_mobile_first_and_in_the_visitors_language(client, storied):
    dutch = client.get(f"/g/{storied.code}", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    html = dutch.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert Locale("nl").territories["TR"] in html  # the country in Dutch
    assert 'name="robots" content="noindex"' in html
    assert "<script" not in html.split("</main>")[0].split("<main>")[1]
