"""The review meeting's pages: open a session, decide per line, execute once; refusals shown, nothing written."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cksloop.db.models import Garment, OverstockReviewDecision
from cksloop.domain.lifecycle import Role
from tests.services.test_overstock import build_fixture


@pytest.fixture
def meeting(login, db_session, now):
    build_fixture(db_session, now)
    return login(Role.MERCHANDISER)


def _open(client) -> str:
    response = client.post("/overstock/reviews", data={"season": "aw26", "as_of": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert re.fullmatch(r"/overstock/reviews/\d+", response.location)
    return response.location


def test_a_merchandiser_opens_a_review_decides_a_markdown_and_executes_it(meeting, db_session):
    url = _open(meeting)
    page = meeting.get(url).get_data(as_text=True)
    assert "AW26-0301" in page and "flagged" in page
    assert "14.0 weeks of cover, more than the 8.0 allowed." in page
    decided = meeting.post(f"{url}/decisions", data={"style": "AW26-0301", "decision": "mark_down",
                                                      "reason": "cover too long", "percent": "30"})
    assert decided.status_code == 302
    decision = db_session.scalar(select(OverstockReviewDecision))
    page = meeting.get(url).get_data(as_text=True)
    assert "cover too long" in page and f"/decisions/{decision.id}/execute" in page
    executed = meeting.post(f"{url}/decisions/{decision.id}/execute")
    assert executed.status_code == 302
    page = meeting.get(url).get_data(as_text=True)
    assert "Executed: 5 ledger events for 5 garments." in page
    assert "Yes: 5 events for 5 garments" in page
    again = meeting.post(f"{url}/decisions/{decision.id}/execute")
    assert again.status_code == 409 and "already executed" in again.get_data(as_text=True)
    db_session.rollback()
    assert sorted(p for p in db_session.scalars(select(Garment.price_cents))).count(6995) == 5
    assert url.rsplit("/", 1)[1] in meeting.get("/overstock/reviews").get_data(as_text=True)


def test_a_markdown_under_the_floor_is_refused_on_the_page_and_nothing_is_recorded(meeting, db_session):
    url = _open(meeting)
    response = meeting.post(f"{url}/decisions", data={"style": "AW26-0301", "decision": "mark_down",
                                                       "reason": "clear it", "percent": "85"})
    assert response.status_code == 422
    assert "under the floor" in response.get_data(as_text=True)
    assert db_session.scalar(select(OverstockReviewDecision.id)) is None


@pytest.mark.parametrize("form, text", [({"season": "X1", "as_of": ""}, "Give a collection such as SS26 or AW26."),
                                        ({"season": "AW26", "as_of": "2027-01-01"},
                                         "A review cannot look at a date in the future.")])
def test_a_bad_collection_or_date_is_refused_with_the_reason(meeting, form, text):
    response = meeting.post("/overstock/reviews", data=form)
    assert response.status_code == 422 and text in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
def test_other_roles_may_not_open_the_meeting(login, role):
    assert login(role).get("/overstock/reviews").status_code == 403
