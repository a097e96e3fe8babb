"""The scan page in a dead zone: a scan that finds no network is not left in the field but put on the
batch list, which takes it over (from the phone's copy, offline too) and sends it once the network is back."""
from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import Action
from tests.browser.conftest import ledger_counts, wait_until_true
from tests.browser.test_offline_queue import _open_batch_and_keep_it_for_offline, _scan, phone  # noqa: F401
from tests.builders import make_garment


def test_scans_on_the_scan_page_without_network_go_onto_the_batch_list_and_are_sent_once(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:  # noqa: F811
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(3)]
    _open_batch_and_keep_it_for_offline(page, live_server)
    page.goto(f"{live_server}/scan")
    wait_until_true(page, "navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.locator("#scan-input").focus()
    for n, garment in enumerate(shelf, start=1):
        _scan(page, garment.code)
        expect(page.locator("#scan-status")).to_contain_text(
            f"No network: {garment.code} is kept on your batch list ({n} scan{'s' if n > 1 else ''})")
    expect(page.locator("#scan-input")).to_have_value("")  # nothing left in the field to retype
    assert page.url.endswith("/scan")  # no garment page opened: it would need the network

    page.locator("#scan-status a", has_text="Open the batch list").click()  # the phone's copy of the page
    expect(page.locator("#batch-title")).to_be_visible()
    lines = page.locator("#batch-lines > li")
    expect(lines).to_have_count(3)
    for garment in shelf:
        expect(page.locator("#batch-lines")).to_contain_text(garment.code)
    page.select_option("#batch-action", "add_to_rental_pool")
    page.click("#batch-queue")
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 3 scans waiting (1 batch)")
    page.reload()  # taken over once: a reload does not list them again
    expect(page.locator("#batch-lines > li")).to_have_count(0)
    assert ledger_counts(db_session, [g.code for g in shelf], Action.ADD_TO_RENTAL_POOL) == {g.code: 0 for g in shelf}

    context.set_offline(False)
    expect(page.locator("#outbox-list > li[data-status='done']")).to_have_count(1)
    assert ledger_counts(db_session, [g.code for g in shelf], Action.ADD_TO_RENTAL_POOL) == {g.code: 1 for g in shelf}
