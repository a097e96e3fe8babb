"""Dates, numbers and money as a Belgian reads them in each language (nl_BE, fr_BE; English as en_IE),
defect names instead of codes, and the API's human message in the caller's saved language."""
from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import catalogue, preferences, rentals, tokens
from tests.builders import STORE, make_garment, make_user

PERIOD = "from=2026-01-01&to=2026-12-31"
#: what Babel writes between a French number and its unit: a no-break space before % and €,
#: a narrow no-break space between thousands
NBSP, NNBSP = "\xa0", "\u202f"


HIDDEN = ("script", "style", "title")


class _VisibleText(HTMLParser):
    """The text a person sees (no tags, no attribute values such as a title's hint)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(response) -> str:
    parser = _VisibleText()
    parser.feed(response.get_data(as_text=True))
    return " ".join(parser.parts)


def choose(client, lang: str) -> None:
    assert client.post(f"/language/{lang}", data={"next": "/"}).status_code == 302


def _returned_after(db_session, now, hours: float, *, defects: list[dict]) -> str:
    """A garment rented out at ``now`` and back ``hours`` later as a quality return: its code."""
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=now)
    actor = make_user(db_session, Role.ADMIN)
    rentals.record_return(db_session, code=garment.code, actor=actor, now=now + dt.timedelta(hours=hours),
                          details={"reason": "quality_return", "grade": "C", "defects": defects})
    return garment.code


def _rental_quality(client) -> str:
    response = client.get(f"/reports/rental-quality?{PERIOD}")
    assert response.status_code == 200
    return visible(response)


def _defects_cells(page_html: str) -> list[str]:
    """The visible text of the report tables' "defects by type" cells."""
    cells = re.findall(r'<td>((?:<span class="defect"[^>]*>[^<]*</span> \d+(?: · )?)+)</td>', page_html)
    assert cells, "no defects cell in the report"
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]


def test_a_dutch_report_writes_decimal_commas_and_day_first_dates(login, db_session, now):
    _returned_after(db_session, now, 36, defects=[{"code": "SNAG", "zone": "front", "severity": 3}])
    merch = login(Role.MERCHANDISER)
    choose(merch, "nl")
    page = _rental_quality(merch)
    # 36 hours rented: one and a half days, the way a Fleming writes it
    assert "1,5" in page and "1.5" not in page
    # the statement's period, day first ("1 jan 2026"), never the ISO or US order
    assert "1 jan 2026" in page and "31 dec 2026" in page
    assert "2026-01-01" not in page and "1/1/26" not in page

    returns = visible(merch.get(f"/rentals/returns?{PERIOD}"))
    assert "1,5" in returns and "1.5" not in returns  # the days out
    back = (now + dt.timedelta(hours=36)).astimezone(dt.timezone(dt.timedelta(hours=1)))  # Brussels in November
    assert back.strftime("%d/%m/%Y") in returns, returns  # the short date: day/month/year


def test_french_percentages_and_prices_have_the_space_babel_writes(login, db_session, world, now):
    _returned_after(db_session, now, 36, defects=[{"code": "STN", "zone": "front", "severity": 2}])
    admin = make_user(db_session, Role.ADMIN)
    garment = catalogue.receive_garment(db_session, style=world["dress"], size=world["dress"].size_list[1],
                                        location_code=STORE, actor=admin, now=now, price_cents=123450)
    merch = login(Role.MERCHANDISER)
    choose(merch, "fr")
    report = _rental_quality(merch)
    # every return was a quality return: 100 %, with the no-break space a French reader expects
    assert f"100{NBSP}%" in report and "100%" not in report
    assert "1,5" in report and "1 janv. 2026" in report

    page = visible(merch.get(f"/garments/{garment.code}"))
    assert f"1{NNBSP}234,50{NBSP}€" in page
    assert "€1,234.50" not in page and "1234.50" not in page


def test_english_pages_put_the_day_first_and_keep_english_numbers(login, db_session, world, now):
    _returned_after(db_session, now, 36, defects=[{"code": "FIT", "zone": "back", "severity": 1}])
    admin = make_user(db_session, Role.ADMIN)
    garment = catalogue.receive_garment(db_session, style=world["dress"], size=world["dress"].size_list[1],
                                        location_code=STORE, actor=admin, now=now, price_cents=123450)
    merch = login(Role.MERCHANDISER)
    choose(merch, "en")
    report = _rental_quality(merch)
    assert "1 Jan 2026" in report and "31 Dec 2026" in report
    assert "Jan 1, 2026" not in report and "2026-01-01" not in report
    returns = visible(merch.get(f"/rentals/returns?{PERIOD}"))
    back = (now + dt.timedelta(hours=36)).astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert back.strftime("%d/%m/%Y") in returns  # 26/11/2026, not the US 11/26/26
    assert f"{back.month}/{back.day}/{back:%y}" not in returns
    assert re.search(r"\b\d{1,2}:\d{2}\s?[AP]M\b", returns) is None  # a 24-hour clock
    # the numbers an English reader reads: a decimal point and the euro before the amount
    assert "1.5" in returns
    assert "€1,234.50" in visible(merch.get(f"/garments/{garment.code}"))


def test_the_rental_quality_tables_name_the_defects_in_dutch_and_french(login, db_session, now):
    _returned_after(db_session, now, 36, defects=[{"code": "FIT", "zone": "back", "severity": 1},
                                                 {"code": "STN", "zone": "front", "severity": 2}])
    merch = login(Role.MERCHANDISER)
    names = {"nl": ("vlek", "uitgerekt, uitgezakt"), "fr": ("tache", "étiré, distendu")}
    for lang, (stain, stretched) in names.items():
        choose(merch, lang)
        cells = _defects_cells(merch.get(f"/reports/rental-quality?{PERIOD}").get_data(as_text=True))
        for cell in cells:  # one per table: style, material, supplier, season
            assert stain in cell and stretched in cell, (lang, cell)
            assert "FIT" not in cell and "STN" not in cell, (lang, cell)


def test_the_api_message_speaks_the_saved_language_of_the_tokens_user(db_session, client, now):
    user = make_user(db_session, Role.MERCHANDISER)
    preferences.set_language(db_session, user_id=user.id, language="fr", languages=["nl", "fr", "en"])
    token = tokens.create_token(db_session, email=user.email, label="till", now=now)
    reader = tokens.create_token(db_session, email=user.email, label="reader", now=now, read_only=True)
    english_browser = {"Accept-Language": "en"}

    missing = client.get("/api/v1/garments/CKS-99999",
                         headers={"Authorization": f"Bearer {token}", **english_browser})
    assert missing.status_code == 404
    assert missing.json["error"] == "not_found"  # the code stays English
    assert missing.json["message"] == "Aucun article avec le code CKS-99999."

    # refused before any view runs: still in the token user's language
    refused = client.post("/api/v1/garments/CKS-99999/actions", json={},
                          headers={"Authorization": f"Bearer {reader}", **english_browser})
    assert refused.status_code == 403 and refused.json["error"] == "read_only_token"
    assert refused.json["message"].startswith("Ce jeton d'API ne permet que la lecture")

    # no token, no saved language: the browser's (English here) still decides
    anonymous = client.get("/api/v1/garments/CKS-99999", headers=english_browser)
    assert anonymous.status_code == 401 and anonymous.json["message"].startswith("Sign in")
