"""Stored XSS: every free-text field holds a script payload; every page shows it as text.

Names (style, location, rental partner, user), the style's care text, supplier, colour and
category, notes on actions, a receipt, a rental partner's reference, inspection and defect notes,
and a reflected search are filled with payloads that would run if a page ever emitted them as
markup. Checked twice: in the HTML of every page of the app (each payload appears, escaped, on
some page and unescaped on none), and in Debian's chromium, where no dialog may open, no injected
element may exist and the strict CSP may report no blocked inline script.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cksloop.db.models import User
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import catalogue, garments, rentals
from tests.builders import PASSWORD, STORE, make_garment, make_user
from tests.conftest import sign_in
from tests.route_map import rules


def payload(tag: str, long: bool = True) -> str:
    """Markup that would open a dialog named ``tag`` if a page emitted it unescaped."""
    img = f'"><img src=x id=xss-{tag} onerror=alert("{tag}")>'
    return img + (f"<script>alert('{tag}')</script>" if long else "")


FIELDS = {  # tag → where it is stored
    "style-name": "style name", "style-colour": "style colour", "style-category": "style category",
    "style-supplier": "style supplier", "style-care": "style care text",
    "location-name": "location name", "location-city": "location city",
    "partner-name": "rental partner name", "partner-terms": "rental partner terms",
    "user-name": "user name", "action-note": "note on an action", "receipt": "sale receipt",
    "partner-ref": "rental partner reference", "inspection-note": "inspection note",
    "defect-note": "defect note",
}


@pytest.fixture
def seeded(app, db_session, world, now) -> dict[str, Any]:
    """Rows whose free text is all payloads, and garments whose history shows them."""
    s = db_session
    place = catalogue.create_location(s, code="XSS-STORE", name=payload("location-name"), kind="store",
                                      city=payload("location-city", long=False)[:80])
    partner = catalogue.create_rental_partner(s, name=payload("partner-name"), location_code="DRESSR-ANT",
                                              terms=payload("partner-terms"))
    style = catalogue.create_style(
        s, style_number="XSS-0001", name=payload("style-name", long=False), season="SS25",
        category=payload("style-category", long=False)[:60], colour=payload("style-colour", long=False)[:60],
        sizes=["S", "M"], country_of_manufacture="BE", supplier=payload("style-supplier", long=False),
        retail_price_cents=9995, materials=[("cotton", 100, True, "organic")],
        gtins={"M": "5400000009013"}, care=payload("style-care"))
    s.commit()
    actor = make_user(s, Role.ADMIN, name=payload("user-name", long=False), home_location=STORE)
    noted = make_garment(s, style=style, size="M", location="XSS-STORE", actor=actor, now=now)
    garments.act(s, code=noted.code, action=Action.START_CARE, actor=actor, now=now,
                 details={"care_kind": "repair", "note": payload("action-note")})
    sold = make_garment(s, style=style, size="M", location=STORE, actor=actor, now=now)
    garments.act(s, code=sold.code, action=Action.SELL, actor=actor, now=now,
                 details={"receipt": payload("receipt", long=False)[:60]})
    rented = make_garment(s, style=style, size="S", state=GarmentState.IN_RENTAL_POOL, actor=actor, now=now)
    rentals.check_out(s, code=rented.code, partner_id=partner.id, due_on=(now + dt.timedelta(days=10)).date(),
                      partner_reference=payload("partner-ref", long=False)[:64], actor=actor, now=now)
    returned = make_garment(s, style=style, size="S", state=GarmentState.IN_RENTAL_POOL, actor=actor, now=now)
    rentals.check_out(s, code=returned.code, partner_id=partner.id, due_on=(now + dt.timedelta(days=10)).date(),
                      actor=actor, now=now)
    rentals.record_return(s, code=returned.code, actor=actor, now=now + dt.timedelta(days=3), details={
        "reason": "quality_return", "grade": "B", "note": payload("inspection-note"),
        "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 2, "note": payload("defect-note")}]},
        upload_dir=app.config["UPLOAD_DIR"])
    return {"style": style, "place": place, "partner": partner, "actor": actor,
            "garments": [noted, sold, rented, returned]}


def pages(app: Any, seeded: dict[str, Any]) -> list[str]:
    """Every HTML page without URL arguments, and every page about the seeded rows."""
    urls = []
    for rule, method in rules(app):
        # files (exports, the icon, the web app manifest) are not pages: a browser downloads them
        # or shows them with its own inline styles
        if method == "GET" and not rule.arguments and not rule.rule.startswith("/api/") \
                and not rule.rule.endswith((".csv", ".xlsx", ".ico", ".webmanifest")) and rule.endpoint != "auth.login":
            urls.append(rule.rule)
    codes = [g.code for g in seeded["garments"]]
    urls += [f"/garments/{c}" for c in codes] + [f"/g/{c}" for c in codes]
    urls += [f"/01/05400000009013/21/{codes[0]}", "/styles/XSS-0001", "/locations/XSS-STORE",
             f"/rentals/partners/{seeded['partner'].id}/edit", f"/rentals/{codes[2]}/return",
             "/rentals/open?partner=" + str(seeded["partner"].id), "/garments?q=XSS-0001",
             "/admin/audit?garment=" + codes[0], "/garments?location=XSS-STORE",
             # reflected: what was typed comes back in the page
             "/garments?q=" + quote(payload("reflected-search", long=False)[:60]),
             "/scan?payload=" + quote(payload("reflected-scan"))]
    return urls


def _escaped_on(body: str, tag: str) -> tuple[bool, bool]:
    """(shown as text, emitted as markup) for the payload named ``tag``."""
    markup = re.search(r"<img src=x id=xss-" + re.escape(tag) + r"\b", body) is not None \
        or f"<script>alert('{tag}')" in body
    shown = f"xss-{tag}" in html.unescape(body) and not markup
    return shown, markup


def test_every_free_text_payload_is_shown_escaped_and_never_as_markup(app, db_session, seeded):
    client = app.test_client()
    assert sign_in(client, seeded["actor"].email).status_code == 302
    shown: dict[str, list[str]] = {tag: [] for tag in FIELDS}
    problems = []
    for url in pages(app, seeded):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        for tag in [*FIELDS, "reflected-search", "reflected-scan"]:
            is_shown, is_markup = _escaped_on(body, tag)
            if is_markup:
                problems.append(f"{url}: {tag} emitted as markup")
            if is_shown and tag in shown:
                shown[tag].append(url)
    assert problems == [], "\n".join(problems)
    never_shown = [FIELDS[tag] for tag, where in shown.items() if not where]
    assert never_shown == [], f"payloads no page displayed (so not checked): {never_shown}"
    # the places a person looks first
    assert "/styles/XSS-0001" in shown["style-name"]
    assert "/locations/XSS-STORE" in shown["location-name"]
    assert any(u.startswith("/admin/audit") for u in shown["user-name"])


def test_no_dialog_fires_and_nothing_is_injected_in_a_real_browser(app, seeded, live_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    page.goto(live_server + "/login")
    page.fill("input[name=email]", seeded["actor"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit].primary")
    page.wait_for_url(re.compile(r".*/$"))
    visited = 0
    for url in pages(app, seeded):
        response = page.goto(live_server + url)
        assert response is not None and response.status < 500, url
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited += 1
        injected = page.eval_on_selector_all("[id^=xss-]", "els => els.map(e => e.id)")
        assert injected == [], f"{url}: injected elements {injected}"
        assert page.evaluate("typeof window.__xss") == "undefined"
    assert visited >= 20
    assert dialogs == []


def test_names_read_through_the_scan_api_are_shown_as_text_on_the_batch_page(seeded, live_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server + "/login")
    page.fill("input[name=email]", seeded["actor"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit].primary")
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(live_server + "/scan/batch")
    page.select_option("#batch-action", "transfer")
    page.select_option("#f-to-location", STORE)
    page.fill("#scan-input", seeded["garments"][0].code)
    page.press("#scan-input", "Enter")
    line = page.locator("#batch-lines li").first
    # a scan is listed at once ("waiting") and gets its verdict when the server answers
    expect(line).to_contain_text("xss-style-name")  # the style's name, as text
    assert page.eval_on_selector_all("[id^=xss-]", "els => els.length") == 0
    assert dialogs == []
