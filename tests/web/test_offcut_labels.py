"""Offcut lot labels print on the garment sheets and ZPL; decoded with zxing-cpp they carry exactly
the lot's URL, which opens the lot's page (issue 15)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from cksloop.domain.labels import LAYOUTS, DEFAULT_LAYOUT
from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots
from tests.builders import STORE, make_garment, make_user
from tests.web.test_label_printing import BASE, labels_on_sheets, parse_zpl, url_of

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 98}, {"fibre": "elastane", "pct": 2}],
       "colour": "indigo", "weight_g": 1250, "location": STORE}


@pytest.fixture
def lots(db_session, world, now) -> list[dict[str, Any]]:
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    return [offcut_lots.create(db_session, details={**LOT, "weight_g": 1250 + i * 100}, actor=organiser, now=now)
            for i in range(3)]


def _url(code: str) -> str:
    return f"{BASE}/r/{code}"


def test_a_lots_pdf_label_decodes_to_its_url_and_shows_code_material_and_weight(login, lots):
    lot = lots[0]
    response = login(Role.WORKSHOP_ORGANISER).get(f"/offcuts/{lot['code']}/label?format=pdf&start_at=5")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    found = labels_on_sheets(response.data, LAYOUTS[DEFAULT_LAYOUT])
    assert [(sheet, cell, url) for sheet, cell, url, _ in found] == [(1, 5, _url(lot["code"]))]
    text = found[0][3]
    for printed in (lot["code"], "denim", "1250 g", "indigo"):
        assert printed in text, (printed, text)


def test_the_decoded_label_url_opens_the_lots_page_for_every_role(app, login, lots):
    lot = lots[1]
    page = login(Role.STORE_STAFF).get(f"/offcuts/{lot['code']}/label")
    url = labels_on_sheets(page.data, LAYOUTS[DEFAULT_LAYOUT])[0][2]
    path = urlsplit(url).path
    for role in Role:
        opened = login(role).get(path, follow_redirects=True)
        assert opened.status_code == 200 and lot["code"] in opened.get_data(as_text=True)
    assert app.test_client().get(path).location.startswith("/login")  # no public page for a lot


def test_a_lots_zpl_label_carries_its_url_and_printed_fields(login, lots):
    lot = lots[0]
    response = login(Role.WORKSHOP_ORGANISER).get(f"/offcuts/{lot['code']}/label?format=zpl&dpi=300")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    [label] = parse_zpl(response.get_data(as_text=True))
    assert label["qr"] == "QA," + _url(lot["code"])
    assert label["texts"] == [lot["code"], "denim", "1250 g", "indigo"]


def test_the_printed_weight_is_what_is_left_now(login, lots, db_session, now):
    lot = lots[0]
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    offcut_lots.act(db_session, code=lot["code"], action="consume", details={"grams": 250, "note": "pouches"},
                    actor=organiser, now=now)
    [label] = parse_zpl(login(Role.STORE_STAFF).get(f"/offcuts/{lot['code']}/label?format=zpl").get_data(as_text=True))
    assert label["texts"][2] == "1000 g"


def test_the_labels_page_prints_lots_and_garments_together_in_the_order_typed(login, lots, db_session, world):
    garment = make_garment(db_session, style=world["dress"], size="M")
    typed = f"{lots[2]['code'].lower()}\n{garment.code}, {_url(lots[0]['code'])}"
    response = login(Role.STORE_STAFF).post("/labels/print", data={
        "codes": typed, "format": "pdf", "layout": DEFAULT_LAYOUT, "start_at": "1", "dpi": "203"})
    assert response.status_code == 200, response.get_data(as_text=True)
    urls = [url for _, _, url, _ in labels_on_sheets(response.data, LAYOUTS[DEFAULT_LAYOUT])]
    assert urls == [_url(lots[2]["code"]), url_of(garment), _url(lots[0]["code"])]


def test_the_labels_page_names_an_unknown_lot_and_prints_nothing(login, lots):
    response = login(Role.STORE_STAFF).post("/labels/print", data={
        "codes": "CKSR-04242", "format": "pdf", "layout": DEFAULT_LAYOUT, "start_at": "1", "dpi": "203"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No offcut lot has this code." in page and "CKSR-04242" in page


def test_lots_ticked_on_the_list_print_on_one_sheet(login, lots):
    organiser = login(Role.WORKSHOP_ORGANISER)
    response = organiser.post("/offcuts/labels", data={"codes": [lots[0]["code"], lots[2]["code"]], "format": "pdf"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    found = labels_on_sheets(response.data, LAYOUTS[DEFAULT_LAYOUT])
    assert [(cell, url) for _, cell, url, _ in found] == [(1, _url(lots[0]["code"])), (2, _url(lots[2]["code"]))]


def test_printing_no_ticked_lot_or_bad_label_options_is_refused_with_a_message(login, lots):
    organiser = login(Role.WORKSHOP_ORGANISER)
    nothing = organiser.post("/offcuts/labels", data={"format": "pdf"}, follow_redirects=True)
    assert "Choose at least one offcut lot." in nothing.get_data(as_text=True)
    for query in ("format=png", "start_at=0", "start_at=x", "dpi=150", "layout=a3"):
        assert organiser.get(f"/offcuts/{lots[0]['code']}/label?{query}").status_code == 422, query
