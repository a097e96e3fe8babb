"""Language choice (Dutch by default; French or English on request) and translation of domain texts."""
from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import flask_babel
from babel import numbers, support
from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from wtforms.i18n import messages_path

from cksloop.domain import messages
from cksloop.domain.errors import DomainError
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason, Zone
from cksloop.domain.lifecycle import Action, GarmentState, Role


#: The request's catalogue, found on its first use. flask-babel finds it again through the app
#: context on every call (a garment page makes ~100); outside a request this is None and
#: flask-babel's own lookup answers.
_CATALOGUE: ContextVar[list[support.NullTranslations] | None] = ContextVar("cksloop_catalogue", default=None)


def _translations() -> support.NullTranslations:
    holder = _CATALOGUE.get()
    if holder is None:
        return flask_babel.get_translations()
    if not holder:
        holder.append(flask_babel.get_translations())
    return holder[0]


def gettext(string: str, **variables: Any) -> str:
    """flask_babel.gettext for the labels and templates, with the catalogue looked up once a request."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def select_locale() -> str | None:
    """The signed-in user's saved language, else the one chosen in this session, else the browser's, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    saved = getattr(current_user, "language", None) if current_user else None
    if saved in languages:
        return saved
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def translate_error(error: DomainError) -> str:
    """The domain error's message in the user's language."""
    params = {k: _label(v) for k, v in error.params.items()}
    return gettext(error.message, **params) if params else gettext(error.message)


def translate_fields(field_errors: dict[str, str]) -> dict[str, str]:
    return {name: gettext(text) for name, text in field_errors.items()}


def _label(value: Any) -> Any:
    """A state or action named in an error's parameters, in the reader's language."""
    for enum in (GarmentState, Action):
        if isinstance(value, str) and value in enum._value2member_map_:
            return enum.label_of(value)
    return value


def state_label(state: Any) -> str:
    if state is None:
        return gettext("not yet received")
    return GarmentState.label_of(state)


def action_label(action: Any) -> str:
    return Action.label_of(action)


def zone_label(zone: Any) -> str:
    """A garment zone in the reader's language (an unknown one as it was stored)."""
    return Zone.label_of(zone) if zone else "?"


def money(cents: int | None) -> str:
    if cents is None:
        return "—"
    return _money(cents, str(get_locale()))


@lru_cache(maxsize=8192)
def _money(cents: int, locale: str) -> str:
    # Babel parses and applies the currency pattern on every call (~50 µs); a page shows a price
    # several times, a chain has a few thousand distinct prices
    return numbers.format_currency(cents / 100, "EUR", locale=locale)


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def init_app(app: Flask) -> None:
    # the domain's enum labels (member.label) speak the request's language through this gettext
    messages.install_translator(gettext)

    @app.before_request
    def _share_wtforms_translations() -> None:
        # Flask-WTF reads WTForms' own messages from disk on every request that builds a form and
        # keeps them on the request under this name; hand it the catalogue loaded once per language
        # (a blueprint that builds no forms, the API, says so and skips the locale lookup)
        blueprint = current_app.blueprints.get(request.blueprint or "")
        if getattr(blueprint, "builds_forms", True):
            request.wtforms_translations = _wtforms_catalog(str(get_locale()))

    @app.before_request
    def _new_catalogue() -> None:
        _CATALOGUE.set([])  # filled by the request's first translation

    @app.teardown_request
    def _forget_catalogue(_exc: BaseException | None) -> None:
        _CATALOGUE.set(None)

    # the templates' _() and ngettext() as flask-babel installs them, through the request's catalogue
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["plural_one_counts"] = plural_one_counts
    app.jinja_env.filters.update(
        state_label=state_label,
        action_label=action_label,
        money=money,
        grade_label=Grade.label_of,
        defect_label=DefectCode.label_of,
        zone_label=zone_label,
        reason_label=ReturnReason.label_of,
        role_label=Role.label_of,
    )


def plural_one_counts() -> str:
    """The small counts that take the singular in the user's language ("1"; French "0,1"), for
    scripts that pick between a message's two forms as the server's ngettext would."""
    locale = get_locale()
    return ",".join(str(n) for n in range(0, 2) if locale is not None and locale.plural_form(n) == "one") or "1"
