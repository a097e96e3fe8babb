"""Detail parsers: one per kind of input (free text, codes, whole numbers, money, weights, dates, choices).

Small and strict, each says which field is wrong: a parser reads ``details[name]`` and returns the
value, or records an untranslated reason in ``errors[name]`` and returns None. A use case collects
every field's error and then calls ``raise_if_any`` (InvalidDetails, field → reason). The lifecycle,
buyer lots and offcut lots read their details with these.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from .errors import InvalidDetails
from .messages import N_

MAX_NOTE = 2000
MAX_CODE = 40
MAX_CENTS = 10_000_000  # €100,000: more than any garment or lot line costs
MAX_GRAMS = 100_000_000  # 100 tonnes: more than any lot weighs


def parse_text(details: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = False,
               max_len: int = 200) -> str | None:
    """Free text, stripped, at most ``max_len`` characters, without control characters (a NUL breaks PostgreSQL)."""
    value = details.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = N_("This field is required.")
        return None
    if not isinstance(value, str):
        errors[name] = N_("Must be text.")
        return None
    value = value.strip()
    if len(value) > max_len:
        errors[name] = N_("Too long.")
        return None
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        errors[name] = N_("Contains control characters.")
        return None
    return value


def parse_whole_number(details: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = False,
                       minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number (an int, or a string of one; never a bool), within the bounds given."""
    value = details.get(name)
    if value is None or value == "":
        if required:
            errors[name] = N_("This field is required.")
        return None
    if isinstance(value, bool):
        errors[name] = N_("Must be a whole number.")
        return None
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            errors[name] = N_("Must be a whole number.")
            return None
    if not isinstance(value, int):
        errors[name] = N_("Must be a whole number.")
        return None
    if minimum is not None and value < minimum:
        errors[name] = N_("Too small.")
        return None
    if maximum is not None and value > maximum:
        errors[name] = N_("Too large.")
        return None
    return value


def parse_choice(details: Mapping[str, Any], name: str, enum: type[StrEnum], errors: dict[str, str], *,
                 required: bool = False) -> Any:
    """A member of ``enum``, named by its value."""
    value = details.get(name)
    if value is None or value == "":
        if required:
            errors[name] = N_("This field is required.")
        return None
    try:
        return enum(value)
    except ValueError:
        errors[name] = N_("Not one of the allowed values.")
        return None


def parse_date(details: Mapping[str, Any], name: str, errors: dict[str, str], *,
               required: bool = False) -> dt.date | None:
    """A calendar date (a date, or an ISO string) between 2000 and 2100."""
    value = details.get(name)
    if value is None or value == "":
        if required:
            errors[name] = N_("This field is required.")
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and 2000 <= parsed.year <= 2100:
            return parsed
    errors[name] = N_("Must be a date (YYYY-MM-DD) between 2000 and 2100.")
    return None


def parse_money(details: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = False,
                minimum: int = 0, maximum: int = MAX_CENTS) -> int | None:
    """An amount of money in whole euro cents (money is never a float)."""
    return parse_whole_number(details, name, errors, required=required, minimum=minimum, maximum=maximum)


def parse_weight(details: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = False,
                 minimum: int = 1, maximum: int = MAX_GRAMS) -> int | None:
    """A weight in whole grams (offcut lots and buyer lots weigh their goods)."""
    return parse_whole_number(details, name, errors, required=required, minimum=minimum, maximum=maximum)


def parse_code(details: Mapping[str, Any], name: str, errors: dict[str, str], *,
               required: bool = False) -> str | None:
    """A code that names something (a location, a lot): short text, looked up by the caller."""
    return parse_text(details, name, errors, required=required, max_len=MAX_CODE)


def parse_note(details: Mapping[str, Any], errors: dict[str, str], out: dict[str, Any]) -> None:
    """The optional free-text ``note``, copied into ``out`` when given."""
    note = parse_text(details, "note", errors, max_len=MAX_NOTE)
    if note:
        out["note"] = note


def raise_if_any(errors: dict[str, str]) -> None:
    """Raise InvalidDetails with every field's reason, when there is any."""
    if errors:
        raise InvalidDetails(errors)
