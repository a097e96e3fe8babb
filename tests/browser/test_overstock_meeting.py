"""The review meeting in Chromium: a merchandiser opens a session, sees a flagged style, records a
markdown, executes it (confirming), and the garments' pages show the new price."""
from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment
from cksloop.domain.lifecycle import Role
from tests.browser.conftest import LAPTOP, assert_accessible
from tests.builders import PASSWORD, make_user
from tests.services.test_overstock import build_fixture

TABLET = {**LAPTOP, "viewport": {"width": 820, "height": 1180}, "has_touch": True}


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def _meeting(page: Page, base: str, session: Session, now) -> list[str]:
    _, units = build_fixture(session, now)
    merch = make_user(session, Role.MERCHANDISER)
    _sign_in(page, base, merch.email)
    page.goto(f"{base}/overstock/reviews")
    page.fill("#season", "AW26")
    page.click("button:has-text('Open the review')")
    page.wait_for_url(f"{base}/overstock/reviews/*")
    line = page.locator("#line-AW26-0301")
    expect(line.locator(".badge")).to_have_text("flagged")
    expect(line).to_contain_text("14.0 weeks of cover, more than the 8.0 allowed.")
    return [u.code for u in units]


def test_a_merchandiser_marks_a_flagged_style_down_and_the_garment_pages_show_the_new_price(
        browser: Browser, live_server: str, db_session: Session, now) -> None:
    context = browser.new_context(**LAPTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        codes = _meeting(page, live_server, db_session, now)
        line = page.locator("#line-AW26-0301")
        line.locator("summary").click()
        line.locator("select[name=decision]").select_option("mark_down")
        line.locator("input[name=reason]").fill("14 weeks of cover")
        line.locator("input[name=percent]").fill("30")
        line.locator("button:has-text('Record the decision')").click()
        expect(page.locator(".flash-success")).to_contain_text("Decision recorded for AW26-0301.")
        assert_accessible(page, "the review meeting")

        # the button asks first: dismissing writes nothing, accepting executes
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.click("#decisions button:has-text('Execute')")
        expect(page.locator("#decisions button:has-text('Execute')")).to_be_visible()
        db_session.rollback()
        assert 6995 not in set(db_session.scalars(select(Garment.price_cents)))
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#decisions button:has-text('Execute')")
        expect(page.locator(".flash-success")).to_contain_text("Executed: 5 ledger events for 5 garments.")
        expect(page.locator("#decisions")).to_contain_text("Yes: 5 events for 5 garments")

        db_session.rollback()
        repriced = [c for c, p in db_session.execute(select(Garment.code, Garment.price_cents)
                                                     .where(Garment.code.in_(codes))) if p == 6995]
        assert len(repriced) == 5
        for code in repriced[:2]:
            page.goto(f"{live_server}/garments/{code}")
            expect(page.locator("main")).to_contain_text("€69.95")
        assert problems == []
    finally:
        context.close()


def test_the_meeting_page_fits_a_tablet(browser: Browser, live_server: str, db_session: Session, now) -> None:
    context = browser.new_context(**TABLET)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _meeting(page, live_server, db_session, now)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820, f"the page scrolls sideways on a tablet ({width}px)"
    finally:
        context.close()
