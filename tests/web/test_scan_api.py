"""The scan pages and the scan API through real requests: resolving, foreign payloads, batch, roles."""
from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent
from cksloop.domain.labels import label_url
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.domain.scanning import mangle_azerty
from cksloop.services import garments
from cksloop.web.scan.routes import SELFTEST_TEXT
from tests.builders import OTHER_STORE, OUTLET, make_garment

BASE = "https://loop.cks.example"  # the test app's BASE_URL
S = GarmentState


class Api:
    """A signed-in browser session calling the API as the scan pages do (cookie + X-CSRFToken)."""

    def __init__(self, signed_in: Any):
        self.signed_in = signed_in

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.signed_in.client.post(path, json=body,
                                          headers={"X-CSRFToken": self.signed_in.csrf, **headers})


@pytest.fixture
def staff(login: Any) -> Api:
    return Api(login(Role.STORE_STAFF))


@pytest.fixture
def merchandiser(login: Any) -> Api:
    return Api(login(Role.MERCHANDISER))


def ledger_size(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(GarmentEvent)) or 0


def assert_error_shape(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "details"} and body["error"] == error
    assert body["message"]
    return body


# --- POST /api/v1/scans -------------------------------------------------------------------------

def test_a_scanned_label_url_resolves_to_the_garment_and_its_page(staff: Api, db_session: Session) -> None:
    garment = make_garment(db_session)
    gtin = garment.style.gtin_for(garment.size)
    response = staff.post("/api/v1/scans", {"payload": label_url(BASE, garment.code, gtin)})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == garment.code and body["mangled"] is False
    assert body["url"] == f"/garments/{garment.code}"
    assert body["form"] == ("digital_link" if gtin else "short_url")
    assert body["garment"]["state"] == "in_stock"
    assert body["garment"]["style"]["style_number"] == "SS25-0101"
    assert "add_to_rental_pool" in body["garment"]["allowed_actions"]
    assert "move_to_outlet" not in body["garment"]["allowed_actions"]  # not for store staff
    page = staff.signed_in.get(body["url"])
    assert page.status_code == 200 and garment.code in page.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["{code}", " {lower}\n", "{base}/g/{code}"])
def test_bare_lower_case_and_short_url_scans_resolve(staff: Api, db_session: Session, typed: str) -> None:
    garment = make_garment(db_session)
    payload = typed.format(code=garment.code, lower=garment.code.lower(), base=BASE)
    body = staff.post("/api/v1/scans", {"payload": payload}).get_json()
    assert body["code"] == garment.code


def test_an_azerty_mangled_scan_resolves_and_says_so(staff: Api, db_session: Session) -> None:
    garment = make_garment(db_session)
    response = staff.post("/api/v1/scans", {"payload": mangle_azerty(f"{BASE}/g/{garment.code}")})
    body = response.get_json()
    assert response.status_code == 200 and body["code"] == garment.code and body["mangled"] is True
    assert "AZERTY" in body["message"]


@pytest.mark.parametrize("payload, reason", [
    ("https://example.com/g/CKS-00001", "foreign_url"),
    ("WIFI:S:CKS-guest;T:WPA;P:secret;;", "wifi"),
    ("random words", "not_a_label"),
    ("x" * 5000, "too_long"),
    ("CKS-00\x00001", "binary"),
    ("", "empty"),
])
def test_a_foreign_payload_is_not_a_label_and_writes_nothing(staff: Api, db_session: Session,
                                                             payload: str, reason: str) -> None:
    make_garment(db_session)
    before = ledger_size(db_session)
    body = assert_error_shape(staff.post("/api/v1/scans", {"payload": payload}), 422, "not_a_label")
    assert body["details"]["reason"] == reason
    assert body["message"].startswith("This is not a CKS label" if payload else "Nothing was scanned")
    assert len(body["details"]["read_as"]) <= 201
    assert ledger_size(db_session) == before


def test_a_well_formed_code_that_no_garment_has_is_not_found(staff: Api) -> None:
    body = assert_error_shape(staff.post("/api/v1/scans", {"payload": "CKS-99999"}), 404, "not_found")
    assert body["details"]["code"] == "CKS-99999"


@pytest.mark.parametrize("body", [{}, {"payload": 42}, {"payload": None}, {"payload": ["CKS-00001"]}])
def test_a_scan_without_a_payload_string_is_invalid(staff: Api, body: dict[str, Any]) -> None:
    answer = assert_error_shape(staff.post("/api/v1/scans", body), 422, "invalid_details")
    assert "payload" in answer["details"]["fields"]


def test_the_scan_api_needs_a_signed_in_caller_and_the_csrf_token(client: Any, login: Any) -> None:
    assert_error_shape(client.post("/api/v1/scans", json={"payload": "CKS-00001"}), 401, "unauthorized")
    signed_in = login(Role.STORE_STAFF)
    assert_error_shape(signed_in.client.post("/api/v1/scans", json={"payload": "CKS-00001"}), 400,
                       "csrf_failed")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.text(max_size=300))
def test_no_payload_ever_gives_a_server_error(staff: Api, payload: str) -> None:
    response = staff.post("/api/v1/scans", {"payload": payload})
    assert response.status_code in (200, 404, 422), response.get_data(as_text=True)


# --- the scan page without JavaScript -----------------------------------------------------------

def test_the_scan_page_loads_its_script_and_the_vendored_decoder_under_the_csp(login: Any) -> None:
    page = login(Role.STORE_STAFF).get("/scan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'src="/static/js/scan\.js\?v=[0-9a-f]{12}"', html) and 'id="scan-input"' in html
    assert "/static/vendor/barcode-detector/zxing_reader.wasm" in html
    assert "<script>" not in html and " style=" not in html
    assert "'wasm-unsafe-eval'" in page.headers["Content-Security-Policy"]


def test_the_vendored_decoder_and_its_wasm_are_served_from_our_own_static_files(client: Any) -> None:
    module = client.get("/static/vendor/barcode-detector/ponyfill.js")
    wasm = client.get("/static/vendor/barcode-detector/zxing_reader.wasm")
    assert module.status_code == 200 and "zxing-exported.js" in module.get_data(as_text=True)
    assert wasm.status_code == 200 and wasm.data[:4] == b"\0asm"
    assert wasm.mimetype == "application/wasm"


def test_a_typed_code_without_javascript_opens_the_garment(login: Any, db_session: Session) -> None:
    garment = make_garment(db_session)
    response = login(Role.STORE_STAFF).get(f"/scan?payload={garment.code.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/garments/{garment.code}")


def test_a_mangled_code_without_javascript_opens_the_garment_and_says_why(login: Any,
                                                                         db_session: Session) -> None:
    garment = make_garment(db_session)
    signed_in = login(Role.STORE_STAFF)
    response = signed_in.get("/scan", query_string={"payload": mangle_azerty(garment.code)},
                             follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and garment.code in html and "AZERTY" in html


@pytest.mark.parametrize("payload, status, text", [
    ("https://example.com/", 422, "This is not a CKS label: the link belongs to another website"),
    ("CKS-99999", 404, "No garment with code CKS-99999"),
    ("y" * 3000, 422, "This is not a CKS label: it is far too long."),
])
def test_a_foreign_scan_without_javascript_says_so_on_the_page(login: Any, payload: str, status: int,
                                                               text: str) -> None:
    response = login(Role.STORE_STAFF).get("/scan", query_string={"payload": payload})
    assert response.status_code == status and text in response.get_data(as_text=True)


def test_the_batch_page_offers_the_actions_of_the_role(login: Any) -> None:
    staff_page = login(Role.STORE_STAFF).get("/scan/batch").get_data(as_text=True)
    merch_page = login(Role.MERCHANDISER).get("/scan/batch").get_data(as_text=True)
    assert 'value="receive_rental_return"' in staff_page and 'value="move_to_outlet"' not in staff_page
    assert 'value="move_to_outlet"' in merch_page and 'value="transfer"' in merch_page
    assert OUTLET in merch_page


def test_the_selftest_page_shows_a_test_code_and_how_to_set_the_layout(login: Any) -> None:
    page = login(Role.STORE_STAFF).get("/scan/selftest")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data:image/svg+xml;base64," in html
    assert "Belgian" in html and re.search(r'src="/static/js/selftest\.js\?v=[0-9a-f]{12}"', html)
    assert f'data-expected-mangled="{escape(mangle_azerty(SELFTEST_TEXT))}"' in html


def test_scan_pages_need_signing_in(client: Any) -> None:
    for path in ("/scan", "/scan/batch", "/scan/selftest"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- POST /api/v1/scans/check -------------------------------------------------------------------

def test_a_check_says_whether_the_scanned_garment_can_take_the_action(staff: Api, db_session: Session) -> None:
    rented = make_garment(db_session, state=S.RENTED_OUT)
    in_stock = make_garment(db_session)
    before = ledger_size(db_session)
    ok = staff.post("/api/v1/scans/check", {"action": "receive_rental_return",
                                            "payload": f"{BASE}/g/{rented.code}"}).get_json()
    no = staff.post("/api/v1/scans/check", {"action": "receive_rental_return",
                                            "code": in_stock.code}).get_json()
    assert (ok["ok"], ok["outcome"], ok["code"]) == (True, "allowed", rented.code)
    assert (no["ok"], no["outcome"], no["state"]) == (False, "refused", "in_stock")
    assert "not possible while the garment is" in no["message"]
    assert "Add to the rental pool" in no["allowed_action_labels"]
    assert ledger_size(db_session) == before


def test_a_check_refuses_foreign_payloads_wrong_details_and_roles(staff: Api, db_session: Session) -> None:
    garment = make_garment(db_session)
    assert_error_shape(staff.post("/api/v1/scans/check", {"action": "transfer", "payload": "WIFI:S:x;;"}),
                       422, "not_a_label")
    body = assert_error_shape(staff.post("/api/v1/scans/check", {"action": "transfer", "code": garment.code}),
                              422, "invalid_details")
    assert "to_location" in body["details"]["fields"]
    assert_error_shape(staff.post("/api/v1/scans/check", {"action": "move_to_outlet", "code": garment.code,
                                                          "to_location": OUTLET}), 403, "forbidden")
    assert_error_shape(staff.post("/api/v1/scans/check", {"action": "teleport", "code": garment.code}),
                       422, "invalid_details")


# --- POST /api/v1/actions/batch -----------------------------------------------------------------

def test_a_batch_applies_to_the_valid_garments_and_reports_every_scan(merchandiser: Api,
                                                                      db_session: Session) -> None:
    movers = [make_garment(db_session) for _ in range(3)]
    sold = make_garment(db_session, state=S.SOLD)
    before = ledger_size(db_session)
    codes = [movers[0].code, f"{BASE}/g/{movers[1].code}", movers[0].code, sold.code,
             mangle_azerty(movers[2].code), "CKS-99999"]
    response = merchandiser.post("/api/v1/actions/batch", {"action": "move_to_outlet", "codes": codes,
                                                          "to_location": OUTLET, "price_cents": 4995},
                                 **{"Idempotency-Key": "box-1"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [(r["code"], r["outcome"]) for r in body["results"]] == [
        (movers[0].code, "applied"), (movers[1].code, "applied"), (movers[0].code, "duplicate"),
        (sold.code, "refused"), (movers[2].code, "applied"), ("CKS-99999", "unknown")]
    assert body["counts"] == {"applied": 3, "refused": 1, "duplicate": 1, "unknown": 1}
    refused = body["results"][3]
    assert refused["error"] == "not_allowed_now" and refused["state"] == "sold"
    assert "Take back a customer return" in refused["allowed_action_labels"]
    assert ledger_size(db_session) == before + 3
    for garment in movers:
        fresh = db_session.scalar(select(Garment).where(Garment.code == garment.code))
        assert fresh is not None and fresh.location is not None
        assert (fresh.location.code, fresh.price_cents) == (OUTLET, 4995)
        assert garments.replay_matches(db_session, fresh)
    again = merchandiser.post("/api/v1/actions/batch", {"action": "move_to_outlet", "codes": codes,
                                                       "to_location": OUTLET, "price_cents": 4995},
                              **{"Idempotency-Key": "box-1"}).get_json()
    assert again["replayed"] is True and again["counts"] == body["counts"]
    assert ledger_size(db_session) == before + 3


def test_a_batch_refusal_by_detail_names_the_reason(merchandiser: Api, db_session: Session) -> None:
    there = make_garment(db_session, location=OTHER_STORE)
    body = merchandiser.post("/api/v1/actions/batch", {"action": "transfer", "codes": [there.code],
                                                      "to_location": OTHER_STORE}).get_json()
    assert body["results"][0]["outcome"] == "refused"
    assert body["results"][0]["message"] == "The garment is already there."


@pytest.mark.parametrize("body, field", [
    ({"action": "add_to_rental_pool"}, "codes"),
    ({"action": "add_to_rental_pool", "codes": "CKS-00001"}, "codes"),
    ({"action": "add_to_rental_pool", "codes": [1, 2]}, "codes"),
    ({"action": "add_to_rental_pool", "codes": []}, "codes"),
    # 500 garments at most; their double scans on top, 2000 scans in all
    ({"action": "add_to_rental_pool", "codes": [f"CKS-{n:05d}" for n in range(1, 502)]}, "codes"),
    ({"action": "add_to_rental_pool", "codes": ["CKS-00001"] * 2001}, "codes"),
    ({"action": "nope", "codes": ["CKS-00001"]}, "action"),
    ({"codes": ["CKS-00001"]}, "action"),
    ({"action": "transfer", "codes": ["CKS-00001"], "to_location": "MARS"}, "to_location"),
])
def test_a_malformed_batch_is_refused_whole_and_writes_nothing(staff: Api, db_session: Session,
                                                               body: dict[str, Any], field: str) -> None:
    make_garment(db_session)
    before = ledger_size(db_session)
    answer = assert_error_shape(staff.post("/api/v1/actions/batch", body), 422, "invalid_details")
    assert field in answer["details"]["fields"]
    assert ledger_size(db_session) == before


def test_a_batch_action_the_role_may_never_take_is_forbidden(staff: Api, db_session: Session) -> None:
    garment = make_garment(db_session)
    assert_error_shape(staff.post("/api/v1/actions/batch", {"action": "move_to_outlet", "codes": [garment.code],
                                                           "to_location": OUTLET}), 403, "forbidden")


def test_a_batch_with_overlong_and_binary_codes_reports_them_unknown(staff: Api, db_session: Session) -> None:
    pooled = make_garment(db_session)
    body = staff.post("/api/v1/actions/batch", {"action": "add_to_rental_pool",
                                                "codes": [pooled.code, "z" * 5000, "CKS-0\x00001"]}).get_json()
    assert [r["outcome"] for r in body["results"]] == ["applied", "unknown", "unknown"]


def test_scan_routes_are_in_the_openapi_document(staff: Api) -> None:
    document = staff.signed_in.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/scans", "/api/v1/scans/check", "/api/v1/actions/batch"):
        assert "post" in document["paths"][path]
