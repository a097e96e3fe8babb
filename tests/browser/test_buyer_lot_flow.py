"""A merchandiser on a tablet builds a buyer lot by batch scan, meets the contract, confirms, verifies a box, ships.

The scanner types 30 ms a character and Enter, back to back; every scan must be listed and
checked, a garment that cannot join shows its code and state, a forbidden destination is refused
naming the rule and the contract version (the form keeps everything), and at the packing table a
garment from outside the lot raises a loud alarm (a banner read out at once and the refusal sound).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLot, Garment
from cksloop.domain.buyer_contracts import Restrictions
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.destinations import EndUse
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import buyers
from tests.builders import PASSWORD, make_garment, make_user

TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "is_mobile": True,
          "has_touch": True, "locale": "en-GB", "timezone_id": "Europe/Brussels"}


@pytest.fixture
def merchandiser(browser: Browser, live_server: str, db_session: Session) -> Iterator[Page]:
    user = make_user(db_session, Role.MERCHANDISER)
    context = browser.new_context(**TABLET)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    yield page
    context.close()
    assert problems == []


@pytest.fixture
def narrow_buyer(db_session: Session, now: dt.datetime) -> int:
    """Only Belgium, the Netherlands and France, reuse only, the home market excluded."""
    buyer = buyers.create_buyer(db_session, name="Tweedehands Noord BV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@noord.example", now=now)
    buyers.add_contract(db_session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(allowed_countries=frozenset({"BE", "NL", "FR"}),
                                                  allowed_groups=frozenset(), exclude_home_market=True,
                                                  allowed_end_uses=frozenset({EndUse.REUSE})),
                        actor_id=None, now=now)
    return buyer.id


def type_scan(page: Page, payload: str) -> None:
    page.keyboard.type(payload, delay=30)
    page.keyboard.press("Enter")


def test_a_lot_is_built_by_batch_scan_refused_for_its_destination_fixed_confirmed_verified_and_shipped(
        merchandiser: Page, live_server: str, db_session: Session, now: dt.datetime, narrow_buyer: int) -> None:
    page = merchandiser
    codes = [make_garment(db_session, now=now).code for _ in range(3)]
    sold = make_garment(db_session, now=now, state=GarmentState.SOLD).code
    stranger = make_garment(db_session, now=now).code

    page.goto(f"{live_server}/buyers")
    page.get_by_role("link", name="Declare a buyer lot").first.click()
    page.select_option("#buyer", str(narrow_buyer))
    page.select_option("#destination_country", "BE")  # the home market, which this contract excludes
    page.select_option("#end_use", "reuse")
    page.fill("#planned_ship_on", "2026-11-24")

    page.click("#lot-scan-input")
    for payload in [codes[0], f"https://loop.cks.example/g/{codes[1]}", sold, codes[2]]:
        type_scan(page, payload)
    lines = page.locator("#lot-scan-lines li")
    expect(lines).to_have_count(4)
    for code in codes:
        expect(lines.filter(has_text=f"{code}: can join")).to_have_count(1)
    refused = lines.filter(has_text=sold)
    expect(refused).to_contain_text(f"{sold} (sold) cannot join")
    expect(refused).to_have_class(re.compile("line-refused"))
    type_scan(page, codes[0])  # the same label twice is listed once
    expect(page.locator("#lot-scan-status")).to_contain_text(f"{codes[0]} was already scanned")
    expect(lines).to_have_count(4)
    refused.get_by_role("button", name="Remove").click()
    expect(lines).to_have_count(3)

    page.click("#lot-submit")
    problem = page.locator("#problem")
    expect(problem).to_contain_text("Contract version 1 excludes the home market (BE).")
    expect(problem).to_contain_text("Rule: The contract excludes the home market.")
    expect(problem).to_contain_text("Checked against contract version 1.")
    db_session.rollback()
    assert db_session.scalar(select(BuyerLot.id)) is None
    # everything stays filled in: the declaration and every scan
    expect(page.locator("#destination_country")).to_have_value("BE")
    expect(page.locator("#lot-scan-lines li")).to_have_count(3)
    expect(page.locator("#lot-scan-lines li.line-allowed")).to_have_count(3)

    page.select_option("#destination_country", "NL")
    page.click("#lot-submit")
    expect(page.locator(".flash-success")).to_contain_text("declared with 3 garments")
    expect(page.locator("h1")).to_contain_text("draft")
    page.get_by_role("button", name="Confirm the lot").click()
    expect(page.locator("h1")).to_contain_text("confirmed")

    # the packing table: a garment of the lot is ticked off, one from outside raises the alarm
    page.click("#verify-input")
    type_scan(page, codes[1])
    expect(page.locator(f'tr[data-lot-code="{codes[1]}"]')).to_have_class(re.compile("packed"))
    expect(page.locator("#verify-status")).to_contain_text(f"{codes[1]} belongs to this lot: ticked off (1 of 3)")
    type_scan(page, stranger)
    alarm = page.locator("#verify-alarm")
    expect(alarm).to_be_visible()
    expect(alarm).to_have_attribute("role", "alert")
    expect(alarm).to_contain_text(f"STOP: {stranger} is NOT in this lot")
    expect(page.locator("#verify-status")).to_have_attribute("aria-live", "assertive")
    assert page.evaluate("document.body.dataset.lastFeedback") == "refuse"  # the refusal sound played
    type_scan(page, codes[2])
    expect(alarm).to_be_hidden()
    expect(page.locator("#verify-count")).to_contain_text("2 / 3")

    page.fill("#shipped_on", "2026-11-24")
    page.fill("#gross_weight_kg", "4,2")
    page.fill("#carrier", "Bpost")
    page.fill("#transport_document", "CMR-2026-118")
    page.get_by_role("button", name="Record the shipment").click()
    expect(page.locator(".flash-success")).to_contain_text("shipped")
    expect(page.locator("h1")).to_contain_text("shipped, proof awaited")
    db_session.rollback()
    lot = db_session.scalar(select(BuyerLot))
    assert (lot.status, lot.destination_country, lot.gross_weight_g) == (LotStatus.SHIPPED, "NL", 4200)
    assert set(db_session.scalars(select(Garment.state).where(Garment.code.in_(codes)))) == {
        GarmentState.SHIPPED_TO_BUYER}
    assert db_session.scalar(select(Garment.state).where(Garment.code == stranger)) is GarmentState.IN_STOCK
