"""Each role's home page on its own device: everything on the screen, big enough to tap, and allowed.

Store staff work on a phone (390×844), workshop organisers on a tablet (820×1180), merchandisers
and admins on a laptop (1366×768). On each, no element sits off-screen, no page scrolls sideways,
every button and menu link is at least 44 px, and no link the page shows answers 403.
"""
from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import GarmentState, Role
from tests.browser.conftest import PHONE
from tests.builders import PASSWORD, make_garment, make_user

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "is_mobile": True,
          "has_touch": True, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
DEVICES = {Role.STORE_STAFF: PHONE, Role.WORKSHOP_ORGANISER: TABLET, Role.MERCHANDISER: LAPTOP,
           Role.ADMIN: LAPTOP}

# what lies outside the viewport, what is too small to tap, in the header and the home tiles
PROBLEMS_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const offscreen = [], small = [];
  for (const el of document.querySelectorAll('a, button, summary, input:not([type=hidden]), select')) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;  // folded away, not shown
    const box = el.getBoundingClientRect();
    const name = (el.textContent || el.name || el.tagName).trim();
    if (box.left < 0 || box.right > width + 0.5) offscreen.push(name);
    if (el.closest('.topbar, .tasks') || el.matches('button, summary')) {
      if (box.height < 44 || box.width < 44) small.push(`${name} (${box.width}×${box.height})`);
    }
  }
  return {offscreen, small, scrollWidth: document.scrollingElement.scrollWidth, width};
}
"""


@pytest.fixture
def signed_in(browser: Browser, live_server: str, db_session: Session,
              request: pytest.FixtureRequest) -> Iterator[Page]:
    role: Role = request.param
    user = make_user(db_session, role)
    for state in (GarmentState.IN_STOCK, GarmentState.IN_CARE, GarmentState.RENTED_OUT):
        make_garment(db_session, state=state)
    context = browser.new_context(**DEVICES[role])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    yield page
    context.close()


def _assert_fits(page: Page) -> None:
    found = page.evaluate(PROBLEMS_JS)
    assert found["offscreen"] == [], f"{page.url}: off-screen: {found['offscreen']}"
    assert found["scrollWidth"] <= found["width"], \
        f"{page.url} scrolls sideways: {found['scrollWidth']}px on a {found['width']}px screen"
    assert found["small"] == [], f"{page.url}: smaller than 44 px: {found['small']}"


def _shown_links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all(".topbar a[href], .tasks a[href], main a.button[href]",
                                      "links => links.map(a => a.getAttribute('href'))")
    return sorted({h for h in hrefs if h.startswith("/")})


@pytest.mark.parametrize("signed_in", list(DEVICES), indirect=True, ids=lambda r: r.value)
def test_home_page_fits_its_device_and_no_link_it_shows_is_forbidden(signed_in: Page, live_server: str) -> None:
    page = signed_in
    _assert_fits(page)
    menu = page.locator("summary.menu-button")
    if menu.is_visible():  # a phone: the links are one tap away, then on the screen
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        menu.click()
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        _assert_fits(page)
    else:
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    links = _shown_links(page)
    assert links, "the home page shows no links"
    for href in links:
        response = page.request.get(urljoin(live_server, href))
        assert response.status != 403, f"{href} is shown on the home page but answers 403"
        assert response.status < 400, f"{href} answers {response.status}"


@pytest.mark.parametrize("signed_in", [Role.STORE_STAFF], indirect=True, ids=lambda r: r.value)
def test_store_staff_pages_behind_the_menu_do_not_scroll_sideways_on_a_phone(signed_in: Page,
                                                                          live_server: str) -> None:
    page = signed_in
    page.locator("summary.menu-button").click()
    links = page.eval_on_selector_all("nav.mainnav a[href]", "links => links.map(a => a.getAttribute('href'))")
    for href in links:
        page.goto(urljoin(live_server, href))
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"{href} is {width}px wide on a 390px phone"
