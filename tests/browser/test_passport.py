"""A customer scans a label with a phone: the passport opens without signing in, switches to
French, and prints on A4 with its composition and without the site's navigation."""
from __future__ import annotations

import pypdfium2
from playwright.sync_api import Page, expect

from tests.builders import make_garment

A4_POINTS = (595.3, 841.9)  # 210 × 297 mm


def test_a_visitor_opens_the_passport_switches_to_french_and_prints_it(page: Page, live_server: str,
                                                                       db_session, world, now):
    blazer = make_garment(db_session, style=world["blazer"], size="38", now=now)
    page.goto(f"{live_server}/g/{blazer.code}")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the phone asks for en-GB
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor")
    expect(page.locator(".composition .fibre")).to_have_text(["wool", "polyester"])
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    page.locator("form.lang").get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(f"{live_server}/g/{blazer.code}")
    expect(page.locator(".composition .fibre")).to_have_text(["laine", "polyester"])
    expect(page.get_by_role("heading", name="Composition")).to_be_visible()
    expect(page.locator(".made-in")).to_have_text("Portugal")

    # the print style sheet's @page asks for A4 itself
    pdf = pypdfium2.PdfDocument(page.pdf(prefer_css_page_size=True))
    try:
        assert len(pdf) == 1, f"the passport prints on {len(pdf)} pages"
        width, height = pdf[0].get_size()
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, (width, height)
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    for shown in ("Noor", "Composition", "laine", "70", "polyester", blazer.code, "Portugal"):
        assert shown in text, shown
    for hidden in ("Nederlands", "English", "cksloop"):  # the header and its language switch
        assert hidden not in text, hidden
