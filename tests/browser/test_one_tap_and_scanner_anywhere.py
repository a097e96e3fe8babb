"""On a phone: after a scan the common case is one tap, on the first screen; and a handheld scanner's
input on any signed-in page opens the scanned garment (no tap on "Scan" first)."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent
from cksloop.domain.lifecycle import Action, GarmentState, Role
from tests.builders import PASSWORD, make_garment, make_user

PHONE_HEIGHT = 844


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def _scanner_types(page: Page, code: str) -> None:
    """A handheld scanner: a keyboard typing 30 ms a character, then Enter, into whatever has focus."""
    page.keyboard.type(code, delay=30)
    page.keyboard.press("Enter")


def _last_action(session: Session, code: str) -> Action:
    session.rollback()
    garment_id = session.scalar(select(Garment.id).where(Garment.code == code))
    return session.scalar(select(GarmentEvent.action).where(GarmentEvent.garment_id == garment_id)
                          .order_by(GarmentEvent.seq.desc()).limit(1))


def _state(session: Session, code: str) -> GarmentState:
    session.rollback()
    return session.scalar(select(Garment.state).where(Garment.code == code))


def _on_first_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT, box


def test_a_rental_return_graded_a_is_one_tap_after_the_scan(page: Page, live_server: str, db_session: Session) -> None:
    staff = make_user(db_session, Role.STORE_STAFF)
    rented = make_garment(db_session, state=GarmentState.RENTED_OUT)
    _sign_in(page, live_server, staff.email)
    _scanner_types(page, rented.code)  # on the home page: the scanner opens the garment
    page.wait_for_url(f"**/garments/{rented.code}")
    button = page.get_by_role("button", name="Returned fine: grade A, no defects")
    _on_first_screen(page, "form.quick-action button")
    button.click()  # the one tap
    expect(page.locator(".flash-success")).to_contain_text(f"{rented.code} graded A")
    assert _last_action(db_session, rented.code) is Action.RETURN_RENTAL
    assert _state(db_session, rented.code) is not GarmentState.RENTED_OUT


def test_a_sale_at_the_current_price_is_one_tap_after_the_scan(page: Page, live_server: str,
                                                                 db_session: Session) -> None:
    staff = make_user(db_session, Role.STORE_STAFF)
    first, second = make_garment(db_session), make_garment(db_session)
    _sign_in(page, live_server, staff.email)
    page.goto(f"{live_server}/garments/{first.code}")
    _scanner_types(page, second.code)  # a scan on a garment page opens the next garment
    page.wait_for_url(f"**/garments/{second.code}")
    _on_first_screen(page, "form.quick-action button")
    page.locator("form.quick-action button").first.click()
    expect(page.locator(".flash-success")).to_contain_text(f"{second.code} is sold for")
    assert _state(db_session, second.code) is GarmentState.SOLD
    assert _state(db_session, first.code) is GarmentState.IN_STOCK


def test_a_scan_of_something_that_is_no_label_says_so_and_stays(page: Page, live_server: str,
                                                               db_session: Session) -> None:
    staff = make_user(db_session, Role.STORE_STAFF)
    _sign_in(page, live_server, staff.email)
    _scanner_types(page, "CKS-99999")
    expect(page.locator("#anywhere-status")).to_contain_text("CKS-99999")
    assert page.url == f"{live_server}/"


def test_typing_in_a_field_and_the_batch_page_are_left_alone(page: Page, live_server: str,
                                                             db_session: Session) -> None:
    staff = make_user(db_session, Role.STORE_STAFF)
    garment = make_garment(db_session)
    _sign_in(page, live_server, staff.email)
    page.goto(f"{live_server}/garments")
    page.locator("input[name=q]").click()
    _scanner_types(page, garment.code)  # a search typed by a scanner is the list's own business
    # Wait for the search's own navigation to finish: a goto while it is under way is interrupted.
    page.wait_for_url(re.compile(rf"/garments\?q={garment.code}&"))
    expect(page.locator("input[name=q]")).to_have_value(garment.code)
    page.goto(f"{live_server}/scan/batch")
    page.locator("h1").click()  # the batch's field lost focus: a scan must not leave the batch
    _scanner_types(page, garment.code)
    page.wait_for_timeout(500)
    assert page.url.endswith("/scan/batch")
