"""Store scope and the sale price rule through the pages, the API, batches, the admin page and the CLI."""
from __future__ import annotations

import html
from typing import Any

from sqlalchemy import select

from cksloop import cli
from cksloop.db.models import Garment
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import garments, settings
from tests.builders import OTHER_STORE, STORE, make_garment, make_user
from tests.web.test_api_auth import bearer, ledger_size, token_for
from tests.web.test_scan_api import Api


def state_of(session: Any, code: str) -> GarmentState:
    session.rollback()
    return session.scalar(select(Garment.state).where(Garment.code == code))


def test_the_api_refuses_a_clerk_selling_at_another_store_with_403_naming_the_location(
        client, db_session, now) -> None:
    garment = make_garment(db_session, location=OTHER_STORE)
    _, token = token_for(db_session, now, Role.STORE_STAFF, home_location=STORE)
    before = ledger_size(db_session)
    response = client.post(f"/api/v1/garments/{garment.code}/actions", json={"action": "sell"},
                           headers=bearer(token))
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "out_of_scope" and body["details"]["location"] == OTHER_STORE
    assert OTHER_STORE in body["message"]
    assert ledger_size(db_session) == before


def test_the_api_lets_a_clerk_receive_a_transfer_into_their_own_store(client, db_session, now) -> None:
    garment = make_garment(db_session, location=OTHER_STORE)
    _, token = token_for(db_session, now, Role.STORE_STAFF, home_location=STORE)
    response = client.post(f"/api/v1/garments/{garment.code}/actions",
                           json={"action": "transfer", "to_location": STORE}, headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["location"] == STORE


def test_the_garment_page_refuses_a_clerk_at_another_store_with_403_and_says_where_it_is(
        login, db_session, world) -> None:
    garment = make_garment(db_session, location=OTHER_STORE)
    response = login(Role.STORE_STAFF, home_location=STORE).post(
        f"/garments/{garment.code}/actions/sell", data={"expected_version": garment.version})
    assert response.status_code == 403
    assert OTHER_STORE in html.unescape(response.get_data(as_text=True))
    assert state_of(db_session, garment.code) is GarmentState.IN_STOCK


def test_a_batch_refuses_the_garments_of_another_store_line_by_line(login, db_session, world) -> None:
    mine, theirs = make_garment(db_session), make_garment(db_session, location=OTHER_STORE)
    staff = Api(login(Role.STORE_STAFF, home_location=STORE))
    body = staff.post("/api/v1/actions/batch", {"action": "add_to_rental_pool",
                                                 "codes": [mine.code, theirs.code]}).get_json()
    outcomes = {line["code"]: line for line in body["results"]}
    assert outcomes[mine.code]["outcome"] == "applied"
    assert outcomes[theirs.code]["outcome"] == "refused"
    assert outcomes[theirs.code]["error"] == "out_of_scope"
    assert state_of(db_session, theirs.code) is GarmentState.IN_STOCK


def test_the_sell_form_refuses_a_discount_without_a_reason_and_names_the_range(login, db_session, world) -> None:
    garment = make_garment(db_session)
    client = login(Role.STORE_STAFF)
    lower = f"{(garment.price_cents - 500) / 100:.2f}"
    response = client.post(f"/garments/{garment.code}/actions/sell",
                           data={"expected_version": garment.version, "price": lower})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "A store discount needs a reason." in page and "at most 20% off" in page
    assert state_of(db_session, garment.code) is GarmentState.IN_STOCK
    response = client.post(f"/garments/{garment.code}/actions/sell",
                           data={"expected_version": garment.version, "price": lower,
                                 "discount_reason": "display_model"})
    assert response.status_code == 303
    assert state_of(db_session, garment.code) is GarmentState.SOLD


def test_the_api_refuses_a_clerk_selling_for_nothing_with_the_reason(client, db_session, now) -> None:
    garment = make_garment(db_session)
    _, token = token_for(db_session, now, Role.STORE_STAFF)
    response = client.post(f"/api/v1/garments/{garment.code}/actions",
                           json={"action": "sell", "price_cents": 0}, headers=bearer(token))
    assert response.status_code == 422
    assert "price_cents" in response.get_json()["details"]["fields"]
    response = client.post(f"/api/v1/garments/{garment.code}/actions",
                           json={"action": "sell", "price_cents": garment.price_cents // 2,
                                 "discount_reason": "loyalty"}, headers=bearer(token))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "sale_price_refused" and body["details"]["limit_pct"] == 20


def test_discounted_sales_are_listed_for_merchandisers_only(login, db_session, world, now) -> None:
    clerk = make_user(db_session, name="Lotte Maes")
    garment = make_garment(db_session)
    sold_for = garment.price_cents - 1000
    garments.act(db_session, code=garment.code, action=Action.SELL, actor=clerk, now=now,
                 details={"price_cents": sold_for, "discount_reason": "damaged"})
    full_price = make_garment(db_session)
    garments.act(db_session, code=full_price.code, action=Action.SELL, actor=clerk, now=now, details={})
    page = html.unescape(login(Role.MERCHANDISER).get("/garments/discounted-sales").get_data(as_text=True))
    assert garment.code in page and full_price.code not in page
    assert "Lotte Maes" in page and "Damaged or soiled" in page and "CKS Antwerpen Meir" in page
    assert login(Role.STORE_STAFF).get("/garments/discounted-sales").status_code == 403


def test_an_admin_sets_the_store_discount_limit_on_the_settings_page(login, db_session, world) -> None:
    admin = login(Role.ADMIN)
    assert 'value="20"' in admin.get("/admin/settings").get_data(as_text=True)
    response = admin.post("/admin/settings", data={"store_discount_limit_pct": "35"})
    assert response.status_code == 303
    db_session.rollback()
    assert settings.store_discount_limit(db_session) == 35
    assert admin.post("/admin/settings", data={"store_discount_limit_pct": "95"}).status_code == 422
    assert login(Role.MERCHANDISER).get("/admin/settings").status_code == 403
    db_session.rollback()
    assert settings.store_discount_limit(db_session) == 35


def test_the_cli_sets_the_store_discount_limit_and_refuses_nonsense(runner, db_session) -> None:
    result = runner.invoke(cli.main, ["settings", "set", "store_discount_limit_pct", "15"])
    assert result.exit_code == 0, result.output
    db_session.rollback()
    assert settings.store_discount_limit(db_session) == 15
    assert runner.invoke(cli.main, ["settings", "set", "store_discount_limit_pct", "-3"]).exit_code != 0
    assert runner.invoke(cli.main, ["settings", "set", "no_such_setting", "3"]).exit_code != 0
    assert "store_discount_limit_pct = 15" in runner.invoke(cli.main, ["settings", "show"]).output
