"""Correcting a logged workshop (issue 15): only by a compensating entry, through the API and the page.

The earlier entry stays as it was; the correction holds the differences, the lots used more give a
``consume``, those used less get a ``return_leftover``, and every gram stays accounted for.
"""
from __future__ import annotations

import datetime as dt

from cksloop.domain.lifecycle import Role
from cksloop.services import offcut_lots, workshops
from tests.builders import STORE
from tests.web.test_api_auth import assert_error_shape, bearer
from tests.web.test_workshop_pages import LOT
from tests.web.test_workshops_api import _lot, _plan, clerk, organiser  # noqa: F401  (fixtures)


def _logged(client, token: str, now) -> tuple[int, str, str]:
    """A held workshop logged with 8 bracelets from one lot (96 g, the typical use)."""
    first, second = _lot(client, token), _lot(client, token, colour="rust")
    held = _plan(client, token, now)
    logged = client.post(f"/api/v1/workshops/{held}/log", headers=bearer(token), json={
        "participants": 8, "products": [{"type": "bracelet", "quantity": 8}], "lots": [{"code": first}]})
    assert logged.status_code == 201, logged.get_data(as_text=True)
    return held, first, second


def _lot_state(client, token: str, code: str) -> dict:
    return client.get(f"/api/v1/offcut-lots/{code}", headers=bearer(token)).get_json()


def test_a_correction_records_the_differences_and_moves_the_grams_both_ways(client, organiser, now):  # noqa: F811
    held, first, second = _logged(client, organiser, now)
    corrected = client.post(f"/api/v1/workshops/{held}/corrections", headers=bearer(organiser), json={
        "participants": 9, "products": [{"type": "bracelet", "quantity": 9}],
        "lots": [{"code": first, "grams": 60}, {"code": second, "grams": 50}],
        "note": "One more participant came late; part of the bracelets used the rust lot."})
    assert corrected.status_code == 201, corrected.get_data(as_text=True)
    body = corrected.get_json()
    assert body["participants"] == 9 and body["products"] == [{"type": "bracelet", "quantity": 9}]
    assert body["lots"] == [{"code": first, "grams": 60, "remaining_g": 1940},
                            {"code": second, "grams": 50, "remaining_g": 1950}]
    # the first entry is kept as logged; the correction holds only the differences
    assert [e["kind"] for e in body["entries"]] == ["log", "correction"]
    assert body["entries"][0]["participants"] == 8 and body["entries"][1]["participants"] == 1
    assert body["entries"][1]["note"].startswith("One more participant")
    one, two = _lot_state(client, organiser, first), _lot_state(client, organiser, second)
    assert [e["action"] for e in one["events"]][-2:] == ["consume", "return_leftover"]
    assert [e["action"] for e in two["events"]][-1] == "consume"
    for lot in (one, two):  # every gram accounted for
        assert lot["weight_in_g"] == lot["split_out_g"] + lot["consumed_g"] + lot["waste_g"] + lot["remaining_g"]
    assert one["consumed_g"] == 60 and two["consumed_g"] == 50


def test_a_correction_that_changes_nothing_or_has_no_note_is_refused_and_writes_nothing(
        client, db_session, organiser, now):  # noqa: F811
    held, first, _ = _logged(client, organiser, now)
    same = {"participants": 8, "products": [{"type": "bracelet", "quantity": 8}],
            "lots": [{"code": first, "grams": 96}]}
    before = _lot_state(client, organiser, first)
    assert_error_shape(client.post(f"/api/v1/workshops/{held}/corrections", headers=bearer(organiser),
                                   json={**same, "note": "nothing changed"}), 422, "invalid_details")
    refused = client.post(f"/api/v1/workshops/{held}/corrections", headers=bearer(organiser),
                          json={**same, "participants": 7})
    assert_error_shape(refused, 422, "invalid_details")
    assert "note" in refused.get_json()["details"]["fields"]
    too_much = client.post(f"/api/v1/workshops/{held}/corrections", headers=bearer(organiser), json={
        **same, "lots": [{"code": first, "grams": 5000}], "note": "weighed wrong"})
    assert_error_shape(too_much, 409, "insufficient_offcut")
    assert _lot_state(client, organiser, first)["events"] == before["events"]
    db_session.rollback()
    assert [e["kind"] for e in workshops.log_dict(db_session, held)["entries"]] == ["log"]


def test_a_workshop_not_logged_yet_cannot_be_corrected_and_store_staff_may_not(
        client, organiser, clerk, now):  # noqa: F811
    upcoming = _plan(client, organiser, now)
    body = {"participants": 3, "products": [{"type": "bracelet", "quantity": 3}],
            "lots": [{"code": _lot(client, organiser), "grams": 10}], "note": "x"}
    assert_error_shape(client.post(f"/api/v1/workshops/{upcoming}/corrections", headers=bearer(organiser),
                                   json=body), 422, "invalid_details")
    assert_error_shape(client.post(f"/api/v1/workshops/{upcoming}/corrections", headers=bearer(clerk),
                                   json=body), 403, "forbidden")
    assert_error_shape(client.post("/api/v1/workshops/999999/corrections", headers=bearer(organiser),
                                   json=body), 404, "not_found")


def _logged_by_service(db_session, user, now) -> tuple[int, str]:
    code = offcut_lots.create(db_session, details={**LOT, "weight_g": 2000}, actor=user, now=now)["code"]
    held = workshops.plan(db_session, store=STORE, starts_at=now - dt.timedelta(hours=1), theme="Bracelets",
                          capacity=10, organiser=None, actor=user, now=now)["id"]
    workshops.log(db_session, workshop_id=held, participants=8, products=[{"type": "bracelet", "quantity": 8}],
                  lots=[{"code": code}], actor=user, now=now)
    return held, code


def _consumed(db_session, code: str) -> int:
    db_session.rollback()
    return offcut_lots.list_lots(db_session, code=code)[0][0]["consumed_g"]


def test_the_organiser_corrects_a_log_on_its_page_and_sees_both_entries(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    held, code = _logged_by_service(db_session, organiser.user, now)
    detail = organiser.get(f"/workshops/{held}").get_data(as_text=True)
    assert f"/workshops/{held}/correct" in detail
    form = organiser.get(f"/workshops/{held}/correct")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'name="participants"' in html and 'value="8"' in html and f'name="grams-{code}"' in html
    # no note: refused with the field named, nothing written
    refused = organiser.post(f"/workshops/{held}/correct", data={
        "participants": "9", "qty-bracelet": "9", f"grams-{code}": "108", "note": ""})
    assert refused.status_code == 422 and 'id="correct-note"' in refused.get_data(as_text=True)
    assert _consumed(db_session, code) == 96
    done = organiser.post(f"/workshops/{held}/correct", data={
        "participants": "9", "qty-bracelet": "9", f"grams-{code}": "108", "note": "A late participant."})
    assert done.status_code == 302, done.get_data(as_text=True)
    page = organiser.get(done.location).get_data(as_text=True)
    assert "A late participant." in page and 'class="participants">9<' in page
    assert _consumed(db_session, code) == 108


def test_store_staff_cannot_open_the_correction_page(login, db_session, now):
    organiser = login(Role.WORKSHOP_ORGANISER)
    held, _ = _logged_by_service(db_session, organiser.user, now)
    clerk = login(Role.STORE_STAFF)
    assert clerk.get(f"/workshops/{held}/correct").status_code == 403
    assert clerk.post(f"/workshops/{held}/correct", data={"note": "x"}).status_code == 403

