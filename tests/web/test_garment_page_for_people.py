"""The garment page as shop staff read it: the present first, photos of defects, their own store."""
from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from cksloop.db.models import DefectPhoto
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import OTHER_STORE, make_garment


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_state_and_next_actions_come_before_the_history(login, db_session, now) -> None:
    garment = make_garment(db_session, now=now)
    page = login(Role.STORE_STAFF).get(f"/garments/{garment.code}").get_data(as_text=True)
    assert page.index('class="state') < page.index('id="actions-title"') < page.index('id="history-title"')
    assert "1 event, newest first" in page


def test_a_defect_photo_taken_at_a_return_shows_on_its_history_entry(login, db_session, now) -> None:
    clerk = login(Role.STORE_STAFF)
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    returned = clerk.post(f"/rentals/{garment.code}/return", {
        "reason": "quality_return", "grade": "C", "defects-0-code": "SNAG", "defects-0-zone": "sleeve",
        "defects-0-severity": "3", "defects-0-photo": (io.BytesIO(_png()), "snag.png")},
        content_type="multipart/form-data")
    assert returned.status_code == 302, returned.get_data(as_text=True)
    db_session.rollback()
    photo = db_session.scalar(select(DefectPhoto))
    page = clerk.get(f"/garments/{garment.code}").get_data(as_text=True)
    entries = re.findall(r'<li class="event">(.*?)</li>', page, re.S)
    assert f"/rentals/photos/{photo.id}" in entries[0]  # the return is the newest entry
    assert not any(f"/rentals/photos/{photo.id}" in entry for entry in entries[1:])
    assert 'alt="Photo of the defect: ' in entries[0]


def test_the_customer_return_form_starts_on_the_clerks_own_store(login, db_session, now) -> None:
    garment = make_garment(db_session, state=GarmentState.SOLD, location=OTHER_STORE, now=now)
    page = login(Role.STORE_STAFF).get(f"/garments/{garment.code}").get_data(as_text=True)
    form = page[page.index('id="action-customer_return"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<option selected value="ANT-MEIR">|<option value="ANT-MEIR" selected', form), form
