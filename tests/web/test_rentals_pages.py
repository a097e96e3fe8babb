"""Rental pages through the Flask test client: roles, forms, refusals, photos, lists and exports."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from cksloop.db.models import DefectPhoto, Garment, Inspection, RentalCycle, RentalPartner
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import garments, rentals
from tests.builders import make_garment

DEFECT = {"defects-0-code": "SNAG", "defects-0-zone": "sleeve", "defects-0-severity": "3",
          "defects-0-note": "pulled loop"}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _counts(session):
    session.rollback()  # see what the app committed
    return (garments.count_events(session), session.scalar(select(func.count()).select_from(RentalCycle)),
            session.scalar(select(func.count()).select_from(Inspection)),
            session.scalar(select(func.count()).select_from(DefectPhoto)))


def _state(session, code):
    session.rollback()
    return session.scalar(select(Garment.state).where(Garment.code == code))


def _image(fmt="PNG", size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("role, status", [("store_staff", 200), ("merchandiser", 200), ("admin", 200),
                                          ("workshop_organiser", 403)])
def test_rental_overview_is_for_the_people_who_handle_rentals(login, role, status):
    assert login(role).get("/rentals/").status_code == status


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/rentals/pool")
    assert response.status_code == 302 and "/login" in response.location


def test_merchandiser_adds_a_partner_and_staff_may_only_read(login, db_session):
    merch = login("merchandiser")
    response = merch.post("/rentals/partners/new", {"name": "Rent a Look", "contact_email": "ops@ral.example",
                                                    "default_rental_days": "14", "terms": "Laundry by partner"})
    assert response.status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(RentalPartner.default_rental_days).where(RentalPartner.name == "Rent a Look")) == 14
    staff = login("store_staff")
    assert "Rent a Look" in _text(staff.get("/rentals/partners"))
    assert staff.get("/rentals/partners/new").status_code == 403
    assert staff.post("/rentals/partners/new", {"name": "Sneaky"}).status_code == 403


def test_bad_partner_details_are_refused_field_by_field(login, db_session):
    merch = login("merchandiser")
    response = merch.post("/rentals/partners/new", {"name": "Dressr", "contact_email": "not-an-email",
                                                    "default_rental_days": "400"})
    page = _text(response)
    assert response.status_code == 422
    assert "already exists" in page and "Not an email address" in page
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(RentalPartner)) == 1


def test_merchandiser_edits_a_partner(login, db_session, world):
    merch = login("merchandiser")
    partner_id = world["partner"].id
    page = _text(merch.get(f"/rentals/partners/{partner_id}/edit"))
    assert 'value="Dressr"' in page
    response = merch.post(f"/rentals/partners/{partner_id}/edit", {
        "name": "Dressr", "default_rental_days": "25", "location": "DRESSR-ANT", "terms": "Membership swaps"})
    assert response.status_code == 302
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(RentalPartner, partner_id).default_rental_days == 25


def test_a_garment_is_added_to_the_pool_by_scanning_its_label_and_taken_out_again(login, db_session, now, world):
    staff = login("store_staff")
    g = make_garment(db_session, now=now)
    response = staff.post("/rentals/pool/add", {"code": f"https://loop.cks.example/g/{g.code}",
                                                "partner": str(world["partner"].id)})
    assert response.status_code == 302
    assert _state(db_session, g.code) is GarmentState.IN_RENTAL_POOL
    page = _text(staff.get(f"/rentals/pool?partner={world['partner'].id}"))
    assert g.code in page and "1 garment ready" in page
    assert staff.post("/rentals/pool/take-out", {"code": g.code}).status_code == 302
    assert _state(db_session, g.code) is GarmentState.IN_STOCK


def test_adding_a_foreign_label_or_a_rented_garment_to_the_pool_is_refused(login, db_session, now):
    staff = login("store_staff")
    rented = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    before = _counts(db_session)
    foreign = staff.post("/rentals/pool/add", {"code": "WIFI:S:shop;T:WPA;P:secret;;"})
    assert foreign.status_code == 422 and "not a CKS label" in _text(foreign)
    busy = staff.post("/rentals/pool/add", {"code": rented.code})
    assert busy.status_code == 409 and "rented out" in _text(busy)
    assert _counts(db_session) == before


def test_check_out_screen_rents_a_pooled_garment_to_the_partner(login, db_session, now, world):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    page = _text(staff.get(f"/rentals/{g.code}/check-out"))
    due = (now.date() + dt.timedelta(days=10)).isoformat()
    assert f'value="{due}"' in page  # the partner's default rental period
    version = re.search(r'name="expected_version"[^>]*value="(\d+)"', page).group(1)
    response = staff.post(f"/rentals/{g.code}/check-out", {"partner": str(world["partner"].id), "due_on": due,
                                                            "partner_reference": "DR-77", "expected_version": version})
    assert response.status_code == 302
    assert _state(db_session, g.code) is GarmentState.RENTED_OUT
    assert db_session.scalar(select(RentalCycle.partner_reference)) == "DR-77"


def test_check_out_of_a_garment_not_in_the_pool_or_due_before_the_start_is_refused(login, db_session, now, world):
    staff = login("store_staff")
    in_stock = make_garment(db_session, now=now)
    pooled = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    before = _counts(db_session)
    not_pooled = staff.post(f"/rentals/{in_stock.code}/check-out",
                            {"partner": str(world["partner"].id), "due_on": "2026-12-10"})
    assert not_pooled.status_code == 409 and "in stock" in _text(not_pooled)
    early = staff.post(f"/rentals/{pooled.code}/check-out",
                       {"partner": str(world["partner"].id), "due_on": (now.date() - dt.timedelta(days=1)).isoformat()})
    assert early.status_code == 422 and "cannot be before the start" in _text(early)
    assert _counts(db_session) == before


def test_return_screen_records_a_quality_return_with_a_defect_photo(login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    page = _text(staff.get(f"/rentals/{g.code}/return"))
    assert page.count('class="card defect-row"') == 3 and 'enctype="multipart/form-data"' in page
    response = staff.post(f"/rentals/{g.code}/return", {
        "reason": "quality_return", "grade": "C", **DEFECT,
        "defects-0-photo": (io.BytesIO(_image()), "snag.png")}, content_type="multipart/form-data")
    assert response.status_code == 302, _text(response)
    assert _state(db_session, g.code) is GarmentState.IN_CARE
    db_session.rollback()
    photo = db_session.scalar(select(DefectPhoto))
    served = staff.get(f"/rentals/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline; filename=")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.get_data()[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("form, message", [
    ({"reason": "end_of_rental"}, "Choose a grade"),
    ({"reason": "quality_return", "grade": "C"}, "needs at least one defect"),
    ({"grade": "A"}, "Say why the rental ended"),
    ({"reason": "end_of_rental", "grade": "E"}, "This field is required"),
    ({"reason": "end_of_rental", "grade": "B", "defects-0-code": "SNAG"}, "Say where on the garment"),
    ({"reason": "end_of_rental", "grade": "B", **DEFECT,
      "defects-0-photo": (io.BytesIO(b"<svg onload=alert(1)></svg>"), "looks-like.png")}, "not a photo"),
    ({"reason": "end_of_rental", "grade": "B", **DEFECT,
      "defects-0-photo": (io.BytesIO(_image("GIF")), "anim.gif")}, "not a photo"),
])
def test_bad_return_is_refused_with_a_clear_message_and_nothing_written(login, db_session, now, form, message):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    before = _counts(db_session)
    response = staff.post(f"/rentals/{g.code}/return", form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in _text(response)
    assert _counts(db_session) == before and _state(db_session, g.code) is GarmentState.RENTED_OUT


def test_an_oversized_photo_is_refused(app, login, db_session, now):
    app.config["RENTAL_PHOTO_MAX_BYTES"] = 1024
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    before = _counts(db_session)
    big = _image(size=(400, 400))
    assert len(big) > 1024
    response = staff.post(f"/rentals/{g.code}/return", {"reason": "end_of_rental", "grade": "B", **DEFECT,
                                                        "defects-0-photo": (io.BytesIO(big), "big.png")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "too large" in _text(response)
    assert _counts(db_session) == before


def test_return_of_a_garment_not_rented_out_is_refused(login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    assert staff.get(f"/rentals/{g.code}/return").status_code == 409
    before = _counts(db_session)
    response = staff.post(f"/rentals/{g.code}/return", {"reason": "end_of_rental", "grade": "A"})
    assert response.status_code == 409 and "not possible while the garment is in the rental pool" in _text(response)
    assert _counts(db_session) == before


def test_another_defect_line_is_added_without_script_and_without_writing(login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    before = _counts(db_session)
    response = staff.post(f"/rentals/{g.code}/return", {"reason": "quality_return", **DEFECT, "add_row": "1",
                                                        "defects-1-code": "", "defects-2-code": ""})
    page = _text(response)
    assert response.status_code == 200 and page.count('class="card defect-row"') == 4
    assert 'value="pulled loop"' in page
    assert _counts(db_session) == before


def test_a_received_return_is_inspected_then_repaired_back_into_the_pool(login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    assert staff.post("/rentals/receive", {"code": g.code}).status_code == 302
    waiting = _text(staff.get("/rentals/receive"))
    assert f"/rentals/{g.code}/inspect" in waiting
    response = staff.post(f"/rentals/{g.code}/inspect", {"reason": "customer_damage", "grade": "C",
                                                         "defects-0-code": "TEAR", "defects-0-zone": "hem",
                                                         "defects-0-severity": "4"})
    assert response.status_code == 302 and response.location.endswith("/rentals/receive")
    assert g.code in _text(staff.get("/rentals/care"))
    finished = staff.post(f"/rentals/{g.code}/care/finish", {"outcome": "done", "cost": "12,50"})
    assert finished.status_code == 302
    assert _state(db_session, g.code) is GarmentState.IN_RENTAL_POOL
    summary = rentals.garment_rental_summary(db_session, g.id)
    assert (summary.repairs, summary.care_cost_cents) == (1, 1250)


def test_a_failed_repair_sends_the_garment_to_be_graded_again_and_retired(login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    staff.post(f"/rentals/{g.code}/return", {"reason": "end_of_rental", "grade": "C", "defects-0-code": "SEAM",
                                             "defects-0-zone": "seam", "defects-0-severity": "5"})
    bad_cost = staff.post(f"/rentals/{g.code}/care/finish", {"outcome": "failed", "cost": "twelve"})
    assert bad_cost.status_code == 422 and "amount in euros" in _text(bad_cost)
    failed = staff.post(f"/rentals/{g.code}/care/finish", {"outcome": "failed"})
    assert failed.status_code == 302 and failed.location.endswith(f"/rentals/{g.code}/inspect")
    regrade = _text(staff.get(f"/rentals/{g.code}/inspect"))
    assert "no return reason needed" in regrade
    done = staff.post(f"/rentals/{g.code}/inspect", {"grade": "E", "retire_route": "offcuts"})
    assert done.status_code == 302
    assert _state(db_session, g.code) is GarmentState.RETIRED


def test_overdue_list_shows_days_overdue(app, login, db_session, now):
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)  # due in ten days
    app.config["NOW"] = now + dt.timedelta(days=14)
    staff = login("store_staff")
    page = _text(staff.get("/rentals/overdue"))
    assert g.code in page and "4 days" in page
    assert g.code in _text(staff.get("/rentals/open"))


def test_lists_and_csv_exports_cover_any_period_and_are_safe_in_a_spreadsheet(login, db_session, now, world):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL, now=now)
    rentals.check_out(db_session, code=g.code, partner_id=world["partner"].id, due_on=now.date() + dt.timedelta(days=3),
                      partner_reference="=HYPERLINK(\"http://evil\")", actor=staff.user, now=now)
    rentals.record_return(db_session, code=g.code, actor=staff.user, now=now, details={
        "reason": "quality_return", "grade": "B",
        "defects": [{"code": "PILL", "zone": "front", "severity": 2, "note": "@SUM(1+1)"}]})
    period = "from=2026-11-01&to=2026-11-30"
    assert g.code in _text(staff.get(f"/rentals/cycles?{period}"))
    assert "quality return" in _text(staff.get(f"/rentals/returns?{period}"))
    # the list names the defect and its zone as people say them; the CSV keeps the codes
    assert "pilling, fuzzing · front · 2/5" in _text(staff.get(f"/rentals/inspections?{period}&partner={world['partner'].id}"))
    exported = staff.get(f"/rentals/cycles.csv?{period}")
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_text(exported))))
    assert rows[0][:2] == ["cycle", "garment"] and rows[1][1] == g.code
    assert rows[1][rows[0].index("partner_reference")] == "'=HYPERLINK(\"http://evil\")"
    inspections = list(csv.reader(io.StringIO(_text(staff.get(f"/rentals/inspections.csv?{period}")))))
    assert inspections[1][inspections[0].index("defect_note")] == "'@SUM(1+1)"
    assert inspections[1][inspections[0].index("defect")] == "PILL"
    returns = list(csv.reader(io.StringIO(_text(staff.get(f"/rentals/returns.csv?{period}")))))
    assert returns[1][returns[0].index("return_reason")] == "quality_return"
    empty = list(csv.reader(io.StringIO(_text(staff.get("/rentals/cycles.csv?from=2025-01-01&to=2025-12-31")))))
    assert len(empty) == 1


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=yesterday", "from=2026-12-01&to=2026-01-01",
                                   "from=1900-01-01", "to=%00"])
def test_a_bad_period_is_refused_with_a_message(login, world, query):
    staff = login("store_staff")
    response = staff.get(f"/rentals/cycles?{query}")
    assert response.status_code == 422 and "field-error" in _text(response)


def test_quality_report_is_for_merchandisers_and_shows_the_statement(login, db_session, now):
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    rentals.record_return(db_session, code=g.code, actor=login("admin").user, now=now, details={
        "reason": "quality_return", "grade": "C", "defects": [{"code": "SNAG", "zone": "front", "severity": 3}]})
    assert login("store_staff").get("/reports/rental-quality").status_code == 403
    page = _text(login("merchandiser").get("/reports/rental-quality?from=2026-01-01&to=2026-12-31"))
    assert "1 garment, 1 rental cycle, 1 quality return (reasons: snag, pulled yarn, loop (1))" in page
    assert "SS25-0101 Lisa" in page and "Atelier Izmir" in page
    bad = login("merchandiser").get("/reports/rental-quality?to=31-12-2026")
    assert bad.status_code == 422


def test_merchandiser_acknowledges_an_attention_point_with_a_note(login, db_session, now):
    merch = login("merchandiser")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    rentals.record_return(db_session, code=g.code, actor=merch.user, now=now, details={
        "reason": "quality_return", "grade": "C",
        "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 3, "note": "loop <script>alert(1)</script>"}]})
    url = "/reports/rental-quality/attention?from=2026-01-01&to=2026-12-31"
    page = _text(merch.get(url))
    assert "SS25-0101 Lisa" in page and "&lt;script&gt;" in page and "<script>alert" not in page
    empty = merch.post(url, {"kind": "style", "key": "SS25-0101", "note": " "})
    assert empty.status_code == 422
    saved = merch.post(url, {"kind": "style", "key": "SS25-0101", "note": "Denser knit for SS27"})
    assert saved.status_code == 302
    page = _text(merch.get(url))
    assert "Denser knit for SS27" in page and "Acknowledged" in page


def test_photos_are_not_served_to_anonymous_visitors(app, login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    returned = staff.post(f"/rentals/{g.code}/return", {"reason": "end_of_rental", "grade": "B", **DEFECT,
                                                        "defects-0-photo": (io.BytesIO(_image("JPEG")), "x.jpg")},
                          content_type="multipart/form-data")
    assert returned.status_code == 302
    db_session.rollback()
    photo_id = db_session.scalar(select(DefectPhoto.id))
    anonymous = app.test_client().get(f"/rentals/photos/{photo_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert staff.get("/rentals/photos/999999").status_code == 404


def test_a_garment_lost_by_the_renter_is_written_off_without_a_grade(login, db_session, now):
    staff = login("store_staff")
    g = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    response = staff.post(f"/rentals/{g.code}/return", {"reason": "lost", "note": "never came back"})
    assert response.status_code == 302
    assert _state(db_session, g.code) is GarmentState.WRITTEN_OFF
    assert db_session.scalar(select(RentalCycle.return_reason)).value == "lost"
    assert db_session.scalar(select(func.count()).select_from(Inspection)) == 0
