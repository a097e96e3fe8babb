"""Reading the details of offcut, workshop and remanufacturing input: strict, saying which field is wrong.

The same rules as the garment actions' details (domain/lifecycle.py), for grams: weights are whole
grams because the shop scales read to the gram (issue 15: "tolerances are explicit").
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from .details import parse_text as read_text  # one text reader for every domain input
from .details import raise_if_any as raise_errors  # noqa: F401  (the offcut modules import it from here)
from .labels import is_garment_code
from .lifecycle import LocationKind, Place
from .messages import N_
from .offcut_labels import is_lot_code, lot_code_in

#: The heaviest lot or part we accept (one tonne): larger numbers are typing mistakes.
MAX_WEIGHT_G = 1_000_000
#: Where offcuts may lie: stores hold workshops, the warehouse stores, partners remanufacture.
LOT_PLACES = frozenset({LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.PARTNER})
#: The most garments one lot may name as its source (a retirement batch, cut up together).
MAX_SOURCE_GARMENTS = 500
_SOURCE_TEXTS = ("style_number", "production_order", "supplier")


def parse_grams(value: Any, *, allow_zero: bool = False) -> int:
    """A weight in whole grams from a number or digits; ValueError carrying the reason otherwise.

    A float is accepted only when it is whole (JSON may send 400.0): the scales read to the gram.
    """
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError(N_("Must be a weight in whole grams.")) from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(N_("Must be a weight in whole grams."))
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(N_("Must be more than 0 g."))
    if value > MAX_WEIGHT_G:
        raise ValueError(N_("Too heavy: at most 1,000,000 g (one tonne)."))
    return value


def read_grams(details: Mapping[str, Any], name: str, errors: dict[str, str], *,
               allow_zero: bool = False) -> int | None:
    """``details[name]`` as grams, or None with the reason in ``errors[name]``."""
    value = details.get(name)
    if value is None or value == "":
        errors[name] = N_("This field is required.")
        return None
    try:
        return parse_grams(value, allow_zero=allow_zero)
    except ValueError as reason:
        errors[name] = str(reason)
        return None


def read_choice(details: Mapping[str, Any], name: str, enum: type[StrEnum],
                errors: dict[str, str]) -> Any:
    """``details[name]`` as a member of ``enum`` (required), else None and a reason."""
    value = details.get(name)
    if value is None or value == "":
        errors[name] = N_("This field is required.")
        return None
    try:
        return enum(value)
    except ValueError:
        errors[name] = N_("Not one of the allowed values.")
        return None


def read_id(details: Mapping[str, Any], name: str, errors: dict[str, str],
            known: frozenset[int]) -> int | None:
    """``details[name]`` as the id of a known record (workshop, project), else None and a reason."""
    value = details.get(name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors[name] = N_("Must be a whole number.")
        return None
    if value not in known:
        errors[name] = N_("No such record.")
        return None
    return value


def composition(value: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    """[{fibre, pct}] with whole percentages adding up to 100 (as a style's composition)."""
    if not isinstance(value, list) or not value or len(value) > 10:
        errors["composition"] = N_("Give the fibres and their percentages (adding up to 100).")
        return []
    parts: list[dict[str, Any]] = []
    for item in value:
        fibre = item.get("fibre") if isinstance(item, dict) else None
        pct = item.get("pct") if isinstance(item, dict) else None
        if not isinstance(fibre, str) or not fibre.strip() or len(fibre) > 60 or \
                isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 100:
            errors["composition"] = N_("Each fibre needs a name and a whole percentage from 1 to 100.")
            return []
        parts.append({"fibre": fibre.strip().lower(), "pct": pct})
    if sum(p["pct"] for p in parts) != 100:
        errors["composition"] = N_("The percentages must add up to 100.")
    return parts


def read_lot_lines(raw: Any, name: str, errors: dict[str, str], *, required: bool) -> dict[str, int | None]:
    """[{code, grams?}] → {code: grams or None}: one lot scanned twice counts once."""
    if raw in (None, []) and not required:
        return {}
    if not isinstance(raw, list) or not raw:
        errors[name] = N_("Scan the lots used.")
        return {}
    merged: dict[str, int | None] = {}
    for item in raw:
        code = lot_code_in(item.get("code")) if isinstance(item, dict) else None
        if code is None:
            errors[name] = N_("Not an offcut lot code (they look like CKSR-00012).")
            continue
        grams = None
        if item.get("grams") not in (None, ""):
            try:
                grams = parse_grams(item["grams"])
            except ValueError as reason:
                errors[f"{name}.{code}"] = str(reason)
                continue
        earlier = merged.get(code)
        if earlier is not None and grams is not None and earlier != grams:
            errors[f"{name}.{code}"] = N_("This lot was scanned twice with different weights: "
                                          "enter it once, with the grams used.")
        merged[code] = earlier if grams is None else grams
    return merged


def read_lot_place(details: Mapping[str, Any], name: str, places: Mapping[str, Place],
                   errors: dict[str, str]) -> str | None:
    """``details[name]`` as the code of an open place that can hold offcuts (``places``: open ones)."""
    code = read_text(details, name, errors, required=True, max_len=40)
    if code is None:
        return None
    place = places.get(code)
    if place is None:
        errors[name] = N_("No such location, or it is closed.")
        return None
    if place.kind not in LOT_PLACES:
        errors[name] = N_("Offcut lots are kept in a store, the warehouse or at a partner.")
        return None
    return code


def read_source(value: Any, errors: dict[str, str]) -> dict[str, Any] | None:
    """Where a lot comes from: style number, production order and supplier (texts), the garments
    retired into it (garment codes), or the lot it was split from. Only the shape is checked here;
    the service checks that what it names exists (and points the garments' ledgers to the lot)."""
    if value is None or value == {}:
        return None
    source: dict[str, Any] = {}
    if not isinstance(value, dict) or set(value) - {*_SOURCE_TEXTS, "garments", "split_from"}:
        errors["source"] = N_("The source must name a style, order, supplier, garments or lot.")
        return None
    for name in _SOURCE_TEXTS:
        text = read_text(value, name, errors, max_len=60)
        if text:
            source[name] = text
    garments = value.get("garments")
    if garments is not None:
        if not isinstance(garments, list) or not 1 <= len(garments) <= MAX_SOURCE_GARMENTS or \
                not all(isinstance(c, str) and is_garment_code(c) for c in garments):
            errors["source"] = N_("The garments must be garment codes (they look like CKS-00123).")
        else:
            source["garments"] = list(dict.fromkeys(garments))
    if value.get("split_from") is not None:
        if is_lot_code(value["split_from"]):
            source["split_from"] = value["split_from"]
        else:
            errors["source"] = N_("Not an offcut lot code (they look like CKSR-00012).")
    for name in _SOURCE_TEXTS:  # errors of the texts are the source's errors
        if name in errors:
            errors["source"] = errors.pop(name)
    return source
