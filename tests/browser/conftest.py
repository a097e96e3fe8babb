"""Browser fixtures: Debian's chromium under Playwright, a phone-sized page, against ``live_server``.

``live_server`` (tests/conftest.py) serves the test app from a real threaded server on a free
127.0.0.1 port. The browser is Debian's /usr/bin/chromium (no Playwright browser download), with
the network chatter switched off because this machine reaches no outside hosts. Every test in
this folder is marked ``browser``.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent
from cksloop.domain.lifecycle import Action

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-default-apps",
                  "--no-first-run", "--disable-features=Translate,MediaRouter"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "en-GB", "timezone_id": "Europe/Brussels"}
HERE = Path(__file__).parent
#: axe-core impacts that fail a test (issue 20); minor and moderate ones are reported, not failed
FAILING_IMPACTS = ("serious", "critical")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# module scope, not session: a test module may start its own Playwright, and two sync
# Playwright instances cannot run at once in one thread
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium", pytrace=False)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A phone-sized page (390×844) that fails the test on a JavaScript error or a CSP violation."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    assert problems == [], "\n".join(problems)


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    """A laptop-sized page (1366×768), for the roles that work at a desk."""
    context = browser.new_context(**LAPTOP)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical axe-core violations on the page as it is now.

    axe-playwright-python injects the axe-core it bundles (no download), so this runs offline."""
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """One line per failing node: rule, impact, what axe says, and the element."""
    return "\n".join(f"{v['id']} ({v['impact']}): {node.get('failureSummary', v['help'])!r} at {node['target']}"
                     for v in violations for node in v["nodes"])


def assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {what} ({page.url}):\n{describe(violations)}"


def wait_until_true(page: Page, expression: str, *, timeout_s: float = 30.0) -> None:
    """Poll ``expression`` in the page until it is true. Playwright's wait_for_function evaluates its
    predicate with eval while polling, which the app's Content-Security-Policy (rightly) forbids."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(100)


def ledger_counts(session: Session, codes: list[str], action: Action) -> dict[str, int]:
    """How many ``action`` events the ledger holds per garment code (what the browser wrote, read
    afresh: the test's own session may hold an older snapshot)."""
    session.rollback()
    rows = session.execute(select(Garment.code, func.count(GarmentEvent.id))
                           .join(GarmentEvent, GarmentEvent.garment_id == Garment.id)
                           .where(Garment.code.in_(codes), GarmentEvent.action == action)
                           .group_by(Garment.code)).all()
    return {code: dict(rows).get(code, 0) for code in codes}
