"""axe-core in Chromium on the main page of every role: serious and critical violations fail (issue 20).

Store staff work on a phone (390×844), the other roles at a desk (1366×768). The rules run on the
page as a person sees it, after the scripts have run, including the success states that only show
after an action (the batch scan's status line and the flash message), where colour contrast failed.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from cksloop.domain.lifecycle import GarmentState, Role
from tests.browser.conftest import assert_accessible, axe_violations
from tests.builders import PASSWORD, make_garment, make_user

S = GarmentState


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


@pytest.fixture
def garments(db_session: Session, world) -> dict[GarmentState, str]:
    """A garment in each state the home pages speak of, so the pages show their lists."""
    return {state: make_garment(db_session, state=state).code
            for state in (S.IN_STOCK, S.RENTED_OUT, S.AWAITING_INSPECTION, S.IN_CARE, S.RETIRED)}


def test_axe_finds_the_contrast_failure_the_batch_status_had(page: Page, live_server: str) -> None:
    # the check itself: the old success colours on the page must be reported, so a pass means something
    page.goto(f"{live_server}/login")
    page.evaluate("""() => { const p = document.createElement('p');
        p.style.cssText = 'background:#e6f4ea;color:#1b7f3b;font-size:17.6px';
        p.textContent = 'ABC-123: OK'; document.querySelector('main').append(p); }""")
    assert [v["id"] for v in axe_violations(page)] == ["color-contrast"]


def test_the_sign_in_page_passes_axe_on_a_phone(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    assert_accessible(page, "the sign-in page")


def test_store_staff_main_pages_pass_axe_on_a_phone(page: Page, live_server: str, db_session: Session,
                                                   world, garments) -> None:
    clerk = make_user(db_session, Role.STORE_STAFF)
    sign_in(page, live_server, clerk.email)
    assert_accessible(page, "the store staff home page")
    page.goto(f"{live_server}/scan")
    assert_accessible(page, "the scan page")
    page.goto(f"{live_server}/garments/{garments[S.IN_STOCK]}")
    assert_accessible(page, "a garment page")
    blazer = make_garment(db_session, style=world["blazer"]).code  # its size has no GTIN: the not-GS1 note
    page.goto(f"{live_server}/labels/print?codes={garments[S.IN_STOCK]},{blazer}")
    expect(page.locator(".label-not-gs1")).to_contain_text(blazer)
    assert_accessible(page, "the label print page")


@pytest.mark.parametrize("role", [Role.MERCHANDISER, Role.WORKSHOP_ORGANISER, Role.ADMIN])
def test_the_home_page_of_each_desk_role_passes_axe_on_a_laptop(laptop: Page, live_server: str,
                                                                db_session: Session, garments, role) -> None:
    user = make_user(db_session, role)
    sign_in(laptop, live_server, user.email)
    expect(laptop.locator("h1").first).to_be_visible()
    assert_accessible(laptop, f"the {role.value} home page")


def test_the_batch_scan_success_status_has_enough_contrast(page: Page, live_server: str, db_session: Session,
                                                           world) -> None:
    returned = make_garment(db_session, state=S.RENTED_OUT)
    sign_in(page, live_server, make_user(db_session, Role.STORE_STAFF).email)
    page.goto(f"{live_server}/scan/batch")
    expect(page.locator("#batch-action")).to_have_value("receive_rental_return")
    page.keyboard.type(returned.code)
    page.keyboard.press("Enter")
    status = page.locator("#scan-status")
    expect(status).to_contain_text(f"{returned.code}: OK")
    expect(status).to_have_class(re.compile(r"\bscan-ok\b"))
    assert_accessible(page, "the batch scan page after a good scan")


def test_the_success_flash_after_an_action_has_enough_contrast(page: Page, live_server: str,
                                                               db_session: Session, world) -> None:
    code = make_garment(db_session).code
    sign_in(page, live_server, make_user(db_session, Role.STORE_STAFF).email)
    page.goto(f"{live_server}/garments/{code}")
    page.locator("#action-add_to_rental_pool summary").click()
    page.get_by_role("button", name=re.compile(r"Confirm: Add to the rental pool")).click()
    expect(page.locator(".flash-success")).to_contain_text("in the rental pool")
    assert_accessible(page, "a garment page with a success message")
