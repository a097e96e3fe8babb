"""Pages, messages and refusals in Dutch for a Flemish shop, and back in English when the user switches."""
from __future__ import annotations

import html

from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import accounts, tokens
from tests.builders import OTHER_STORE, make_garment
from tests.conftest import csrf_from

DUTCH_BROWSER = {"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def choose(client, lang: str, next_page: str = "/") -> None:
    """Press the language button (a CSRF-protected POST), as a person would."""
    response = client.post(f"/language/{lang}", data={"next": next_page})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_the_sign_in_page_is_dutch_for_a_dutch_browser(client):
    page = text_of(client.get("/login", headers=DUTCH_BROWSER))
    assert '<html lang="nl">' in page
    for dutch in ("Aanmelden", "E-mailadres", "Wachtwoord"):
        assert dutch in page, dutch
    assert "Password" not in page and "Sign in" not in page


def test_a_wrong_password_and_an_empty_field_are_refused_in_dutch(client, db_session, world):
    page = text_of(client.get("/login", headers=DUTCH_BROWSER))
    wrong = client.post("/login", headers=DUTCH_BROWSER, data={
        "email": "nobody@cks.example", "password": "not the password", "csrf_token": csrf_from(page)})
    assert "E-mailadres of wachtwoord is fout." in text_of(wrong)
    empty = text_of(client.post("/login", headers=DUTCH_BROWSER, data={
        "email": "", "password": "x", "csrf_token": csrf_from(page)}))
    assert "Dit veld is vereist." in empty  # WTForms' own message, in its Dutch catalog
    assert "This field is required" not in empty


def test_the_language_chosen_on_the_page_wins_over_the_browser(client):
    page = text_of(client.get("/login"))
    assert "Sign in" in page  # the tests' default language is English
    response = client.post("/language/nl", data={"csrf_token": csrf_from(page), "next": "/login"})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "Aanmelden" in text_of(client.get("/login", headers={"Accept-Language": "en"}))


def test_the_home_page_is_dutch_after_choosing_dutch_and_english_after_switching_back(login):
    client = login(role=Role.STORE_STAFF)
    choose(client, "nl")
    page = text_of(client.get("/"))
    assert '<html lang="nl">' in page
    for dutch in ("Vandaag", "Scan een label", "Scannen", "Kledingstukken", "Afmelden", "winkelmedewerker",
                  "Hier in voorraad", "English"):
        assert dutch in page, dutch
    assert "Today" not in page and "Sign out" not in page

    choose(client, "en")
    page = text_of(client.get("/"))
    assert '<html lang="en">' in page
    for english in ("Today", "Scan a label", "Garments", "Sign out", "store staff", "Nederlands"):
        assert english in page, english
    assert "Vandaag" not in page


def test_the_garment_page_is_dutch_with_state_actions_and_a_belgian_price(login, db_session, world):
    garment = make_garment(db_session, style=world["dress"], size="S")
    client = login(role=Role.STORE_STAFF)
    choose(client, "nl")
    page = text_of(client.get(f"/garments/{garment.code}"))
    for dutch in ("Dit kledingstuk", "Status", "in voorraad", "Locatie", "Huidige prijs", "Maat", "Samenstelling",
                  "duurzaam", "Leverancier", "Geschiedenis", "Wat u nu kunt doen", "Verkopen",
                  "Verplaatsen naar een andere locatie", "129,95"):
        assert dutch in page, dutch
    assert "This garment" not in page and "Current price" not in page

    choose(client, "en")
    page = text_of(client.get(f"/garments/{garment.code}"))
    for english in ("This garment", "in stock", "Current price", "What you can do now", "Sell", "€129.95"):
        assert english in page, english
    assert "129,95" not in page

    choose(client, "nl")  # formatted prices are kept per language, never shared between them
    assert "129,95" in text_of(client.get(f"/garments/{garment.code}"))


def test_a_done_action_is_announced_in_dutch(login, db_session, world):
    garment = make_garment(db_session)
    client = login(role=Role.STORE_STAFF)
    choose(client, "nl")
    response = client.post(f"/garments/{garment.code}/actions/transfer",
                           data={"expected_version": garment.version, "to_location": OTHER_STORE})
    assert response.status_code == 303
    page = text_of(client.get(response.location))
    assert f"{garment.code} is nu in CKS Gent Veldstraat." in page


def test_an_action_not_allowed_now_is_refused_in_dutch_naming_the_state_and_what_can_be_done(
        login, db_session, world):
    garment = make_garment(db_session, state=GarmentState.SOLD)
    client = login(role=Role.STORE_STAFF)
    choose(client, "nl")
    response = client.post(f"/garments/{garment.code}/actions/sell", data={"expected_version": garment.version})
    assert response.status_code == 409
    page = text_of(response)
    assert "“Verkopen” kan nu niet: het kledingstuk is verkocht." in page
    assert "Wat nu kan: Terugname van een klant" in page

    choose(client, "en")
    page = text_of(client.post(f"/garments/{garment.code}/actions/sell",
                               data={"expected_version": garment.version}))
    assert "“Sell” is not possible while the garment is sold." in page


def test_the_scan_page_and_a_scan_that_is_not_a_label_are_dutch(login, db_session, world):
    client = login(role=Role.STORE_STAFF)
    choose(client, "nl")
    page = text_of(client.get("/scan"))
    for dutch in ("Scan een label", "Scan met de handscanner, of typ de code", "Kledingstuk openen",
                  "Scannen met de camera", "Scanner testen"):
        assert dutch in page, dutch
    refused = client.get("/scan", query_string={"payload": "WIFI:S:CKS-winkel;T:WPA;P:geheim;;"})
    assert refused.status_code == 422
    assert "Dit is geen CKS-label maar een QR-code voor wifi." in text_of(refused)
    unknown = client.get("/scan", query_string={"payload": "CKS-99999"})
    assert unknown.status_code == 404
    assert "Geen kledingstuk met code CKS-99999." in text_of(unknown)


def test_an_api_refusal_speaks_dutch_for_a_dutch_caller_with_the_same_error_code(client, db_session, world, now):
    garment = make_garment(db_session, state=GarmentState.SOLD)
    merchandiser = accounts.create_user(db_session, email="merch.nl@cks.example", name="Merch", role=Role.MERCHANDISER,
                                        password="correct horse battery", home_location=None)
    token = tokens.create_token(db_session, email=merchandiser.email, label="test", now=now)
    body = {"action": "mark_down", "price_cents": 100}
    headers = {"Authorization": f"Bearer {token}"}
    dutch = client.post(f"/api/v1/garments/{garment.code}/actions", json=body, headers={**headers, **DUTCH_BROWSER})
    english = client.post(f"/api/v1/garments/{garment.code}/actions", json=body,
                          headers={**headers, "Accept-Language": "en"})
    assert dutch.status_code == english.status_code == 409
    assert dutch.get_json()["error"] == english.get_json()["error"] == "not_allowed_now"
    assert dutch.get_json()["message"] == "“Afprijzen” kan nu niet: het kledingstuk is verkocht."
    assert english.get_json()["message"] == "“Mark down” is not possible while the garment is sold."


def test_wtforms_own_messages_follow_the_language_chosen_for_each_request(login, world):
    client = login(role=Role.STORE_STAFF)
    choose(client, "nl")
    dutch = text_of(client.get("/garments?state=flying"))
    choose(client, "en")
    english = text_of(client.get("/garments?state=flying"))
    choose(client, "nl")
    dutch_again = text_of(client.get("/garments?state=flying"))
    assert "Ongeldige keuze" in dutch and "Not a valid choice" not in dutch
    assert "Not a valid choice" in english and "Ongeldige keuze" not in english
    assert "Ongeldige keuze" in dutch_again


def test_a_defect_is_named_in_dutch_with_its_zone_on_the_inspections_the_attention_points_and_the_history(
        login, db_session, world, now):
    from cksloop.services import rentals

    merch = login(role=Role.MERCHANDISER)
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    rentals.record_return(db_session, code=garment.code, actor=merch.user, now=now, details={
        "reason": "quality_return", "grade": "C", "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 3}]})
    choose(merch, "nl")
    period = "from=2026-01-01&to=2026-12-31"
    pages = {"inspections": text_of(merch.get(f"/rentals/inspections?{period}")),
             "attention points": text_of(merch.get(f"/reports/rental-quality/attention?{period}")),
             "history": text_of(merch.get(f"/garments/{garment.code}"))}
    for name, page in pages.items():
        assert "getrokken draad, haler, lus" in page and "mouw" in page, name
        assert "sleeve" not in page and "SNAG" not in page, name


def test_each_request_translates_in_its_own_language_and_the_catalogue_is_not_kept_after_it(app, client, world):
    # the catalogue is looked up once per request and forgotten at its end: alternating
    # languages must never leak from one request into the next
    for lang in ("nl-BE", "en", "nl-BE", "en"):
        page = text_of(client.get("/login", headers={"Accept-Language": lang}))
        if lang == "en":
            assert "Sign in" in page and "Aanmelden" not in page
        else:
            assert "Aanmelden" in page and "Sign in" not in page
    from cksloop.web import i18n

    with app.test_request_context("/", headers={"Accept-Language": "nl-BE"}):
        # outside a dispatched request (no hook ran) flask-babel's own lookup answers
        assert i18n.gettext("Sign in") == "Aanmelden"
        assert i18n.state_label("in_stock") == "in voorraad"


def test_the_audit_trail_filter_names_the_actions_in_dutch(login, world):
    client = login(role=Role.ADMIN)
    choose(client, "nl")
    page = text_of(client.get("/admin/audit"))
    assert '<option value="sell">Verkopen</option>' in page
    assert ">Sell<" not in page
