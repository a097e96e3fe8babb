"""The API keeps the promises of its OpenAPI document: unreadable filters are refused by name,
405 says which methods work, and the document states the rules the server enforces (issue 20)."""
from __future__ import annotations

import pytest

from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import tokens
from tests.builders import make_garment, make_user

BAD_PARTNERS = ["abc", "null", "1.5", "0", "-1", "9223372036854775808", " "]


def _token(session, now, role) -> dict[str, str]:
    user = make_user(session, role)
    return {"Authorization": f"Bearer {tokens.create_token(session, email=user.email, label='t', now=now)}"}


def _refused_fields(response) -> list[str]:
    """The fields a 422 invalid_details answer names (the status and error code checked on the way)."""
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "invalid_details"
    return list(body["details"]["fields"])


# --- finding 2: a filter that cannot be read answers 422 naming it -----------------------------

@pytest.mark.parametrize("path", ["/api/v1/rentals/open", "/api/v1/rentals/overdue",
                                  "/api/v1/reports/rental-quality"])
@pytest.mark.parametrize("partner", [p for p in BAD_PARTNERS if p.strip()])
def test_a_partner_filter_that_cannot_be_read_is_refused_naming_it(client, db_session, now, world,
                                                                   path, partner):
    response = client.get(path, query_string={"partner": partner},
                          headers=_token(db_session, now, Role.ADMIN))
    assert _refused_fields(response) == ["partner"]


@pytest.mark.parametrize("query, name", [
    ({"limit": "abc"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"),
    ({"offset": "-1"}, "offset"), ({"offset": "x"}, "offset"), ({"offset": "10000001"}, "offset"),
])
def test_rentals_api_refuses_a_bad_limit_or_offset_instead_of_clamping_it(client, db_session, now, query,
                                                                          name):
    response = client.get("/api/v1/rentals/open", query_string=query,
                          headers=_token(db_session, now, Role.STORE_STAFF))
    assert _refused_fields(response) == [name]


@pytest.mark.parametrize("page", ["abc", "0", "100001", "1.0"])
def test_rental_quality_refuses_an_attention_page_that_cannot_be_read(client, db_session, now, page):
    response = client.get("/api/v1/reports/rental-quality", query_string={"attention_page": page},
                          headers=_token(db_session, now, Role.MERCHANDISER))
    assert _refused_fields(response) == ["attention_page"]


def test_a_filter_given_twice_is_refused_rather_than_one_picked(client, db_session, now, world):
    response = client.get("/api/v1/rentals/open?partner=1&partner=2",
                          headers=_token(db_session, now, Role.STORE_STAFF))
    assert _refused_fields(response) == ["partner"]


def test_an_empty_filter_counts_as_absent_as_the_document_says(client, db_session, now, world, app):
    headers = _token(db_session, now, Role.ADMIN)
    assert client.get("/api/v1/rentals/open?partner=&limit=&offset=", headers=headers).status_code == 200
    assert client.get("/api/v1/garments?season=&state=", headers=headers).status_code == 200
    document = client.get("/api/v1/openapi.json", headers=headers).get_json()
    assert "empty value" in document["info"]["description"].lower()


def test_a_readable_partner_filter_still_filters(client, db_session, now, world):
    headers = _token(db_session, now, Role.STORE_STAFF)
    answer = client.get("/api/v1/rentals/open", query_string={"partner": world["partner"].id + 1000},
                        headers=headers)
    assert answer.status_code == 200 and answer.get_json()["total"] == 0


@pytest.mark.parametrize("export", ["cycles.csv", "returns.csv", "inspections.csv", "cycles", "open",
                                    "overdue", "pool"])
@pytest.mark.parametrize("partner", ["9223372036854775808", "2147483648", "abc"])
def test_rental_lists_and_exports_refuse_a_partner_no_table_can_hold_before_streaming(login, export,
                                                                                     partner):
    staff = login(Role.MERCHANDISER)
    response = staff.get(f"/rentals/{export}", query_string={"partner": partner})
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "partner" in response.get_data(as_text=True).lower()


# --- finding 3: 405 keeps its Allow header -----------------------------------------------------

def test_a_wrong_method_on_the_api_says_which_methods_work(client, db_session, now):
    response = client.put("/api/v1/me", headers=_token(db_session, now, Role.STORE_STAFF))
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert {"GET", "HEAD", "OPTIONS"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_a_wrong_method_without_a_token_is_still_a_405_with_allow(client):
    response = client.delete("/api/v1/garments")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_a_wrong_method_on_a_page_says_which_methods_work(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert {"GET", "POST"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_an_unknown_api_version_is_the_apis_json_404(client):
    response = client.get("/api/v2/garments")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


# --- findings 1 and 4: the document says what the server does ----------------------------------

@pytest.fixture()
def document(client, db_session, now) -> dict:
    return client.get("/api/v1/openapi.json", headers=_token(db_session, now, Role.ADMIN)).get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_429_with_retry_after_and_401(document):
    for name, operation in _operations(document):
        responses = operation["responses"]
        assert "429" in responses, name
        assert "Retry-After" in responses["429"]["headers"], name
        assert "401" in responses and "WWW-Authenticate" in responses["401"]["headers"], name


def test_403_is_documented_where_a_role_can_be_refused(document):
    for name, operation in _operations(document):
        if set(operation["x-roles"]) != {r.value for r in Role}:
            assert "roles_allowed" in operation["responses"]["403"]["description"], name


def test_the_schema_states_the_body_rules_the_server_enforces(document):
    schemas = document["components"]["schemas"]
    version = schemas["ActionRequest"]["properties"]["expected_version"]
    assert version["type"] == "integer" and version["maximum"] == 2**31 - 1
    assert schemas["BatchRequest"]["properties"]["codes"]["minItems"] == 1
    assert schemas["ScanRequest"]["properties"]["payload"]["minLength"] == 1
    check = schemas["ScanCheckRequest"]
    assert {"required": ["code"]} in check["anyOf"] and {"required": ["payload"]} in check["anyOf"]


def test_an_expected_version_of_6_point_0_is_read_as_the_whole_number_json_schema_says_it_is(
        client, db_session, now):
    garment = make_garment(db_session, state=GarmentState.IN_STOCK, now=now)
    headers = _token(db_session, now, Role.STORE_STAFF)
    answer = client.post(f"/api/v1/garments/{garment.code}/actions", headers=headers,
                         json={"action": "sell", "expected_version": float(garment.version)})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_scans_check_without_code_or_payload_is_refused_as_the_schema_says(client, db_session, now):
    response = client.post("/api/v1/scans/check", json={"action": "transfer"},
                           headers=_token(db_session, now, Role.STORE_STAFF))
    assert response.status_code == 422


def test_zpl_labels_document_start_at_as_pdf_only_and_ignore_it(client, db_session, now, document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/garments/{code}/label"]["get"]["parameters"]}
    assert "pdf only" in parameters["start_at"]["description"].lower()
    garment = make_garment(db_session, now=now)
    headers = _token(db_session, now, Role.STORE_STAFF)
    answer = client.get(f"/api/v1/garments/{garment.code}/label?format=zpl&start_at=40", headers=headers)
    assert answer.status_code == 200


def test_rental_quality_documents_its_period_bound(document):
    operation = document["paths"]["/api/v1/reports/rental-quality"]["get"]
    assert "twenty years" in operation["responses"]["422"]["description"]


def test_a_garments_code_links_to_its_actions_ledger_and_label(document):
    links = document["paths"]["/api/v1/garments/{code}"]["get"]["responses"]["200"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert {"api_garment_events", "api_act_on_garment", "labels_garment_label"} <= targets
    for link in links.values():
        assert link["parameters"] == {"code": "$response.body#/code"}


def test_malformed_defects_are_refused_even_for_an_action_that_takes_none(client, db_session, now):
    # found by Schemathesis: add_to_rental_pool ignored a defects list the schema refuses
    garment = make_garment(db_session, now=now)
    headers = _token(db_session, now, Role.STORE_STAFF)
    answer = client.post(f"/api/v1/garments/{garment.code}/actions", headers=headers,
                         json={"action": "add_to_rental_pool",
                               "defects": [{"code": "STN", "zone": "front", "severity": 3, "note": 4.5}]})
    assert _refused_fields(answer) == ["defects"]


def test_an_options_request_names_only_the_methods_the_route_serves(client, db_session, now):
    # found by Schemathesis: the API's catch-all for unknown URLs once added every method
    answer = client.options("/api/v1/me", headers=_token(db_session, now, Role.STORE_STAFF))
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
