"""The catalogue's own words (category, colour, care, materials, country) in the reader's language:
one set of template filters for the staff pages and the public passport alike.

A value from a fixed vocabulary (``domain.vocabulary``, ``domain.fibre_names``) is shown translated;
anything else is free text someone typed, shown as it was written.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask_babel import get_locale

from cksloop.domain import vocabulary
from cksloop.domain.fibre_names import fibre_name
from cksloop.web.i18n import gettext, language


_FLAGGED = re.compile(r"(?P<fibre>[^()]+?) \((?P<flag>[^()]+)\)")


def _word(words: dict[str, str], value: Any) -> str:
    if not value:
        return "" if value is None else str(value)
    marked = vocabulary.vocabulary_word(words, str(value))
    return gettext(marked) if marked else str(value)


def category_label(category: Any) -> str:
    """A garment category ("dress") in the reader's language; free text as written."""
    return _word(vocabulary.CATEGORIES, category)


def colour_label(colour: Any) -> str:
    """A colour ("navy") in the reader's language; free text as written."""
    return _word(vocabulary.COLOURS, colour)


def certification_label(certification: Any) -> str:
    """A material flag ("organic", "recycled") in the reader's language; trade marks as written."""
    return _word(vocabulary.CERTIFICATIONS, certification)


def material_label(material: Any) -> str:
    """A fibre or material ("viscose", "linen") by the name of Regulation (EU) 1007/2011 in the
    reader's language; a material the regulation does not name as written. A material with its
    flag, as the rental report groups them ("polyester (recycled)"), gets both translated."""
    if not material:
        return "" if material is None else str(material)
    text = str(material)
    flagged = _FLAGGED.fullmatch(text.strip())
    if flagged:
        return f"{material_label(flagged['fibre'])} ({certification_label(flagged['flag'])})"
    return fibre_name(text, language()) or text


def care_label(care: Any) -> str:
    """A care text in the reader's language when it is made of known phrases, else as written.
    In English the text is shown as written: it is CKS's own English."""
    if not care:
        return "" if care is None else str(care)
    phrases = vocabulary.care_phrases(str(care)) if language() != "en" else None
    if not phrases:
        return str(care)
    text = ", ".join(gettext(p) for p in phrases)
    return text[:1].upper() + text[1:] + "."


def country_label(code: Any) -> str:
    """A country (ISO 3166-1 alpha-2, "PT") by its name in the reader's language; else as stored."""
    if not code:
        return "" if code is None else str(code)
    locale = get_locale()
    return locale.territories.get(str(code).upper(), str(code)) if locale else str(code)


def keys_named(word: str) -> tuple[str, ...]:
    """The stored catalogue words (categories, colours) whose name in the reader's language holds
    ``word`` as a whole word: "robe" → ("dress",), "marine" → ("navy", ...). The data keeps one
    language; a Walloon clerk searches in French."""
    wanted = word.strip().casefold()
    if not wanted:
        return ()
    found = [key for words in (vocabulary.CATEGORIES, vocabulary.COLOURS) for key, marked in words.items()
             if wanted in gettext(marked).casefold().replace("-", " ").split() and key != wanted]
    return tuple(dict.fromkeys(found))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        category_label=category_label,
        colour_label=colour_label,
        certification_label=certification_label,
        material_label=material_label,
        care_label=care_label,
        country_label=country_label,
    )
