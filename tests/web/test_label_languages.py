"""Labels print Dutch, French and English exactly: accented style names in the embedded DejaVu font
(never Helvetica, never stripped), catalogue words in the user's language, and the labels still scan."""
from __future__ import annotations

import ctypes
import html
import re
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium
import pytest

from cksloop.domain.labels import LAYOUTS
from cksloop.domain.lifecycle import Role
from cksloop.services import catalogue
from tests.builders import OUTLET, make_garment
from tests.web.test_label_printing import labels_on_sheets, parse_zpl, token, url_of

#: style names with the accents of the three languages, and one letter Windows-1252 lacks (Ł), which
#: the old Helvetica labels printed as "L"
NAMES = {"SS26-1001": "Robe Élodie", "SS26-1002": "Jurk Noëlle", "SS26-1003": "Blazer Çédric",
         "SS26-1004": "Jurk Łódź"}
#: GTINs of the first two styles' size M: their labels carry a GS1 Digital Link, the others /g/
GTINS = {"SS26-1001": "5412345001010", "SS26-1002": "5412345001027"}
#: the colour "navy" of the catalogue, as each language's catalogue says it
NAVY = {"nl": "marineblauw", "fr": "bleu marine", "en": "navy"}


@pytest.fixture
def accented(db_session) -> list[Any]:
    """One garment of each accented style, all navy; the first two sizes have a GTIN."""
    made = []
    for number, name in NAMES.items():
        style = catalogue.create_style(
            db_session, style_number=number, name=name, season="SS26", category="dress", colour="navy",
            sizes=["M"], country_of_manufacture="BE", supplier="Atelier", retail_price_cents=9900,
            materials=[("cotton", 100, False, "")],
            gtins={"M": GTINS[number]} if number in GTINS else None)
        db_session.commit()
        made.append(make_garment(db_session, style=style, size="M"))
    return made


def fonts_drawing(data: bytes, wanted: str) -> dict[str, set[tuple[str, bool]]]:
    """For each character of ``wanted`` on the PDF's pages: the base font names (subset prefix
    dropped) that draw it, and whether that font is embedded, as pdfium reads them."""
    found: dict[str, set[tuple[str, bool]]] = {}
    document = pypdfium2.PdfDocument(data)
    for page in document:
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            char = chr(pdfium.FPDFText_GetUnicode(textpage.raw, index))
            if char not in wanted:
                continue
            font = pdfium.FPDFTextObj_GetFont(textpage.get_textobj(index).raw)
            size = pdfium.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium.FPDFFont_GetBaseFontName(font, name, size)
            found.setdefault(char, set()).add(
                (name.value.decode().split("+")[-1], bool(pdfium.FPDFFont_GetIsEmbedded(font))))
    return found


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_accented_style_names_print_exactly_in_the_users_language_and_every_label_scans(
        client, db_session, now, accented, language):
    headers = {**token(db_session, now), "Accept-Language": language}
    layout = LAYOUTS["a4-3x8"]
    response = client.post("/api/v1/labels", headers=headers, json={
        "codes": [g.code for g in accented], "format": "pdf", "layout": layout.name, "start_at": 4})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = labels_on_sheets(response.data, layout)
    # every label decodes, in its cell, to exactly its garment's URL: the new font moved no QR
    assert [(sheet, cell, url) for sheet, cell, url, _ in found] == \
        [(1, 4 + i, url_of(g)) for i, g in enumerate(accented)]
    assert sum("/01/" in url for _, _, url, _ in found) == 2  # Digital Link and the short path both
    for (_, _, _, text), garment in zip(found, accented):
        lines = text.split()
        assert garment.style.name in text, (garment.style.name, text)  # letter for letter, accents kept
        assert garment.code in lines and garment.style.style_number in lines
        assert NAVY[language] in text, (language, text)
    if language != "en":
        assert "navy" not in " ".join(text for *_, text in found)


def test_label_pdfs_embed_dejavu_sans_and_no_builtin_font(client, db_session, now, accented):
    response = client.post("/api/v1/labels", headers=token(db_session, now),
                           json={"codes": [g.code for g in accented], "format": "pdf"})
    assert response.status_code == 200
    data = response.data
    # the font dictionaries: subsets of DejaVu Sans (regular and bold), each with its TrueType file
    base_fonts = set(re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", data))
    assert {name.split(b"+")[-1] for name in base_fonts} == {b"DejaVuSans", b"DejaVuSans-Bold"}
    assert all(re.fullmatch(rb"[A-Z]{6}\+DejaVuSans(-Bold)?", name) for name in base_fonts), base_fonts
    assert data.count(b"/FontFile2") == 2
    assert b"Helvetica" not in data
    # and the accented letters are drawn with them, embedded: nothing is left to the reader's fonts
    accents = "ÉëÇéŁóź"
    drawn = fonts_drawing(data, accents + "C")
    assert set(drawn) == set(accents + "C")
    assert drawn["C"] == {("DejaVuSans-Bold", True)}  # the code, in bold
    for char in accents:
        assert drawn[char] == {("DejaVuSans", True)}, (char, drawn[char])


def test_zpl_labels_carry_accents_and_the_colour_in_the_users_language(client, db_session, now, accented):
    garment = accented[2]  # Blazer Çédric
    response = client.get(f"/api/v1/garments/{garment.code}/label?format=zpl",
                          headers={**token(db_session, now), "Accept-Language": "fr"})
    assert response.status_code == 200
    [label] = parse_zpl(response.get_data(as_text=True))
    assert label["utf8"] and label["qr"] == "QA," + url_of(garment)
    assert label["texts"] == [garment.code, "SS26-1003", "M", "bleu marine"]


def test_a_colour_outside_the_catalogues_words_prints_as_written(client, db_session, now):
    style = catalogue.create_style(
        db_session, style_number="SS26-1010", name="Robe Zoé", season="SS26", category="dress",
        colour="bleu canard chiné", sizes=["M"], country_of_manufacture="BE", supplier="Atelier",
        retail_price_cents=9900, materials=[("cotton", 100, False, "")])
    db_session.commit()
    garment = make_garment(db_session, style=style, size="M")
    response = client.get(f"/api/v1/garments/{garment.code}/label?format=pdf",
                          headers={**token(db_session, now), "Accept-Language": "nl"})
    [(_, _, url, text)] = labels_on_sheets(response.data, LAYOUTS["a4-3x8"])
    assert url == url_of(garment)
    assert "bleu canard chiné" in text and "Robe Zoé" in text


@pytest.mark.parametrize("language,date,received", [
    ("nl", "25 nov 2026", "Kledingstukken ontvangen op"),
    ("fr", "25 nov. 2026", "Articles réceptionnés le"),
    ("en", "25 Nov 2026", "Garments received on")])
def test_the_print_page_shows_the_receipt_date_in_the_users_language(db_session, world, login, now,
                                                                     language, date, received):
    make_garment(db_session, style=world["dress"], size="M", location=OUTLET)
    signed_in = login(Role.MERCHANDISER)
    page = signed_in.get(f"/labels/print?received_on={now.date().isoformat()}&location={OUTLET}",
                         headers={"Accept-Language": language})
    assert page.status_code == 200
    [selection] = re.findall(r'<p class="selection">(.*?)</p>', page.get_data(as_text=True), flags=re.S)
    assert html.unescape(selection).startswith(f"{received} {date}"), selection
    assert now.date().isoformat() not in selection
