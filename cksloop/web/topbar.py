"""The top bar of every signed-in page, from a fragment per role and language (cksloop.web.fragments).

Its menu asks ``may_open`` for fourteen pages and its scripts carry some twenty translated texts:
rendering it was about a fifth of a garment page. Only the CSRF token, the reader's name and id and
the page's own path (for the language switch to come back to) belong to one page.
"""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from cksloop.web import fragments
from cksloop.web.i18n import language

USER_NAME = "cksloop-fragment-user-name"
USER_ID = "cksloop-fragment-user-id"
NEXT_PATH = "cksloop-fragment-next-path"


def signed_in_topbar() -> Markup:
    """The signed-in reader's top bar, filled in for this page."""
    role = current_user.role

    def render() -> str:
        return render_template("_topbar.html", csrf=fragments.CSRF, user_name=USER_NAME, user_id=USER_ID,
                               next_path=NEXT_PATH)

    fragment = fragments.cache().html(("top bar", role, language()), render)
    return fragments.fill(fragment, {fragments.CSRF: generate_csrf(), USER_NAME: current_user.name,
                                     USER_ID: str(current_user.id), NEXT_PATH: request.full_path.rstrip("?")})


def init_app(app: Flask) -> None:
    app.jinja_env.globals["signed_in_topbar"] = signed_in_topbar
