"""Buyer lots whose proof is late reach the merchandiser's home page without her having to look (issue 14).

The task counts exactly the lots the overdue list shows: a lot shipped within its deadline and a
proven lot (even one proven late) are not counted. Store staff and workshop organisers never see it.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Role
from cksloop.services import buyer_lots, buyer_proof, dashboard
from tests.buyer_lot_world import LONG_AGO, make_buyer, make_shipped_lot, prove_lot
from tests.builders import make_user

OVERDUE_LIST = "/buyer-lots/overdue"


def _tiles(page: str) -> dict[str, tuple[str, str]]:
    """Each home tile's text (whitespace folded) → (its class, its link)."""
    found = {}
    for classes, inner in re.findall(r'<li class="(task[^"]*)">(.*?)</li>', page, re.S):
        link = re.search(r'<a href="([^"]*)"', inner)
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inner))).strip()
        found[text] = (classes, html.unescape(link.group(1)) if link else "")
    return found


def _lots_task(tasks: list[dashboard.Task]) -> dashboard.Task | None:
    return next((t for t in tasks if t.endpoint == "disclosure.overdue"), None)


@pytest.fixture
def three_lots(app: Any, db_session: Session, now: dt.datetime) -> dict[str, int]:
    """One lot past its proof deadline, one shipped today (within it), one proven after its deadline."""
    actor = make_user(db_session, Role.MERCHANDISER)
    buyer_id = make_buyer(db_session, now=now)
    lots = {"overdue": make_shipped_lot(db_session, buyer_id=buyer_id, actor=actor, now=now, shipped_on=LONG_AGO),
            "on_time": make_shipped_lot(db_session, buyer_id=buyer_id, actor=actor, now=now,
                                        shipped_on=local_date(now)),
            "proven": make_shipped_lot(db_session, buyer_id=buyer_id, actor=actor, now=now, shipped_on=LONG_AGO)}
    prove_lot(db_session, lot_id=lots["proven"], actor=actor, now=now, upload_dir=app.config["UPLOAD_DIR"])
    return lots


def test_the_home_task_counts_exactly_the_lots_the_overdue_list_shows(db_session, now, three_lots):
    listed = buyer_proof.overdue_lots(db_session, today=local_date(now))
    assert [lot["id"] for lot in listed] == [three_lots["overdue"]]
    for role in (Role.MERCHANDISER, Role.ADMIN):
        task = _lots_task(dashboard.today_for(db_session, user=make_user(db_session, role), now=now))
        assert task is not None, role
        assert (task.count, task.overdue) == (1, True)
    assert buyer_proof.count_overdue(db_session, today=local_date(now)) == len(listed)


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER], ids=lambda r: r.value)
def test_roles_that_do_not_handle_buyer_lots_get_no_such_task(db_session, now, three_lots, role):
    assert _lots_task(dashboard.today_for(db_session, user=make_user(db_session, role), now=now)) is None


def test_the_merchandisers_home_says_one_lot_waits_marked_urgent_and_links_to_the_overdue_list(
        login, three_lots):
    tiles = _tiles(login(Role.MERCHANDISER).get("/").get_data(as_text=True))
    classes, link = tiles["1 buyer lot waits for proof past its deadline"]
    assert classes.split() == ["task", "urgent"]
    assert link == OVERDUE_LIST


def test_the_admins_home_shows_the_task_too(login, three_lots):
    tiles = _tiles(login(Role.ADMIN).get("/").get_data(as_text=True))
    assert tiles["1 buyer lot waits for proof past its deadline"][1] == OVERDUE_LIST


def test_two_late_lots_read_in_the_plural(app, login, db_session, now, three_lots):
    actor = make_user(db_session, Role.MERCHANDISER)
    buyer_id = make_buyer(db_session, now=now, name="Tweedehands Zuid BV")
    make_shipped_lot(db_session, buyer_id=buyer_id, actor=actor, now=now, shipped_on=dt.date(2026, 10, 1))
    tiles = _tiles(login(Role.MERCHANDISER).get("/").get_data(as_text=True))
    assert tiles["2 buyer lots wait for proof past their deadline"] == ("task urgent", OVERDUE_LIST)


def test_with_no_late_lot_the_task_shows_zero_plainly(login, db_session, now):
    actor = make_user(db_session, Role.MERCHANDISER)
    make_shipped_lot(db_session, buyer_id=make_buyer(db_session, now=now), actor=actor, now=now,
                     shipped_on=local_date(now))
    tiles = _tiles(login(Role.MERCHANDISER).get("/").get_data(as_text=True))
    assert tiles["0 buyer lots wait for proof past their deadline"] == ("task", OVERDUE_LIST)


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER], ids=lambda r: r.value)
def test_store_staff_and_workshop_organisers_do_not_see_it(login, three_lots, role):
    page = login(role).get("/").get_data(as_text=True)
    assert OVERDUE_LIST not in page
    assert not any("buyer lot" in text for text in _tiles(page))


@pytest.mark.parametrize(("lang", "one"), [
    ("nl", "1 partij voor opkopers wacht op bewijs, de termijn is verstreken"),
    ("fr", "1 lot d’acheteur attend encore ses preuves, échéance dépassée"),
])
def test_the_task_speaks_dutch_and_french(login, three_lots, lang, one):
    merchandiser = login(Role.MERCHANDISER)
    assert merchandiser.post(f"/language/{lang}", data={"next": "/"}).status_code == 302
    tiles = _tiles(merchandiser.get("/").get_data(as_text=True))
    assert tiles[one] == ("task urgent", OVERDUE_LIST)


def test_an_old_overdue_lot_is_counted_however_many_newer_lots_there_are(db_session, now, three_lots,
                                                                          monkeypatch):
    # the lists show the newest lots first, cut at LIST_LIMIT; the late ones are the oldest, so the
    # overdue count and list read every lot still waiting for proof
    monkeypatch.setattr(buyer_lots, "LIST_LIMIT", 1)
    today = now.date()
    assert buyer_proof.count_overdue(db_session, today=today) == 1
    assert [v["id"] for v in buyer_proof.overdue_lots(db_session, today=today)] == [three_lots["overdue"]]
