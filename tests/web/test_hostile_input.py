"""Hostile input on every form and query parameter of the HTML pages, found by walking the URL map.

Every HTML page the app has (tests/route_map.py fills the URL arguments; garment pages are opened
for a garment in each state so every action form appears) is rendered for an administrator, and
every ``<form>`` on it is parsed. Each field of each form is then submitted with hostile values
(empty, 100,000 characters, RTL and emoji, NUL and control characters, negative, non-numeric and
absurd numbers, impossible dates, HTML/JS and SQL fragments), one field at a time with the other
fields as the page filled them, plus hypothesis-generated text in every field at once. Checked:
no answer is a 5xx; a refused request (4xx) writes nothing to the ledger and says why; no page
reflects markup unescaped. URL path arguments get the same treatment.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import Rule

from cksloop.db.models import GarmentEvent, OffcutLotEvent
from cksloop.domain.lifecycle import GarmentState, Role
from tests.builders import make_garment
from tests.route_map import Caller, Values, rules, url_for_rule

#: every field gets these; then the kinds below by what the field holds
CORE = ["", "x" * 100_000, "a\x00b", "<script>alert('xss')</script>", "-1", str(10**100)]
TEXT = ["\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # RTL override, Hebrew, Arabic
        "👗🧵✂️👩🏽‍🔧", "\x01\x07\x1b[31m\x7f", "line\r\nbreak\ttab", "\"><img src=x onerror=alert(1)>",
        "'; DROP TABLE garment_events; --", "' OR '1'='1", "{{7*7}}{% raw %}%s%n"]
NUMBER = ["   ", "0", "-99999999999", "1e309", "NaN", "12,34,56", "0x1F", "١٢"]
DATE = ["2026-02-30", "0000-00-00", "9999-12-31", "0001-01-01", "1899-12-31", "2026-13-01", "25/11/2026"]
NUMERIC_NAMES = ("version", "price", "cost", "days", "severity", "partner", "dpi", "start_at", "page",
                 "buyer_lot", "before", "user")
DATE_NAMES = ("from", "to", "since", "until", "due_on", "received_on")
SHARDS = 4  # the field-by-field walk is split so pytest-xdist can spread it over the cores


def values_for(f: "FormField") -> list[str]:
    """The hostile values worth sending to this field."""
    numeric = f.kind == "number" or any(word in f.name for word in NUMERIC_NAMES) or \
        (f.kind == "select" and f.options and all(o.isdigit() for o in f.options if o))
    dated = f.kind == "date" or f.name in DATE_NAMES or f.name.endswith("_on")
    out = CORE + (NUMBER if numeric else []) + (DATE if dated else [])
    if not numeric and not dated:
        out += TEXT
    return out


#: marks that must never come back unescaped in a page
RAW_MARKUP = ("<script>alert('xss')</script>", "<img src=x onerror=alert(1)>")

#: the garment state a page needs before it shows its form (by the path before <code>)
STATE_FOR_PAGE = {
    "/rentals/*/check-out": GarmentState.IN_RENTAL_POOL,
    "/rentals/*/return": GarmentState.RENTED_OUT,
    "/rentals/*/inspect": GarmentState.AWAITING_INSPECTION,
    "/rentals/*/care/finish": GarmentState.IN_CARE,
    "/rentals/*/care/start": GarmentState.IN_STOCK,
}
#: the garment page offers a different set of action forms in each state
GARMENT_PAGE_STATES = [GarmentState.IN_STOCK, GarmentState.IN_RENTAL_POOL, GarmentState.RENTED_OUT,
                       GarmentState.AWAITING_INSPECTION, GarmentState.IN_CARE, GarmentState.SOLD]


# --- reading forms out of a page ------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[FormField] = field(default_factory=list)

    def key(self, page: str) -> tuple[str, str, tuple[str, ...]]:
        """Forms are the same form when they post the same field names to the same route."""
        return (self.method, _route_shape(self.action or page), tuple(sorted({f.name for f in self.fields})))

    def defaults(self) -> dict[str, Any]:
        """What a person submitting the form untouched would send."""
        data: dict[str, Any] = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind == "file":
                data[f.name] = (io.BytesIO(b""), "")
                continue
            if f.kind in ("submit", "button", "image", "reset"):
                continue
            data.setdefault(f.name, f.value)
        return data


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("method", "get").upper(), a.get("action", ""),
                                   a.get("enctype", "application/x-www-form-urlencoded")))
        if not self.forms or "name" not in a and tag in ("input", "select", "textarea"):
            return
        form = self.forms[-1]
        if tag == "input":
            form.fields.append(FormField(a["name"], a.get("type", "text").lower(), a.get("value", ""),
                                         checked="checked" in a))
        elif tag == "select":
            self._select = FormField(a["name"], "select", "")
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or len(self._select.options) == 1:
                self._select.value = value
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea", "")
            form.fields.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def forms_on(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def _route_shape(url: str) -> str:
    # garment codes, ids and numbers vary between fresh pages; the route does not
    path = urlsplit(url).path
    return re.sub(r"/(CKSR?-[0-9A-Z]+|\d+)(?=/|$)", "/*", path)  # garment and offcut lot codes


# --- the pages of the app -------------------------------------------------------------------

class StateValues(Values):
    """Route values whose garment is in the state a page needs."""

    state: GarmentState = GarmentState.IN_STOCK

    def garment_code(self) -> str:
        return make_garment(self.session, state=self.state, now=self.now).code


@dataclass
class Source:
    """A page that shows forms: rebuilt with fresh rows whenever a write has changed them."""

    rule: Rule
    state: GarmentState | None

    def url(self, values: StateValues) -> str:
        values.state = self.state or GarmentState.IN_STOCK
        url, reason = url_for_rule(self.rule, values, Role.ADMIN)
        assert url is not None, reason
        return url


def html_sources(app: Any) -> list[Source]:
    """Every HTML page answering GET, once per garment state where the state changes its forms."""
    out = []
    for rule, method in rules(app):
        if method != "GET" or rule.rule.startswith(("/api/", "/static/")) or rule.endpoint == "auth.logout":
            continue
        if "code" in rule.arguments and rule.rule.startswith("/garments/"):
            out.extend(Source(rule, state) for state in GARMENT_PAGE_STATES)
            continue
        shape = re.sub(r"<[^>]+>", "*", rule.rule)
        out.append(Source(rule, STATE_FOR_PAGE.get(shape)))
    return out


@dataclass
class Target:
    source: Source
    key: tuple[str, str, tuple[str, ...]]
    form: Form

    def __repr__(self) -> str:
        return f"<form {self.key[0]} {self.key[1]} {list(self.key[2])}>"


class Walker:
    """An administrator's browser that knows every form of the app."""

    def __init__(self, app: Any, db_session: Any, world: dict[str, Any], now: dt.datetime):
        self.app, self.session = app, db_session
        self.values = StateValues(db_session, app, now, world)
        self.caller = Caller(app, db_session, Role.ADMIN, now)
        self.client = self.caller.client
        self.requests = 0

    def events(self) -> int:
        self.session.rollback()  # a fresh snapshot: the app wrote through its own connections
        return sum(self.session.scalar(select(func.count()).select_from(ledger)) or 0
                   for ledger in (GarmentEvent, OffcutLotEvent))  # garments' and offcut lots' ledgers

    def open(self, source: Source) -> tuple[str, str]:
        url = source.url(self.values)
        response = self.client.get(url)
        self.requests += 1
        assert response.status_code < 500, (url, response.status_code)
        return url, response.get_data(as_text=True) if response.mimetype == "text/html" else ""

    def targets(self) -> list[Target]:
        found: dict[tuple[str, str, tuple[str, ...]], Target] = {}
        for source in html_sources(self.app):
            page, html = self.open(source)
            for form in forms_on(html):
                if _route_shape(form.action) in ("/logout",) or form.action.startswith("/language/"):
                    continue  # signing out and the language switch have no fields worth attacking
                key = form.key(page)
                found.setdefault(key, Target(source, key, form))
        return list(found.values())

    def fresh_form(self, target: Target) -> tuple[str, Form] | None:
        page, html = self.open(target.source)
        for form in forms_on(html):
            if form.key(page) == target.key:
                return page, form
        return None

    def submit(self, page: str, form: Form, data: dict[str, Any]) -> Any:
        action = urljoin(page, form.action) if form.action else page
        self.requests += 1
        if form.method == "GET":
            base, _, query = action.partition("?")
            return self.client.get(base, query_string=data)
        multipart = form.enctype == "multipart/form-data"
        return self.client.post(action, data=data, content_type="multipart/form-data" if multipart else None)


def hostile_data(form: Form, name: str, value: str) -> dict[str, Any]:
    data = form.defaults()
    kind = next(f.kind for f in form.fields if f.name == name)
    if kind == "file":
        data[name] = (io.BytesIO(value.encode("utf-8", "surrogatepass")), "photo.jpg")
    else:
        data[name] = value
    return data


SAYS_WHY = re.compile(r'role="alert"|class="[^"]*\b(field-error|flash-error|error-page|[a-z-]*refused)\b')


def says_why(response: Any) -> bool:
    """A refusal the person can act on: a field message, an error flash, a refusal, an error page."""
    return SAYS_WHY.search(response.get_data(as_text=True)) is not None


def check(walker: Walker, page: str, form: Form, data: dict[str, Any], problems: list[str],
          what: str, visible: bool = True) -> bool:
    """Submit and record what is wrong; True when the request wrote to the ledger.

    A refusal must say why when the person could have typed the value; a tampered hidden field
    only has to be refused.
    """
    before = walker.events()
    response = walker.submit(page, form, data)
    after = walker.events()
    status = response.status_code
    where = f"{form.method} {_route_shape(form.action or page)} {what}"
    if status >= 500:
        problems.append(f"{where}: answered {status}")
    elif 400 <= status < 500:
        if after != before:
            problems.append(f"{where}: refused with {status} but wrote {after - before} event(s)")
        if status not in (401, 403, 404, 405, 429) and visible and not says_why(response):
            problems.append(f"{where}: refused with {status} without a message")
    if form.method == "GET" and after != before:
        problems.append(f"{where}: a GET wrote {after - before} event(s)")
    body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    for mark in RAW_MARKUP:
        if mark in body:
            problems.append(f"{where}: the page shows {mark!r} unescaped")
    return after != before


# --- the tests --------------------------------------------------------------------------------

@pytest.fixture
def walker(app, db_session, world, now) -> Walker:
    return Walker(app, db_session, world, now)


def test_the_walk_finds_the_forms_of_every_kind_of_page(walker):
    targets = walker.targets()
    routes = {t.key[1] for t in targets}
    # a tripwire for the walker itself: the sign-in, the garment actions, the rental screens,
    # the filters of the lists and the audit trail are all reached
    for expected in ("/garments", "/garments/*/actions/check_out_rental", "/rentals/*/check-out",
                     "/rentals/*/return", "/admin/audit"):
        assert expected in routes, sorted(routes)
    assert len(targets) >= 20


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_field_of_every_form_survives_hostile_values_and_refusals_write_nothing(walker, shard):
    problems: list[str] = []
    fields_checked = 0
    for target in walker.targets()[shard::SHARDS]:
        fresh = walker.fresh_form(target)
        assert fresh is not None, target.key
        page, form = fresh
        # repeated rows (defects-0-…, defects-1-…) validate alike: the first row stands for all
        chosen = {f.name: f for f in form.fields if f.name != "csrf_token"
                  and f.kind not in ("submit", "button", "image", "reset")
                  and not re.search(r"-[1-9]\d*-", f.name)}
        for name, f in sorted(chosen.items()):
            fields_checked += 1
            for value in values_for(f):
                wrote = check(walker, page, form, hostile_data(form, name, value), problems,
                              f"{name}={value[:30]!r}", visible=f.kind != "hidden")
                if wrote:  # the page's garment moved on: carry on with a fresh one
                    fresh = walker.fresh_form(target)
                    if fresh is None:
                        break
                    page, form = fresh
    assert fields_checked >= 10
    assert problems == [], f"{len(problems)} problems in {walker.requests} requests:\n" + "\n".join(problems[:60])


def test_every_form_with_all_fields_hostile_at_once_is_refused_cleanly(walker):
    problems: list[str] = []
    for target in walker.targets():
        fresh = walker.fresh_form(target)
        assert fresh is not None, target.key
        page, form = fresh
        for value in CORE + TEXT[:2]:
            data = form.defaults()
            for f in form.fields:
                if f.name != "csrf_token" and f.kind not in ("submit", "button", "image", "reset"):
                    data.update({f.name: hostile_data(form, f.name, value)[f.name]})
            if check(walker, page, form, data, problems, f"all fields={value[:30]!r}"):
                fresh = walker.fresh_form(target)
                if fresh is None:
                    break
                page, form = fresh
    assert problems == [], "\n".join(problems[:60])


def _any_text(max_size: int) -> st.SearchStrategy[str]:
    # any code point that can travel in a UTF-8 form (no lone surrogates), control characters included
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size)


def strategy_for(f: FormField) -> st.SearchStrategy[str]:
    """Generated values shaped like what the field expects, and not."""
    numeric = f.kind == "number" or any(word in f.name for word in NUMERIC_NAMES)
    dated = f.kind == "date" or f.name in DATE_NAMES or f.name.endswith("_on")
    if numeric:
        return st.one_of(st.integers().map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
                         _any_text(20))
    if dated:
        return st.one_of(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
                         st.integers(-10**6, 10**6).map(str), _any_text(20))
    if f.kind == "select" and f.options:
        return st.one_of(st.sampled_from(f.options), _any_text(40))
    return _any_text(400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_generated_values_in_every_field_of_a_form_never_break_it(walker_cache, data):
    walker, targets = walker_cache
    target = data.draw(st.sampled_from(targets), label="form")
    fresh = walker.fresh_form(target)
    assert fresh is not None, target.key
    page, form = fresh
    values = form.defaults()
    for f in form.fields:
        if f.name == "csrf_token" or f.kind in ("submit", "button", "image", "reset", "file"):
            continue
        values[f.name] = data.draw(strategy_for(f), label=f.name)
    problems: list[str] = []
    check(walker, page, form, values, problems, "generated values", visible=False)
    assert problems == [], "\n".join(problems)


class WalkerCache(tuple):
    """(walker, forms), printed briefly when hypothesis reports a failing example."""

    def __repr__(self) -> str:
        return f"<admin walker, {len(self[1])} forms>"


@pytest.fixture
def walker_cache(walker) -> WalkerCache:
    """The walker and its forms, found once for all hypothesis examples of a test."""
    return WalkerCache((walker, walker.targets()))


PATH_VALUES = ["<script>alert(1)</script>", "x" * 10_000, "%00", "%E2%80%AE", "..%2F..%2Fetc", "-1",
               str(10**100), "CKS-%F0%9F%91%97", "' OR 1=1 --"]


def _hostile_urls(app: Any) -> Iterator[tuple[str, str]]:
    for rule, method in rules(app):
        if not rule.arguments or rule.endpoint in ("static", "auth.logout"):
            continue
        for value in PATH_VALUES:
            url = re.sub(r"<[^>]+>", value if "%" in value else quote(value, safe=""), rule.rule)
            yield method, url


def test_hostile_url_arguments_on_every_route_are_answered_without_a_5xx(app, walker):
    problems: list[str] = []
    for method, url in _hostile_urls(app):
        before = walker.events()
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {walker.caller.token}"}
            response = walker.client.open(url, method=method, json={"action": "sell"}, headers=headers)
        elif method == "GET":
            response = walker.client.get(url)
        else:
            response = walker.client.open(url, method=method, data={"csrf_token": walker.caller.csrf})
        if response.status_code >= 500:
            problems.append(f"{method} {url[:120]} → {response.status_code}")
        if walker.events() != before:
            problems.append(f"{method} {url[:120]} wrote to the ledger")
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        if "<script>alert(1)</script>" in body:
            problems.append(f"{method} {url[:120]} reflects the script unescaped")
    assert problems == [], "\n".join(problems[:60])


def test_the_sign_in_form_survives_hostile_values(app):
    from tests.conftest import csrf_from

    problems: list[str] = []
    client = app.test_client()
    forms = forms_on(client.get("/login").get_data(as_text=True))
    sign_in_form = next(f for f in forms if {"email", "password"} <= {x.name for x in f.fields})
    for i, value in enumerate(CORE + TEXT):
        for name in ("email", "password"):
            here = {"REMOTE_ADDR": f"10.9.{i}.{len(name)}"}  # its own address: the throttle stays out of it
            token = csrf_from(client.get("/login", environ_base=here).get_data(as_text=True))
            data = {**sign_in_form.defaults(), "csrf_token": token, "email": "someone@cks.example",
                    "password": "wrong password!", name: value}
            response = client.post("/login", data=data, environ_base=here)
            if response.status_code >= 500 or response.status_code in (200, 302):
                problems.append(f"{name}={value[:30]!r} → {response.status_code}")
            elif not says_why(response):
                problems.append(f"{name}={value[:30]!r} → {response.status_code} without a message")
    assert problems == [], "\n".join(problems)
