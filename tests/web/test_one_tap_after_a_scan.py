"""After a scan, the common case is one tap: a sale at the current price, a return graded A.

And a sale at a typed price other than the current one is asked back once, naming both prices
(a €99,999 sale of a €99,95 dress went through before)."""
from __future__ import annotations

import re

from sqlalchemy import select

from cksloop.db.models import Garment, GarmentEvent
from cksloop.domain.lifecycle import Action, GarmentState, Role
from tests.builders import make_garment


def _quick_forms(page: str) -> list[tuple[str, dict[str, str]]]:
    """Each one-tap form on the page: its action URL and hidden fields."""
    forms = []
    for action, body in re.findall(r'<form method="post" action="([^"]+)" class="quick-action">(.*?)</form>', page, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
        forms.append((action, fields))
    return forms


def _state(session, garment_id: int) -> GarmentState:
    session.rollback()
    return session.scalar(select(Garment.state).where(Garment.id == garment_id))


def _events(session, garment_id: int) -> list[GarmentEvent]:
    session.rollback()
    return list(session.scalars(select(GarmentEvent).where(GarmentEvent.garment_id == garment_id)
                                .order_by(GarmentEvent.seq)))


def test_a_sale_at_the_current_price_is_one_tap(login, db_session, now) -> None:
    garment = make_garment(db_session, now=now)
    clerk = login(Role.STORE_STAFF)
    page = clerk.get(f"/garments/{garment.code}").get_data(as_text=True)
    forms = _quick_forms(page)
    sale = [f for f in forms if f[0].endswith("/actions/sell")]
    assert len(sale) == 1, forms
    # the button names the price it sells at
    assert re.search(r'class="primary big">Sell at €\s?[\d.,]+</button>', page)
    url, fields = sale[0]
    answer = clerk.post(url, fields)  # the tap: nothing else is sent
    assert answer.status_code == 303
    events = _events(db_session, garment.id)
    assert events[-1].action is Action.SELL
    assert events[-1].details["price_cents"] == garment.price_cents
    assert _state(db_session, garment.id) is GarmentState.SOLD


def test_a_rental_return_graded_a_is_one_tap_from_the_garment_page(login, db_session, now) -> None:
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    clerk = login(Role.STORE_STAFF)
    page = clerk.get(f"/garments/{garment.code}").get_data(as_text=True)
    ret = [f for f in _quick_forms(page) if f[0].endswith("/return")]
    assert len(ret) == 1
    url, fields = ret[0]
    assert fields["grade"] == "A" and fields["reason"] == "end_of_rental"
    answer = clerk.post(url, fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    last = _events(db_session, garment.id)[-1]
    assert last.action is Action.RETURN_RENTAL
    assert last.details["grade"] == "A" and last.details.get("defects", []) == []
    assert _state(db_session, garment.id) is not GarmentState.RENTED_OUT


def test_the_return_screen_offers_grade_a_before_the_defect_rows(login, db_session, now) -> None:
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    page = login(Role.STORE_STAFF).get(f"/rentals/{garment.code}/return").get_data(as_text=True)
    assert page.index("Returned fine: grade A, no defects") < page.index("Defects found")


def test_a_stale_one_tap_is_refused_and_changes_nothing(login, db_session, now) -> None:
    garment = make_garment(db_session, now=now)
    clerk = login(Role.STORE_STAFF)
    url, fields = [f for f in _quick_forms(clerk.get(f"/garments/{garment.code}").get_data(as_text=True))
                   if f[0].endswith("/actions/sell")][0]
    assert clerk.post(url, fields).status_code == 303
    before = len(_events(db_session, garment.id))
    again = clerk.post(url, fields)  # a second tap on the old page
    assert again.status_code == 409
    assert len(_events(db_session, garment.id)) == before


def test_a_typed_price_other_than_the_current_one_is_asked_back(login, db_session, now) -> None:
    garment = make_garment(db_session, now=now)
    admin = login(Role.ADMIN)
    url = f"/garments/{garment.code}/actions/sell"
    asked = admin.post(url, {"expected_version": str(garment.version), "price": "99999"})
    assert asked.status_code == 422
    text = asked.get_data(as_text=True)
    assert "Tick the box to sell at" in text and 'name="confirm_price"' in text
    assert _events(db_session, garment.id)[-1].action is Action.RECEIVE  # nothing written
    # ticked, it goes through at the typed price
    confirmed = admin.post(url, {"expected_version": str(garment.version), "price": "99999", "confirm_price": "y"})
    assert confirmed.status_code == 303
    last = _events(db_session, garment.id)[-1]
    assert last.action is Action.SELL and last.details["price_cents"] == 9_999_900


def test_the_confirmation_box_is_not_shown_until_it_is_needed(login, db_session, now) -> None:
    garment = make_garment(db_session, now=now)
    page = login(Role.ADMIN).get(f"/garments/{garment.code}").get_data(as_text=True)
    assert 'name="confirm_price"' not in page
