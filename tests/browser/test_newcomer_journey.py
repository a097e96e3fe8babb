"""A newcomer on a phone: signs in, finds a garment, reads its history, acts on it, sees the result."""
from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from cksloop.db.models import Garment
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import OTHER_STORE, PASSWORD, make_garment, make_user

#: a folder to keep screenshots of the journey in, for a person to look at (off by default)
SCREENSHOTS = os.environ.get("CKSLOOP_SCREENSHOTS")


def _no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px phone"


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login"))  # anonymous visitors land on the sign-in form
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # wait for "load", not just the new URL: until js/menu.js has run, a phone's menu is still
    # unfolded, and a tap on "Menu" then folds it instead of opening it
    page.wait_for_url(base + "/")


def test_newcomer_signs_in_finds_a_garment_reads_its_history_and_adds_it_to_the_rental_pool(
        page: Page, live_server: str, db_session, world, now):
    clerk = make_user(db_session, Role.STORE_STAFF, name="Nina Peeters")
    make_garment(db_session, style=world["blazer"], now=now)  # another piece, so finding matters
    garment = make_garment(db_session, now=now)
    code = garment.code

    sign_in(page, live_server, clerk.email)
    expect(page.locator(".topbar .who")).to_contain_text("Nina Peeters")
    _no_sideways_scrolling(page)

    page.get_by_text("Menu", exact=True).click()  # on a phone the links sit behind the menu button
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Garments").click()
    expect(page).to_have_url(re.compile(r"/garments$"))
    page.get_by_role("search").get_by_role("textbox").first.fill(code)
    page.get_by_role("search").get_by_role("button", name="Search").click()
    results = page.locator(".garment-list > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(code)
    expect(results.first).to_contain_text("Lisa")
    _no_sideways_scrolling(page)

    results.first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server}/garments/{code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    history = page.locator("ol.history > li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Receive")
    expect(history.first).to_contain_text("in stock")
    _no_sideways_scrolling(page)

    page.locator("#action-add_to_rental_pool summary").click()
    page.get_by_role("button", name=re.compile(r"Confirm: Add to the rental pool")).click()

    expect(page).to_have_url(f"{live_server}/garments/{code}")
    expect(page.get_by_role("status")).to_contain_text("in the rental pool")
    expect(history).to_have_count(2)
    expect(page.locator("ol.history")).to_contain_text("Add to the rental pool")
    expect(page.locator("h1")).to_contain_text("in the rental pool")
    # the next steps offered are the rental pool's, and taking it out again is one of them
    expect(page.locator("#action-remove_from_rental_pool")).to_have_count(1)
    _no_sideways_scrolling(page)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "newcomer-after-action.png"), full_page=True)

    db_session.rollback()  # end the test's read transaction to see what the server committed
    assert db_session.scalar(select(Garment.state).where(Garment.code == code)) is GarmentState.IN_RENTAL_POOL


def test_action_refused_in_the_browser_says_why_and_changes_nothing(page: Page, live_server: str, db_session,
                                                                     now):
    clerk = make_user(db_session, Role.STORE_STAFF)
    garment = make_garment(db_session, now=now)
    sign_in(page, live_server, clerk.email)
    page.goto(f"{live_server}/garments/{garment.code}")

    # transfer without choosing where to: the form comes back with a field message, nothing written
    page.locator("#action-transfer summary").click()
    page.locator("#action-transfer").get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.locator("#action-transfer .field-error").first).to_be_visible()
    expect(page.locator("ol.history > li")).to_have_count(1)

    page.locator("#action-transfer select").first.select_option(OTHER_STORE)
    page.locator("#action-transfer").get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.locator("ol.history > li")).to_have_count(2)
    expect(page.locator("ol.history")).to_contain_text("Transfer")
