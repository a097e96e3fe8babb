"""The buyer pages (issue 14): buyers, contract versions in words, lots from a batch scan to shipped or cancelled."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Buyer, BuyerContract, BuyerLot, BuyerLotGarment, GarmentEvent
from cksloop.domain.buyer_contracts import Restrictions
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.destinations import EndUse
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import buyer_lots, buyers
from tests.builders import make_garment, make_user

PLANNED = "2026-11-24"


@pytest.fixture
def buyer_id(db_session: Session, now: dt.datetime, world) -> int:
    """A buyer whose contract allows only BE, NL and FR, for reuse, with the home market excluded."""
    buyer = buyers.create_buyer(db_session, name="Textiel Opkoop NV", vat_number="BE0417497106", country="BE",
                                contact_email="inkoop@opkoop.example", now=now)
    buyers.add_contract(db_session, buyer_id=buyer.id, valid_from=dt.date(2026, 1, 1), valid_to=None,
                        restrictions=Restrictions(allowed_countries=frozenset({"BE", "NL", "FR"}),
                                                  allowed_groups=frozenset(), exclude_home_market=True,
                                                  allowed_end_uses=frozenset({EndUse.REUSE})),
                        actor_id=None, now=now)
    return buyer.id


def _counts(session: Session) -> tuple[int, ...]:
    session.rollback()  # a fresh snapshot: the pages wrote through their own sessions
    return tuple(session.scalar(select(func.count()).select_from(table)) or 0
                 for table in (Buyer, BuyerContract, BuyerLot, BuyerLotGarment, GarmentEvent))


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _words(response) -> str:
    """What a reader sees: the page's text without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _lot(session: Session, buyer_id: int, now: dt.datetime, codes: list[str]) -> int:
    merch = make_user(session, Role.MERCHANDISER)
    return buyer_lots.create_lot(session, buyer_id=buyer_id, destination_country="NL", end_use=EndUse.REUSE,
                                 planned_ship_on=dt.date(2026, 11, 24), codes=codes, actor=merch, now=now)


def test_every_buyer_page_opens_for_a_merchandiser_and_an_admin_and_is_forbidden_to_store_staff(
        login, db_session, now, buyer_id):
    lot_id = _lot(db_session, buyer_id, now, [make_garment(db_session, now=now).code])
    pages = ["/buyers", "/buyers/new", f"/buyers/{buyer_id}", f"/buyers/{buyer_id}/contracts/new", "/buyers/lots",
             "/buyers/lots?status=draft", "/buyers/lots/new", f"/buyers/lots/{lot_id}", f"/buyers/lots/{lot_id}/cancel"]
    for role in (Role.MERCHANDISER, Role.ADMIN):
        person = login(role)
        assert [person.get(url).status_code for url in pages] == [200] * len(pages), role
    for role in (Role.STORE_STAFF, Role.WORKSHOP_ORGANISER):
        person = login(role)
        assert [person.get(url).status_code for url in pages] == [403] * len(pages), role
        assert 'href="/buyers"' not in person.get("/").get_data(as_text=True)
    assert 'href="/buyers"' in login(Role.MERCHANDISER).get("/").get_data(as_text=True)


def test_a_buyer_whose_vat_number_fails_its_country_check_is_refused_on_the_form_and_nothing_is_written(
        login, db_session, world):
    person = login(Role.MERCHANDISER)
    before = _counts(db_session)
    answer = person.post("/buyers/new", data={"name": "Opkoop BV", "country": "NL", "vat_number": "NL123456789B02",
                                              "contact_email": "info@opkoop.example"})
    assert answer.status_code == 422
    assert "This VAT number does not pass the check of the buyer&#39;s country." in _text(answer)
    assert 'value="Opkoop BV"' in _text(answer)  # the form stays filled
    assert _counts(db_session) == before


def test_a_new_buyer_is_stored_and_its_first_contract_starts_from_the_careful_defaults(login, db_session, world):
    person = login(Role.MERCHANDISER)
    answer = person.post("/buyers/new", data={"name": "Opkoop BV", "country": "BE", "vat_number": "be 0417.497.106",
                                              "contact_email": "info@opkoop.example"})
    assert answer.status_code == 302
    buyer = db_session.scalar(select(Buyer).where(Buyer.name == "Opkoop BV"))
    assert (buyer.country, buyer.vat_number) == ("BE", "BE0417497106")
    form = _text(person.get(answer.location))
    checked = set(re.findall(r'<input checked id="[^"]+" name="(\w+)" type="checkbox" value="(\w+)"', form))
    assert checked == {("allowed_groups", "EU"), ("allowed_groups", "EEA"), ("allowed_end_uses", "reuse"),
                       ("allowed_end_uses", "licensed_sorting"), ("allowed_end_uses", "licensed_recycling"),
                       ("proof", "destination_declaration"), ("proof", "transport_document"),
                       ("labels_removed", "y")}
    assert re.search(r'name="proof_days"[^>]*value="60"', form)


def _contract(person, buyer_id: int, **changes) -> object:
    body = {"valid_from": "2026-12-01", "valid_to": "", "allowed_groups": ["EU"], "allowed_countries": "",
            "forbidden_countries": "", "allowed_end_uses": ["reuse"], "labels_removed": "y",
            "onward_sale": "same_clauses", "sub_buyers": "", "proof": ["transport_document"], "proof_days": "30"}
    body.update(changes)
    return person.post(f"/buyers/{buyer_id}/contracts/new", data=body)


def test_an_amendment_is_a_new_version_and_the_buyer_page_says_its_restrictions_in_words(login, db_session, buyer_id):
    person = login(Role.MERCHANDISER)
    answer = _contract(person, buyer_id, forbidden_countries="de, at", sub_buyers="Reuse Sortering BV\nTweede Hands NV")
    assert answer.status_code == 302
    versions = db_session.scalars(select(BuyerContract).where(BuyerContract.buyer_id == buyer_id)
                                  .order_by(BuyerContract.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].restrictions["forbidden_countries"] == ["AT", "DE"]
    page = _text(person.get(f"/buyers/{buyer_id}"))
    assert "Version 2" in page and "Version 1" in page
    assert "Forbidden countries: Austria (AT), Germany (DE)" in page
    assert "Allowed countries: Belgium (BE), France (FR), Netherlands (NL)" in page
    assert "The home market (Belgium) is excluded." in page  # version 1
    assert "Reuse Sortering BV, Tweede Hands NV" in page
    assert "Proof owed per lot within 30 days of shipping: transport or export document" in page


@pytest.mark.parametrize(("changes", "rule"), [
    ({"allowed_countries": "BE NG"}, "Countries outside the OECD, the EU and the EEA are never allowed."),
    ({"allowed_end_uses": ["reuse", "landfill"]},
     "Landfill, incineration, energy recovery and destruction are never allowed."),
    ({"valid_from": "2027-01-01", "valid_to": "2026-12-31"}, "The validity ends before it starts."),
])
def test_a_contract_breaking_a_rule_is_refused_naming_the_rule_and_nothing_is_written(
        login, db_session, buyer_id, changes, rule):
    person = login(Role.MERCHANDISER)
    before = _counts(db_session)
    answer = _contract(person, buyer_id, **changes)
    assert answer.status_code == 422
    assert f"Rule: {rule}" in _text(answer)
    assert _counts(db_session) == before


def test_an_unknown_country_on_a_contract_is_named_on_its_field(login, db_session, buyer_id):
    before = _counts(db_session)
    answer = _contract(login(Role.MERCHANDISER), buyer_id, forbidden_countries="XX")
    assert answer.status_code == 422
    assert "Choose a country by its ISO 3166-1 code." in _text(answer)
    assert _counts(db_session) == before


def _declare(person, buyer_id: int, codes: list[str], **changes) -> object:
    body = {"buyer": str(buyer_id), "destination_country": "NL", "end_use": "reuse", "planned_ship_on": PLANNED,
            "scans": "\n".join(codes)}
    body.update(changes)
    return person.post("/buyers/lots/new", data=body)


def test_a_refused_declaration_names_the_rule_and_the_contract_version_and_keeps_the_form_filled(
        login, db_session, now, buyer_id):
    codes = [make_garment(db_session, now=now).code for _ in range(2)]
    person = login(Role.MERCHANDISER)
    before = _counts(db_session)
    answer = _declare(person, buyer_id, codes, destination_country="BE")
    page = _text(answer)
    assert answer.status_code == 422
    assert "Contract version 1 excludes the home market (BE)." in page
    assert "Rule: The contract excludes the home market." in page
    assert "Checked against contract version 1." in page
    assert f"{codes[0]} {codes[1]}" in page.replace("\n", " ")  # the scans stay on the form
    assert '<option selected value="BE">' in page
    assert _counts(db_session) == before
    refused = _text(_declare(person, buyer_id, codes, destination_country="DE"))
    assert "Contract version 1 does not allow DE." in refused
    landfill = _text(_declare(person, buyer_id, codes, end_use="landfill"))
    assert "Rule: Landfill, incineration, energy recovery and destruction are never allowed." in landfill
    assert _counts(db_session) == before


def test_a_garment_already_in_another_lot_sold_or_unknown_is_named_with_its_state_and_nothing_is_written(
        login, db_session, now, buyer_id):
    taken = make_garment(db_session, now=now).code
    _lot(db_session, buyer_id, now, [taken])
    sold = make_garment(db_session, now=now, state=GarmentState.SOLD).code
    fine = make_garment(db_session, now=now).code
    person = login(Role.MERCHANDISER)
    before = _counts(db_session)
    answer = _declare(person, buyer_id, [fine, taken, sold, "CKS-ZZZZ9999"])
    page = _words(answer)
    assert answer.status_code == 409
    assert "3 garments cannot join the lot; nothing was written:" in page
    assert f"{taken} · allocated to a buyer lot — Garment {taken} is already in another open lot." in page
    assert f"{sold} · sold — Garment {sold} is sold: only unsold garments in stock" in page
    assert "CKS-ZZZZ9999 · not yet received — Garment CKS-ZZZZ9999 has not been received" in page
    assert _counts(db_session) == before
    not_a_label = _declare(person, buyer_id, [fine, "hello world"])
    assert not_a_label.status_code == 422 and "Not a garment label: hello world" in _text(not_a_label)
    assert _counts(db_session) == before


def test_a_lot_is_declared_changed_confirmed_and_shipped_through_the_pages(login, db_session, now, buyer_id):
    codes = [make_garment(db_session, now=now).code for _ in range(3)]
    person = login(Role.MERCHANDISER)
    # scanners type label URLs as well as codes
    answer = _declare(person, buyer_id, [f"https://loop.cks.example/g/{codes[0]}", codes[1]])
    assert answer.status_code == 302
    lot_id = int(answer.location.rsplit("/", 1)[1])
    assert person.post(f"/buyers/lots/{lot_id}/garments", data={"scans": codes[2]}).status_code == 302
    assert person.post(f"/buyers/lots/{lot_id}/remove", data={"remove": [codes[0]]}).status_code == 302
    assert sorted(buyer_lots.lot_view(db_session, lot_id)["garments"]) == sorted(codes[1:])
    assert person.post(f"/buyers/lots/{lot_id}/confirm").status_code == 302
    page = _text(person.get(f"/buyers/lots/{lot_id}"))
    assert "Verify a packed box" in page and "Record the shipment" in page
    assert all(f'data-lot-code="{c}"' in page for c in codes[1:])
    # a weight of zero and a date in the future are refused on their fields, nothing written
    before = _counts(db_session)
    bad = person.post(f"/buyers/lots/{lot_id}/ship", data={"shipped_on": "2026-11-24", "carrier": "DHL",
                                                            "transport_document": "CMR-1", "gross_weight_kg": "0"})
    assert bad.status_code == 422 and "The gross weight must be more than zero." in _text(bad)
    future = person.post(f"/buyers/lots/{lot_id}/ship", data={"shipped_on": "2026-12-24", "carrier": "DHL",
                                                               "transport_document": "CMR-1", "gross_weight_kg": "3"})
    assert future.status_code == 422 and "The shipping date cannot be in the future." in _text(future)
    assert _counts(db_session) == before
    shipped = person.post(f"/buyers/lots/{lot_id}/ship", data={"shipped_on": "2026-11-24", "carrier": "DHL",
                                                                "transport_document": "CMR-1", "gross_weight_kg": "12,5"})
    assert shipped.status_code == 302
    db_session.rollback()
    lot = db_session.get(BuyerLot, lot_id)
    assert (lot.status, lot.gross_weight_g, lot.carrier) == (LotStatus.SHIPPED, 12_500, "DHL")
    page = _words(person.get(f"/buyers/lots/{lot_id}"))
    assert "Gross weight 12.5 kg" in page
    assert "Proof due by 23 Jan 2027" in page  # 60 days after shipping, day first (en_IE)
    # a shipped lot cannot change any more: the refusal says when it could
    late = person.post(f"/buyers/lots/{lot_id}/confirm")
    assert late.status_code == 409 and "Only a draft lot can be confirmed." in _text(late)


def test_cancelling_asks_first_then_releases_the_garments_to_stock(login, db_session, now, buyer_id):
    codes = [make_garment(db_session, now=now).code for _ in range(2)]
    lot_id = _lot(db_session, buyer_id, now, codes)
    person = login(Role.MERCHANDISER)
    unasked = person.post(f"/buyers/lots/{lot_id}/cancel", data={})
    assert unasked.status_code == 422 and "Tick the box to cancel the lot." in _text(unasked)
    assert db_session.get(BuyerLot, lot_id).status is LotStatus.DRAFT
    assert person.post(f"/buyers/lots/{lot_id}/cancel", data={"sure": "y"}).status_code == 302
    db_session.rollback()
    assert db_session.get(BuyerLot, lot_id).status is LotStatus.CANCELLED
    assert _lot(db_session, buyer_id, now, codes)  # free to join another lot


def test_the_scan_check_says_whether_a_garment_can_join_with_its_state(login, db_session, now, buyer_id):
    fine = make_garment(db_session, now=now).code
    rented = make_garment(db_session, now=now, state=GarmentState.RENTED_OUT).code
    person = login(Role.MERCHANDISER)
    ok = person.get(f"/buyers/lots/garment-check?payload=https://loop.cks.example/g/{fine}").get_json()
    assert (ok["ok"], ok["code"], ok["state"]) == (True, fine, "in stock")
    refused = person.get(f"/buyers/lots/garment-check?payload={rented}").get_json()
    assert (refused["ok"], refused["state"]) == (False, "rented out")
    assert refused["message"] == f"Garment {rented} is rented out: only unsold garments in stock or at the outlet " \
                                 "can join a lot."
    lot_id = _lot(db_session, buyer_id, now, [fine])
    assert person.get(f"/buyers/lots/garment-check?payload={fine}&lot={lot_id}").get_json()["ok"] is True
    assert person.get(f"/buyers/lots/garment-check?payload={fine}").get_json()["ok"] is False
    assert person.get("/buyers/lots/garment-check?payload=%20").status_code == 422


def test_garments_in_stock_are_added_by_the_stock_list_filters_and_an_empty_selection_is_refused(
        login, db_session, now, buyer_id, world):
    first = make_garment(db_session, now=now).code
    lot_id = _lot(db_session, buyer_id, now, [first])
    blazers = [make_garment(db_session, now=now, style=world["blazer"]).code for _ in range(3)]
    make_garment(db_session, now=now, style=world["blazer"], state=GarmentState.SOLD)
    dresses = [make_garment(db_session, now=now).code for _ in range(2)]
    person = login(Role.MERCHANDISER)
    before = _counts(db_session)
    nothing = person.post(f"/buyers/lots/{lot_id}/select", data={"count": "20"})
    assert nothing.status_code == 422
    assert "Choose at least one filter: a style, a location or a season." in _text(nothing)
    none_found = person.post(f"/buyers/lots/{lot_id}/select", data={"text": "ZZ99-0000", "count": "20"})
    assert none_found.status_code == 422 and "No garment in stock matches this selection." in _text(none_found)
    assert _counts(db_session) == before
    assert person.post(f"/buyers/lots/{lot_id}/select", data={"text": "AW25-0202", "count": "2"}).status_code == 302
    db_session.rollback()
    held = set(buyer_lots.lot_view(db_session, lot_id)["garments"])
    assert held == {first, *blazers[:2]}
    assert person.post(f"/buyers/lots/{lot_id}/select", data={"season": "AW25", "count": "200"}).status_code == 302
    db_session.rollback()
    assert set(buyer_lots.lot_view(db_session, lot_id)["garments"]) == {first, *blazers}
    assert not set(dresses) & set(buyer_lots.lot_view(db_session, lot_id)["garments"])
