"""Printed labels decode, with an independent decoder, to exactly their garment's URL, and that URL
opens the right page; the label API and the print page refuse bad input with a reason, never a 500."""
from __future__ import annotations

import base64
import io
import re
from typing import Any
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from cksloop.domain.labels import LAYOUTS, MAX_LABELS, SheetLayout, label_url
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import tokens
from tests.builders import OUTLET, STORE, make_garment, make_user
from tests.unit.test_labels import unescape_field

BASE = "https://loop.cks.example"  # the test app's BASE_URL
PDF_DPI = 300
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# --- helpers -------------------------------------------------------------------------------------

def token(session, now, role: Role = Role.STORE_STAFF) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, now=now)}"}


def url_of(garment) -> str:
    return label_url(BASE, garment.code, garment.style.gtin_for(garment.size))


def on_white(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white: a transparent background would read as black."""
    image = image.convert("RGBA")
    flat = Image.new("RGBA", image.size, "white")
    flat.alpha_composite(image)
    return flat.convert("RGB")


def decode(image: Image.Image) -> list[Any]:
    return [found for found in zxingcpp.read_barcodes(on_white(image))
            if found.format == zxingcpp.BarcodeFormat.QRCode]


def pdf_pages(data: bytes) -> list[tuple[Image.Image, Any]]:
    """Each page rendered at 300 dpi, with its text page for reading the printed words."""
    document = pypdfium2.PdfDocument(data)
    return [(page.render(scale=PDF_DPI / 72).to_pil(), page.get_textpage()) for page in document]


def cell_of(layout: SheetLayout, x_px: float, y_px: float) -> int:
    """The cell (1-based) under a point of a page rendered at 300 dpi."""
    x_mm, y_mm = x_px * 25.4 / PDF_DPI, y_px * 25.4 / PDF_DPI
    for cell in range(1, layout.cells + 1):
        left, top, width, height = layout.cell_box(cell)
        if left <= x_mm < left + width and top <= y_mm < top + height:
            return cell
    raise AssertionError(f"({x_mm:.1f}, {y_mm:.1f}) mm is on no label of {layout.name}")


def centre(found: Any) -> tuple[float, float]:
    p = found.position
    corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    return sum(c.x for c in corners) / 4, sum(c.y for c in corners) / 4


def cell_text(layout: SheetLayout, textpage: Any, cell: int) -> str:
    left, top, width, height = layout.cell_box(cell)
    pt = 72 / 25.4
    page_height = layout.page_height_mm
    return textpage.get_text_bounded(left=left * pt, right=(left + width) * pt,
                                     bottom=(page_height - top - height) * pt, top=(page_height - top) * pt)


def labels_on_sheets(data: bytes, layout: SheetLayout) -> list[tuple[int, int, str, str]]:
    """(sheet, cell, decoded URL, printed text of that cell) for every QR on every page."""
    found = []
    for sheet, (image, textpage) in enumerate(pdf_pages(data), start=1):
        for symbol in decode(image):
            cell = cell_of(layout, *centre(symbol))
            found.append((sheet, cell, symbol.text, cell_text(layout, textpage, cell)))
    return sorted(found)


_ZPL_FIELD = re.compile(r"\^FO(\d+),(\d+)(\^[A-Z0-9]+[^\^]*)?\^FH\^FD(.*?)\^FS")


def parse_zpl(text: str) -> list[dict[str, Any]]:
    """Each ^XA…^XZ label: its size, the ^BQ payload and magnification, and its text fields."""
    labels = []
    for body in re.findall(r"\^XA(.*?)\^XZ", text, flags=re.S):
        label: dict[str, Any] = {"width": int(re.search(r"\^PW(\d+)", body).group(1)),
                                 "height": int(re.search(r"\^LL(\d+)", body).group(1)),
                                 "utf8": "^CI28" in body, "texts": []}
        for x, y, command, data in _ZPL_FIELD.findall(body):
            value = unescape_field(data)
            if command.startswith("^BQ"):
                orientation, model, magnification, level, _mask = command[3:].split(",")
                assert (orientation, model) == ("N", "2")
                label.update(qr=value, qr_x=int(x), qr_y=int(y), magnification=int(magnification),
                             level=level)
            else:
                label["texts"].append(value)
        labels.append(label)
    return labels


@pytest.fixture
def garments(db_session, world) -> dict[str, Any]:
    """A dress in size M (its size has a GTIN) and a blazer (no GTIN)."""
    return {"dress": make_garment(db_session, style=world["dress"], size="M"),
            "blazer": make_garment(db_session, style=world["blazer"], size="38")}


@pytest.fixture
def staff(db_session, now) -> dict[str, str]:
    return token(db_session, now)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- every format decodes to exactly the garment's URL --------------------------------------------

@pytest.mark.parametrize("which", ["dress", "blazer"])
def test_png_label_decodes_to_exactly_the_garments_url(client, garments, staff, which):
    garment = garments[which]
    response = client.get(f"/api/v1/garments/{garment.code}/label?format=png", headers=staff)
    assert response.status_code == 200 and response.mimetype == "image/png"
    [found] = decode(Image.open(io.BytesIO(response.data)))
    assert found.text == url_of(garment)
    assert found.ec_level == "Q"


def test_the_dress_label_is_a_digital_link_and_the_blazer_label_the_short_path(garments):
    assert url_of(garments["dress"]) == f"{BASE}/01/05400000001024/21/{garments['dress'].code}"
    assert url_of(garments["blazer"]) == f"{BASE}/g/{garments['blazer'].code}"


@pytest.mark.browser
@pytest.mark.parametrize("which", ["dress", "blazer"])
def test_svg_label_drawn_by_chromium_decodes_to_exactly_the_garments_url(client, garments, staff,
                                                                       chromium, which):
    garment = garments[which]
    response = client.get(f"/api/v1/garments/{garment.code}/label?format=svg", headers=staff)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<image" not in svg and "<path" in svg  # vector, not an embedded bitmap
    page = chromium.new_page(viewport={"width": 600, "height": 600})
    try:
        page.goto("data:image/svg+xml;base64," + base64.b64encode(response.data).decode())
        shot = page.screenshot(omit_background=True)  # transparent where the SVG draws nothing
    finally:
        page.close()
    [found] = decode(Image.open(io.BytesIO(shot)))
    assert found.text == url_of(garment)


def test_single_label_pdf_decodes_in_the_cell_asked_for(client, garments, staff):
    garment = garments["dress"]
    response = client.get(f"/api/v1/garments/{garment.code}/label?format=pdf&layout=a4-2x7&start_at=6",
                          headers=staff)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    [(sheet, cell, url, text)] = labels_on_sheets(response.data, LAYOUTS["a4-2x7"])
    assert (sheet, cell, url) == (1, 6, url_of(garment))
    assert garment.code in text


@pytest.mark.parametrize("layout_name,start_at,count", [
    ("a4-3x8", 1, 5), ("a4-3x8", 22, 6), ("a4-2x7", 13, 4), ("a4-4x10", 38, 5)])
def test_every_label_on_a_pdf_sheet_decodes_to_its_garment_in_the_right_cell(
        client, db_session, world, staff, layout_name, start_at, count):
    made = [make_garment(db_session, style=world["dress" if i % 2 else "blazer"],
                         size="M" if i % 2 else "40") for i in range(count)]
    layout = LAYOUTS[layout_name]
    response = client.post("/api/v1/labels", headers=staff, json={
        "codes": [g.code for g in made], "layout": layout_name, "format": "pdf", "start_at": start_at})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = labels_on_sheets(response.data, layout)
    expected = []
    for index, garment in enumerate(made):
        sheet, cell = divmod(start_at - 1 + index, layout.cells)
        expected.append((sheet + 1, cell + 1, url_of(garment)))
    assert [(s, c, u) for s, c, u, _ in found] == expected
    for (_, _, _, text), garment in zip(found, made):
        style = garment.style
        for printed in (garment.code, style.style_number, garment.size, style.colour):
            assert printed in text, (printed, text)
    # the cells before start_at stay empty: nothing else on the sheet decodes
    assert len(found) == count


@pytest.mark.parametrize("dpi,width,height", [(203, 400, 200), (300, 591, 295)])
def test_zpl_labels_carry_the_qr_url_and_the_printed_fields(client, garments, staff, dpi, width, height):
    codes = [garments["dress"].code, garments["blazer"].code]
    response = client.post("/api/v1/labels", headers=staff,
                           json={"codes": codes, "format": "zpl", "dpi": dpi})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    labels = parse_zpl(response.get_data(as_text=True))
    assert len(labels) == 2
    for label, garment in zip(labels, (garments["dress"], garments["blazer"])):
        assert (label["width"], label["height"]) == (width, height)  # 50 × 25 mm
        assert label["utf8"]
        assert label["qr"] == "QA," + url_of(garment)  # level Q, automatic input mode
        assert label["level"] == "Q"
        assert label["texts"] == [garment.code, garment.style.style_number, garment.size,
                                  garment.style.colour]
        dots_per_mm = dpi / 25.4
        assert label["magnification"] / dots_per_mm >= 0.5  # mm a module
        # the quiet zone (4 modules) lies on the label
        assert min(label["qr_x"], label["qr_y"]) >= 4 * label["magnification"]


def test_zpl_escapes_a_style_whose_words_contain_command_characters(client, db_session, staff, now):
    from cksloop.services import catalogue

    style = catalogue.create_style(
        db_session, style_number="SS25-^XZ", name="Jas ~JA", season="SS25", category="coat",
        colour="crème_brûlée^FS", sizes=["M"], country_of_manufacture="BE", supplier="x",
        retail_price_cents=100, materials=[("wool", 100, False, "")])
    db_session.commit()
    garment = make_garment(db_session, style=style, size="M")
    response = client.get(f"/api/v1/garments/{garment.code}/label?format=zpl&dpi=300", headers=staff)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.count("^XA") == text.count("^XZ") == 1  # no injected format end or start
    assert "~JA" not in text
    [label] = parse_zpl(text)
    assert label["texts"] == [garment.code, "SS25-^XZ", "M", "crème_brûlée^FS"]


def test_a_decoded_label_url_opens_the_public_page_for_visitors_and_the_garment_page_for_staff(
        app, client, garments, staff, login):
    signed_in = login(Role.STORE_STAFF)
    for garment in garments.values():
        response = client.get(f"/api/v1/garments/{garment.code}/label?format=png", headers=staff)
        [found] = decode(Image.open(io.BytesIO(response.data)))
        parts = urlsplit(found.text)
        assert f"{parts.scheme}://{parts.netloc}" == app.config["BASE_URL"]
        visitor = app.test_client().get(parts.path)
        assert visitor.status_code == 200
        page = visitor.get_data(as_text=True)
        assert garment.code in page and garment.style.name in page
        staff_view = signed_in.get(parts.path)
        assert staff_view.status_code == 302
        assert staff_view.location == f"/garments/{garment.code}"
        assert signed_in.get(staff_view.location).status_code == 200


# --- the API refuses bad input with a reason -------------------------------------------------------

def error_of(response, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "details"} and body["message"]
    return body


def test_unknown_and_malformed_codes_are_refused_and_listed(client, garments, staff):
    known = garments["dress"].code
    body = error_of(client.post("/api/v1/labels", headers=staff,
                                json={"codes": [known, "CKS-99999", "CKS-88888"]}))
    assert body["error"] == "invalid_details"
    assert body["details"]["unknown_codes"] == ["CKS-99999", "CKS-88888"]
    body = error_of(client.post("/api/v1/labels", headers=staff,
                                json={"codes": [known, "<script>", "cks-00001"]}))
    assert body["details"]["malformed_codes"] == ["<script>", "cks-00001"]


def test_more_than_five_thousand_codes_are_refused(client, garments, staff):
    codes = [f"CKS-{i:06d}" for i in range(MAX_LABELS + 1)]
    body = error_of(client.post("/api/v1/labels", headers=staff, json={"codes": codes}))
    assert "codes" in body["details"]["fields"]
    assert body["details"]["max_codes"] == MAX_LABELS


@pytest.mark.parametrize("change,field", [
    ({"layout": "a4-9x9"}, "layout"),
    ({"layout": None}, "layout"),
    ({"start_at": 0}, "start_at"),
    ({"start_at": 25}, "start_at"),  # a 3 × 8 sheet has 24 labels
    ({"start_at": "1"}, "start_at"),
    ({"start_at": True}, "start_at"),
    ({"start_at": 1.5}, "start_at"),
    ({"format": "svg"}, "format"),
    ({"dpi": 600}, "dpi"),
    ({"codes": "CKS-00001"}, "codes"),
    ({"codes": [1, 2]}, "codes"),
    ({"codes": []}, "codes"),
    ({"colour": "red"}, "colour"),
])
def test_bad_label_requests_get_422_naming_the_field(client, garments, staff, change, field):
    body = {"codes": [garments["dress"].code], "layout": "a4-3x8", "format": "pdf", "start_at": 1}
    body.update(change)
    answer = error_of(client.post("/api/v1/labels", headers=staff, json=body))
    assert field in answer["details"]["fields"]


def test_start_at_beyond_the_sheet_says_how_many_labels_it_has(client, garments, staff):
    answer = error_of(client.post("/api/v1/labels", headers=staff, json={
        "codes": [garments["dress"].code], "layout": "a4-4x10", "start_at": 41}))
    assert answer["details"]["max_start_at"] == 40


@pytest.mark.parametrize("body,status", [
    ("not json", 400), ("[1, 2]", 422), ('"CKS-00001"', 422), ("{" * 100 + "}" * 100, 400)])
def test_a_body_that_is_not_a_json_object_is_refused_without_a_500(client, staff, body, status):
    response = client.post("/api/v1/labels", headers={**staff, "Content-Type": "application/json"},
                           data=body)
    assert error_of(response, status)["error"] in ("bad_request", "invalid_details", "invalid_json")


@pytest.mark.parametrize("query,field", [
    ("format=gif", "format"), ("format=pdf&layout=a5", "layout"), ("format=pdf&start_at=0", "start_at"),
    ("format=pdf&start_at=x", "start_at"), ("format=pdf&layout=a4-2x7&start_at=15", "start_at"),
    ("format=zpl&dpi=150", "dpi"), ("format=svg&format=png", "format")])
def test_bad_label_parameters_get_422(client, garments, staff, query, field):
    response = client.get(f"/api/v1/garments/{garments['dress'].code}/label?{query}", headers=staff)
    assert field in error_of(response)["details"]["fields"]


@pytest.mark.parametrize("code", ["CKS-99999", "nonsense", "<b>x</b>", "x" * 3000])
def test_an_unknown_garment_has_no_label(client, garments, staff, code):
    body = error_of(client.get(f"/api/v1/garments/{code}/label", headers=staff), 404)
    assert body["error"] == "not_found"


def test_store_staff_merchandisers_and_admins_print_but_workshop_organisers_may_not(
        client, db_session, now, garments):
    path = f"/api/v1/garments/{garments['dress'].code}/label?format=svg"
    for role in (Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN):
        assert client.get(path, headers=token(db_session, now, role)).status_code == 200
    organiser = token(db_session, now, Role.WORKSHOP_ORGANISER)
    assert error_of(client.get(path, headers=organiser), 403)["error"] == "forbidden"
    assert error_of(client.post("/api/v1/labels", headers=organiser,
                                json={"codes": [garments["dress"].code]}), 403)
    assert error_of(client.get(path), 401)["error"] == "unauthorized"


def test_the_browser_session_prints_with_its_csrf_token(garments, login):
    signed_in = login(Role.MERCHANDISER)
    body = {"codes": [garments["dress"].code], "format": "zpl"}
    refused = signed_in.client.post("/api/v1/labels", json=body)
    assert error_of(refused, 400)["error"] == "csrf_failed"
    accepted = signed_in.client.post("/api/v1/labels", json=body, headers={"X-CSRFToken": signed_in.csrf})
    assert accepted.status_code == 200
    assert parse_zpl(accepted.get_data(as_text=True))[0]["qr"] == "QA," + url_of(garments["dress"])


def test_the_label_routes_are_in_the_openapi_document(client, staff):
    document = client.get("/api/v1/openapi.json", headers=staff).get_json()
    single = document["paths"]["/api/v1/garments/{code}/label"]["get"]
    assert {p["name"] for p in single["parameters"]} >= {"code", "format", "layout", "start_at", "dpi"}
    assert "image/svg+xml" in single["responses"]["200"]["content"]
    many = document["paths"]["/api/v1/labels"]["post"]
    schema = document["components"]["schemas"]["LabelsRequest"]
    assert schema["properties"]["codes"]["maxItems"] == MAX_LABELS
    assert many["x-roles"] and "workshop_organiser" not in many["x-roles"]


# --- the print page --------------------------------------------------------------------------------

def test_print_page_for_a_style_counts_its_labels_and_prints_them_all(db_session, world, login):
    dresses = [make_garment(db_session, style=world["dress"], size=s) for s in ("S", "M", "L")]
    make_garment(db_session, style=world["blazer"], size="38")
    signed_in = login(Role.STORE_STAFF)
    page = signed_in.get("/labels/print?style=SS25-0101")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "3 labels" in html and all(g.code in html for g in dresses)
    response = signed_in.post("/labels/print", data={
        "style": "SS25-0101", "format": "pdf", "layout": "a4-3x8", "start_at": "2", "dpi": "203"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    found = labels_on_sheets(response.data, LAYOUTS["a4-3x8"])
    assert [(cell, url) for _, cell, url, _ in found] == [(i + 2, url_of(g)) for i, g in enumerate(dresses)]


def test_print_page_prints_a_pasted_scan_list_as_zpl(garments, login):
    signed_in = login(Role.STORE_STAFF)
    codes = f"{garments['blazer'].code}\n{garments['dress'].code}, {garments['blazer'].code}"
    response = signed_in.post("/labels/print", data={"codes": codes, "format": "zpl", "layout": "a4-3x8",
                                                      "start_at": "1", "dpi": "300"})
    assert response.status_code == 200
    labels = parse_zpl(response.get_data(as_text=True))
    assert [label["qr"] for label in labels] == ["QA," + url_of(garments["blazer"]),
                                                "QA," + url_of(garments["dress"])]


def test_print_page_prints_the_garments_of_a_receipt(db_session, world, login, now):
    received = [make_garment(db_session, style=world["dress"], size="M", location=OUTLET) for _ in range(2)]
    make_garment(db_session, style=world["dress"], size="M", location=STORE)
    signed_in = login(Role.MERCHANDISER)
    day = now.date().isoformat()
    page = signed_in.get(f"/labels/print?received_on={day}&location={OUTLET}").get_data(as_text=True)
    assert "2 labels" in page
    response = signed_in.post("/labels/print", data={
        "received_on": day, "location": OUTLET, "format": "pdf", "layout": "a4-4x10", "start_at": "1",
        "dpi": "203"})
    assert [url for _, _, url, _ in labels_on_sheets(response.data, LAYOUTS["a4-4x10"])] == \
        [url_of(g) for g in received]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_receipt_date_outside_the_calendar_we_keep_is_refused_with_a_message(db_session, world, login, day):
    make_garment(db_session)
    signed_in = login(Role.MERCHANDISER)
    response = signed_in.post("/labels/print", data={"received_on": day, "format": "pdf", "layout": "a4-3x8",
                                                      "start_at": "1", "dpi": "203"})
    assert response.status_code == 422
    assert "between 2000 and 2100" in response.get_data(as_text=True)


def test_print_page_prints_a_search_result_of_the_garment_list(db_session, world, login):
    pooled = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    make_garment(db_session)
    signed_in = login(Role.STORE_STAFF)
    response = signed_in.post("/labels/print", data={"state": "in_rental_pool", "season": "ss25",
                                                      "format": "zpl", "layout": "a4-3x8", "start_at": "1",
                                                      "dpi": "203"})
    assert [label["qr"] for label in parse_zpl(response.get_data(as_text=True))] == ["QA," + url_of(pooled)]


@pytest.mark.parametrize("form,message", [
    ({"codes": "CKS-99999", "layout": "a4-2x7", "start_at": "1"}, "CKS-99999"),
    ({"codes": "CKS-00001", "layout": "a4-2x7", "start_at": "15"}, "14"),
    ({"codes": "CKS-00001", "layout": "a4-3x8", "start_at": "0"}, "between 1 and 40"),
    ({"codes": "CKS-00001", "layout": "a4-1x1", "start_at": "1"}, "Not a valid choice"),
    ({"codes": "", "layout": "a4-3x8", "start_at": "1"}, "Choose the garments to label first."),
    ({"codes": "&lt;x&gt; <b>bold</b>", "layout": "a4-3x8", "start_at": "1"}, "Not a garment code"),
])
def test_print_page_refuses_a_bad_form_with_the_reason_and_keeps_it_filled_in(garments, login, form,
                                                                             message):
    signed_in = login(Role.STORE_STAFF)
    response = signed_in.post("/labels/print", data={"format": "pdf", "dpi": "203", **form})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.findall(r'class="field-error">([^<]*)<', html)
    assert any(message in error for error in errors), errors
    assert "<b>bold</b>" not in html
    assert form["codes"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html


def test_print_page_needs_a_csrf_token_and_a_printing_role(garments, login):
    signed_in = login(Role.STORE_STAFF)
    response = signed_in.client.post("/labels/print", data={"codes": garments["dress"].code,
                                                            "format": "pdf", "layout": "a4-3x8",
                                                            "start_at": "1", "dpi": "203"})
    assert response.status_code == 400
    organiser = login(Role.WORKSHOP_ORGANISER)
    assert organiser.get("/labels/print").status_code == 403


def test_garment_list_and_style_page_link_to_printing_exactly_what_they_show(db_session, world, login):
    make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    make_garment(db_session)
    signed_in = login(Role.STORE_STAFF)
    page = signed_in.get("/garments?state=in_rental_pool&season=SS25").get_data(as_text=True)
    link = re.search(r'href="(/labels/print\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "state=in_rental_pool" in link and "season=SS25" in link
    preview = signed_in.get(link).get_data(as_text=True)
    assert "1 label" in preview
    style_page = signed_in.get(f"/styles/{world['dress'].style_number}").get_data(as_text=True)
    assert f'/labels/print?style={world["dress"].style_number}' in style_page


def test_print_page_names_the_labels_that_are_not_gs1_because_their_size_has_no_gtin(db_session, world, login):
    with_gtin = make_garment(db_session, style=world["dress"], size="S")
    without = [make_garment(db_session, style=world["dress"], size="L"),
               make_garment(db_session, style=world["blazer"], size="38")]
    signed_in = login(Role.STORE_STAFF)
    codes = ",".join(g.code for g in [with_gtin, *without])
    html = signed_in.get(f"/labels/print?codes={codes}").get_data(as_text=True)
    note = re.search(r'<p class="hint label-not-gs1">(.*?)</p>', html, re.S)
    assert note, "the page does not say which labels are not GS1"
    assert "2 labels are not GS1" in note.group(1) and "cannot read them as products" in note.group(1)
    assert all(g.code in note.group(1) for g in without) and with_gtin.code not in note.group(1)


def test_print_page_has_no_gs1_note_when_every_size_has_a_gtin(db_session, world, login):
    dress = make_garment(db_session, style=world["dress"], size="M")
    html = login(Role.STORE_STAFF).get(f"/labels/print?codes={dress.code}").get_data(as_text=True)
    assert "1 label" in html and "label-not-gs1" not in html
