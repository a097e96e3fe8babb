"""The charter report in a real Chromium: open the year, click a figure, land on the garment it counts;
print the report to an A4 PDF and read it back (issue 16)."""
from __future__ import annotations

from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from tests.browser.conftest import LAPTOP
from tests.builders import PASSWORD
from tests.charter_world import build

A4_POINTS = (595, 842)


@pytest.fixture
def admin_page(browser: Browser, live_server: str, db_session: Session) -> Iterator[tuple[Page, dict]]:
    chain = build(db_session)
    context = browser.new_context(**LAPTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", chain["admin"].email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    yield page, chain
    context.close()


def test_a_figure_of_the_report_leads_to_the_garment_it_counts(admin_page, live_server):
    page, chain = admin_page
    page.get_by_role("link", name="Charter report").first.click()
    page.fill("input[name=year]", "2025")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charter report 2025")
    row = page.locator("#f-rental-quality_returns_snag")
    expect(row).to_contain_text("Quality returns with snag")
    row.get_by_role("link", name="1").click()
    expect(page.get_by_role("status").first).to_contain_text("1 item")
    page.get_by_role("link", name=chain["codes"]["g1"]).click()
    page.wait_for_url(f"{live_server}/garments/{chain['codes']['g1']}")
    expect(page.locator("h1")).to_contain_text(chain["codes"]["g1"])


def test_the_report_prints_on_a4_with_its_figures_and_draft_text(admin_page, live_server):
    page, _chain = admin_page
    page.goto(f"{live_server}/reports/charter?year=2025")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    pdf = pdfium.PdfDocument(page.pdf(prefer_css_page_size=True, print_background=False))
    try:
        assert 1 <= len(pdf) <= 4, len(pdf)
        for index in range(len(pdf)):
            width, height = pdf[index].get_size()
            assert (round(width), round(height)) == A4_POINTS
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    flat = " ".join(text.split())
    assert "Charter report 2025" in flat
    assert "Op één item na is in 2025 geen kledingstuk teruggekeerd" in flat
    assert "Quality returns with snag" in flat and "Sold at the outlet" in flat
    assert "Sign out" not in flat  # the navigation is not printed
