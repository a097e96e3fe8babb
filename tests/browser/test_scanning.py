"""Scanning in a real browser (Debian Chromium under Playwright) on a phone-sized screen.

The camera is Chromium's fake capture device playing a Y4M video of a printed label (blank frames
first), so the vendored WebAssembly decoder reads a real QR code; the handheld scanner is the
keyboard, typing the code and Enter the way a keyboard-wedge scanner does.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.adapters import qr
from cksloop.db.models import Garment
from cksloop.domain.labels import label_url
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.domain.scanning import mangle_azerty
from cksloop.web.scan.routes import SELFTEST_TEXT
from tests.builders import PASSWORD, make_garment, make_user

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "en-GB"}
S = GarmentState


# --- private fixtures: a browser, a signed-in phone --------------------------------------------

@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield browser
    browser.close()


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def phone(browser: Browser, live_server: str, db_session: Session, role: Role) -> Page:
    user = make_user(db_session, role)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.on("pageerror", lambda error: pytest.fail(f"JavaScript error: {error}"))
    sign_in(page, live_server, user.email)
    return page


@pytest.fixture
def staff_page(browser: Browser, live_server: str, db_session: Session) -> Iterator[Page]:
    page = phone(browser, live_server, db_session, Role.STORE_STAFF)
    yield page
    page.context.close()


def state_of(db_session: Session, code: str) -> GarmentState | None:
    db_session.rollback()
    return db_session.scalar(select(Garment.state).where(Garment.code == code))


# --- a video of a label for the fake camera ---------------------------------------------------

def write_y4m(path: Path, text: str, *, blank_frames: int = 20, label_frames: int = 45) -> None:
    """A 640×480, 15 fps Y4M: grey frames, then the QR code of ``text`` as printed on a label."""
    width, height, module = 640, 480, 7
    matrix = qr.qr_matrix(text)
    side = matrix.size_with_quiet_zone * module
    blank = Image.new("RGB", (width, height), (128, 128, 128))
    label = blank.copy()
    draw = ImageDraw.Draw(label)
    left, top = (width - side) // 2, (height - side) // 2
    draw.rectangle([left, top, left + side - 1, top + side - 1], fill="white")
    for r, row in enumerate(matrix.as_lists()):
        for c, dark in enumerate(row):
            if dark:
                x = left + (c + qr.QUIET_ZONE) * module
                y = top + (r + qr.QUIET_ZONE) * module
                draw.rectangle([x, y, x + module - 1, y + module - 1], fill="black")

    def frame(image: Image.Image) -> bytes:
        y, cb, cr = image.convert("YCbCr").split()
        half = (width // 2, height // 2)
        return b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()

    blank_bytes, label_bytes = frame(blank), frame(label)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        out.write(blank_bytes * blank_frames + label_bytes * label_frames)


# --- the scan page ------------------------------------------------------------------------------

def test_the_camera_reads_a_printed_label_and_opens_that_garment_once(
        playwright: Playwright, live_server: str, db_session: Session, tmp_path: Path, app: Any) -> None:
    garment = make_garment(db_session)
    other = make_garment(db_session)  # a second garment, so landing on the right one means something
    url = label_url(app.config["BASE_URL"], garment.code, garment.style.gtin_for(garment.size))
    video = tmp_path / "label.y4m"
    write_y4m(video, url)
    user = make_user(db_session, Role.STORE_STAFF)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(**PHONE)
        context.set_default_timeout(20000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        blocked: list[str] = []
        page.on("request", lambda request: blocked.append(request.url)
                if not request.url.startswith(live_server) and not request.url.startswith("data:") else None)
        sign_in(page, live_server, user.email)
        page.goto(f"{live_server}/scan")
        navigations: list[str] = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url)
                if frame == page.main_frame else None)
        page.click("#camera-toggle")
        page.wait_for_url(f"{live_server}/garments/{garment.code}", timeout=30000)
        page.wait_for_timeout(2000)  # the label stays in front of the lens: no second navigation
        assert navigations == [f"{live_server}/garments/{garment.code}"]
        assert garment.code in page.content() and other.code not in page.url
        assert errors == []
        assert blocked == []  # the decoder and its wasm came from our server, not a CDN
    finally:
        browser.close()


def test_a_code_typed_by_the_handheld_scanner_opens_the_garment(staff_page: Page, live_server: str,
                                                                db_session: Session) -> None:
    garment = make_garment(db_session)
    staff_page.goto(f"{live_server}/scan")
    expect(staff_page.locator("#scan-input")).to_be_focused()
    staff_page.keyboard.type(garment.code.lower(), delay=5)  # scanners type fast; case is forgiven
    staff_page.keyboard.press("Enter")
    staff_page.wait_for_url(f"{live_server}/garments/{garment.code}")
    assert staff_page.evaluate("document.body.dataset.lastFeedback") is None  # a new page


def test_keys_typed_while_nothing_has_focus_still_reach_the_scan_input(staff_page: Page, live_server: str,
                                                                       db_session: Session) -> None:
    garment = make_garment(db_session)
    staff_page.goto(f"{live_server}/scan")
    staff_page.evaluate("document.activeElement.blur()")
    staff_page.keyboard.type(garment.code)
    staff_page.keyboard.press("Enter")
    staff_page.wait_for_url(f"{live_server}/garments/{garment.code}")
    assert staff_page.url == f"{live_server}/garments/{garment.code}"


def test_an_azerty_mangled_scan_resolves_and_the_page_says_it_was_mangled(
        staff_page: Page, live_server: str, db_session: Session, app: Any) -> None:
    garment = make_garment(db_session)
    staff_page.goto(f"{live_server}/scan")
    mangled = mangle_azerty(f"{app.config['BASE_URL']}/g/{garment.code}")
    staff_page.keyboard.type(mangled)
    staff_page.keyboard.press("Enter")
    status = staff_page.locator("#scan-status")
    expect(status).to_contain_text("US keyboard layout")
    expect(status).to_contain_text(garment.code)
    assert staff_page.evaluate("document.body.dataset.lastFeedback") == "accept"
    staff_page.wait_for_url(f"{live_server}/garments/{garment.code}")


@pytest.mark.parametrize("payload, text", [
    ("WIFI:S:CKS-guest;T:WPA;P:secret;;", "but a Wi-Fi QR code"),
    ("https://example.com/g/CKS-00001", "another website (example.com)"),
    ("just some words", "This is not a CKS label."),
    ("CKS-" + "9" * 2500, "far too long"),
])
def test_a_foreign_or_overlong_payload_says_it_is_not_a_cks_label(staff_page: Page, live_server: str,
                                                                  payload: str, text: str) -> None:
    staff_page.goto(f"{live_server}/scan")
    staff_page.fill("#scan-input", payload)
    staff_page.keyboard.press("Enter")
    status = staff_page.locator("#scan-status")
    expect(status).to_contain_text(text)
    expect(status).to_contain_text("This is not a CKS label")
    assert staff_page.url == f"{live_server}/scan"
    assert staff_page.evaluate("document.body.dataset.lastFeedback") == "refuse"
    expect(staff_page.locator("#scan-input")).to_have_value("")  # ready for the next scan


def test_a_lost_connection_keeps_the_scan_on_the_batch_list_until_it_opens_after_all(
        staff_page: Page, live_server: str, db_session: Session) -> None:
    garment = make_garment(db_session)
    staff_page.goto(f"{live_server}/scan")
    staff_page.route("**/api/v1/scans", lambda route: route.abort("internetdisconnected"))
    staff_page.keyboard.type(garment.code)
    staff_page.keyboard.press("Enter")
    # kept where the next scan cannot overwrite it (the field once held it, and the next scan replaced it)
    expect(staff_page.locator("#scan-status")).to_contain_text(
        f"No network: {garment.code} is kept on your batch list (1 scan)")
    expect(staff_page.locator("#scan-input")).to_have_value("")
    held = staff_page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('cksloop.scan.handover.'))"
                               ".map((k) => JSON.parse(localStorage.getItem(k)))")
    assert held == [[garment.code]]
    staff_page.unroute("**/api/v1/scans")
    staff_page.keyboard.type(garment.code)  # scanned again with the network back: it opens
    staff_page.keyboard.press("Enter")
    staff_page.wait_for_url(f"{live_server}/garments/{garment.code}")
    left = staff_page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('cksloop.scan.handover.'))"
                               ".map((k) => JSON.parse(localStorage.getItem(k)))")
    assert left == [[]]  # handled: the batch list will not take it over


# --- batch scanning -----------------------------------------------------------------------------

def scan(page: Page, payload: str) -> None:
    before = page.locator("#scan-status").text_content()
    page.keyboard.type(payload)
    page.keyboard.press("Enter")
    expect(page.locator("#scan-status")).not_to_have_text(before or "")
    expect(page.locator("#scan-status")).not_to_have_attribute("data-kind", "info")


def test_a_batch_of_rental_returns_with_a_double_and_a_refused_garment(
        staff_page: Page, live_server: str, db_session: Session, app: Any) -> None:
    returned = [make_garment(db_session, state=S.RENTED_OUT) for _ in range(3)]
    on_shelf = make_garment(db_session)
    page = staff_page
    page.goto(f"{live_server}/scan/batch")
    expect(page.locator("#batch-action")).to_have_value("receive_rental_return")

    scan(page, returned[0].code)
    expect(page.locator("#scan-status")).to_contain_text(f"{returned[0].code}: OK")
    assert page.evaluate("document.body.dataset.lastFeedback") == "accept"
    scan(page, f"{app.config['BASE_URL']}/g/{returned[1].code}")
    scan(page, returned[0].code.lower())
    expect(page.locator("#scan-status")).to_contain_text(f"{returned[0].code} was already scanned: ignored.")
    assert page.evaluate("document.body.dataset.lastFeedback") == "duplicate"
    scan(page, on_shelf.code)
    expect(page.locator("#scan-status")).to_contain_text(f"{on_shelf.code} cannot")
    # the status gives the short reason; the list line keeps what the garment could do instead
    expect(page.locator("#batch-lines > li").first).to_contain_text("It could: ")
    expect(page.locator("#batch-lines > li").first).to_contain_text("Add to the rental pool")
    assert page.evaluate("document.body.dataset.lastFeedback") == "refuse"
    scan(page, mangle_azerty(returned[2].code))
    scan(page, "WIFI:S:guest;;")
    expect(page.locator("#scan-status")).to_contain_text("Wi-Fi QR code")

    lines = page.locator("#batch-lines > li")
    expect(lines).to_have_count(5)  # the Wi-Fi code stays listed as not a label: no scan vanishes
    expect(page.locator(f"#batch-lines > li[data-code='{on_shelf.code}']")).to_have_attribute(
        "data-outcome", "refused")
    expect(page.locator("#batch-lines > li[data-outcome='not_a_label']")).to_contain_text("WIFI:S:guest;;")
    expect(page.locator("#batch-counts")).to_have_text("3 can, 2 cannot, 1 double scan ignored")
    assert [state_of(db_session, g.code) for g in returned] == [S.RENTED_OUT] * 3  # nothing written yet

    confirm = page.locator("#batch-apply")
    expect(confirm).to_have_text("Confirm: Receive a rental return (inspect later) for 3 garments")
    confirm.click()
    summary = page.locator("#batch-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#batch-apply")).to_be_hidden()  # one confirmation: it cannot be pressed twice
    expect(page.locator("#scan-input")).to_be_hidden()
    expect(page.locator("#summary-counts")).to_have_text("3 done, 1 refused, 1 double scan, 0 unknown.")
    refused_line = page.locator(f"#summary-lines > li[data-code='{on_shelf.code}']")
    expect(refused_line).to_contain_text("refused")
    expect(refused_line).to_contain_text("is not possible while the garment is in stock")
    expect(page.locator("#summary-lines > li[data-outcome='duplicate']")).to_have_count(1)
    expect(page.locator("#summary-lines > li[data-outcome='applied']")).to_have_count(3)
    assert [state_of(db_session, g.code) for g in returned] == [S.AWAITING_INSPECTION] * 3
    assert state_of(db_session, on_shelf.code) is S.IN_STOCK
    # the batch list prints as labels: exactly the garments it changed
    print_link = page.locator("#batch-print")
    expect(print_link).to_be_visible()
    printed = print_link.get_attribute("href").split("codes=", 1)[1]
    assert sorted(printed.replace("%2C", ",").split(",")) == sorted(g.code for g in returned)

    page.click("#batch-new")
    expect(page.locator("#batch-lines > li")).to_have_count(0)
    expect(page.locator("#batch-action")).to_be_enabled()


def test_a_batch_move_to_the_outlet_needs_the_details_first_and_survives_a_reload(
        browser: Browser, live_server: str, db_session: Session) -> None:
    garments = [make_garment(db_session) for _ in range(2)]
    page = phone(browser, live_server, db_session, Role.MERCHANDISER)
    try:
        page.goto(f"{live_server}/scan/batch")
        page.select_option("#batch-action", "move_to_outlet")
        page.fill("#f-outlet-price", "abc")
        page.locator("#scan-input").focus()
        scan(page, garments[0].code)
        expect(page.locator("#setup-error")).to_contain_text("Type an amount in euros")
        # the scan waits on the list until the details are right; nothing is checked against bad ones
        expect(page.locator("#batch-lines > li[data-outcome='unchecked']")).to_have_count(1)
        expect(page.locator("#batch-apply")).to_be_disabled()
        page.fill("#f-outlet-price", "39,95")
        page.locator("#scan-input").focus()  # leaving the fixed field checks the waiting scan
        expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(1)
        scan(page, garments[1].code)
        expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(2)
        page.reload()  # the scanned list and its details are kept for this tab
        expect(page.locator("#batch-lines > li")).to_have_count(2)
        expect(page.locator("#batch-action")).to_have_value("move_to_outlet")
        expect(page.locator("#f-outlet-price")).to_have_value("39,95")
        expect(page.locator("#f-outlet-price")).to_be_disabled()
        page.click("#batch-apply")
        expect(page.locator("#summary-counts")).to_have_text("2 done, 0 refused, 0 double scans, 0 unknown.")
        db_session.rollback()
        prices = db_session.scalars(select(Garment.price_cents).where(
            Garment.code.in_([g.code for g in garments]))).all()
        assert prices == [3995, 3995]
    finally:
        page.context.close()


# --- the scanner self-test ----------------------------------------------------------------------

def test_the_selftest_shows_each_character_and_spots_a_us_layout_scanner(staff_page: Page,
                                                                         live_server: str) -> None:
    staff_page.goto(f"{live_server}/scan/selftest")
    staff_page.keyboard.type(mangle_azerty(SELFTEST_TEXT))
    staff_page.keyboard.press("Enter")
    expect(staff_page.locator("#selftest-verdict")).to_contain_text("US keyboard layout")
    rows = staff_page.locator("#selftest-rows > tr")
    expect(rows).to_have_count(len(SELFTEST_TEXT) + 1)  # every character, then the Enter
    expect(rows.nth(4)).to_contain_text("U+0029")  # ")" where "-" was meant
    expect(rows.nth(4)).to_have_class("differs")
    staff_page.keyboard.type(SELFTEST_TEXT)
    staff_page.keyboard.press("Enter")
    expect(staff_page.locator("#selftest-verdict")).to_contain_text("set up right")
    expect(staff_page.locator("#selftest-rows > tr.differs")).to_have_count(0)
