"""The workshop pages with the test client: plan, log without script (typed codes), refusals shown, figures."""
from __future__ import annotations

import datetime as dt
import io

from PIL import Image
from sqlalchemy import select

from cksloop.db.models import WorkshopEntry
from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots, workshops
from tests.builders import STORE

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo", "location": STORE}


def _setup(db_session, user, now, *, grams=1000, hours=-1, capacity=10):
    code = offcut_lots.create(db_session, details={**LOT, "weight_g": grams}, actor=user, now=now)["code"]
    workshop = workshops.plan(db_session, store=STORE, starts_at=now + dt.timedelta(hours=hours), theme="Pouches",
                              capacity=capacity, organiser=None, actor=user, now=now)
    return code, workshop["id"]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_organiser_plans_a_workshop_and_sees_it_upcoming(login, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    day = (now + dt.timedelta(days=3)).date().isoformat()
    response = organiser.post("/workshops/new", data={"store": STORE, "starts_on": day, "starts_time": "14:00",
                                                      "theme": "Toiletry bags", "capacity": "12"})
    assert response.status_code == 302
    page = organiser.get(response.location).get_data(as_text=True)
    assert "Toiletry bags" in page


def test_planning_without_a_theme_shows_the_reason_and_plans_nothing(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    response = organiser.post("/workshops/new", data={"store": STORE, "starts_on": "2026-12-01", "starts_time": "14:00",
                                                      "theme": "", "capacity": "12"})
    assert response.status_code == 422 and "theme" in response.get_data(as_text=True)
    assert workshops.list_workshops(db_session) == []


def test_a_workshop_is_logged_from_typed_codes_and_the_result_shows_what_is_left(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    code, workshop_id = _setup(db_session, organiser.user, now)
    home = organiser.get("/workshops/").get_data(as_text=True)
    assert f"/workshops/{workshop_id}/log" in home and code in home
    response = organiser.post(f"/workshops/{workshop_id}/log", data={
        "scan": code.lower(), "qty-jewellery_pouch": "4", "participants": "4", f"grams-{code}": "150",
        "photos": (io.BytesIO(_photo()), "table.png")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = organiser.get(response.location).get_data(as_text=True)
    assert "850 g" in page and code in page
    entry = db_session.scalar(select(WorkshopEntry))
    assert len(entry.photos) == 1 and entry.participants == 4


def test_a_photo_that_is_not_a_picture_is_refused_and_nothing_is_written(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    code, workshop_id = _setup(db_session, organiser.user, now)
    response = organiser.post(f"/workshops/{workshop_id}/log", data={
        "lot": code, "qty-bracelet": "2", "participants": "2",
        "photos": (io.BytesIO(b"<script>alert(1)</script>"), "x.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 422
    db_session.rollback()
    assert offcut_lots.lot_dict(db_session, code)["remaining_g"] == 1000


def test_too_many_participants_ask_for_confirmation_on_the_page(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    code, workshop_id = _setup(db_session, organiser.user, now, capacity=2)
    form = {"lot": code, "qty-bracelet": "3", "participants": "3"}
    warned = organiser.post(f"/workshops/{workshop_id}/log", data=form)
    assert warned.status_code == 422 and 'name="confirm"' in warned.get_data(as_text=True)
    assert organiser.post(f"/workshops/{workshop_id}/log", data={**form, "confirm": "1"}).status_code == 302


def test_consuming_more_than_is_left_names_the_lot_on_the_page(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    code, workshop_id = _setup(db_session, organiser.user, now, grams=50)
    response = organiser.post(f"/workshops/{workshop_id}/log", data={
        "lot": code, f"grams-{code}": "80", "qty-bracelet": "2", "participants": "2"})
    assert response.status_code == 409
    assert f"Lot {code} has only 50 g left" in response.get_data(as_text=True)


def test_figures_page_counts_the_logged_workshop_and_exports_csv(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    code, workshop_id = _setup(db_session, organiser.user, now)
    workshops.log(db_session, workshop_id=workshop_id, participants=7, actor=organiser.user, now=now,
                  products=[{"type": "toiletry_bag", "quantity": 2}], lots=[{"code": code}])
    page = organiser.get(f"/workshops/figures?year={now.year}&store={STORE}").get_data(as_text=True)
    assert 'class="figure-participants">7<' in page and 'class="figure-reused_in_workshops_g">0.240<' in page
    drill = organiser.get(f"/workshops/figures/participants?year={now.year}&store={STORE}").get_data(as_text=True)
    assert "Pouches" in drill
    csv = organiser.get(f"/workshops/figures?year={now.year}&format=csv")
    assert csv.mimetype == "text/csv" and "Participants,7" in csv.get_data(as_text=True)


def test_only_an_admin_adds_a_product_type(login):
    organiser, admin = login(Role.WORKSHOP_ORGANISER), login(Role.ADMIN)
    assert organiser.post("/workshops/product-types", data={"key": "keyring", "name": "Keyring",
                                                            "typical_use_g": "8"}).status_code == 403
    assert admin.post("/workshops/product-types", data={"key": "keyring", "name": "Keyring",
                                                        "typical_use_g": ""}).status_code == 422
    assert admin.post("/workshops/product-types", data={"key": "keyring", "name": "Keyring",
                                                        "typical_use_g": "8"}).status_code == 302
    assert "Keyring" in organiser.get("/workshops/product-types").get_data(as_text=True)
