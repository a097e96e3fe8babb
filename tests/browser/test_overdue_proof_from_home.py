"""A merchandiser at her desk is told on her home page that a buyer lot's proof is late, and clears it.

She follows the urgent task to the overdue list, opens the lot's proof panel, uploads the owed
documents (small PDFs made here), accepts them, and the lot is proven: the lot's page says so and
the home page no longer shows anything late. The world is built through the services; the app's
clock is the tests' fixed now (25 November 2026), so a lot shipped on 1 September with 30 proof
days has been overdue since 2 October.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLot, BuyerLotProof
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.lifecycle import Role
from tests.browser.conftest import LAPTOP, assert_accessible
from tests.buyer_lot_world import LONG_AGO, make_buyer, make_shipped_lot
from tests.builders import PASSWORD, make_user
from tests.proof_files import pdf_bytes


@pytest.fixture
def merchandiser(browser: Browser, live_server: str, db_session: Session) -> Iterator[Page]:
    """A merchandiser signed in on a laptop; a JavaScript error or a CSP refusal fails the test."""
    user = make_user(db_session, Role.MERCHANDISER)
    context = browser.new_context(**LAPTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    yield page
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture
def overdue_lot(db_session: Session, now: dt.datetime) -> int:
    """A lot of two garments shipped on 1 September to a buyer whose contract gives 30 days for proof."""
    actor = make_user(db_session, Role.MERCHANDISER)
    return make_shipped_lot(db_session, buyer_id=make_buyer(db_session, now=now, name="Textiel Opkoop NV"),
                            actor=actor, now=now, shipped_on=LONG_AGO, garments=2)


def test_a_merchandiser_follows_the_late_proof_task_from_home_uploads_the_proof_and_the_lot_is_proven(
        merchandiser: Page, live_server: str, db_session: Session, overdue_lot: int) -> None:
    page = merchandiser
    lot_id = overdue_lot
    page.goto(f"{live_server}/")
    task = page.locator("li.task", has_text="buyer lot waits for proof past its deadline")
    expect(task).to_have_count(1)
    expect(task).to_have_class(re.compile(r"\burgent\b"))
    expect(task.locator(".count")).to_have_text("1")
    assert_accessible(page, "the home page with a late buyer lot")

    task.get_by_role("link").click()
    page.wait_for_url(f"{live_server}/buyer-lots/overdue")
    expect(page.locator("h1")).to_have_text("Buyer lots overdue for proof")
    row = page.locator("tr.overdue", has_text="Textiel Opkoop NV")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1 Oct 2026")  # the deadline: shipped 1 September plus 30 days, day first

    row.get_by_role("link", name=f"Lot {lot_id}").click()
    page.wait_for_url(f"{live_server}/buyer-lots/{lot_id}/proof")
    panel = page.locator("section.proof-panel")
    expect(panel.locator(".state")).to_have_text("proof overdue")
    expect(panel).to_contain_text("Proof was due on 1 Oct 2026.")
    assert_accessible(page, "the proof panel of an overdue lot")

    # the contract owes a destination declaration and a transport document: one PDF each
    for kind, name in (("destination_declaration", "declaration.pdf"), ("transport_document", "cmr.pdf")):
        page.select_option(f"#proof-{lot_id}-kind", kind)
        page.set_input_files(f"#proof-{lot_id}-file", files=[{
            "name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(f"{kind} of lot {lot_id}")}])
        page.get_by_role("button", name="Upload proof").click()
        expect(page.locator(".flash-success")).to_contain_text("The proof is kept.")
        expect(panel.get_by_role("link", name=name)).to_be_visible()
    expect(panel).not_to_contain_text("Still missing")

    page.get_by_role("button", name="Accept the proof: lot proven").click()
    expect(page.locator(".flash-success")).to_contain_text("The proof is accepted: the lot is proven.")
    expect(panel.locator(".state")).to_have_text("proven")
    expect(panel.locator(".proof-list .ok")).to_have_count(2)
    expect(panel.get_by_role("button", name="Upload proof")).to_have_count(0)

    page.goto(f"{live_server}/buyers/lots/{lot_id}")
    expect(page.locator("h1")).to_contain_text("proven")

    page.goto(f"{live_server}/")
    expect(page.locator("li.task.urgent", has_text="buyer lot")).to_have_count(0)
    expect(page.locator("li.task", has_text="buyer lots wait for proof past their deadline")
           .locator(".count")).to_have_text("0")
    page.goto(f"{live_server}/buyer-lots/overdue")
    expect(page.locator("main")).to_contain_text("No lot is overdue for proof.")

    db_session.rollback()
    lot = db_session.get(BuyerLot, lot_id)
    assert (lot.status, sorted(lot.proof_accepted)) == (LotStatus.PROVEN,
                                                        ["destination_declaration", "transport_document"])
    kinds = db_session.scalars(select(BuyerLotProof.kind).where(BuyerLotProof.lot_id == lot_id)).all()
    assert sorted(kinds) == ["destination_declaration", "transport_document"]
