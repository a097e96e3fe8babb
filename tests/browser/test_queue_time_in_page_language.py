"""The batch queue's "kept at" time is written as the page's language writes it in Belgium, not in
the browser's own locale (an American phone on a French page still reads day first)."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import Role
from cksloop.services import preferences
from tests.browser.conftest import PHONE
from tests.builders import PASSWORD, make_garment, make_user


def test_a_batch_kept_offline_shows_its_time_day_first_on_a_french_page_of_an_american_phone(
        browser: Browser, live_server: str, db_session: Session) -> None:
    user = make_user(db_session, Role.STORE_STAFF)
    preferences.set_language(db_session, user_id=user.id, language="fr", languages=["nl", "fr", "en"])
    garment = make_garment(db_session)
    context = browser.new_context(**{**PHONE, "locale": "en-US"})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url(f"{live_server}/")
        page.goto(f"{live_server}/scan/batch")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.evaluate("new Date(2026, 3, 12).toLocaleDateString()") == "4/12/2026"  # the phone is American
        page.select_option("#batch-action", "add_to_rental_pool")
        page.locator("#scan-input").focus()
        page.keyboard.type(garment.code, delay=20)
        page.keyboard.press("Enter")
        expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(1)

        context.set_offline(True)
        before = dt.datetime.now(ZoneInfo("Europe/Brussels"))
        page.click("#batch-queue")
        line = page.locator("#outbox-list > li .line-text")
        expect(line).to_have_count(1)
        text = line.inner_text()
        after = dt.datetime.now(ZoneInfo("Europe/Brussels"))
        # fr_BE's short form, d/MM/yy HH:mm: the day first, a 24-hour clock
        shown = {f"{t.day}/{t:%m}/{t:%y} {t:%H}:{t:%M}" for t in (before, after)}
        assert any(s in text for s in shown), (text, shown)
        assert not re.search(r"\b(AM|PM)\b", text)
    finally:
        context.close()
    assert errors == []
