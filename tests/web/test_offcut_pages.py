"""The offcut lot pages (issue 15): list, lot page with its mass balance and history, action forms,
registering a lot, roles, and bad input refused with a message and nothing written."""
from __future__ import annotations

import re
from typing import Any

import pytest

from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots
from tests.builders import OTHER_STORE, STORE, WAREHOUSE, make_user

LOT = {"material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
       "weight_g": 1000, "location": STORE}


@pytest.fixture
def lot(db_session, world, now) -> dict[str, Any]:
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    return offcut_lots.create(db_session, details=LOT, actor=organiser, now=now)


def _read(db_session, code: str) -> dict[str, Any]:
    db_session.rollback()  # a fresh snapshot: the request wrote through its own session
    return offcut_lots.lot_dict(db_session, code)


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_an_organiser_consumes_grams_and_the_page_shows_the_balance_and_history_newest_first(login, lot, db_session):
    organiser = login(Role.WORKSHOP_ORGANISER)
    code = lot["code"]
    done = organiser.post(f"/offcuts/{code}/actions/consume",
                          data={"expected_version": lot["version"], "grams": "250", "note": "bracelets"})
    assert done.status_code == 303 and done.location.endswith(f"/offcuts/{code}")
    page = _text(organiser.get(f"/offcuts/{code}"))
    assert "250 g used" in page and "750 g left" in page and "1,000 g came in" in page
    events = re.findall(r'<div class="event-head"><strong>([^<]+)</strong>', page)
    assert events == ["Use offcuts", "Register an offcut lot"]  # newest first
    assert "bracelets" in page
    assert _read(db_session, code)["remaining_g"] == 750


def test_split_move_reweigh_and_return_leftover_through_the_forms_keep_the_lot_balanced(login, lot, db_session):
    organiser = login(Role.MERCHANDISER)
    code = lot["code"]
    steps = [("split", {"parts_g": "300, 200"}), ("move", {"to_location": OTHER_STORE}),
             ("reweigh", {"weight_g": "480", "reason": "cutting_loss"}),
             ("consume", {"grams": "80", "note": "pouches"}), ("return_leftover", {"grams": "30", "note": "pouches"})]
    for action, data in steps:
        version = _read(db_session, code)["version"]
        response = organiser.post(f"/offcuts/{code}/actions/{action}", data={"expected_version": version, **data})
        assert response.status_code == 303, (action, _text(response))
    after = _read(db_session, code)
    assert (after["split_out_g"], after["waste_g"], after["consumed_g"], after["remaining_g"]) == (500, 20, 50, 430)
    assert after["location"] == OTHER_STORE and offcut_lots.replay_matches(db_session, code)
    children = [e for e in offcut_lots.list_lots(db_session, per_page=10)[0] if e["code"] != code]
    assert sorted(c["weight_in_g"] for c in children) == [200, 300]


@pytest.mark.parametrize("action, data, field_message", [
    ("consume", {"grams": "0", "note": "x"}, "Must be more than 0 g."),
    ("consume", {"grams": "-5", "note": "x"}, "Must be more than 0 g."),
    ("consume", {"grams": "abc", "note": "x"}, "Must be a weight in whole grams."),
    ("consume", {"grams": "12.5", "note": "x"}, "Must be a weight in whole grams."),
    ("consume", {"grams": "100"}, "This field is required."),
    ("split", {"parts_g": "600, 0"}, "Must be more than 0 g."),
    ("move", {"to_location": "NOWHERE"}, "Not a valid choice."),
    ("reweigh", {"weight_g": "1200", "reason": "damaged"}, "A lot cannot gain weight"),
    ("return_leftover", {"grams": "10", "note": "x"}, "More than was taken from this lot"),
])
def test_bad_input_is_refused_with_the_reason_and_nothing_is_written(login, lot, db_session, action, data,
                                                                   field_message):
    organiser = login(Role.WORKSHOP_ORGANISER)
    before = _read(db_session, lot["code"])
    response = organiser.post(f"/offcuts/{lot['code']}/actions/{action}",
                              data={"expected_version": before["version"], **data})
    assert response.status_code == 422
    page = _text(response)
    assert field_message in page and "Nothing was written. This lot has 1,000 g left." in page
    assert _read(db_session, lot["code"]) == before


def test_consuming_or_splitting_more_than_is_left_says_how_much_is_left(login, lot, db_session):
    organiser = login(Role.WORKSHOP_ORGANISER)
    for action, data in (("consume", {"grams": "1001", "note": "too much"}), ("split", {"parts_g": "600 500"})):
        response = organiser.post(f"/offcuts/{lot['code']}/actions/{action}",
                                  data={"expected_version": lot["version"], **data})
        assert response.status_code == 409
        assert f"Lot {lot['code']} has only 1000 g left" in _text(response)
    assert _read(db_session, lot["code"])["version"] == lot["version"]


def test_a_move_to_a_closed_location_is_refused(login, lot, db_session):
    from cksloop.db.models import Location
    closed = db_session.query(Location).filter_by(code=WAREHOUSE).one()
    closed.active = False
    db_session.commit()
    organiser = login(Role.WORKSHOP_ORGANISER)
    response = organiser.post(f"/offcuts/{lot['code']}/actions/move",
                              data={"expected_version": lot["version"], "to_location": WAREHOUSE})
    assert response.status_code == 422 and _read(db_session, lot["code"])["location"] == STORE


def test_a_stale_page_is_a_conflict_and_writes_nothing(login, lot, db_session):
    organiser = login(Role.WORKSHOP_ORGANISER)
    first = organiser.post(f"/offcuts/{lot['code']}/actions/consume",
                           data={"expected_version": lot["version"], "grams": "100", "note": "a"})
    assert first.status_code == 303
    stale = organiser.post(f"/offcuts/{lot['code']}/actions/consume",
                           data={"expected_version": lot["version"], "grams": "100", "note": "a"})
    assert stale.status_code == 409 and _read(db_session, lot["code"])["remaining_g"] == 900


def test_registering_a_lot_through_the_form(login, world, db_session):
    organiser = login(Role.WORKSHOP_ORGANISER)
    response = organiser.post("/offcuts/new", data={
        "material": "wool", "composition": "wool 70, polyamide 30", "colour": "grey melange", "weight_g": "1500",
        "area_m2": "2,5", "location": STORE, "style_number": "W24-113", "supplier": "Filati"})
    assert response.status_code == 303, _text(response)
    code = response.location.rsplit("/", 1)[1]
    lot = _read(db_session, code)
    assert lot["composition"] == [{"fibre": "wool", "pct": 70}, {"fibre": "polyamide", "pct": 30}]
    assert (lot["remaining_g"], lot["area_m2"], lot["source"]) == (1500, 2.5, {"style_number": "W24-113",
                                                                                "supplier": "Filati"})


@pytest.mark.parametrize("change, message", [
    ({"weight_g": "0"}, "Must be more than 0 g."),
    ({"weight_g": "-3"}, "Must be more than 0 g."),
    ({"weight_g": "zwaar"}, "Must be a weight in whole grams."),
    ({"composition": "cotton 80, polyester 10"}, "The percentages must add up to 100."),
    ({"composition": "lots of cotton"}, "Give the fibres and their percentages"),
    ({"location": "NOWHERE"}, "Not a valid choice."),
    ({"area_m2": "big"}, "The area is a number of square metres above 0."),
])
def test_registering_with_bad_input_says_why_and_registers_nothing(login, world, db_session, change, message):
    organiser = login(Role.WORKSHOP_ORGANISER)
    data = {"material": "wool", "composition": "wool 100", "colour": "grey", "weight_g": "900", "location": STORE,
            **change}
    response = organiser.post("/offcuts/new", data=data)
    assert response.status_code == 422 and message in _text(response)
    assert offcut_lots.list_lots(db_session)[0] == []


def test_the_list_filters_by_location_and_material_and_sums_what_is_left(login, lot, db_session, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    offcut_lots.create(db_session, actor=organiser, now=now, details={**LOT, "material": "linen",
                                                                         "weight_g": 300, "location": OTHER_STORE})
    staff = login(Role.STORE_STAFF)
    everything = _text(staff.get("/offcuts"))
    assert "2 lots" in everything and "1,300 g left in all" in everything
    linen = _text(staff.get("/offcuts?material=linen"))
    assert "1 lot" in linen and "CKSR-00002" in linen and "CKSR-00001" not in linen
    here = _text(staff.get(f"/offcuts?location={STORE}"))
    assert "CKSR-00001" in here and "CKSR-00002" not in here
    assert staff.get("/offcuts?location=NOWHERE").status_code == 400


def test_store_staff_read_lots_but_see_no_action_forms_and_may_not_write(login, lot, db_session):
    staff = login(Role.STORE_STAFF)
    page = staff.get(f"/offcuts/{lot['code']}")
    assert page.status_code == 200 and "What you can do now" not in _text(page)
    assert staff.get("/offcuts/new").status_code == 403
    refused = staff.post(f"/offcuts/{lot['code']}/actions/consume",
                         data={"expected_version": lot["version"], "grams": "5", "note": "x"})
    assert refused.status_code == 403 and _read(db_session, lot["code"])["version"] == lot["version"]
    assert "Offcuts" not in re.search(r'<nav class="mainnav".*?</nav>', _text(page)).group(0)


@pytest.mark.parametrize("role", [Role.WORKSHOP_ORGANISER, Role.MERCHANDISER, Role.ADMIN])
def test_writers_get_the_forms_and_an_offcuts_link(login, lot, role):
    page = _text(login(role).get(f"/offcuts/{lot['code']}"))
    assert "What you can do now" in page and 'href="/offcuts"' in page


def test_the_label_path_opens_the_lot_page_and_unknown_lots_are_404(login, lot):
    staff = login(Role.STORE_STAFF)
    opened = staff.get(f"/r/{lot['code'].lower()}")
    assert opened.status_code == 302 and opened.location.endswith(f"/offcuts/{lot['code']}")
    assert staff.get("/offcuts/CKSR-09999").status_code == 404
    assert staff.get("/r/CKS-00001").status_code == 404
    assert staff.post(f"/offcuts/{lot['code']}/actions/create", data={}).status_code in (403, 404)


def test_forms_without_a_csrf_token_are_refused(login, lot, db_session):
    organiser = login(Role.WORKSHOP_ORGANISER)
    response = organiser.client.post(f"/offcuts/{lot['code']}/actions/consume",
                                     data={"expected_version": lot["version"], "grams": "5", "note": "x"})
    assert response.status_code == 400 and _read(db_session, lot["code"])["version"] == lot["version"]


def test_the_scan_page_without_javascript_opens_a_scanned_lot_or_says_it_is_unknown(login, lot, app):
    staff = login(Role.STORE_STAFF)
    for payload in (lot["code"], "cksr-1", f"{app.config['BASE_URL']}/r/{lot['code']}"):
        opened = staff.get("/scan", query_string={"payload": payload})
        assert opened.status_code == 302 and opened.location.endswith(f"/offcuts/{lot['code']}"), payload
    unknown = staff.get("/scan", query_string={"payload": "CKSR-07777"})
    assert unknown.status_code == 404 and "No offcut lot with code CKSR-07777." in _text(unknown)


def test_the_garment_pages_retire_form_feeds_a_lot_and_the_lot_page_lists_the_garment(login, lot, db_session, now):
    from tests.builders import make_garment
    garment = make_garment(db_session, now=now)
    organiser = login(Role.WORKSHOP_ORGANISER)
    assert 'name="offcut_lot"' in organiser.get(f"/garments/{garment.code}").get_data(as_text=True)
    retired = organiser.post(f"/garments/{garment.code}/actions/retire",
                             data={"expected_version": garment.version, "route": "offcuts", "offcut_lot": lot["code"]})
    assert retired.status_code == 303
    assert f"Offcut lot</dt><dd>{lot['code']}" in organiser.get(f"/garments/{garment.code}").get_data(as_text=True)
    page = _text(organiser.get(f"/offcuts/{lot['code']}"))
    assert "Made from 1 retired garment" in page and f'href="/garments/{garment.code}"' in page


def test_a_retire_form_naming_an_unknown_lot_says_so_and_writes_nothing(login, lot, db_session, now):
    from tests.builders import make_garment
    garment = make_garment(db_session, now=now)
    organiser = login(Role.WORKSHOP_ORGANISER)
    refused = organiser.post(f"/garments/{garment.code}/actions/retire",
                             data={"expected_version": garment.version, "route": "offcuts", "offcut_lot": "CKSR-08888"})
    assert refused.status_code == 422 and "No offcut lot has this code." in _text(refused)
    db_session.rollback()
    assert garments_state(db_session, garment.code) == "in_stock"


def garments_state(db_session, code: str) -> str:
    from sqlalchemy import select

    from cksloop.db.models import Garment
    db_session.rollback()
    return db_session.scalar(select(Garment.state).where(Garment.code == code)).value


def test_registering_a_lot_from_garments_on_the_form_retires_them(login, world, db_session, now):
    from tests.builders import make_garment
    pieces = [make_garment(db_session, now=now) for _ in range(2)]
    organiser = login(Role.WORKSHOP_ORGANISER)
    data = {"material": "denim", "composition": "cotton 100", "colour": "blue", "weight_g": "700", "location": STORE,
            "garments": f"{pieces[0].code}\n{pieces[1].code.lower()}"}
    created = organiser.post("/offcuts/new", data=data)
    assert created.status_code == 303, _text(created)
    page = _text(organiser.get(created.location))
    assert "Made from 2 retired garments" in page
    db_session.rollback()
    assert [garments_state(db_session, p.code) for p in pieces] == ["retired", "retired"]
    unknown = organiser.post("/offcuts/new", data={**data, "garments": "CKS-99999"})
    assert unknown.status_code == 422 and "No garment has this code. CKS-99999" in _text(unknown)
