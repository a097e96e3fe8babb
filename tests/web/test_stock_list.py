"""The stock list (/garments): sorted by the columns shown, searched by colour and size, exported."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from cksloop.domain.lifecycle import Role
from cksloop.services import catalogue
from tests.builders import make_garment


def _codes(html: str) -> list[str]:
    return re.findall(r'<strong class="code">(CKS-[0-9A-Z]+)</strong>', html)


@pytest.fixture
def stock(db_session, world, now):
    champagne = catalogue.create_style(
        db_session, style_number="SS26-0303", name="Slip dress Mira", season="SS26", category="dress",
        colour="champagne", sizes=["S", "M"], country_of_manufacture="PT", supplier="Porto Tailoring",
        retail_price_cents=8995, materials=[("silk", 100, False, "")])
    db_session.commit()
    return {"dress": make_garment(db_session, style=world["dress"], size="S", now=now),
            "noor38": make_garment(db_session, style=world["blazer"], size="38", now=now),
            "noor40": make_garment(db_session, style=world["blazer"], size="40", now=now),
            "mira": make_garment(db_session, style=champagne, size="M", now=now)}


def test_search_finds_garments_by_colour_and_by_style_and_size(login, stock) -> None:
    merch = login(Role.MERCHANDISER)
    assert _codes(merch.get("/garments?q=champagne").get_data(as_text=True)) == [stock["mira"].code]
    assert _codes(merch.get("/garments?q=Noor+38").get_data(as_text=True)) == [stock["noor38"].code]
    assert set(_codes(merch.get("/garments?q=Noor").get_data(as_text=True))) == {
        stock["noor38"].code, stock["noor40"].code}


def test_the_list_sorts_by_the_columns_it_shows(login, stock) -> None:
    merch = login(Role.MERCHANDISER)
    by_price = _codes(merch.get("/garments?sort=price").get_data(as_text=True))
    assert by_price[0] == stock["mira"].code and by_price[-1] in {stock["noor38"].code, stock["noor40"].code}
    by_price_down = _codes(merch.get("/garments?sort=-price").get_data(as_text=True))
    assert by_price_down[0] in {stock["noor38"].code, stock["noor40"].code}
    assert by_price_down[2:] == [stock["dress"].code, stock["mira"].code]
    by_colour = _codes(merch.get("/garments?sort=colour").get_data(as_text=True))
    assert by_colour[0] in {stock["noor38"].code, stock["noor40"].code}  # camel < champagne < navy
    assert by_colour[2] == stock["mira"].code and by_colour[3] == stock["dress"].code
    assert merch.get("/garments?sort=nonsense").status_code == 400


def test_a_filtered_list_exports_as_csv_naming_its_filters(login, stock) -> None:
    response = login(Role.MERCHANDISER).get("/garments.csv?q=Noor&sort=size")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Code, style, colour or size", "Noor"] in rows and ["Sort by", "size"] in rows
    start = rows.index(next(r for r in rows if r and r[0] == "Code"))
    assert [r[0] for r in rows[start + 1:]] == [stock["noor38"].code, stock["noor40"].code]
    assert rows[start + 1][3:5] == ["38", "camel"]


def test_a_filtered_list_exports_as_a_real_spreadsheet_with_formula_safe_cells(login, db_session, world, now) -> None:
    evil = catalogue.create_style(
        db_session, style_number="SS26-0404", name="=HYPERLINK(\"http://x\")", season="SS26", category="dress",
        colour="@red", sizes=["M"], country_of_manufacture="PT", supplier="x", retail_price_cents=1000,
        materials=[("silk", 100, False, "")])
    db_session.commit()
    garment = make_garment(db_session, style=evil, size="M", now=now)
    response = login(Role.MERCHANDISER).get("/garments.xlsx?style=SS26-0404")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert ("Style number", "SS26-0404") in [tuple(r[:2]) for r in rows]
    line = next(r for r in rows if r[0] == garment.code)
    assert line[2] == "'=HYPERLINK(\"http://x\")" and line[4] == "'@red"
    assert line[7] == 10.0  # the price is a number a spreadsheet can add up
