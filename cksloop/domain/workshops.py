"""In-store offcut workshops: planning one, and the product types they make (issue 15).

Logging a held workshop is in workshop_logs.py. The typical material use per product type
pre-fills a log's grams; the organiser may change them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .clock import BRUSSELS
from .lifecycle import LocationKind, Place
from .messages import N_
from .offcut_details import parse_grams, raise_errors, read_text

#: Shop dates are Brussels dates (STYLE.md: times stored in UTC, shown in Europe/Brussels).
MAX_CAPACITY = 500
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class ProductType:
    """What a workshop makes, with the grams of offcuts one piece typically takes."""

    key: str
    name: str  # an N_-marked text for the built-in types; the admin's words for added ones
    typical_use_g: int


#: The products of the report's workshops; typical use weighed on samples, editable per log.
BUILTIN_PRODUCT_TYPES: dict[str, ProductType] = {t.key: t for t in (
    ProductType("jewellery_pouch", N_("jewellery pouch"), 35),
    ProductType("toiletry_bag", N_("toiletry bag"), 120),
    ProductType("bracelet", N_("bracelet"), 12),
)}
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def define_product_type(*, key: Any, name: Any, typical_use_g: Any,
                        existing: Mapping[str, ProductType]) -> ProductType:
    """A product type an admin adds; refused without a positive material use or with a taken key."""
    errors: dict[str, str] = {}
    if not isinstance(key, str) or not _KEY.match(key):
        errors["key"] = N_("Use 2 to 40 small letters, digits or underscores, starting with a letter.")
    elif key in existing:
        errors["key"] = N_("This product type already exists.")
    text = read_text({"name": name}, "name", errors, required=True, max_len=80)
    grams = None
    try:
        grams = parse_grams(typical_use_g)
    except ValueError as reason:
        errors["typical_use_g"] = (N_("A product type needs its typical material use in grams.")
                                   if typical_use_g in (None, "", 0, "0") else str(reason))
    raise_errors(errors)
    assert text is not None and grams is not None
    return ProductType(key, text, grams)


# --- planning -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Workshop:
    """A planned workshop as the rules see it (``id`` None before it is stored)."""

    id: int | None
    store: str
    starts_at: dt.datetime  # UTC
    theme: str
    capacity: int
    organiser: int | None = None

    @property
    def held_on(self) -> dt.date:
        return self.starts_at.astimezone(BRUSSELS).date()


def _datetime(value: Any, errors: dict[str, str]) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime) or value.tzinfo is None or not 2000 <= value.year <= 2100:
        errors["starts_at"] = N_("Give the date and time with its time zone, e.g. 2026-12-05T14:00+01:00.")
        return None
    return value.astimezone(dt.UTC)


def read_count(value: Any, name: str, errors: dict[str, str], *, maximum: int) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = N_("Must be a whole number.")
        return None
    if value < 1:
        errors[name] = N_("Must be at least 1.")
        return None
    if value > maximum:
        errors[name] = N_("Too large.")
        return None
    return value


def plan_workshop(*, store: Any, starts_at: Any, theme: Any, capacity: Any, organiser: int | None,
                  places: Mapping[str, Place], organisers: frozenset[int]) -> Workshop:
    """A workshop to plan, checked: an open store, a dated start, a theme, a capacity, an organiser.

    ``places`` holds the open locations; ``organisers`` the ids of users who may organise.
    Raises InvalidDetails naming each wrong field.
    """
    errors: dict[str, str] = {}
    place = places.get(store) if isinstance(store, str) else None
    if place is None or place.kind is not LocationKind.STORE:
        errors["store"] = N_("Workshops are held in an open store.")
    when = _datetime(starts_at, errors)
    text = read_text({"theme": theme}, "theme", errors, required=True)
    seats = read_count(capacity, "capacity", errors, maximum=MAX_CAPACITY)
    if organiser is not None and organiser not in organisers:
        errors["organiser"] = N_("No such workshop organiser.")
    raise_errors(errors)
    assert when is not None and text is not None and seats is not None
    return Workshop(None, store, when, text, seats, organiser)


def upcoming(workshops: Iterable[Workshop], *, store: str | None, now: dt.datetime) -> list[Workshop]:
    """The workshops not yet started (in ``store`` when given), soonest first."""
    return sorted((w for w in workshops if w.starts_at >= now and (store is None or w.store == store)),
                  key=lambda w: (w.starts_at, w.id or 0))
