"""A clerk in Wallonia taps "Français" once, on a phone, and keeps French on every device."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from cksloop.domain.lifecycle import Role
from tests.browser.conftest import PHONE
from tests.browser.test_newcomer_journey import sign_in
from tests.builders import PASSWORD, make_garment, make_user


def test_a_clerk_switches_to_french_on_a_phone_and_gets_it_again_on_another_device(
        page: Page, browser: Browser, live_server: str, db_session, world, now):
    clerk = make_user(db_session, Role.STORE_STAFF, name="Amélie Dubois")
    garment = make_garment(db_session, now=now)
    sign_in(page, live_server, clerk.email)

    page.locator("header details > summary").first.click()  # on a phone the switch sits in the menu
    switch = page.locator("form.lang")
    expect(switch.get_by_role("button")).to_have_text(["Nederlands", "Français"])
    switch.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Aujourd'hui")).to_be_visible()
    page.wait_for_load_state("load")  # the menu folds once js/menu.js has run; tap it after that
    page.locator("header details > summary").first.click()
    expect(switch.get_by_role("button")).to_have_text(["Nederlands", "English"])
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the French header is {width}px wide on a 390px phone"

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Articles").click()
    expect(page).to_have_url(re.compile(r"/garments$"))
    page.get_by_role("link", name=re.compile(garment.code)).first.click()
    expect(page.get_by_role("heading", name="Ce que vous pouvez faire maintenant")).to_be_visible()

    # another phone, whose browser asks for English: the saved choice wins
    other = browser.new_context(**PHONE)
    try:
        phone = other.new_page()
        phone.goto(live_server + "/login")
        phone.get_by_label("Email").fill(clerk.email)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        expect(phone.locator("html")).to_have_attribute("lang", "fr")
        expect(phone.get_by_role("heading", name="Aujourd'hui")).to_be_visible()
    finally:
        other.close()
