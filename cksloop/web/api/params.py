"""The one reader of query parameters: bounded whole numbers, ids, choices, short codes and texts.

Each reader takes the parameter's name and the request's ``errors`` dict; a value that cannot be
read adds a message under its name and the view raises ``InvalidDetails(errors)`` (422 naming
every bad parameter) before it reads or streams anything. Never ``request.args.get(…, type=int)``:
it turns bad input into "no value", so a typo silently widens a filter.

Rules, the same for every parameter of every API operation (and the CSV exports):

- absent, empty (``?season=``) or only spaces: the parameter is absent (its default applies);
- given twice: refused ("Give this filter only once.");
- control characters or longer than the reader's bound: refused;
- dates are texts handed to the domain's parser (e.g. ``rental_quality.parse_period``);
- numbers are plain decimal digits within the documented minimum and maximum (ids: 1 to
  ``MAX_ID``, so no database is ever asked for an integer it cannot hold).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.messages import N_

#: the largest id any table holds (PostgreSQL's integer); beyond it no row can exist
MAX_ID = 2**31 - 1
SEASON = re.compile(r"^(SS|AW)[0-9]{2}$")
#: the longest Idempotency-Key an action request may carry (the column's length)
MAX_IDEMPOTENCY_KEY = 200
EMPTY_MEANS_ABSENT = "An empty value counts as absent."


def query_text(name: str, errors: dict[str, str], *, max_len: int = 40) -> str | None:
    """One short query-string value, or None; a field error for repeats, control characters, length."""
    values = request.args.getlist(name)
    if not values or values == [""]:
        return None
    if len(values) > 1:
        errors[name] = N_("Give this filter only once.")
        return None
    value = values[0].strip()
    if len(value) > max_len:
        errors[name] = N_("Too long.")
        return None
    if not value.isprintable():
        errors[name] = N_("Contains control characters.")
        return None
    return value or None


def query_int(name: str, errors: dict[str, str], *, default: int, minimum: int, maximum: int) -> int:
    """A whole number between ``minimum`` and ``maximum``; ``default`` when absent or unreadable."""
    value = query_optional_int(name, errors, minimum=minimum, maximum=maximum)
    return default if value is None or name in errors else value


def query_optional_int(name: str, errors: dict[str, str], *, minimum: int, maximum: int) -> int | None:
    """A whole number between ``minimum`` and ``maximum``, or None when absent."""
    text = query_text(name, errors, max_len=12)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit():
        errors[name] = N_("Must be a whole number.")
        return None
    value = int(text)
    if value < minimum:
        errors[name] = N_("Too small.")
    elif value > maximum:
        errors[name] = N_("Too large.")
    return value


def query_id(name: str, errors: dict[str, str]) -> int | None:
    """A row's id (1 to MAX_ID), or None when absent."""
    return query_optional_int(name, errors, minimum=1, maximum=MAX_ID)


def query_choice(name: str, errors: dict[str, str], parse: Callable[[str], Any]) -> Any:
    """The value ``parse`` makes of the text (it raises ValueError for anything else), or None."""
    text = query_text(name, errors)
    if text is None:
        return None
    try:
        return parse(text)
    except ValueError:
        errors[name] = N_("Not one of the allowed values.")
        return None


def parse_season(text: str) -> str:
    season = text.upper()
    if not SEASON.match(season):
        raise ValueError(text)
    return season


def one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    """A ``query_choice`` parser that accepts exactly these texts."""
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return parse


def raise_if_any(errors: dict[str, str]) -> None:
    """Refuse the request, naming every parameter that could not be read (422 invalid_details)."""
    if errors:
        raise InvalidDetails(errors)


def idempotency_key(errors: dict[str, str]) -> str | None:
    """The request's ``Idempotency-Key`` header, or None; 1 to 200 visible ASCII characters, else a
    field error under ``idempotency_key`` (the one reader, so every action operation checks alike)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable() \
            or " " in key:
        errors["idempotency_key"] = N_("An Idempotency-Key is 1 to 200 visible ASCII characters.")
        return None
    return key
