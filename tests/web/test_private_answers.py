"""What only its reader may see is never stored by a browser or proxy, and a defect photo follows its pages' rights."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from cksloop.db.models import DefectPhoto
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import make_garment

DEFECT = {"defects-0-code": "SNAG", "defects-0-zone": "sleeve", "defects-0-severity": "3",
          "defects-0-note": "pulled loop"}


def _photo_id(staff, db_session, now) -> int:
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG")
    returned = staff.post(f"/rentals/{garment.code}/return",
                          {"reason": "end_of_rental", "grade": "B", **DEFECT,
                           "defects-0-photo": (io.BytesIO(out.getvalue()), "x.jpg")},
                          content_type="multipart/form-data")
    assert returned.status_code == 302
    db_session.rollback()
    return db_session.scalar(select(DefectPhoto.id))


def test_signed_in_pages_are_sent_with_cache_control_no_store(login, db_session, now):
    garment = make_garment(db_session, now=now)
    staff = login(Role.STORE_STAFF)
    for url in ("/", "/garments", f"/garments/{garment.code}", "/rentals/", "/garments/NO-SUCH-1"):
        response = staff.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url


def test_the_sign_in_page_is_not_stored_either(client):
    assert client.get("/login").headers.get("Cache-Control") == "no-store"


def test_a_defect_photo_is_no_store_and_has_no_expires_header(login, db_session, now):
    staff = login(Role.STORE_STAFF)
    served = staff.get(f"/rentals/photos/{_photo_id(staff, db_session, now)}")
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "no-store"
    assert "Expires" not in served.headers


def test_the_public_product_page_keeps_its_own_cache_rule(client, db_session, now):
    garment = make_garment(db_session, now=now)
    response = client.get(f"/g/{garment.code}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_static_files_are_not_forced_to_no_store(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_workshop_organiser_cannot_open_a_defect_photo_by_its_id(login, db_session, now):
    staff = login(Role.STORE_STAFF)
    photo_id = _photo_id(staff, db_session, now)
    organiser = login(Role.WORKSHOP_ORGANISER)
    assert organiser.get("/rentals/inspections").status_code == 403  # the page that shows it
    assert organiser.get(f"/rentals/photos/{photo_id}").status_code == 403
    for role in (Role.MERCHANDISER, Role.ADMIN):
        assert login(role).get(f"/rentals/photos/{photo_id}").status_code == 200, role
