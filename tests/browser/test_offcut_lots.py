"""An offcut lot on a tablet in real Chromium: scanned on /scan it opens; grams used make what is
left drop on the page, and in the ledger (issue 15)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import Role
from cksloop.domain.offcut_labels import lot_label_url
from cksloop.services import offcut_lots
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.browser.test_scanning import write_y4m
from tests.builders import PASSWORD, STORE, make_user

TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "is_mobile": True,
          "has_touch": True, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
       "weight_g": 1200, "location": STORE}


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def _lots(db_session: Session, now: Any) -> list[dict[str, Any]]:
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    # two lots, so landing on the right one means something
    return [offcut_lots.create(db_session, details={**LOT, "weight_g": w}, actor=organiser, now=now)
            for w in (1200, 800)]


@pytest.fixture
def tablet(browser: Browser, live_server: str, db_session: Session, world: Any) -> Iterator[Page]:
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    context = browser.new_context(**TABLET)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, live_server, organiser.email)
    yield page
    context.close()
    assert errors == []


def test_a_scanned_lot_opens_and_using_grams_makes_what_is_left_drop(tablet: Page, live_server: str,
                                                                    db_session: Session, now: Any) -> None:
    lot = _lots(db_session, now)[0]
    tablet.goto(f"{live_server}/scan")
    expect(tablet.locator("#scan-input")).to_be_focused()
    tablet.keyboard.type(lot["code"].lower(), delay=20)  # the handheld scanner types the label
    tablet.keyboard.press("Enter")
    tablet.wait_for_url(f"{live_server}/offcuts/{lot['code']}")
    expect(tablet.locator("#remaining")).to_have_text("1,200 g")

    tablet.click("#action-consume > summary")
    tablet.fill("#consume-grams", "350")
    tablet.fill("#consume-note", "jewellery pouches")
    tablet.click("#action-consume button[type=submit]")
    tablet.wait_for_url(f"{live_server}/offcuts/{lot['code']}")
    expect(tablet.locator("#remaining")).to_have_text("850 g")
    expect(tablet.locator("#lot-history .event").first).to_contain_text("Use offcuts")
    db_session.rollback()
    assert offcut_lots.lot_dict(db_session, lot["code"])["remaining_g"] == 850

    # asking for more than is left is refused on the page, with what is left, and writes nothing
    tablet.click("#action-consume > summary")
    tablet.fill("#consume-grams", "900")
    tablet.fill("#consume-note", "toiletry bags")
    tablet.click("#action-consume button[type=submit]")
    expect(tablet.locator(".problem")).to_contain_text("has only 850 g left")
    expect(tablet.locator("#remaining")).to_have_text("850 g")


def test_the_camera_reads_a_printed_lot_label_and_opens_that_lot(playwright: Playwright, live_server: str,
                                                                db_session: Session, world: Any, now: Any,
                                                                tmp_path: Path, app: Any) -> None:
    lot = _lots(db_session, now)[1]
    video = tmp_path / "lot-label.y4m"
    write_y4m(video, lot_label_url(app.config["BASE_URL"], lot["code"]))
    user = make_user(db_session, Role.STORE_STAFF)  # store staff read and scan lots
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(**TABLET)
        context.set_default_timeout(20_000)
        page = context.new_page()
        _sign_in(page, live_server, user.email)
        page.goto(f"{live_server}/scan")
        page.click("#camera-toggle")
        page.wait_for_url(f"{live_server}/offcuts/{lot['code']}", timeout=30_000)
        expect(page.locator("#remaining")).to_have_text("800 g")
        expect(page.locator("#action-consume")).to_have_count(0)  # reading, not writing
    finally:
        browser.close()
