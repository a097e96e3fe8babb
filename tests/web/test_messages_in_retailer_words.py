"""Messages name what happened in the retailer's words, refuse €0 with a sentence, count with plurals."""
from __future__ import annotations

import html

from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import make_garment


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_mark_down_says_what_the_garment_now_costs(login, db_session, world) -> None:
    garment = make_garment(db_session)
    merch = login(Role.MERCHANDISER)
    response = merch.post(f"/garments/{garment.code}/actions/mark_down",
                          data={"expected_version": garment.version, "price": "59,95"})
    assert response.status_code == 303
    page = _text(merch.get(response.location))
    assert f"{garment.code} now costs €59.95." in page
    assert "done." not in page


def test_a_price_of_nothing_is_refused_with_a_sentence_and_nothing_changes(login, db_session, world) -> None:
    garment = make_garment(db_session)
    merch = login(Role.MERCHANDISER)
    response = merch.post(f"/garments/{garment.code}/actions/mark_down",
                          data={"expected_version": garment.version, "price": "0"})
    assert response.status_code == 422
    page = _text(response)
    assert "A garment cannot cost €0: type its price in euros, e.g. 49,95." in page
    assert "Too small." not in page
    db_session.rollback()
    assert db_session.get(type(garment), garment.id).version == garment.version


def test_a_sale_says_what_it_was_sold_for(login, db_session, world) -> None:
    garment = make_garment(db_session)
    clerk = login(Role.STORE_STAFF)
    response = clerk.post(f"/garments/{garment.code}/actions/sell", data={"expected_version": garment.version})
    assert response.status_code == 303
    assert f"{garment.code} is sold for €129.95." in _text(clerk.get(response.location))


def test_the_garment_list_counts_one_garment_in_the_singular(login, db_session, world) -> None:
    garment = make_garment(db_session, state=GarmentState.IN_CARE)
    page = _text(login(Role.MERCHANDISER).get(f"/garments?q={garment.code}"))
    assert "<strong>1 garment</strong>" in page and "1 garments" not in page
