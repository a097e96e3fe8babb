"""Receiving a box of rental returns by batch scan, then inspecting two of them, on a phone in Chromium."""
from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import DefectPhoto, Garment, InspectionDefect
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import PASSWORD, make_garment, make_user

S = GarmentState


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def _scan(page: Page, code: str) -> None:
    # a handheld scanner types the code and Enter into the always-focused input
    page.locator("#scan-input").fill(code)
    page.locator("#scan-input").press("Enter")
    expect(page.locator("#scan-status")).to_contain_text(code)


def _state(session: Session, code: str) -> GarmentState | None:
    session.rollback()
    return session.scalar(select(Garment.state).where(Garment.code == code))


def test_a_box_of_returns_is_received_by_batch_scan_and_two_are_inspected(
        page: Page, live_server: str, db_session: Session, tmp_path: Path) -> None:
    box = [make_garment(db_session, state=S.RENTED_OUT) for _ in range(3)]
    staff = make_user(db_session, Role.STORE_STAFF)
    _sign_in(page, live_server, staff.email)

    # the box: one scan per garment, then one confirmation
    page.goto(f"{live_server}/scan/batch")
    page.select_option("#batch-action", "receive_rental_return")
    for garment in box:
        _scan(page, garment.code)
    expect(page.locator("#batch-lines > li[data-outcome='allowed']")).to_have_count(3)
    page.click("#batch-apply")
    expect(page.locator("#summary-counts")).to_contain_text("3 done")
    assert [_state(db_session, g.code) for g in box] == [S.AWAITING_INSPECTION] * 3

    # the returns wait for inspection on the rental page
    page.goto(f"{live_server}/rentals/receive")
    for garment in box:
        expect(page.locator(".awaiting-list")).to_contain_text(garment.code)

    # first: a normal end of rental, grade A, straight back into the pool
    page.click(f"a[href='/rentals/{box[0].code}/inspect']")
    expect(page.locator("h1")).to_have_text(f"Inspect {box[0].code}")
    expect(page.locator(".defect-row")).to_have_count(3)
    page.get_by_label("normal end of rental").check()
    page.get_by_label("A — ready to rent as is").check()
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".flash-success")).to_contain_text(f"{box[0].code} graded A: now in the rental pool")

    # second: a quality return with a snag on the sleeve, a photo, graded C for repair
    page.click(f"a[href='/rentals/{box[1].code}/inspect']")
    page.get_by_role("button", name="Record the inspection").click()  # nothing chosen yet
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("Choose a grade: every return is inspected.")
    assert _state(db_session, box[1].code) is S.AWAITING_INSPECTION

    page.get_by_label("quality return (quality fell short)").check()
    page.get_by_label("C — repair needed").check()
    page.select_option("#defects-0-code", "SNAG")
    page.select_option("#defects-0-zone", "sleeve")
    page.select_option("#defects-0-severity", "3")
    page.fill("#defects-0-note", "pulled loop near the cuff")
    photo = tmp_path / "snag.png"
    Image.new("RGB", (120, 90), (180, 40, 40)).save(photo)
    page.set_input_files("#defects-0-photo", str(photo))
    page.get_by_role("button", name="Add another defect").click()  # script adds a line, no reload
    expect(page.locator(".defect-row")).to_have_count(4)
    expect(page.locator("#defects-0-note")).to_have_value("pulled loop near the cuff")
    page.select_option("#defects-3-code", "PILL")
    page.select_option("#defects-3-zone", "front")
    page.select_option("#defects-3-severity", "1")
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".flash-success")).to_contain_text(f"{box[1].code} graded C")

    # the third still waits; the ledger and the inspection say what happened
    expect(page.locator(".awaiting-list > li")).to_have_count(1)
    expect(page.locator(".awaiting-list")).to_contain_text(box[2].code)
    assert [_state(db_session, g.code) for g in box] == [S.IN_RENTAL_POOL, S.IN_CARE, S.AWAITING_INSPECTION]
    defects = db_session.execute(select(InspectionDefect.code, InspectionDefect.zone, InspectionDefect.severity)
                                 .order_by(InspectionDefect.id)).all()
    assert [(c.value, z, s) for c, z, s in defects] == [("SNAG", "sleeve", 3), ("PILL", "front", 1)]
    photo_row = db_session.scalar(select(DefectPhoto))
    assert photo_row is not None and (photo_row.width, photo_row.height) == (120, 90)

    # the photo is shown to staff as evidence on the quality page's attention point
    merch = make_user(db_session, Role.MERCHANDISER)
    page.context.clear_cookies()
    _sign_in(page, live_server, merch.email)
    page.goto(f"{live_server}/reports/rental-quality/attention")
    page.locator("details.evidence summary").first.click()
    image = page.locator("details.evidence img.thumb").first
    expect(image).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 120
