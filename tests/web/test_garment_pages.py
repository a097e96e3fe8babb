"""The garment list, the garment page with its history, and acting on a garment through its forms."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import event, func, select

from cksloop.db.models import Garment, GarmentEvent
from cksloop.domain import lifecycle
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import catalogue
from cksloop.web.garments.forms import ACTION_FORMS
from cksloop.web.guards import allow
from tests.builders import OTHER_STORE, OUTLET, STORE, WAREHOUSE, make_garment, make_user

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def listed_codes(response) -> list[str]:
    return re.findall(r'href="/garments/(CKS-[0-9A-Z]+)"', response.get_data(as_text=True))


def event_count(session, garment) -> int:
    session.rollback()  # ends this session's snapshot, if one is open: a request wrote since
    session.expire_all()
    return session.scalar(select(func.count()).select_from(GarmentEvent)
                          .where(GarmentEvent.garment_id == garment.id))


def reload(session, garment) -> Garment:
    session.rollback()  # ends this session's snapshot, if one is open: a request wrote since
    session.expire_all()
    return session.get(Garment, garment.id)


def action_forms_on(page: str) -> set[str]:
    return set(re.findall(r'action="/garments/[^/"]+/actions/([a-z_]+)"', page))


# --- the list --------------------------------------------------------------------------------


def test_list_shows_code_style_size_colour_state_location_and_price(login, db_session, world):
    garment = make_garment(db_session, style=world["blazer"], size="40", location=OTHER_STORE)
    page = text_of(login(role=Role.STORE_STAFF).get("/garments"))
    assert garment.code in page
    assert "Noor" in page and "AW25-0202" in page and "camel" in page
    assert 'class="state state-in_stock"' in page
    assert "CKS Gent Veldstraat" in page
    assert "189.95" in page or "189,95" in page


@pytest.mark.parametrize("query, expected", [
    ("state=sold", ["sold"]),
    ("location=" + WAREHOUSE, ["warehouse"]),
    ("style=AW25-0202", ["blazer"]),
    ("season=AW25", ["blazer"]),
    ("q=blazer", ["blazer"]),
    ("state=in_stock&location=" + STORE, ["dress"]),
])
def test_list_filters_narrow_the_garments(login, db_session, world, query, expected):
    made = {
        "dress": make_garment(db_session, style=world["dress"], location=STORE),
        "sold": make_garment(db_session, style=world["dress"], location=OTHER_STORE, state=GarmentState.SOLD),
        "warehouse": make_garment(db_session, style=world["dress"], location=WAREHOUSE),
        "blazer": make_garment(db_session, style=world["blazer"], size="38", location=OTHER_STORE),
    }
    response = login(role=Role.MERCHANDISER).get(f"/garments?{query}")
    assert response.status_code == 200
    assert listed_codes(response) == sorted(made[name].code for name in expected)


def test_searching_a_garment_code_finds_just_that_garment(login, db_session, world):
    make_garment(db_session)
    wanted = make_garment(db_session)
    response = login().get(f"/garments?q={wanted.code.lower()}")
    assert listed_codes(response) == [wanted.code]


def test_overdue_filter_lists_only_rentals_past_their_due_date(login, db_session, world):
    late = make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW - dt.timedelta(days=15))
    make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW)
    response = login(role=Role.STORE_STAFF).get("/garments?state=rented_out&overdue=1")
    assert response.status_code == 200
    assert listed_codes(response) == [late.code]
    assert "overdue" in text_of(response)


def test_overdue_zero_means_no_overdue_filter(login, db_session, world):
    rented = make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW)
    assert listed_codes(login().get("/garments?overdue=0")) == [rented.code]


@pytest.mark.parametrize("query, message", [
    ("page=-1", "Number must be between 1"),
    ("page=0", "Number must be between 1"),
    ("page=abc", "Not a valid integer value"),
    ("page=" + "1" + "0" * 30, "Number must be between 1"),
    ("page=" + "9" * 5000, "Not a valid integer value"),
    ("state=flying", "Not a valid choice"),
    ("location=NOWHERE", "Not a valid choice"),
    ("season=XX99", "Not a valid choice"),
    ("style=ZZ99-0000", "No style with number ZZ99-0000"),
    ("q=" + "x" * 61, "Field cannot be longer than 60 characters"),
    ("q=%00abc", "Contains characters that cannot be typed"),
    ("style=%00", "Contains characters that cannot be typed"),
])
def test_bad_filter_values_get_a_clear_message_and_no_error(login, db_session, world, query, message):
    make_garment(db_session)
    response = login().get(f"/garments?{query}")
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert "Some filters are not valid" in page
    assert listed_codes(response) == []


def test_list_shows_fifty_garments_a_page_with_a_link_to_the_next(login, db_session, world):
    admin = make_user(db_session, Role.ADMIN)
    made = sorted(catalogue.receive_garment(db_session, style=world["dress"], size="M", location_code=STORE,
                                            actor=admin, now=NOW, commit=False).code for _ in range(51))
    db_session.commit()
    client = login()
    first = client.get("/garments?state=in_stock")
    assert listed_codes(first) == made[:50]
    assert "/garments?state=in_stock&amp;page=2" in first.get_data(as_text=True)
    second = client.get("/garments?state=in_stock&page=2")
    assert listed_codes(second) == made[50:]
    assert 'rel="next"' not in second.get_data(as_text=True)


def test_list_page_costs_the_same_queries_for_one_or_fifty_garments(app, login, db_session, world):
    client = login()
    make_garment(db_session)
    statements: list[str] = []
    engine = app.extensions["cksloop.engine"]

    def _count(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        client.get("/garments")
        few = len(statements)
        admin = make_user(db_session, Role.ADMIN)
        for _ in range(30):
            catalogue.receive_garment(db_session, style=world["blazer"], size="38", location_code=OUTLET,
                                      actor=admin, now=NOW, commit=False)
        db_session.commit()
        statements.clear()
        client.get("/garments")
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", _count)


# --- the garment page --------------------------------------------------------------------------


def test_garment_page_shows_style_facts_state_location_price_and_keeps_the_version_out_of_sight(
        login, db_session, world):
    garment = make_garment(db_session, style=world["dress"], size="S")
    page = text_of(login().get(f"/garments/{garment.code}"))
    for fact in ("Lisa", "SS25-0101", "SS25", "navy", "Atelier Izmir", "Türkiye",
                 "100% viscose", "LENZING™ ECOVERO™", "CKS Antwerpen Meir", "05400000001017"):
        assert fact in page, fact
    assert "sustainable" in page
    # the version guards the write (a hidden form field); people never see it
    assert re.search(r'name="expected_version" type="hidden" value="1"', page)
    assert "Version" not in page
    assert "129.95" in page or "129,95" in page


def test_garment_page_shows_its_life_in_rental_turns_days_and_repairs(login, db_session, world):
    from cksloop.services import garments

    admin = make_user(db_session, Role.ADMIN)
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW - dt.timedelta(days=12),
                           actor=admin)
    garments.act(db_session, code=garment.code, action=Action.RETURN_RENTAL, actor=admin,
                 now=NOW - dt.timedelta(days=2),
                 details={"reason": "quality_return", "grade": "C",
                          "defects": [{"code": "SNAG", "zone": "front", "severity": 3}]})
    garments.act(db_session, code=garment.code, action=Action.FINISH_CARE, actor=admin, now=NOW,
                 details={"outcome": "done", "cost_cents": 1250})
    page = text_of(login().get(f"/garments/{garment.code}"))
    assert "Life in rental" in page
    assert re.search(r"Rental cycles</dt><dd>1<", page)
    assert re.search(r"Days rented</dt><dd>10<", page)
    assert re.search(r"Quality returns</dt><dd>1<", page)
    assert re.search(r"Repairs</dt><dd>1<", page)
    assert "12.50" in page or "12,50" in page


def test_a_garment_that_never_rented_shows_no_rental_life(login, db_session, world):
    garment = make_garment(db_session)
    assert "Life in rental" not in text_of(login().get(f"/garments/{garment.code}"))


def test_garment_page_shows_the_full_history_newest_first_with_who_where_and_when(login, db_session, world):
    clerk = make_user(db_session, Role.STORE_STAFF, name="Sofie Janssens")
    garment = make_garment(db_session, now=NOW - dt.timedelta(days=3))
    from cksloop.services import garments

    garments.act(db_session, code=garment.code, action=Action.TRANSFER,
                 details={"to_location": OTHER_STORE, "note": "window <display>"}, actor=clerk, now=NOW)
    # store scope: the garment is now at the Gent store, where a Gent clerk takes it on
    gent_clerk = make_user(db_session, Role.STORE_STAFF, name="Ward Peeters", home_location=OTHER_STORE)
    garments.act(db_session, code=garment.code, action=Action.START_CARE,
                 details={"care_kind": "repair"}, actor=gent_clerk, now=NOW + dt.timedelta(hours=2))
    response = login().get(f"/garments/{garment.code}")
    raw = response.get_data(as_text=True)
    page = html.unescape(raw)
    order = [page.index(label) for label in ("Receive", "Transfer to another location",
                                             "Send to cleaning or repair")]
    assert order == sorted(order, reverse=True)
    assert "Sofie Janssens" in page and "store staff" in page
    assert "CKS Gent Veldstraat" in page
    assert "From" in page and "CKS Antwerpen Meir" in page  # where the transfer came from
    assert "window &lt;display&gt;" in raw  # a note is text, never markup
    # stored in UTC, shown in Brussels time (UTC+1 in November), localised
    assert "11:00" in page and "1:00:00 PM" not in page
    assert 'datetime="2026-11-25T10:00:00+00:00"' in raw
    assert "repair" in page


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", [GarmentState.IN_STOCK, GarmentState.IN_RENTAL_POOL, GarmentState.SOLD,
                                   GarmentState.IN_CARE])
def test_every_role_sees_exactly_the_actions_it_may_take_now(login, db_session, world, role, state):
    garment = make_garment(db_session, state=state)
    page = login(role=role).get(f"/garments/{garment.code}").get_data(as_text=True)
    expected = {a.value for a in lifecycle.allowed_actions(state, role) if a in ACTION_FORMS}
    assert action_forms_on(page) == expected


def test_store_staff_do_not_see_mark_down_but_merchandisers_do(login, db_session, world):
    garment = make_garment(db_session)
    staff_page = login(role=Role.STORE_STAFF).get(f"/garments/{garment.code}").get_data(as_text=True)
    merch_page = login(role=Role.MERCHANDISER).get(f"/garments/{garment.code}").get_data(as_text=True)
    assert "mark_down" not in action_forms_on(staff_page) and "Mark down" not in staff_page
    assert "mark_down" in action_forms_on(merch_page)


def test_one_primary_action_per_garment_page(login, db_session, world):
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    page = login().get(f"/garments/{garment.code}").get_data(as_text=True)
    assert page.count('class="action primary-action') == 1
    assert re.search(r'primary-action[^>]*>\s*<summary[^>]*>Check out to the rental partner', page)


def test_return_and_inspection_link_to_their_own_screens(app, login, db_session, world):
    for endpoint, rule in (("rentals.return_form", "/t/<code>/return"), ("rentals.inspect_form", "/t/<code>/inspect")):
        if endpoint not in app.view_functions:  # until the rentals screens land, stand in for them
            app.add_url_rule(rule, endpoint=endpoint, view_func=allow()(lambda code: "screen"))
    rented = make_garment(db_session, state=GarmentState.RENTED_OUT)
    waiting = make_garment(db_session, state=GarmentState.AWAITING_INSPECTION)
    client = login(role=Role.STORE_STAFF)
    with app.test_request_context():
        from flask import url_for

        return_url = url_for("rentals.return_form", code=rented.code)
        inspect_url = url_for("rentals.inspect_form", code=waiting.code)
    rented_page = client.get(f"/garments/{rented.code}").get_data(as_text=True)
    waiting_page = client.get(f"/garments/{waiting.code}").get_data(as_text=True)
    assert f'href="{return_url}"' in rented_page and "return_rental" not in action_forms_on(rented_page)
    assert f'href="{inspect_url}"' in waiting_page and "inspect" not in action_forms_on(waiting_page)
    # the generic action address does not take them: they need a grade and defects
    response = client.post(f"/garments/{rented.code}/actions/return_rental",
                           data={"expected_version": rented.version})
    assert response.status_code == 404


def test_unknown_garment_code_gives_a_404_page_with_the_code_escaped(login):
    code = '<img src=x onerror="alert(1)">'
    response = login().get(f"/garments/{code}")
    raw = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No garment with code &lt;img src=x onerror=" in raw
    assert "<img src=x" not in raw


@pytest.mark.parametrize("path", ["/garments/%00", "/garments/" + "A" * 500, "/garments/CKS-%E2%80%8B1"])
def test_odd_garment_addresses_are_404_not_500(login, path):
    assert login().get(path).status_code == 404


def test_garment_pages_carry_no_inline_script_or_style(login, db_session, world):
    garment = make_garment(db_session)
    client = login(role=Role.ADMIN)
    for path in ("/garments", f"/garments/{garment.code}", "/garments?page=abc"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page, path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- acting through the forms --------------------------------------------------------------------


def test_acting_through_the_form_changes_state_and_writes_exactly_one_event(login, db_session, world):
    garment = make_garment(db_session)
    before = event_count(db_session, garment)
    client = login(role=Role.STORE_STAFF)
    response = client.post(f"/garments/{garment.code}/actions/transfer",
                           data={"expected_version": garment.version, "to_location": OTHER_STORE,
                                 "note": "for the window"})
    assert response.status_code == 303
    assert response.location.endswith(f"/garments/{garment.code}")
    after = reload(db_session, garment)
    assert after.location.code == OTHER_STORE and after.state is GarmentState.IN_STOCK
    assert event_count(db_session, garment) == before + 1
    last = db_session.scalar(select(GarmentEvent).where(GarmentEvent.garment_id == garment.id)
                             .order_by(GarmentEvent.seq.desc()).limit(1))
    assert last.action is Action.TRANSFER and last.actor_id == client.user.id
    assert last.details["note"] == "for the window"
    page = text_of(client.get(response.location))
    assert f"{garment.code} is now at CKS Gent Veldstraat." in page  # what happened, in the retailer's words


def test_selling_changes_the_state_to_sold(login, db_session, world):
    garment = make_garment(db_session)
    client = login(role=Role.STORE_STAFF)
    response = client.post(f"/garments/{garment.code}/actions/sell",
                           data={"expected_version": garment.version, "receipt": "R-1"})
    assert response.status_code == 303
    assert reload(db_session, garment).state is GarmentState.SOLD


@pytest.mark.parametrize("typed, cents", [("99,50", 9950), ("99.5", 9950), ("€ 80", 8000)])
def test_a_price_typed_in_euros_is_stored_in_cents(login, db_session, world, typed, cents):
    garment = make_garment(db_session)
    response = login(role=Role.MERCHANDISER).post(
        f"/garments/{garment.code}/actions/mark_down",
        data={"expected_version": garment.version, "price": typed})
    assert response.status_code == 303
    assert reload(db_session, garment).price_cents == cents


def test_checking_out_a_rental_with_partner_and_due_date(login, db_session, world):
    garment = make_garment(db_session, state=GarmentState.IN_RENTAL_POOL)
    client = login(role=Role.STORE_STAFF)
    form_page = client.get(f"/garments/{garment.code}").get_data(as_text=True)
    assert 'value="2026-12-05"' in form_page  # due date proposed from the partner's rental days
    response = client.post(f"/garments/{garment.code}/actions/check_out_rental",
                           data={"expected_version": garment.version, "partner": world["partner"].id,
                                 "due_on": "2026-12-05", "partner_reference": "DR-7"})
    assert response.status_code == 303
    assert reload(db_session, garment).state is GarmentState.RENTED_OUT
    page = text_of(client.get(f"/garments/{garment.code}"))
    assert "Rented out to Dressr" in page and "DR-7" in page


def test_an_illegal_action_is_refused_with_the_allowed_actions_named_and_nothing_written(
        login, db_session, world):
    garment = make_garment(db_session, state=GarmentState.SOLD)
    before = event_count(db_session, garment)
    response = login(role=Role.STORE_STAFF).post(
        f"/garments/{garment.code}/actions/sell", data={"expected_version": garment.version})
    assert response.status_code == 409
    page = text_of(response)
    assert "is not possible while the garment is sold" in page
    assert "What can be done now: Take back a customer return" in page
    assert event_count(db_session, garment) == before
    assert reload(db_session, garment).state is GarmentState.SOLD


def test_a_stale_expected_version_gets_the_conflict_message_and_nothing_written(login, db_session, world):
    garment = make_garment(db_session)
    stale = garment.version
    client = login(role=Role.STORE_STAFF)
    assert client.post(f"/garments/{garment.code}/actions/sell",
                       data={"expected_version": stale}).status_code == 303
    before = event_count(db_session, garment)
    response = client.post(f"/garments/{garment.code}/actions/transfer",
                           data={"expected_version": stale, "to_location": OTHER_STORE})
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this garment a moment ago (it is now sold)" in page
    assert event_count(db_session, garment) == before
    assert reload(db_session, garment).location.code == STORE


def test_a_version_that_moves_between_page_and_write_is_a_conflict(app, login, db_session, world, monkeypatch):
    """The service's own version check, when another request lands between our check and the write."""
    from cksloop.services import garments as service

    garment = make_garment(db_session)
    client = login(role=Role.STORE_STAFF)
    real_act = service.act

    def racing_act(session, **kwargs):
        other = make_user(db_session, Role.STORE_STAFF)
        real_act(db_session, code=kwargs["code"], action=Action.ADD_TO_RENTAL_POOL, details={},
                 actor=other, now=NOW)
        return real_act(session, **kwargs)

    monkeypatch.setattr(service, "act", racing_act)
    response = client.post(f"/garments/{garment.code}/actions/sell",
                           data={"expected_version": garment.version})
    assert response.status_code == 409
    assert "Someone else changed this garment" in text_of(response)
    assert reload(db_session, garment).state is GarmentState.IN_RENTAL_POOL


def test_invalid_details_are_shown_at_the_field_with_422_and_nothing_written(login, db_session, world):
    garment = make_garment(db_session)
    before = event_count(db_session, garment)
    response = login(role=Role.MERCHANDISER).post(
        f"/garments/{garment.code}/actions/mark_down",
        data={"expected_version": garment.version, "price": "500"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="mark_down-price"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="mark_down-price"',
                     page)
    assert 'id="mark_down-price-error">A markdown must lower the price.' in page
    assert 'id="action-mark_down" open' in page  # the form with the problem is the open one
    assert event_count(db_session, garment) == before


@pytest.mark.parametrize("action, data, field, message", [
    ("mark_down", {"price": "abc"}, "price", "Type an amount in euros"),
    ("mark_down", {"price": "-3"}, "price", "between 0 and 100,000 euros"),
    ("mark_down", {"price": "12.345"}, "price", "at most two decimals"),
    ("mark_down", {}, "price", "This field is required."),
    ("transfer", {"to_location": "NOWHERE"}, "to_location", "Not a valid choice"),
    ("transfer", {"to_location": "DRESSR-ANT"}, "to_location", "Not a valid choice"),
    ("retire", {"route": "recycling"}, "ground", "Recycling counts as destruction"),
    ("write_off", {"reason": "eaten"}, "reason", "Not a valid choice"),
    ("add_to_rental_pool", {"partner": "   "}, "partner", "Not a valid choice"),
    ("retire", {"route": "offcuts", "ground": " "}, "ground", "Not a valid choice"),
    ("start_care", {"care_kind": "cleaning", "note": "a\x00b"}, "note", "cannot be typed"),
])
def test_bad_details_are_refused_at_their_field(login, db_session, world, action, data, field, message):
    garment = make_garment(db_session)
    before = event_count(db_session, garment)
    response = login(role=Role.ADMIN).post(f"/garments/{garment.code}/actions/{action}",
                                           data={"expected_version": garment.version, **data})
    assert response.status_code == 422
    page = text_of(response)
    error = re.search(rf'id="{action}-{field}-error">([^<]*)<', page)
    assert error and message in error.group(1), page[page.find("problem"):][:600]
    assert event_count(db_session, garment) == before


def test_a_role_that_may_not_take_the_action_gets_403_and_nothing_written(login, db_session, world):
    garment = make_garment(db_session)
    before = event_count(db_session, garment)
    response = login(role=Role.STORE_STAFF).post(
        f"/garments/{garment.code}/actions/mark_down",
        data={"expected_version": garment.version, "price": "10"})
    assert response.status_code == 403
    assert "may not" in text_of(response)
    assert event_count(db_session, garment) == before
    assert reload(db_session, garment).price_cents == world["dress"].retail_price_cents


@pytest.mark.parametrize("version", ["", "abc", "-1", "²"])
def test_a_missing_or_garbled_version_is_refused(login, db_session, world, version):
    garment = make_garment(db_session)
    before = event_count(db_session, garment)
    response = login().post(f"/garments/{garment.code}/actions/sell", data={"expected_version": version})
    assert response.status_code == 422
    assert event_count(db_session, garment) == before


def test_posting_without_csrf_token_is_refused(login, db_session, world):
    garment = make_garment(db_session)
    before = event_count(db_session, garment)
    signed_in = login(role=Role.STORE_STAFF)
    response = signed_in.client.post(f"/garments/{garment.code}/actions/sell",
                                     data={"expected_version": garment.version})
    assert response.status_code == 400
    assert event_count(db_session, garment) == before
    assert reload(db_session, garment).state is GarmentState.IN_STOCK


def test_unknown_action_or_garment_when_posting_is_404(login, db_session, world):
    garment = make_garment(db_session)
    client = login(role=Role.ADMIN)
    assert client.post(f"/garments/{garment.code}/actions/destroy", data={"expected_version": 1}).status_code == 404
    assert client.post("/garments/CKS-99999/actions/sell", data={"expected_version": 1}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, db_session, world):
    garment = make_garment(db_session)
    for path in ("/garments", f"/garments/{garment.code}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
