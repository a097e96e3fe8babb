"""A Walloon or Brussels shop reads cksloop in French: the main pages, the switch, and the saved choice."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cksloop.db.models import User
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import make_garment, make_user
from tests.conftest import csrf_from, sign_in

FRENCH_PO = Path(__file__).resolve().parents[2] / "cksloop" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)\w|%%")
NBSP = "\u00a0"  # French puts a non-breaking space before : ; ? ! and inside « »


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def choose(client, lang: str, next_page: str = "/") -> None:
    """Press the language button (a CSRF-protected POST), as a person would."""
    response = client.post(f"/language/{lang}", data={"next": next_page})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture(scope="module")
def english_sentences() -> list[str]:
    """Every English text of the catalogue of two words or more that French says differently."""
    with FRENCH_PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    return [m.id for m in catalog
            if m.id and not m.pluralizable and not PLACEHOLDER.search(m.id) and m.string != m.id
            and len(re.findall(r"[A-Za-z]{2,}", m.id)) >= 2]


def leftover_english(page: str, english_sentences: list[str]) -> list[str]:
    return [sentence for sentence in english_sentences if sentence in page]


def test_the_sign_in_page_is_french_for_a_french_browser(client):
    page = text_of(client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"}))
    assert '<html lang="fr">' in page
    for french in ("Se connecter", "E-mail", "Mot de passe"):
        assert french in page, french
    assert "Password" not in page and "Wachtwoord" not in page


def test_a_browser_that_asks_for_no_language_we_have_gets_dutch(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "nl"  # the shipped default (the tests' is English)
    page = text_of(app.test_client().get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}))
    assert '<html lang="nl">' in page and "Aanmelden" in page


@pytest.mark.parametrize("current, offered", [
    ("nl", ("Français", "English")), ("fr", ("Nederlands", "English")), ("en", ("Nederlands", "Français"))])
def test_the_switch_offers_every_other_language_each_named_in_itself(client, current, offered):
    token = csrf_from(text_of(client.get("/login")))
    assert client.post(f"/language/{current}", data={"csrf_token": token, "next": "/login"}).status_code == 302
    page = text_of(client.get("/login"))
    switch = page.split('class="lang"')[1].split("</form>")[0]
    for name in offered:
        assert f">{name}</button>" in switch, name
    assert len(re.findall(r"<button", switch)) == 2
    assert f'formaction="/language/{current}"' not in switch


def test_the_main_pages_of_a_french_user_are_french_with_no_english_sentence_left(
        login, db_session, world, english_sentences):
    garment = make_garment(db_session, style=world["dress"], size="S")
    client = login(role=Role.ADMIN)
    choose(client, "fr")
    expected = {
        "/": ("Aujourd'hui", "Scanner une étiquette", "Articles", "Se déconnecter", "administrateur"),
        "/scan": ("Scannez avec le scanner à main, ou tapez le code", "Ouvrir l'article",
                  "Scanner avec la caméra", "Tester le scanner"),
        "/garments": ("Filtres", "Appliquer les filtres", "Code, modèle, couleur ou taille", "en stock"),
        f"/garments/{garment.code}": ("Cet article", "Prix actuel", "Composition", "durable", "Historique",
                                      "Ce que vous pouvez faire maintenant", "Vendre", "129,95"),
        "/rentals/": ("Vue d'ensemble", "Stock de location", "En retard", "Réceptionner un carton de retours"),
        "/reports/rental-quality": ("Pour le rapport annuel", "Taux d'utilisation", "Par modèle",
                                    "Aucune activité de location pendant cette période."),
    }
    for path, phrases in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = text_of(response)
        assert '<html lang="fr">' in page, path
        for phrase in phrases:
            assert phrase in page, (path, phrase)
        assert not leftover_english(page, english_sentences), (path, leftover_english(page, english_sentences))

    choose(client, "en")  # the same check finds the English where it belongs: it is not blind
    assert "Scan a label" in leftover_english(text_of(client.get("/")), english_sentences)


def test_an_action_is_announced_and_refused_in_french(login, db_session, world):
    client = login(role=Role.STORE_STAFF)
    choose(client, "fr")
    sold = make_garment(db_session, state=GarmentState.SOLD)
    refused = client.post(f"/garments/{sold.code}/actions/sell", data={"expected_version": sold.version})
    assert refused.status_code == 409
    assert f"«{NBSP}Vendre{NBSP}» est impossible tant que l'article est vendu." in text_of(refused)

    garment = make_garment(db_session)
    done = client.post(f"/garments/{garment.code}/actions/sell", data={"expected_version": garment.version})
    assert done.status_code == 303
    assert f"{garment.code} est vendu pour 129,95{NBSP}€." in text_of(client.get(done.location))


def test_a_signed_in_users_choice_is_saved_and_follows_them_to_another_device(app, login, db_session):
    client = login(role=Role.STORE_STAFF)
    choose(client, "fr")
    db_session.expire_all()
    assert db_session.get(User, client.user.id).language == "fr"

    other_device = app.test_client()
    assert sign_in(other_device, client.user.email).status_code == 302
    page = text_of(other_device.get("/", headers={"Accept-Language": "en"}))
    assert '<html lang="fr">' in page and "Aujourd'hui" in page


def test_a_language_chosen_on_the_sign_in_page_is_saved_for_the_user_who_signs_in(app, db_session):
    user = make_user(db_session, Role.STORE_STAFF)
    client = app.test_client()
    page = text_of(client.get("/login"))
    client.post("/language/fr", data={"csrf_token": csrf_from(page), "next": "/login"})
    assert sign_in(client, user.email).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).language == "fr"


def test_a_user_who_never_chose_follows_the_browser(login):
    client = login(role=Role.STORE_STAFF)
    assert client.user.language is None
    assert "Aujourd'hui" in text_of(client.get("/", headers={"Accept-Language": "fr-BE"}))
    assert "Vandaag" in text_of(client.get("/", headers={"Accept-Language": "nl-BE"}))


def test_an_unknown_language_is_ignored_and_nothing_is_saved(login, db_session):
    client = login(role=Role.STORE_STAFF)
    response = client.post("/language/de", data={"next": "/"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, client.user.id).language is None
