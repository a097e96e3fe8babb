"""Batch scanning keeps every scan a handheld scanner types, however slow the shop's network.

A scanner is a keyboard that types 30 ms a character and Enter, back to back, without waiting for
cksloop's answer. Each scan must land in the list at once ("waiting"), get its verdict when the
server answers, and stay listed if it cannot be checked: nothing is ever dropped silently.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import PASSWORD, make_garment, make_user
from tests.browser.conftest import PHONE

S = GarmentState


@pytest.fixture
def clerk(browser: Browser, live_server: str, db_session: Session) -> Iterator[Page]:
    user = make_user(db_session, Role.STORE_STAFF)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(30_000)
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


def slow_network(page: Page, latency_ms: int) -> None:
    """Every request of the page takes latency_ms longer, as on a stockroom's wifi."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                  "downloadThroughput": -1, "uploadThroughput": -1})


def type_scan(page: Page, code: str) -> None:
    # the scanner does not wait for an answer before the next label
    page.keyboard.type(code, delay=30)
    page.keyboard.press("Enter")


def states(session: Session, codes: list[str]) -> list[GarmentState]:
    session.rollback()
    by_code = dict(session.execute(select(Garment.code, Garment.state).where(Garment.code.in_(codes))).all())
    return [by_code[c] for c in codes]


def test_forty_scans_typed_back_to_back_on_a_slow_network_are_all_kept(
        clerk: Page, live_server: str, db_session: Session) -> None:
    box = [make_garment(db_session, state=S.RENTED_OUT) for _ in range(40)]
    codes = [g.code for g in box]
    clerk.goto(f"{live_server}/scan/batch")
    expect(clerk.locator("#batch-action")).to_have_value("receive_rental_return")
    slow_network(clerk, 300)

    for code in codes:
        type_scan(clerk, code)

    lines = clerk.locator("#batch-lines > li")
    expect(lines).to_have_count(40)  # every scan is listed the moment its Enter arrives
    expect(clerk.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(40)
    listed = clerk.eval_on_selector_all("#batch-lines > li", "items => items.map(i => i.dataset.code)")
    assert sorted(listed) == sorted(codes)  # none cut, glued or lost
    expect(clerk.locator("#batch-lines > li[data-outcome='not_a_label']")).to_have_count(0)
    assert states(db_session, codes) == [S.RENTED_OUT] * 40  # checked, not yet applied

    confirm = clerk.locator("#batch-apply")
    expect(confirm).to_have_text("Confirm: Receive a rental return (inspect later) for 40 garments")
    confirm.click()
    expect(clerk.locator("#summary-counts")).to_have_text("40 done, 0 refused, 0 double scans, 0 unknown.")
    assert states(db_session, codes) == [S.AWAITING_INSPECTION] * 40


def test_a_scan_waits_as_pending_and_confirm_waits_for_every_verdict(
        clerk: Page, live_server: str, db_session: Session) -> None:
    garment = make_garment(db_session, state=S.RENTED_OUT)
    clerk.goto(f"{live_server}/scan/batch")
    held = []
    # hold the check's answer: the scan must already be on the list, marked as waiting
    clerk.route("**/api/v1/scans/check", lambda route: held.append(route))
    type_scan(clerk, garment.code)
    pending = clerk.locator("#batch-lines > li[data-outcome='pending']")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(garment.code)
    expect(pending).to_contain_text("waiting")
    expect(clerk.locator("#batch-apply")).to_be_disabled()
    expect(clerk.locator("#batch-apply")).to_have_text("Waiting for 1 check…")
    assert len(held) == 1
    held[0].continue_()
    expect(clerk.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(1)
    expect(clerk.locator("#batch-apply")).to_be_enabled()


def test_a_scan_that_cannot_be_checked_stays_listed_and_is_checked_again(
        clerk: Page, live_server: str, db_session: Session) -> None:
    garment = make_garment(db_session, state=S.RENTED_OUT)
    clerk.goto(f"{live_server}/scan/batch")
    clerk.route("**/api/v1/scans/check", lambda route: route.abort("internetdisconnected"))
    type_scan(clerk, garment.code)
    unchecked = clerk.locator("#batch-lines > li[data-outcome='unchecked']")
    expect(unchecked).to_have_count(1)
    expect(unchecked).to_contain_text(garment.code)
    expect(unchecked).to_contain_text("checked again")
    expect(clerk.locator("#batch-apply")).to_be_disabled()

    clerk.reload()  # the list survives a reload with the scan still waiting
    expect(clerk.locator("#batch-lines > li[data-outcome='unchecked']")).to_have_count(1)
    clerk.unroute("**/api/v1/scans/check")
    clerk.click("#batch-retry")
    expect(clerk.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(1)
    expect(clerk.locator("#batch-retry")).to_be_hidden()


def test_a_foreign_code_stays_on_the_list_as_not_a_label(
        clerk: Page, live_server: str, db_session: Session) -> None:
    garment = make_garment(db_session, state=S.RENTED_OUT)
    clerk.goto(f"{live_server}/scan/batch")
    type_scan(clerk, "KS-000")
    type_scan(clerk, garment.code)
    foreign = clerk.locator("#batch-lines > li[data-outcome='not_a_label']")
    expect(foreign).to_have_count(1)
    expect(foreign).to_contain_text("KS-000")
    expect(clerk.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(1)
    expect(clerk.locator("#batch-counts")).to_have_text("1 can, 1 cannot, 0 double scans ignored")


def test_starting_again_asks_before_it_forgets_the_list(
        clerk: Page, live_server: str, db_session: Session) -> None:
    garment = make_garment(db_session, state=S.RENTED_OUT)
    clerk.goto(f"{live_server}/scan/batch")
    type_scan(clerk, garment.code)
    expect(clerk.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(1)
    clerk.once("dialog", lambda dialog: dialog.dismiss())
    clerk.click("#batch-clear")
    expect(clerk.locator("#batch-lines > li")).to_have_count(1)  # dismissed: kept
    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.click("#batch-clear")
    expect(clerk.locator("#batch-lines > li")).to_have_count(0)


def test_receive_returns_empties_the_field_after_a_refusal(
        clerk: Page, live_server: str, db_session: Session) -> None:
    on_shelf = make_garment(db_session)  # in stock: cannot be received as a rental return
    rented = make_garment(db_session, state=S.RENTED_OUT)
    clerk.goto(f"{live_server}/rentals/receive")
    field = clerk.locator("#code")
    field.focus()
    type_scan(clerk, on_shelf.code)
    expect(clerk.locator(".field-error")).to_contain_text(on_shelf.code)
    expect(field).to_have_value("")
    expect(field).to_be_focused()
    type_scan(clerk, rented.code)  # not glued onto the refused code
    expect(clerk.locator(".flash-success")).to_contain_text(f"{rented.code} received")
    assert states(db_session, [rented.code]) == [S.AWAITING_INSPECTION]


def _overlap(a: dict, b: dict) -> bool:
    return not (a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_on_a_phone_the_confirm_bar_hides_neither_the_refusal_nor_the_newest_scan(
        clerk: Page, live_server: str, db_session: Session) -> None:
    on_shelf = [make_garment(db_session) for _ in range(6)]  # in stock: refused as rental returns
    clerk.goto(f"{live_server}/scan/batch")
    expect(clerk.locator("#batch-action")).to_have_value("receive_rental_return")
    for garment in on_shelf:
        type_scan(clerk, garment.code)
    expect(clerk.locator("#batch-lines > li[data-outcome='refused']")).to_have_count(6)
    bar = clerk.locator(".batch-confirm").bounding_box()
    status = clerk.locator("#scan-status").bounding_box()
    newest = clerk.locator("#batch-lines > li").first.bounding_box()
    assert bar and status and newest
    assert not _overlap(status, bar), (status, bar)  # the whole refusal can be read
    # the newest line starts on the first screen, its code and verdict above the bar
    head = clerk.locator("#batch-lines > li").first.locator(".verdict").bounding_box()
    assert head and head["y"] + head["height"] <= bar["y"], (head, bar)
    forget = clerk.locator("#batch-clear").bounding_box()
    # "start again" is nowhere near Confirm: at the end of the list, a screen away
    clerk.locator("#batch-clear").scroll_into_view_if_needed()
    forget, bar = clerk.locator("#batch-clear").bounding_box(), clerk.locator(".batch-confirm").bounding_box()
    assert forget and bar and not _overlap(forget, bar) and abs(forget["y"] - bar["y"]) >= 44, (forget, bar)


def test_scans_typed_before_the_page_has_started_are_kept_in_order(
        clerk: Page, live_server: str, db_session: Session) -> None:
    """A slow phone: the scanner fires while batch.js is still on its way. The scans wait on the page
    (never a native submit that reloads it) and join the list, in order, when the script starts."""
    box = [make_garment(db_session, state=S.RENTED_OUT) for _ in range(4)]
    codes = [g.code for g in box]
    held: list = []
    clerk.route("**/static/js/batch.js*", lambda route: held.append(route))
    clerk.goto(f"{live_server}/scan/batch", wait_until="commit")
    # the parser is past the early-scans script once the line after it exists (a plain script blocks it)
    clerk.locator("#offline-ready").wait_for(state="attached")
    assert clerk.evaluate("Array.isArray(document.querySelector('#scan-form').earlyScans)")
    clerk.locator("#scan-input").focus()
    for code in codes:
        type_scan(clerk, code)
    assert clerk.evaluate("document.querySelector('#scan-form').earlyScans.length") == 4
    assert clerk.url == f"{live_server}/scan/batch"  # no native submit reloaded the page
    expect(clerk.locator("#scan-status")).to_contain_text("4 scans kept")
    assert len(held) == 1
    held[0].continue_()  # the script arrives

    expect(clerk.locator("#batch-lines > li")).to_have_count(4)
    expect(clerk.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(4)
    listed = clerk.eval_on_selector_all("#batch-lines > li", "items => items.map(i => i.dataset.code)")
    assert listed == codes[::-1]  # newest on top, as typed: the order is kept
    assert clerk.evaluate("document.querySelector('#scan-form').earlyScans.length") == 0
