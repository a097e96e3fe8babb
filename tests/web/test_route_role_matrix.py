"""Every route × every role, read from the app's own URL map, so a new route is covered by construction.

For each rule and method the test asks the route as an anonymous visitor and as each role:
public endpoints answer without sign-in; other pages send anonymous visitors to /login and the
API answers them 401; a role the route does not allow gets 403; an allowed role never gets 401,
403, a sign-in redirect or a 500. URL arguments are filled with real values by argument name
(and, where a name means different things, by the path before it: tests/route_map.py). A new
route with an argument nobody taught it to fill fails loudly, naming the rule.
"""
from __future__ import annotations

from typing import Any

import pytest

from cksloop.domain.lifecycle import Role
from cksloop.web.guards import PUBLIC_ENDPOINTS, roles_for
from tests.route_map import ANONYMOUS, SIGN_IN_PATH, SIGNS_OUT, Caller, Values, rules, url_for_rule


def _verdict(endpoint: str, url: str, role: Role | str, response: Any) -> str | None:
    """What is wrong with ``response``, or None when it is what the guard table promises."""
    status = response.status_code
    to_sign_in = status in (301, 302, 303) and (response.location or "").startswith(SIGN_IN_PATH)
    if status >= 500:
        return f"answered {status}"
    allowed = roles_for(endpoint)
    if allowed is None:  # public
        if url.startswith("/api/"):
            return None if role != ANONYMOUS or status == 401 else f"public API answered {status}, not 401"
        return f"public page answered {status}" if to_sign_in or status in (401, 403) else None
    if role == ANONYMOUS:
        if url.startswith("/api/"):
            return None if status == 401 else f"answered {status} to an anonymous API call, not 401"
        return None if to_sign_in else f"answered {status} to an anonymous visitor, not a redirect to sign in"
    if role in allowed:
        if status in (401, 403) or (to_sign_in and endpoint not in SIGNS_OUT):
            return f"refused an allowed role with {status}"
        return None
    return None if status == 403 else f"answered {status} to a role it does not allow, not 403"


def test_every_route_argument_can_be_filled(app, db_session, world, now):
    values = Values(db_session, app, now, world)
    with app.test_request_context():
        problems = [reason for rule, _ in rules(app) for reason in [url_for_rule(rule, values, Role.ADMIN)[1]] if reason]
    assert problems == [], "routes the matrix cannot reach:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", [ANONYMOUS, *Role], ids=str)
def test_every_route_answers_each_role_as_the_guard_table_says(app, db_session, world, now, role):
    values = Values(db_session, app, now, world)
    caller = Caller(app, db_session, role, now)
    problems, checked = [], 0
    for rule, method in rules(app):
        # end the test session's read snapshot: a request may have written since (the language
        # switch saves the user's choice), and on SQLite (WAL) a stale snapshot cannot write
        db_session.rollback()
        url, reason = url_for_rule(rule, values, role)
        if url is None:
            problems.append(reason)
            continue
        response = caller.ask(method, url)
        with app.test_request_context():
            wrong = _verdict(rule.endpoint, url, role, response)
        if wrong:
            problems.append(f"{method} {url} ({rule.endpoint}) as {role}: {wrong}")
        checked += 1
    assert checked == len(rules(app))
    assert problems == [], "\n".join(problems)


def test_public_endpoints_are_a_short_explicit_list(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    public = sorted(registered & PUBLIC_ENDPOINTS)
    # sign-in, language, static files, the favicon and web app manifest (browsers fetch them
    # without the session), the offline scan pages' service worker (a script, no data), and the
    # customer's product page behind a label's QR code
    assert set(public) <= {"static", "auth.login", "auth.set_language", "public.product_by_code",
                           "public.product_by_gtin", "site.favicon", "site.manifest", "site.service_worker"}, public
    assert {"static", "auth.login"} <= set(public)


def test_a_view_without_allow_is_refused_to_everyone(app, db_session, world, now):
    # deny by default: a route someone forgot to protect answers 403 even to an admin
    @app.get("/__unguarded")
    def unguarded() -> str:
        return "secret"

    admin = Caller(app, db_session, Role.ADMIN, now)
    assert admin.ask("GET", "/__unguarded").status_code == 403
    anonymous = app.test_client().get("/__unguarded")
    assert anonymous.status_code == 302 and anonymous.location.startswith(SIGN_IN_PATH)
