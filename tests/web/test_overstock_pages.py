"""The overstock pages: the review's figures as hand-computed, the drill-down's lists, the exports, who may open them, bad input."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cksloop.db.models import CollectionRulesVersion
from cksloop.domain.lifecycle import Role
from cksloop.services import overstock
from tests.services.test_overstock import build_fixture

SEASON, STYLE = "AW26", "AW26-0301"
PAGES = ["/overstock", f"/overstock/{SEASON}/{STYLE}", f"/overstock/{SEASON}/{STYLE}/garments",
         f"/overstock.csv?season={SEASON}", f"/overstock.xlsx?season={SEASON}", f"/overstock/{SEASON}/rules",
         f"/overstock/{SEASON}/plans"]


def signed_in(login, role: Role, language: str = "en", **kwargs):
    """A signed-in client whose browser asks for ``language``."""
    client = login(role, **kwargs)
    client.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def cells(html: str, row_attribute: str) -> dict[str, list[str]]:
    """The figures of one table row (``data-style="…"``, ``data-size="…"``…) as the texts in each cell."""
    row = re.search(r"<tr[^>]*" + re.escape(row_attribute) + r"[^>]*>(.*?)</tr>", html, re.S)
    assert row, row_attribute
    found = {}
    for figure, inner in re.findall(r'<td[^>]*data-figure="([a-z_]+)"[^>]*>(.*?)</td>', row.group(1), re.S):
        found[figure] = [t for t in re.split(r"[\s/]+", re.sub(r"<[^>]+>", " ", inner)) if t]
    return found


def test_the_review_page_shows_every_figure_as_computed_by_hand(login, db_session, now):
    build_fixture(db_session, now)
    html = signed_in(login, Role.MERCHANDISER, "en").get(f"/overstock?season={SEASON}").get_data(as_text=True)
    shown = cells(html, f'data-style="{STYLE}"')
    # 12 received; sold 5 net (stores 4 = 5 − 1 return, outlet 1); on hand 7 (stores 2, warehouse 4, outlet 1)
    assert shown["planned"] == ["20"] and shown["received"] == ["12"] and shown["returned"] == ["1"]
    assert shown["sold"] == ["5", "4", "1", "0", "0"]
    assert shown["on_hand"] == ["7", "2", "4", "1", "0"]
    # 5 ÷ 12 = 41.7 %; 7 on hand ÷ 0.5 a week; 70 days; 1 − 61000 ÷ 70000 = 12.9 %; nothing in the pool
    assert shown["sell_through_pct"] == ["42%"] and shown["weeks_of_cover"] == ["14.0"]
    assert shown["age_days"] == ["70"] and shown["markdown_depth_pct"] == ["13%"]
    assert shown["rental_pool_share_pct"] == ["0%"]
    # the flags name their rule and the rules version; the proposals come best first
    assert 'data-rule="below_plan"' in html and 'data-rule="cover"' in html and "rules version 2" in html
    proposals = re.findall(r"<li><strong>([^<]+)</strong>", html)
    assert proposals[:4] == ["Transfer to the stores that sell it", "Mark down", "Move to the outlet",
                             "Sell to a buyer"]
    assert html.count("<svg viewBox") == 3 and "<title>Sell-through against the plan" in html


def test_the_page_speaks_the_readers_language_for_numbers(login, db_session, now):
    build_fixture(db_session, now)
    html = signed_in(login, Role.MERCHANDISER, "nl").get(f"/overstock?season={SEASON}").get_data(as_text=True)
    shown = cells(html, f'data-style="{STYLE}"')
    assert shown["weeks_of_cover"] == ["14,0"] and shown["sell_through_pct"] in (["42%"], ["42", "%"])


def test_the_drill_down_splits_the_style_by_size_and_location_and_adds_up(login, db_session, now):
    build_fixture(db_session, now)
    html = signed_in(login, Role.MERCHANDISER, "en").get(f"/overstock/{SEASON}/{STYLE}").get_data(as_text=True)
    small, medium = cells(html, 'data-size="S"'), cells(html, 'data-size="M"')
    # S: units 0 2 4 to the store (all sold), 6 sold at the outlet, 8 and 10 in the warehouse
    assert small["sold"] == ["4", "3", "1", "0", "0"] and small["on_hand"] == ["2", "0", "2", "0", "0"]
    # M: 1 and 3 sold at the store, 3 returned; 3 and 5 at the store, 7 at the outlet, 9 and 11 in the warehouse
    assert medium["sold"] == ["1", "1", "0", "0", "0"] and medium["returned"] == ["1"]
    assert medium["on_hand"] == ["5", "2", "2", "1", "0"]
    store = cells(html, 'data-location="ANT-MEIR"')
    assert store["sold"][0] == "4" and store["on_hand"][0] == "2"


def _listed(client, **query) -> int:
    response = client.get(f"/overstock/{SEASON}/{STYLE}/garments", query_string=query)
    assert response.status_code == 200
    return len(re.findall(r'<a href="/garments/[^"]+">', response.get_data(as_text=True)))


def test_each_figure_links_to_a_list_of_exactly_that_many_garments(login, db_session, now):
    build_fixture(db_session, now)
    client = signed_in(login, Role.MERCHANDISER, "en")
    (line,) = overstock.review(db_session, season=SEASON, as_of=now.date()).lines
    figures = line.as_dict()
    assert _listed(client, figure="received") == figures["received"] == 12
    assert _listed(client, figure="on_hand") == figures["on_hand"]
    assert _listed(client, figure="sold") == figures["sold"]
    for part, n in figures["sold_by_channel"].items():
        assert _listed(client, figure="sold", part=part) == n
    for part, n in figures["on_hand_by_location_type"].items():
        assert _listed(client, figure="on_hand", part=part) == n
    assert _listed(client, figure="sold", size="M") == 1 and _listed(client, figure="on_hand", size="S") == 2
    assert _listed(client, figure="on_hand", location="ANT-MEIR") == 2


def test_the_exports_read_back_equal_the_pages_figures(login, db_session, now):
    build_fixture(db_session, now)
    client = signed_in(login, Role.MERCHANDISER, "en")
    (line,) = overstock.review(db_session, season=SEASON, as_of=now.date()).lines
    figures = line.as_dict()
    expected = [STYLE, 20, 12, 5, 4, 1, 0, 0, 1, 7, 2, 4, 1, 0, 42, 14.0, 70, 13, 0]
    assert expected == [figures[k] for k in ("style", "planned", "received", "sold")] + \
        list(figures["sold_by_channel"].values()) + [figures["returned"], figures["on_hand"]] + \
        list(figures["on_hand_by_location_type"].values()) + \
        [figures[k] for k in ("sell_through_pct", "weeks_of_cover", "age_days", "markdown_depth_pct",
                              "rental_pool_share_pct")]
    response = client.get(f"/overstock.csv?season={SEASON}")
    assert f"cksloop-overstock-{SEASON}-{now.date().isoformat()}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Collection", SEASON] and rows[1] == ["Review date", now.date().isoformat()]
    row = next(r for r in rows if r and r[0] == STYLE)
    assert row[:19] == [str(v) for v in expected]
    assert row[19].startswith("below_plan: ") and row[20].startswith("1. transfer: ")
    book = load_workbook(io.BytesIO(client.get(f"/overstock.xlsx?season={SEASON}").data))
    sheet_rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert sheet_rows[0][:2] == ["Collection", SEASON]
    assert next(r for r in sheet_rows if r and r[0] == STYLE)[:19] == expected


def test_a_style_name_starting_like_a_formula_is_exported_as_text(login, db_session, now):
    from cksloop.web.overstock.export import cells as export_cells
    line = {"style": "=HYPERLINK(1)", "planned": None, "received": 0, "sold": 0, "returned": 0, "on_hand": 0,
            "sold_by_channel": {c: 0 for c in ("store", "outlet", "rental_sale", "buyer")},
            "on_hand_by_location_type": {t: 0 for t in ("store", "warehouse", "outlet", "rental_pool")},
            "sell_through_pct": None, "weeks_of_cover": None, "age_days": None, "markdown_depth_pct": None,
            "rental_pool_share_pct": None, "flags": [], "proposals": []}
    from cksloop.web.overstock.export import as_csv
    with signed_in(login, Role.MERCHANDISER, "en").client.application.test_request_context():
        body = as_csv([("Collection", "AW26")], [line]).decode("utf-8")
        assert export_cells(line)[15] == "no sales"
    assert "'=HYPERLINK(1)" in body


def test_saving_rules_makes_the_next_version_and_the_review_names_it(login, db_session, now):
    build_fixture(db_session, now)  # version 2 saved
    client = signed_in(login, Role.MERCHANDISER, "en", name="Mira Merch")
    response = client.post(f"/overstock/{SEASON}/rules", data={"save": "rules", "max_weeks_of_cover": "20",
                                                               "max_age_weeks": "8", "min_units_on_hand": "5"})
    assert response.status_code == 302
    page = client.get(f"/overstock/{SEASON}/rules").get_data(as_text=True)
    assert "version 3" in page and "Mira Merch" in page
    rules = overstock.rules_for(db_session, season=SEASON)
    assert (rules.version, rules.max_weeks_of_cover, rules.max_age_weeks) == (3, 20.0, 8)
    html = client.get(f"/overstock?season={SEASON}").get_data(as_text=True)
    # cover 14.0 is under 20 now; the mean age of 70 days is above 8 weeks
    assert 'data-rule="cover"' not in html and 'data-rule="age"' in html and "rules version 3" in html


@pytest.mark.parametrize("form", [{"max_weeks_of_cover": "0"}, {"max_age_weeks": "-2"}, {"plan": "zigzag"},
                                  {"plan_tolerance_pct": "abc"}, {"end_of_season_pct": "150"}])
def test_bad_rules_are_refused_with_a_message_and_nothing_saved(login, db_session, now, form):
    build_fixture(db_session, now)
    client = signed_in(login, Role.MERCHANDISER, "en")
    response = client.post(f"/overstock/{SEASON}/rules", data={"save": "rules", **form})
    assert response.status_code == 422 and 'class="field-error"' in response.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalar(select(func.max(CollectionRulesVersion.version))
                             .where(CollectionRulesVersion.season == SEASON)) == 2


@pytest.mark.parametrize("form", [{"steps": "10:50, 6:30"}, {"steps": "6:100"}, {"steps": "6:0"},
                                  {"floor_pct": "101"}, {"ending_cents": "150"}, {"steps": "six weeks"},
                                  {"steps": "6:30, 10:80", "floor_pct": "30"}])
def test_a_bad_markdown_policy_is_refused_with_the_reason(login, db_session, now, form):
    client = signed_in(login, Role.MERCHANDISER, "en")
    build_fixture(db_session, now)
    response = client.post(f"/overstock/{SEASON}/rules", data={"save": "policy", **form})
    assert response.status_code == 422 and 'role="alert"' in response.get_data(as_text=True)
    db_session.rollback()
    assert overstock.policy_for(db_session, season=SEASON).version == 1


def test_a_markdown_policy_saves_as_the_next_version(login, db_session, now):
    build_fixture(db_session, now)
    client = signed_in(login, Role.ADMIN, "en")
    response = client.post(f"/overstock/{SEASON}/rules", data={"save": "policy", "steps": "4:20, 8:40",
                                                               "floor_pct": "40", "ending_cents": "99"})
    assert response.status_code == 302
    policy = overstock.policy_for(db_session, season=SEASON)
    assert (policy.version, [(s.after_weeks, s.percent) for s in policy.steps], policy.floor_pct,
            policy.ending_cents) == (2, [(4, 20), (8, 40)], 40, 99)
    assert "4:20, 8:40" in client.get(f"/overstock/{SEASON}/rules").get_data(as_text=True)


def test_plans_typed_on_the_page_are_saved_through_the_plans_import(login, db_session, now):
    build_fixture(db_session, now)
    client = signed_in(login, Role.MERCHANDISER, "en")
    bad = client.post(f"/overstock/{SEASON}/plans", data={f"planned_{STYLE}": "-3", f"short_{STYLE}": "10"})
    assert bad.status_code == 422 and f"{STYLE}: " in bad.get_data(as_text=True)
    db_session.rollback()
    assert overstock.review(db_session, season=SEASON, as_of=now.date()).lines[0].line.planned == 20
    good = client.post(f"/overstock/{SEASON}/plans", data={f"planned_{STYLE}": "30", f"short_{STYLE}": "40"})
    assert good.status_code == 302
    db_session.rollback()
    assert overstock.review(db_session, season=SEASON, as_of=now.date()).lines[0].line.planned == 30


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
def test_store_staff_and_workshop_organisers_are_refused_every_overstock_page(login, db_session, now, role):
    build_fixture(db_session, now)
    client = login(role)
    assert [client.get(url).status_code for url in PAGES] == [403] * len(PAGES)
    assert client.post(f"/overstock/{SEASON}/rules", data={"save": "rules"}).status_code in (400, 403)
    assert "/overstock" not in client.get("/").get_data(as_text=True)


def test_merchandisers_find_the_review_in_the_menu_and_on_the_home_page(login, db_session, now):
    html = signed_in(login, Role.MERCHANDISER, "en").get("/").get_data(as_text=True)
    assert html.count('href="/overstock"') == 2


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/overstock?as_of=2999-01-01", 422, "A review cannot look at a date in the future."),
    ("/overstock?as_of=yesterday", 422, "Must be a date (YYYY-MM-DD) from 2000 on."),
    ("/overstock?season=XX99", 422, "No collection XX99"),
    ("/overstock?season=SS11", 422, "No collection SS11"),
    ("/overstock.csv?as_of=2999-01-01", 422, "in the future"),
    (f"/overstock/SS11/{STYLE}", 404, "No collection SS11."),
    (f"/overstock/{SEASON}/NOPE-1", 404, "No style NOPE-1 in this collection."),
    (f"/overstock/{SEASON}/{STYLE}?as_of=2999-01-01", 422, "in the future"),
    (f"/overstock/{SEASON}/{STYLE}/garments?figure=wishes", 422, "Choose received, sold or on hand."),
    (f"/overstock/{SEASON}/{STYLE}/garments?figure=sold&part=moon", 422, "Choose a channel or a location type."),
    ("/overstock/SS11/rules", 404, "No collection SS11."),
])
def test_bad_input_answers_a_message_and_never_a_500(login, db_session, now, url, status, message):
    build_fixture(db_session, now)
    response = signed_in(login, Role.MERCHANDISER, "en").get(url)
    assert response.status_code == status and message in response.get_data(as_text=True)
