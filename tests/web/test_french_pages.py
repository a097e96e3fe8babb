"""A Walloon or Brussels shop reads cksloop in French: the main pages, the switch, and the saved choice."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cksloop.db.models import User
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import make_garment, make_user
from tests.conftest import SignedInClient, csrf_from, sign_in
from tests.demo.test_demo_data import demo_database  # noqa: F401  (the module's own demo database)

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


# --- a French walk through every main page, on the demo chain -----------------------------------

#: English stop words that are no word of Dutch or French: any of them on a French page is an
#: English sentence, from the catalogue, a template or the data
ENGLISH_ONLY_WORDS = ("the", "and", "with", "from", "for", "your", "this", "these", "was", "were", "has", "have")
#: words of the demo's old English style names ("Wrap dress Lisa") that French never uses
ENGLISH_DEMO_WORDS = ("wrap", "pleated", "striped", "jumper", "tailored", "velvet", "silky", "corduroy",
                      "sequin", "puffer", "cropped", "poplin", "wide-leg", "fine-knit", "cable-knit",
                      "rib-knit", "tie-waist", "wool-blend", "linen-blend", "check blazer", "party dress")


class _VisibleText(HTMLParser):
    """What a person reads or hears on a page in its own language: text outside scripts and styles,
    and the attributes a screen reader says or a tooltip shows. An element marked in another
    language (lang="en": the charter's draft in each language, the language switch) is left out."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                      "track", "wbr"})

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hidden): hidden when code or another language

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self._open)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        foreign = tag != "html" and values.get("lang") not in (None, self.language)
        if tag not in self.VOID:
            self._open.append((tag, tag in ("script", "style", "template") or foreign))
        if not self._hidden() and not foreign:
            self.parts += [value for name, value in attrs
                           if value and name in ("title", "alt", "aria-label", "placeholder")]

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible_text(page: str, language: str = "fr") -> str:
    reader = _VisibleText(language)
    reader.feed(page)
    return " ".join(" ".join(reader.parts).split())


@pytest.fixture(scope="module")
def english_vocabulary() -> list[str]:
    """The catalogue's words in English where French says them differently: categories, colours,
    material flags, care phrases and the fibre names of Regulation (EU) 1007/2011 ("dress", "navy",
    "organic", "cotton")."""
    from cksloop.domain import vocabulary
    from cksloop.domain.fibre_names import ALIASES, FIBRES

    with FRENCH_PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    words = set()
    for table in (vocabulary.CATEGORIES, vocabulary.COLOURS, vocabulary.CERTIFICATIONS, vocabulary.CARE_PHRASES):
        for key, msgid in table.items():
            french = catalog.get(msgid)
            assert french is not None and french.string, f"{msgid!r} has no French translation"
            words |= {w for w in (key, msgid) if w.lower() not in french.string.lower()}
    words |= {row.en for row in FIBRES.values() if row.en != row.fr}
    words |= {alias for alias, fibre in ALIASES.items() if alias != FIBRES[fibre].fr}
    # a word French uses too is no sign of English ("camel" is a colour in French, and a fibre in English)
    french = {m.string.lower() for m in catalog if m.id and isinstance(m.string, str)} | {
        row.fr.lower() for row in FIBRES.values()}
    return sorted(w for w in words if w.lower() not in french)


def english_left(text: str, words) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE)]


@pytest.fixture(scope="module")
def demo_site(demo_database, tmp_path_factory):
    """The demo chain (a smaller one: every story, buyers, offcuts, workshops, overstock) and a
    French client for each of its users."""
    from sqlalchemy import select

    from cksloop import create_app
    from cksloop import demo
    from cksloop.db.session import make_session_factory
    from tests.conftest import FIXED_NOW

    app = create_app({"TESTING": True, "DATABASE_URL": demo_database, "SECRET_KEY": "walk",
                      "BASE_URL": "https://loop.cks.example", "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
                      "NOW": FIXED_NOW, "BABEL_DEFAULT_LOCALE": "en"})
    session = make_session_factory(app.extensions["cksloop.engine"])()  # the demo loads as `demo-data` does
    result = demo.load_demo_data(session, now=FIXED_NOW, seed=demo.DEFAULT_SEED, count=150)
    clients = {}
    for created in result.created_users:
        client = app.test_client()
        assert sign_in(client, created.email, created.password).status_code == 302
        client = SignedInClient(client, created)
        choose(client, "fr")
        clients[Role(created.role)] = client
    site = {"app": app, "session": session, "clients": clients, "select": select}
    yield site
    session.close()
    app.extensions["cksloop.engine"].dispose()


def _first(site, statement):
    value = site["session"].scalar(statement)
    assert value is not None, str(statement)
    return value


def _demo_paths(site) -> dict[str, str]:
    """Every main page, with the demo's own rows in the URL."""
    from cksloop.db.models import (Buyer, BuyerLot, Garment, OffcutLot, OverstockReview, RemanufacturingProject, Style,
                                   User, Workshop)

    select = site["select"]
    code_in = lambda state: _first(site, select(Garment.code).where(Garment.state == state).order_by(Garment.id))  # noqa: E731
    overstock_style = _first(site, select(Style).where(Style.style_number.like("%-40%")).order_by(Style.id))
    workshop_done = _first(site, select(Workshop.id).order_by(Workshop.starts_at))
    paths = {
        "home": "/", "scan": "/scan", "batch scan": "/scan/batch", "scanner test": "/scan/selftest",
        "garments": "/garments",
        "garment in stock": f"/garments/{code_in(GarmentState.IN_STOCK)}",
        "garment rented out": f"/garments/{code_in(GarmentState.RENTED_OUT)}",
        "garment sold": f"/garments/{code_in(GarmentState.SOLD)}",
        "garment in care": f"/garments/{code_in(GarmentState.IN_CARE)}",
        "garment retired": f"/garments/{code_in(GarmentState.RETIRED)}",
        "discounted sales": "/garments/discounted-sales",
        "styles": "/styles", "style": f"/styles/{_first(site, select(Style.style_number).order_by(Style.id))}",
        "locations": "/locations", "location": "/locations/ANT-MEIR",
        "labels": "/labels/print",
        "offcut lots": "/offcuts", "offcut lot": f"/offcuts/{_first(site, select(OffcutLot.code).order_by(OffcutLot.id))}",
        "new offcut lot": "/offcuts/new",
        "overstock": "/overstock",
        "overstock style": f"/overstock/{overstock_style.season}/{overstock_style.style_number}",
        "overstock plans": f"/overstock/{overstock_style.season}/plans",
        "overstock rules": f"/overstock/{overstock_style.season}/rules",
        "overstock reviews": "/overstock/reviews",
        "overstock review": f"/overstock/reviews/{_first(site, select(OverstockReview.id).order_by(OverstockReview.id))}",
        "buyers": "/buyers", "buyer": f"/buyers/{_first(site, select(Buyer.id).order_by(Buyer.id))}",
        "buyer lots": "/buyers/lots", "new buyer lot": "/buyers/lots/new",
        "overdue proof": "/buyer-lots/overdue",
        "charter report": "/reports/charter", "charter targets": "/reports/charter/targets",
        "workshops": "/workshops/", "workshop": f"/workshops/{workshop_done}",
        "workshop figures": "/workshops/figures", "remanufacturing projects": "/workshops/projects",
        "remanufacturing project":
            f"/workshops/projects/{_first(site, select(RemanufacturingProject.id).order_by(RemanufacturingProject.id))}",
        "product types": "/workshops/product-types", "plan a workshop": "/workshops/new",
        "disclosure": f"/reports/unsold-disclosure?year={FIXED_YEAR}",
        "admin users": "/admin/users", "admin user": f"/admin/users/{_first(site, select(User.id).order_by(User.id))}",
        "audit": "/admin/audit", "settings": "/admin/settings",
        "rentals": "/rentals/", "rental pool": "/rentals/pool", "cleaning and repair": "/rentals/care",
        "rental cycles": "/rentals/cycles", "inspections": "/rentals/inspections", "open rentals": "/rentals/open",
        "overdue rentals": "/rentals/overdue", "rental partners": "/rentals/partners", "receive returns": "/rentals/receive",
        "rental quality": "/reports/rental-quality", "attention points": "/reports/rental-quality/attention",
    }
    for lot_id, in site["session"].execute(select(BuyerLot.id).order_by(BuyerLot.id)):
        paths[f"buyer lot {lot_id}"] = f"/buyers/lots/{lot_id}"
        paths[f"buyer lot {lot_id} proof"] = f"/buyer-lots/{lot_id}/proof"
    return paths


FIXED_YEAR = 2025  # the demo's year of discards: the year before its clock (tests.conftest.FIXED_NOW)


def test_every_main_page_reads_in_french_for_every_role_that_reaches_it_with_no_english_left(
        demo_site, english_sentences, english_vocabulary):
    reached: dict[str, list[Role]] = {}
    english: list[tuple[str, str, list[str]]] = []
    for name, path in _demo_paths(demo_site).items():
        for role, client in demo_site["clients"].items():
            response = client.get(path)
            if response.status_code in (302, 403, 404) and role is not Role.ADMIN:
                continue  # not this role's page (the admin reaches every page but the store's own)
            assert response.status_code == 200, (name, path, role, response.status_code)
            reached.setdefault(name, []).append(role)
            page = text_of(response)
            assert '<html lang="fr">' in page, (name, role)
            text = visible_text(response.get_data(as_text=True))
            left = (leftover_english(text, english_sentences) + english_left(text, english_vocabulary)
                    + english_left(text, ENGLISH_DEMO_WORDS) + english_left(text, ENGLISH_ONLY_WORDS))
            if left:
                english.append((name, role.value, left))
    assert not english, "\n".join(f"{name} ({role}): {left}" for name, role, left in english)
    every_role = {Role.ADMIN, Role.MERCHANDISER, Role.STORE_STAFF, Role.WORKSHOP_ORGANISER}
    assert set(demo_site["clients"]) == every_role
    assert {role for roles in reached.values() for role in roles} == every_role  # each role walked its pages
    assert len(reached) == len(_demo_paths(demo_site)) > 50


def test_the_walk_finds_english_data_words_and_demo_names(english_vocabulary):
    # not blind: the same checks find the English the demo once had and the catalogue's keys
    text = visible_text('<p>Wrap dress Lisa · navy · <span title="100% cotton, organic">x</span></p>'
                        '<script>var dress = "navy";</script><h3 lang="en">English</h3><ul lang="en"><li>In 2025 '
                        '<span lang="fr">tout</span></li></ul><p>bleu marine<br>fin</p>')
    assert "In 2025" not in text and "English" not in text and "bleu marine fin" in text
    assert {"dress", "navy", "cotton", "organic"} <= set(english_left(text, english_vocabulary))
    assert english_left(text, ENGLISH_DEMO_WORDS) == ["wrap"]
    assert english_left("Robe Lisa · bleu marine · 100 % coton, bio", english_vocabulary) == []
    assert english_left("Sew the button back on", ENGLISH_ONLY_WORDS) == ["the"]
    assert english_left("Réceptionner un carton de retours", ENGLISH_ONLY_WORDS) == []
