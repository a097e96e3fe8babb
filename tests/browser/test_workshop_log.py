"""Logging a workshop on a store tablet: scan two lots with a scanner, tap the counts, confirm, see the lots drop."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots, workshops
from tests.browser.conftest import assert_accessible
from tests.builders import PASSWORD, STORE, make_user

TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "is_mobile": True,
          "has_touch": True}
LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo", "location": STORE}


@pytest.fixture
def tablet(browser: Browser) -> Iterator[Page]:
    """A tablet-sized page that fails the test on a JavaScript error or a CSP violation."""
    context = browser.new_context(**TABLET)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert problems == [], "\n".join(problems)


def test_an_organiser_logs_a_workshop_by_scanning_two_lots_and_sees_their_weights_drop(
        tablet: Page, live_server: str, db_session: Session, now) -> None:
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    first = offcut_lots.create(db_session, details={**LOT, "weight_g": 800}, actor=organiser, now=now)["code"]
    second = offcut_lots.create(db_session, details={**LOT, "weight_g": 300, "colour": "black"},
                                actor=organiser, now=now)["code"]
    held = workshops.plan(db_session, store=STORE, starts_at=now - dt.timedelta(hours=2), theme="Denim pouches",
                          capacity=10, organiser=None, actor=organiser, now=now)["id"]
    db_session.commit()
    page = tablet
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="Log a workshop").first.click()
    page.get_by_role("link", name="Log a workshop: Denim pouches").click()
    scan = page.locator("#log-scan")
    expect(scan).to_be_focused()
    # a scanner types fast and ends with Enter, back to back, without waiting for answers
    for code in (first, second, first.lower()):
        page.keyboard.type(code, delay=30)
        page.keyboard.press("Enter")
    lots = page.locator(".scanned-lot")
    expect(lots).to_have_count(2)  # the lot scanned twice is listed once
    expect(lots.nth(0)).to_contain_text("800 g left")
    expect(lots.nth(1)).to_contain_text("300 g left")
    expect(scan).to_be_focused()
    for _ in range(6):
        page.get_by_role("button", name="one more").first.click()  # jewellery pouches
    for _ in range(6):
        page.locator("button.step[data-target=log-participants][data-step='1']").click()
    # 6 pouches × 35 g = 210 g, shared over the two lots: placeholders show what will be used
    expect(lots.nth(0).locator(".grams-input")).to_have_attribute("placeholder", "105")
    assert_accessible(page, "the workshop log with two lots scanned")
    page.get_by_role("button", name="3. Confirm and log").click()
    page.wait_for_url(f"{live_server}/workshops/{held}")
    after = page.locator("table.workshop-lots-after")
    expect(after.locator(f"tr[data-code='{first}'] .lot-remaining")).to_have_text("695 g")
    expect(after.locator(f"tr[data-code='{second}'] .lot-remaining")).to_have_text("195 g")
    expect(page.locator(".participants")).to_have_text("6")
    assert_accessible(page, "the logged workshop")
