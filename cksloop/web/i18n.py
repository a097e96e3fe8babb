"""Language choice (Dutch by default; French or English on request), Belgian formats for each language,
and translation of domain texts."""
from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import flask_babel
from babel import numbers, support
from flask import Flask, current_app, g, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
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


#: The locale each language is *formatted* in (dates, numbers, money), while its words come from the
#: catalogue of the bare language (flask-babel loads nl_BE's messages from the ``nl`` catalogue, as
#: gettext falls back from a region to its language). The stores are in Belgium: Dutch and French
#: take their Belgian conventions (day-first dates, a 24-hour clock, a decimal comma; "€ 1.234,50"
#: in Dutch, "1 234,50 €" in French). English takes Ireland's, the euro area's English: day-first
#: dates and a 24-hour clock like the rest of the site ("12/04/2026", never the US "4/12/26"), with
#: the decimal point and "€1,234.50" that an English reader reads without a second look. (en_BE
#: would write "1.234,5" on an English page, a number an English reader takes for one point two.)
FORMAT_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_IE"}


def formatting_locale(language: str) -> str:
    """The locale a language's pages are formatted in ("fr" → "fr_BE", "en" → "en_IE")."""
    return FORMAT_LOCALES.get(language, FORMAT_LOCALES["nl"])


def select_language() -> str:
    """The reader's language: the signed-in user's saved one (the API token's user for a bearer
    call), else the one chosen in this session, else the browser's, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    # an API call with a token has no session user: the token's user (cksloop.web.api.auth) speaks
    reader = g.get("api_user") or current_user
    saved = getattr(reader, "language", None) if reader else None
    if saved in languages:
        return saved
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """flask-babel's locale selector: the reader's language in the locale it is formatted in ("nl" → "nl_BE")."""
    return formatting_locale(select_language())


def language() -> str:
    """The request's language as the catalogues and the ``lang`` attribute name it ("nl", "fr", "en")."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


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


def number(value: Any, digits: int | None = None) -> str:
    """A number in the reader's locale ("763,9" in Dutch); with ``digits``, exactly that many
    decimals ("%.1f" as a Belgian writes it). None is shown as a dash."""
    if value is None:
        return "—"
    if digits is None:
        return format_decimal(value)
    return format_decimal(value, "#,##0." + "0" * digits if digits > 0 else "#,##0")


def percent(value: Any, digits: int = 0) -> str:
    """A share (0.12) as a percentage in the reader's locale: "12%" in Dutch and English, "12 %"
    (a no-break space) in French. None is shown as a dash."""
    if value is None:
        return "—"
    if not digits:
        return format_percent(value)
    # the locale's own pattern with more decimals: a pattern of our own would lose French's space
    pattern = get_locale().percent_formats[None].pattern
    return format_percent(value, pattern.replace("#,##0", "#,##0." + "0" * digits, 1))


def percent_of_100(value: Any, digits: int = 0) -> str:
    """A figure already counted in percent (12, 12.5) as ``percent`` shows it."""
    return "—" if value is None else percent(value / 100, digits)


def date(value: dt.date | str | None, form: str = "medium") -> str:
    """A day in the reader's locale ("12 apr 2026"; "short": "12/04/2026"), also from an ISO string
    as the services hand them to the API. None is shown as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        # a moment's day is its day in Brussels (flask-babel moves a datetime to the site's zone)
        value = (dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) > 10
                 else dt.date.fromisoformat(value))
    return format_date(value, form)


def datetime(value: dt.datetime | str | None, form: str = "medium") -> str:
    """A moment in Brussels time in the reader's locale, also from an ISO string. None: a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return format_datetime(value, form)


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
    app.jinja_env.globals["page_language"] = language
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
        # every number, share and date a person reads, formatted here for the reader's locale
        # (never "%.1f"|format or isoformat(): those write "763.9" and "2026-04-12" on a Dutch page)
        number=number,
        percent=percent,
        percent_of_100=percent_of_100,
        date=date,
        datetime=datetime,
    )


def plural_one_counts() -> str:
    """The small counts that take the singular in the user's language ("1"; French "0,1"), for
    scripts that pick between a message's two forms as the server's ngettext would."""
    locale = get_locale()
    return ",".join(str(n) for n in range(0, 2) if locale is not None and locale.plural_form(n) == "one") or "1"
