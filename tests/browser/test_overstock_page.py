"""A merchandiser opens the overstock review on the demo's collection, on a laptop and a tablet: a flagged
style, its drill-down, the charts, and the CSV download."""
from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from cksloop.demo.chain import STORES
from cksloop.demo.overstock import load_overstock_demo, plan_overstock
from cksloop.domain.lifecycle import Role
from cksloop.services import catalogue
from tests.builders import PASSWORD, WAREHOUSE, make_user, seed_world
from tests.conftest import FIXED_NOW

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "is_mobile": True,
          "has_touch": True, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def merchandiser(browser: Browser, live_server: str, db_session: Session,
                 request: pytest.FixtureRequest) -> Iterator[Page]:
    seed_world(db_session)
    for code in STORES[:3]:  # the demo collection's stores that the test world lacks
        if code not in ("ANT-MEIR", "GENT-VELD"):
            catalogue.create_location(db_session, code=code, name=f"CKS {code}", kind="store", city="Brussel")
    admin = make_user(db_session, Role.ADMIN, home_location=None)
    load_overstock_demo(db_session, now=FIXED_NOW, actor=admin)
    user = make_user(db_session, Role.MERCHANDISER, home_location=WAREHOUSE)
    context = browser.new_context(**request.param, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    yield page
    context.close()
    assert problems == [], problems


@pytest.mark.parametrize("merchandiser", [LAPTOP, TABLET], ids=["laptop", "tablet"], indirect=True)
def test_a_merchandiser_sees_a_flagged_style_drills_into_it_and_downloads_the_csv(merchandiser: Page,
                                                                                 tmp_path) -> None:
    page = merchandiser
    plan = plan_overstock(FIXED_NOW)
    best, blazer = plan.styles[0].number, plan.styles[1].number
    menu = page.locator("nav.mainnav a", has_text="Overstock")
    if not menu.is_visible():
        page.locator("summary.menu-button").click()
    menu.click()
    expect(page.locator("h1")).to_contain_text(f"Overstock review {plan.season}")
    flagged = page.locator(f'tr[data-style="{blazer}"]')
    expect(flagged).to_have_class("flagged")
    flags = page.locator(f'tr[data-flags-of="{blazer}"]')
    expect(flags.locator(".flag").first).to_contain_text("sell-through below plan")
    expect(flags.locator("ol.proposals li").last).to_contain_text("Sell to a buyer")
    expect(page.locator(f'tr[data-style="{best}"]')).not_to_have_class("flagged")
    expect(page.locator("svg[role=img]")).to_have_count(3)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the review page scrolls sideways"

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == f"cksloop-overstock-{plan.season}-{FIXED_NOW.date()}.csv"
    path = tmp_path / "review.csv"
    download.value.save_as(path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    blazer_row = next(r for r in rows if r and r[0] == blazer)
    assert blazer_row[3] == flagged.locator('td[data-figure="sold"] > a').first.inner_text()

    flagged.get_by_role("link", name=blazer).click()
    expect(page.locator("h2#sizes")).to_be_visible()
    sizes = page.locator("table[aria-labelledby=sizes] tbody tr")
    expect(sizes).to_have_count(len(plan.styles[1].sizes))
    on_hand = page.locator('td[data-figure="on_hand"] > a').first
    total = int(on_hand.inner_text())
    on_hand.click()
    expect(page.locator(".result-count")).to_contain_text(f"{total} garments")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the garment list scrolls sideways"
