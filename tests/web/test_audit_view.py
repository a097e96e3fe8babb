"""The admin's audit trail: who did what to which garment, when and where; filters and paging."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, text

from cksloop.db.models import GarmentEvent
from cksloop.domain.lifecycle import Action, Role
from cksloop.services import audit, garments
from tests.builders import OTHER_STORE, STORE, make_garment, make_user


def _rows(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r"<tr>\s*<td[^>]*><time.*?</tr>", html, flags=re.S)


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER, Role.MERCHANDISER])
def test_only_administrators_may_open_the_audit_trail(login, role):
    assert login(role=role).get("/admin/audit").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.location


def test_admin_sees_who_did_what_to_which_garment_when_and_where(login, db_session, now):
    admin = login(role=Role.ADMIN, name="Ada Admin")
    staff = make_user(db_session, Role.STORE_STAFF, name="Sam Staff")
    garment = make_garment(db_session, actor=staff, now=now)
    garments.act(db_session, code=garment.code, action=Action.ADD_TO_RENTAL_POOL, details={},
                 actor=staff, now=now + dt.timedelta(minutes=5))
    response = admin.get("/admin/audit")
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 2
    newest = rows[0]
    assert "Sam Staff" in newest and staff.email in newest
    assert garment.code in newest and "CKS Antwerpen Meir" in newest
    assert "in the rental pool" in newest
    # shown in Brussels time: 10:05 UTC is 11:05 in November
    assert "11:05" in newest
    assert "Audit trail" in admin.get("/").get_data(as_text=True)  # the admin's navigation offers it


def test_each_filter_narrows_the_trail(login, db_session, now):
    admin = login(role=Role.ADMIN)
    anna = make_user(db_session, Role.STORE_STAFF, name="Anna")
    gent = make_user(db_session, Role.STORE_STAFF, name="Gert", home_location=OTHER_STORE)
    early = make_garment(db_session, actor=anna, now=now - dt.timedelta(days=10))
    in_gent = make_garment(db_session, actor=gent, location=OTHER_STORE, now=now)
    garments.act(db_session, code=in_gent.code, action=Action.SELL, details={}, actor=gent, now=now)

    assert len(_rows(admin.get("/admin/audit"))) == 3
    assert len(_rows(admin.get("/admin/audit", query_string={"user": anna.id}))) == 1
    assert len(_rows(admin.get("/admin/audit", query_string={"action": "sell"}))) == 1
    assert len(_rows(admin.get("/admin/audit", query_string={"garment": in_gent.code}))) == 2
    assert len(_rows(admin.get("/admin/audit", query_string={"location": OTHER_STORE}))) == 2
    assert len(_rows(admin.get("/admin/audit", query_string={"location": STORE}))) == 1
    day = (now - dt.timedelta(days=10)).date().isoformat()
    only_early = _rows(admin.get("/admin/audit", query_string={"since": day, "until": day}))
    assert len(only_early) == 1 and early.code in only_early[0]
    assert len(_rows(admin.get("/admin/audit", query_string={"since": now.date().isoformat()}))) == 2
    combined = _rows(admin.get("/admin/audit", query_string={"user": gent.id, "action": "receive"}))
    assert len(combined) == 1 and in_gent.code in combined[0]
    assert _rows(admin.get("/admin/audit", query_string={"garment": "NO-SUCH-CODE"})) == []


def test_pages_follow_each_other_without_gaps_or_repeats(login, db_session, now):
    admin = login(role=Role.ADMIN)
    actor = db_session.get(type(admin.user), admin.user.id)
    garment = make_garment(db_session, actor=actor, now=now)
    for i in range(60):  # the same minute for many events: the id breaks the tie
        action = Action.ADD_TO_RENTAL_POOL if i % 2 == 0 else Action.REMOVE_FROM_RENTAL_POOL
        garments.act(db_session, code=garment.code, action=action, details={}, actor=actor,
                     now=now + dt.timedelta(minutes=i // 7))
    seen: list[str] = []
    url = "/admin/audit?garment=" + garment.code
    pages = 0
    while url:
        response = admin.get(url)
        assert response.status_code == 200
        seen += [re.search(r"event (\d+) of its history", r).group(1) for r in _rows(response)]
        match = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True))
        url = match.group(1).replace("&amp;", "&") if match else None
        pages += 1
    assert pages == 2
    assert seen == [str(n) for n in range(61, 0, -1)]


@pytest.mark.parametrize("params", [
    {"since": "2026-13-45"}, {"until": "yesterday"}, {"since": "2026-11-25", "until": "2026-11-01"},
    {"user": "999999"}, {"user": "-1"}, {"action": "destroy"}, {"location": "<script>"},
    {"before": "0"}, {"before": str(10**100)}, {"before": "abc"}, {"garment": "A\x00B"},
    {"garment": "x" * 100_000},
])
def test_bad_filters_are_refused_with_a_message_and_no_results(login, params):
    response = login(role=Role.ADMIN).get("/admin/audit", query_string=params)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html
    assert "<script>" not in html.split("<main>", 1)[1]


def test_far_dates_and_an_unknown_cursor_give_an_empty_page_not_an_error(login, db_session, now):
    admin = login(role=Role.ADMIN)
    make_garment(db_session, now=now)
    wide = admin.get("/admin/audit", query_string={"since": "0001-01-01", "until": "9999-12-31"})
    assert wide.status_code == 200 and len(_rows(wide)) == 1
    assert _rows(admin.get("/admin/audit", query_string={"before": "987654321"})) == []


def test_a_script_in_event_details_is_shown_as_text(login, db_session, now):
    admin = login(role=Role.ADMIN)
    garment = make_garment(db_session, now=now)
    actor = db_session.get(type(admin.user), admin.user.id)
    garments.act(db_session, code=garment.code, action=Action.START_CARE,
                 details={"care_kind": "repair", "note": "<script>alert(1)</script>"}, actor=actor, now=now)
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_filtered_searches_use_the_ledger_indexes(db_session, app):
    """On a big ledger each filter must read an index, not the whole table."""
    stmt_for = {
        "location": "ix_garment_events_location_occurred",
        "action": "ix_garment_events_action_occurred",
        "actor": "ix_garment_events_actor_occurred",
    }
    where = {"location": "location_id = 1", "action": "action = 'sell'", "actor": "actor_id = 1"}
    conn = db_session.connection()
    for name, index in stmt_for.items():
        sql = (f"SELECT id FROM garment_events WHERE {where[name]} "
               "ORDER BY occurred_at DESC, id DESC LIMIT 51")
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
        else:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in conn.execute(text("EXPLAIN " + sql)))
        assert index in plan, plan
    db_session.rollback()


def test_service_search_returns_nothing_for_an_unknown_location(db_session, now):
    make_garment(db_session, now=now)
    page = audit.search(db_session, filters=audit.AuditFilter(location_code="NOWHERE"))
    assert page.entries == [] and page.older_than is None
    assert db_session.scalar(select(GarmentEvent.id)) is not None


def test_details_read_as_sentences_with_money_and_the_new_price(login, db_session, now):
    admin = login(role=Role.ADMIN)
    actor = db_session.get(type(admin.user), admin.user.id)
    garment = make_garment(db_session, actor=actor, now=now)
    old = garment.price_cents
    garments.act(db_session, code=garment.code, action=Action.MARK_DOWN, details={"price_cents": 5995},
                 actor=actor, now=now)
    html = admin.get("/admin/audit", query_string={"action": "mark_down"}).get_data(as_text=True)
    row = _rows_html(html)[0]
    assert "previous_price_cents" not in row and "price_cents" not in row
    assert "Price now" in row and "€59.95" in row.replace("\xa0", "")
    assert "Price before" in row and f"€{old / 100:.2f}" in row.replace("\xa0", "")
    assert "event 2 of its history" in row


def _rows_html(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<td[^>]*><time.*?</tr>", html, flags=re.S)


def test_sign_ins_failed_sign_ins_and_token_changes_are_on_the_trail(app, login, db_session, now):
    from tests.builders import PASSWORD
    from tests.conftest import sign_in

    clerk = make_user(db_session, Role.STORE_STAFF, name="Lotte Maes")
    browser = app.test_client()
    assert sign_in(browser, clerk.email, "not the password").status_code == 401
    assert sign_in(browser, clerk.email, PASSWORD).status_code == 302
    assert sign_in(app.test_client(), "nobody@example.com", "whatever-typed").status_code == 401
    admin = login(role=Role.ADMIN)
    html = admin.get("/admin/audit", query_string={"kind": "accounts", "user": clerk.id}).get_data(as_text=True)
    rows = _rows_html(html)
    assert len(rows) == 3  # created, failed, signed in
    what = [re.search(r'data-label="What"><strong>([^<]+)</strong>', r).group(1) for r in rows]
    assert sorted(what) == ["failed sign-in", "signed in", "user created"]
    assert all("Lotte Maes" in r and clerk.email in r for r in rows)
    failed_row = rows[what.index("failed sign-in")]
    assert "nobody (failed sign-in)" in failed_row and "From address" in failed_row
    assert "nobody@example.com" not in html  # typing that matches no account is not kept
    failed = admin.get("/admin/audit", query_string={"kind": "accounts", "action": "sign_in_failed"})
    assert len(_rows_html(failed.get_data(as_text=True))) == 1


def test_the_trail_exports_to_csv_with_its_filters_named(login, db_session, now):
    import csv
    import io

    admin = login(role=Role.ADMIN)
    actor = db_session.get(type(admin.user), admin.user.id)
    garment = make_garment(db_session, actor=actor, now=now)
    garments.act(db_session, code=garment.code, action=Action.ADD_TO_RENTAL_POOL, details={}, actor=actor, now=now)
    other = make_garment(db_session, actor=actor, now=now)
    response = admin.get("/admin/audit.csv", query_string={"garment": garment.code})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Garment code", garment.code] in rows
    body = rows[rows.index(next(r for r in rows if r and r[0] == "When")) + 1:]
    assert [r[5] for r in body] == [garment.code, garment.code]
    assert other.code not in response.get_data(as_text=True)
    assert body[0][3] == "Add to the rental pool"
    assert admin.get("/admin/audit.csv", query_string={"kind": "accounts"}).status_code == 200
    assert login(role=Role.MERCHANDISER).get("/admin/audit.csv").status_code == 403
