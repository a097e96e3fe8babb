"""A clerk in a dead zone: the batch page opens with no network, scans and actions are kept on the
phone (IndexedDB) through reloads, and when the network is back each is sent once, with its outcome.

The network is cut with the browser context (Playwright's offline emulation), the page comes from
the service worker's copy, and the ledger is read afterwards to prove nothing was lost or doubled.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import garments
from tests.browser.conftest import PHONE, ledger_counts, wait_until_true
from tests.builders import PASSWORD, make_garment, make_user

S = GarmentState


@pytest.fixture
def phone(browser: Browser, live_server: str, db_session: Session) -> Iterator[tuple[BrowserContext, Page]]:
    user = make_user(db_session, Role.STORE_STAFF)
    context = browser.new_context(**PHONE, service_workers="allow")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server}/")
    yield context, page
    context.close()
    assert errors == []


def _open_batch_and_keep_it_for_offline(page: Page, base: str) -> None:
    page.goto(f"{base}/scan/batch")
    # the service worker is in charge and holds the page and its files
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until_true(page, "navigator.serviceWorker.controller !== null")
    # every file the page needs is kept: the page says so before the clerk walks into the dead zone
    expect(page.locator("#offline-ready")).to_be_visible()
    assert page.evaluate("caches.match('/scan/batch').then(Boolean)")


def _scan(page: Page, code: str) -> None:
    page.keyboard.type(code, delay=20)
    page.keyboard.press("Enter")


def test_scans_and_actions_in_a_dead_zone_are_sent_once_when_the_network_is_back(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(8)]
    returns = [make_garment(db_session, state=S.RENTED_OUT) for _ in range(2)]
    _open_batch_and_keep_it_for_offline(page, live_server)

    context.set_offline(True)
    page.reload()  # no network: the page comes from the phone
    expect(page.locator("#batch-title")).to_be_visible()
    page.select_option("#batch-action", "add_to_rental_pool")
    page.locator("#scan-input").focus()
    for garment in shelf:
        _scan(page, garment.code)
    expect(page.locator("#batch-lines > li")).to_have_count(8)  # every scan listed, none dropped
    page.click("#batch-queue")
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 8 scans waiting (1 batch)")

    page.select_option("#batch-action", "receive_rental_return")
    page.locator("#scan-input").focus()
    for garment in returns:
        _scan(page, garment.code)
    expect(page.locator("#batch-lines > li")).to_have_count(2)
    page.click("#batch-queue")
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 10 scans waiting (2 batches)")

    page.reload()  # still offline: the queue is on the phone, not in the page
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 10 scans waiting (2 batches)")
    assert ledger_counts(db_session, [g.code for g in shelf], Action.ADD_TO_RENTAL_POOL) == {g.code: 0 for g in shelf}

    context.set_offline(False)  # back in the wifi: sent in order, each with its outcome
    expect(page.locator("#outbox-list > li[data-status='done']")).to_have_count(2)
    expect(page.locator("#outbox-list > li").first).to_contain_text("8 done, 0 refused")
    expect(page.locator("#outbox-send")).to_be_hidden()
    assert ledger_counts(db_session, [g.code for g in shelf], Action.ADD_TO_RENTAL_POOL) == {g.code: 1 for g in shelf}
    assert ledger_counts(db_session, [g.code for g in returns], Action.RECEIVE_RENTAL_RETURN) == \
        {g.code: 1 for g in returns}

    page.reload()  # a reload online sends nothing twice
    expect(page.locator("#outbox-list > li[data-status='done']")).to_have_count(2)
    assert ledger_counts(db_session, [g.code for g in shelf], Action.ADD_TO_RENTAL_POOL) == {g.code: 1 for g in shelf}


def test_a_garment_another_store_changed_meanwhile_is_refused_and_listed(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session, now) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(3)]
    _open_batch_and_keep_it_for_offline(page, live_server)
    page.select_option("#batch-action", "add_to_rental_pool")
    page.locator("#scan-input").focus()
    for garment in shelf:
        _scan(page, garment.code)  # checked while the network is there: their versions are known
    expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(3)

    context.set_offline(True)
    expect(page.locator("#batch-queue")).to_be_visible()
    page.click("#batch-queue")
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 3 scans waiting (1 batch)")

    other = make_user(db_session, Role.STORE_STAFF, name="Another Store")
    garments.act(db_session, code=shelf[1].code, action=Action.SELL, details={}, actor=other, now=now)
    context.set_offline(False)
    done = page.locator("#outbox-list > li[data-status='done']")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("2 done, 1 refused")
    expect(done.locator("li[data-outcome='refused']")).to_contain_text(shelf[1].code)
    expect(done.locator("li[data-outcome='refused']")).to_contain_text("sold")
    counts = ledger_counts(db_session, [g.code for g in shelf], Action.ADD_TO_RENTAL_POOL)
    assert counts == {shelf[0].code: 1, shelf[1].code: 0, shelf[2].code: 1}
    page.click("#outbox-list button.link")  # dismissed once read
    expect(page.locator("#outbox")).to_be_hidden()
