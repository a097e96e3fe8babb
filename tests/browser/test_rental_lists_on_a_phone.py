"""Rental lists on a phone: the table header is hidden, so every value shows its column's name."""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import rentals
from tests.builders import PASSWORD, make_garment, make_user


def test_a_return_card_on_a_phone_labels_its_days_out_and_grade(page: Page, live_server: str,
                                                                  db_session: Session, now) -> None:
    clerk = make_user(db_session, Role.STORE_STAFF)
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    rentals.receive_return(db_session, code=garment.code, actor=clerk, now=now)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", clerk.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/rentals/returns?from=2026-11-01&to=2026-11-30")
    expect(page.locator("table.responsive thead")).to_be_hidden()
    card = page.locator("table.responsive tbody tr").first
    expect(card).to_contain_text(garment.code)
    shown = card.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content + ' ' + c.textContent.trim())")
    assert any(text.startswith('"Days out: "') for text in shown), shown
    assert any(text.startswith('"Grade: "') for text in shown), shown
    assert all(text.startswith('"') for text in shown), f"a value without its column name: {shown}"
