"""The offline queue holds whatever happens to the phone: full storage, a closed tab, a restarted
browser, a session that ran out, a sign-out, a full box of 500 scans, the camera.

The network is cut with Playwright's offline emulation; the ledger is read afterwards to prove
that each action reached it exactly once and nothing was lost.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from sqlalchemy.orm import Session

from cksloop.domain.labels import label_url
from cksloop.domain.lifecycle import Action, Role
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, PHONE, ledger_counts, wait_until_true
from tests.browser.test_scanning import sign_in, write_y4m
from tests.builders import make_garment, make_user

POOL = Action.ADD_TO_RENTAL_POOL

#: what the phone's IndexedDB holds for the offline queue: waiting batches and their scans
QUEUE_JS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("cksloop");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("outbox")) { db.close(); resolve({batches: 0, scans: 0}); return; }
    const all = db.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => {
      db.close();
      const waiting = all.result.filter((item) => item.status === "waiting");
      resolve({batches: waiting.length, scans: waiting.reduce((n, item) => n + item.codes.length, 0)});
    };
  };
})"""


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def clerk(db_session: Session) -> Any:
    return make_user(db_session, Role.STORE_STAFF)


@pytest.fixture
def phone(browser: Browser, live_server: str, clerk: Any) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(**PHONE, service_workers="allow")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server, clerk.email)
    yield context, page
    context.close()
    assert errors == []


def open_for_offline(page: Page, base: str, path: str = "/scan/batch") -> None:
    page.goto(f"{base}{path}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until_true(page, "navigator.serviceWorker.controller !== null")
    if path == "/scan/batch":
        expect(page.locator("#offline-ready")).to_be_visible()
    wait_until_true(page, f"caches.match('{path}').then(Boolean)")


def scan(page: Page, code: str) -> None:
    page.keyboard.type(code, delay=10)
    page.keyboard.press("Enter")


def scan_fast(page: Page, codes: list[str]) -> None:
    """Many scans through the page's own scan field and form (its submit handler takes each)."""
    page.evaluate("""codes => {
      const form = document.getElementById("scan-form"), input = document.getElementById("scan-input");
      for (const code of codes) { input.value = code; form.requestSubmit(); }
    }""", codes)


def events(session: Session, codes: list[str], action: Action = POOL) -> dict[str, int]:
    return ledger_counts(session, codes, action)

def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s: {what}")
        time.sleep(0.2)


def keep_offline(page: Page, codes: list[str]) -> None:
    """Scan ``codes`` for the rental pool with no network and keep them for later."""
    page.select_option("#batch-action", "add_to_rental_pool")
    page.locator("#scan-input").focus()
    for code in codes:
        scan(page, code)
    expect(page.locator("#batch-lines > li[data-outcome='unchecked']")).to_have_count(len(codes))
    page.click("#batch-queue")
    expect(page.locator("#batch-lines > li")).to_have_count(0)


# --- 1. a list the phone could not store is said, and IndexedDB holds it ------------------------

BREAK_LOCAL_STORAGE = """
Storage.prototype.setItem = function () { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };
"""
BREAK_INDEXED_DB = """
IDBFactory.prototype.open = function () { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };
"""


def test_a_full_local_storage_keeps_the_scans_in_indexeddb_through_a_closed_tab(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(3)]
    codes = [g.code for g in shelf]
    open_for_offline(page, live_server)
    context.add_init_script(BREAK_LOCAL_STORAGE)  # this phone's localStorage is full from now on
    context.set_offline(True)
    page.reload()
    page.select_option("#batch-action", "add_to_rental_pool")
    page.locator("#scan-input").focus()
    for code in codes:
        scan(page, code)
    lines = page.locator("#batch-lines > li")
    expect(lines).to_have_count(3)  # every scan stays listed
    problem = page.locator("#batch-save-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("kept in its database instead")
    # not checked yet: its verdict is pending
    expect(page.locator("#batch-lines > li[data-outcome='unchecked'] .verdict").first).to_have_text("pending")

    page.close()  # the tab is closed, nothing was pressed
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{live_server}/scan/batch")  # still offline: the page and the list come from the phone
    expect(page.locator("#batch-lines > li")).to_have_count(3)
    listed = page.eval_on_selector_all("#batch-lines > li", "items => items.map(i => i.textContent)")
    assert all(any(code in text for text in listed) for code in codes)
    assert events(db_session, codes) == {code: 0 for code in codes}

    context.set_offline(False)  # back online: checked, then confirmed once
    expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(3)
    page.click("#batch-apply")
    expect(page.locator("#summary-counts")).to_contain_text("3 done")
    assert events(db_session, codes) == {code: 1 for code in codes}
    page.goto(f"{live_server}/scan/batch")  # the finished list is forgotten in IndexedDB too
    expect(page.locator("#batch-empty")).to_be_visible()
    assert errors == []


def test_a_list_no_storage_can_hold_says_so_and_stays_listed(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(2)]
    context.add_init_script(BREAK_LOCAL_STORAGE + BREAK_INDEXED_DB)
    page.goto(f"{live_server}/scan/batch")
    page.select_option("#batch-action", "add_to_rental_pool")
    page.locator("#scan-input").focus()
    for garment in shelf:
        scan(page, garment.code)
    expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(2)
    problem = page.locator("#batch-save-problem")
    expect(problem).to_be_visible()
    expect(problem).to_have_attribute("role", "alert")
    expect(problem).to_contain_text("lost if this page closes")
    page.click("#batch-apply")  # the page still works: confirmed while it is open
    expect(page.locator("#summary-counts")).to_contain_text("2 done")
    expect(problem).to_be_hidden()
    assert events(db_session, [g.code for g in shelf]) == {g.code: 1 for g in shelf}


# --- 2. the scan page shows what waits, counted in scans, and sends it ---------------------------

def test_the_scan_page_shows_the_scans_waiting_and_sends_them_when_online(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(3)]
    codes = [g.code for g in shelf]
    open_for_offline(page, live_server, "/scan")
    open_for_offline(page, live_server)
    context.set_offline(True)
    keep_offline(page, codes)
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 3 scans waiting (1 batch)")

    page.goto(f"{live_server}/scan")  # offline, from the phone's copy
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("Offline — 3 scans waiting (1 batch)")
    assert events(db_session, codes) == {code: 0 for code in codes}

    context.set_offline(False)
    expect(status).to_contain_text("The scans kept offline were sent.")
    expect(status.locator("a")).to_have_attribute("href", "/scan/batch")
    assert events(db_session, codes) == {code: 1 for code in codes}
    page.reload()
    expect(status).to_be_hidden()
    assert events(db_session, codes) == {code: 1 for code in codes}


# --- 3. a closed tab and a restarted browser ----------------------------------------------------

def test_the_queue_and_the_list_survive_a_restarted_browser_and_are_applied_once(
        playwright: Playwright, live_server: str, db_session: Session, clerk: Any, tmp_path: Path) -> None:
    kept = [make_garment(db_session) for _ in range(3)]
    listed = [make_garment(db_session) for _ in range(2)]
    profile = tmp_path / "profile"

    def launch() -> BrowserContext:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, service_workers="allow", **PHONE)
        context.set_default_timeout(30_000)
        return context

    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    errors = watch(page)
    sign_in(page, live_server, clerk.email)
    open_for_offline(page, live_server)
    context.set_offline(True)
    page.reload()
    keep_offline(page, [g.code for g in kept])  # kept for later: in the queue
    for garment in listed:  # scanned, not yet kept: the list being scanned
        scan(page, garment.code)
    expect(page.locator("#batch-lines > li")).to_have_count(2)
    assert errors == []
    context.close()  # the browser is closed

    context = launch()  # and started again, still with no network
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    errors = watch(page)
    page.goto(f"{live_server}/scan/batch")
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 3 scans waiting (1 batch)")
    expect(page.locator("#batch-lines > li")).to_have_count(2)
    all_codes = [g.code for g in kept + listed]
    assert events(db_session, all_codes) == {code: 0 for code in all_codes}

    # whether a restarted Chromium still has the session cookie is its choice: take the harder
    # case, signed out, where the queue must wait for the sign-in
    context.clear_cookies()
    context.set_offline(False)
    # online, but signed out: the queue waits, whole
    expect(page.locator("#outbox-banner")).to_have_text("3 scans waiting to be sent (1 batch)")
    assert page.evaluate(QUEUE_JS) == {"batches": 1, "scans": 3}
    assert events(db_session, all_codes) == {code: 0 for code in all_codes}
    sign_in(page, live_server, clerk.email)
    page.goto(f"{live_server}/scan/batch")
    expect(page.locator("#outbox-list > li[data-status='done']")).to_have_count(1)
    expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(2)
    page.click("#batch-apply")
    expect(page.locator("#summary-counts")).to_contain_text("2 done")
    page.reload()  # nothing is sent twice
    expect(page.locator("#outbox-list > li[data-status='done']")).to_have_count(1)
    assert events(db_session, all_codes) == {code: 1 for code in all_codes}
    assert errors == []
    context.close()


# --- 4. signing out with scans waiting asks first -----------------------------------------------

def test_signing_out_with_scans_waiting_asks_and_cancel_keeps_everything(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(2)]
    open_for_offline(page, live_server)
    context.set_offline(True)
    keep_offline(page, [g.code for g in shelf])
    # the network is back but the server cannot be reached: the queue stays waiting
    page.route("**/api/v1/actions/batch", lambda route: route.abort("internetdisconnected"))
    context.set_offline(False)
    page.reload()
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 2 scans waiting (1 batch)")

    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#menu summary")
    page.click("form.signout button")
    wait_for(lambda: bool(asked) or bool(page.wait_for_timeout(100)), "the sign-out question")
    expect(page.locator("#outbox-banner")).to_be_visible()
    assert len(asked) == 1 and "2 scans kept offline are still waiting" in asked[0]
    assert page.url == f"{live_server}/scan/batch"
    page.reload()  # still signed in: the page opens, not the sign-in form
    assert page.url == f"{live_server}/scan/batch"
    expect(page.locator("form.signout")).to_have_count(1)
    assert page.evaluate(QUEUE_JS) == {"batches": 1, "scans": 2}

    page.once("dialog", lambda dialog: dialog.accept())  # signed out on purpose: the queue stays
    page.click("#menu summary")
    page.click("form.signout button")
    page.wait_for_url(f"{live_server}/login**")
    assert page.evaluate(QUEUE_JS) == {"batches": 1, "scans": 2}
    assert events(db_session, [g.code for g in shelf]) == {g.code: 0 for g in shelf}


# --- 5. a session that ran out while offline ----------------------------------------------------

def test_a_session_that_ran_out_offline_waits_for_the_sign_in_and_loses_nothing(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session, clerk: Any) -> None:
    context, page = phone
    shelf = [make_garment(db_session) for _ in range(3)]
    codes = [g.code for g in shelf]
    open_for_offline(page, live_server)
    context.set_offline(True)
    keep_offline(page, codes)
    context.clear_cookies()  # the session ran out while in the dead zone
    context.set_offline(False)
    expect(page.locator("#scan-status")).to_contain_text("sign in again")
    expect(page.locator("#outbox-banner")).to_contain_text("3 scans waiting")
    assert page.evaluate(QUEUE_JS) == {"batches": 1, "scans": 3}
    assert events(db_session, codes) == {code: 0 for code in codes}

    sign_in(page, live_server, clerk.email)  # lands on the home page, which sends what waits
    expect(page.locator("#outbox-status")).to_contain_text("The scans kept offline were sent.")
    assert events(db_session, codes) == {code: 1 for code in codes}
    page.goto(f"{live_server}/scan/batch")  # back on the batch page: the outcome, nothing sent twice
    done = page.locator("#outbox-list > li[data-status='done']")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("3 done, 0 refused")
    assert events(db_session, codes) == {code: 1 for code in codes}


# --- 6. a full box: 500 scans and their doubles -------------------------------------------------

def test_a_queue_of_500_scans_with_doubles_is_applied_whole_and_once(
        phone: tuple[BrowserContext, Page], live_server: str, db_session: Session) -> None:
    context, page = phone
    box = [make_garment(db_session) for _ in range(500)]
    codes = [g.code for g in box]
    open_for_offline(page, live_server)
    page.select_option("#batch-action", "add_to_rental_pool")
    scan_fast(page, codes[:100])  # checked while the network holds
    expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(100, timeout=90_000)
    scan_fast(page, codes[:5])  # five labels scanned twice: counted once, sent as doubles
    expect(page.locator("#batch-counts")).to_contain_text("5 double scans ignored", timeout=30_000)

    context.set_offline(True)  # the rest of the box in the dead zone
    scan_fast(page, codes[100:])
    expect(page.locator("#batch-lines > li")).to_have_count(500, timeout=60_000)
    expect(page.locator("#batch-lines > li[data-outcome='unchecked']")).to_have_count(400, timeout=60_000)
    scan_fast(page, ["CKS-99999"])  # one more than a batch holds: refused, said
    expect(page.locator("#scan-status")).to_contain_text("At most 500 garments")
    expect(page.locator("#batch-lines > li")).to_have_count(500)
    page.click("#batch-queue")
    expect(page.locator("#outbox-banner")).to_have_text("Offline — 505 scans waiting (1 batch)")

    context.set_offline(False)
    done = page.locator("#outbox-list > li[data-status='done']")
    expect(done).to_have_count(1, timeout=90_000)
    expect(done).to_contain_text("500 done, 0 refused, 5 double scans, 0 unknown")
    assert events(db_session, codes) == {code: 1 for code in codes}


# --- 7. the camera in the dead zone -------------------------------------------------------------

def test_a_label_read_by_the_camera_offline_is_applied_once_when_the_network_is_back(
        playwright: Playwright, live_server: str, db_session: Session, clerk: Any, tmp_path: Path,
        app: Any) -> None:
    seen = make_garment(db_session)  # read by the camera
    typed = make_garment(db_session)  # typed by the handheld scanner
    video = tmp_path / "label.y4m"
    write_y4m(video, label_url(app.config["BASE_URL"], seen.code, seen.style.gtin_for(seen.size)))
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(**PHONE, service_workers="allow")
        context.set_default_timeout(30_000)
        page = context.new_page()
        errors = watch(page)
        sign_in(page, live_server, clerk.email)
        open_for_offline(page, live_server)
        context.set_offline(True)
        page.select_option("#batch-action", "add_to_rental_pool")
        page.locator("#scan-input").focus()
        scan(page, typed.code)
        page.click("#camera-toggle")
        camera_line = page.locator("#batch-lines > li", has_text=seen.code)
        expect(camera_line.first).to_be_visible(timeout=45_000)
        page.click("#camera-toggle")  # stopped once read
        expect(page.locator("#camera-view")).to_be_hidden()
        expect(page.locator("#batch-lines > li[data-outcome='unchecked']").first).to_be_visible()
        assert events(db_session, [seen.code, typed.code]) == {seen.code: 0, typed.code: 0}
        page.click("#batch-queue")
        expect(page.locator("#outbox-banner")).to_contain_text("Offline —")

        context.set_offline(False)
        expect(page.locator("#outbox-list > li[data-status='done']")).to_have_count(1)
        expect(page.locator("#outbox-list > li").first).to_contain_text("2 done, 0 refused")
        assert events(db_session, [seen.code, typed.code]) == {seen.code: 1, typed.code: 1}
        assert errors == []
    finally:
        browser.close()
