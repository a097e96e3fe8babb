"""The words of the catalogue that come from a fixed vocabulary: categories, colours, material
flags and care phrases, each marked so every page (the public passport and the staff pages) can show
it in the reader's language.

The catalogue stores the English key ("dress", "navy", "organic"); a page asks for the marked
word and translates it. A value outside these vocabularies is free text someone typed, and is
shown as it was written. Fibre names are the regulation's own words and live in ``fibre_names``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from .messages import N_

#: Garment categories of the catalogue (what the style import accepts today).
CATEGORIES: dict[str, str] = {
    "dress": N_("dress"), "shirt": N_("shirt"), "trousers": N_("trousers"), "blouse": N_("blouse"),
    "skirt": N_("skirt"), "jumpsuit": N_("jumpsuit"), "blazer": N_("blazer"), "t-shirt": N_("T-shirt"),
    "shorts": N_("shorts"), "knit": N_("knitwear"), "top": N_("top (garment)"), "jacket": N_("jacket"),
    "coat": N_("coat"), "jeans": N_("jeans"),
}

#: Colour names the catalogue uses.
COLOURS: dict[str, str] = {
    "navy": N_("navy"), "ecru": N_("ecru"), "sand": N_("sand"), "white": N_("white"),
    "sage": N_("sage green"), "terracotta": N_("terracotta"), "stone": N_("stone"),
    "navy-ecru stripe": N_("navy and ecru stripes"), "light blue": N_("light blue"),
    "champagne": N_("champagne"), "camel": N_("camel"), "bordeaux": N_("burgundy"),
    "charcoal": N_("charcoal"), "emerald": N_("emerald green"), "black": N_("black"),
    "chestnut": N_("chestnut"), "silver": N_("silver"), "sky blue": N_("sky blue"),
    "mid blue": N_("mid blue"), "multicolour": N_("multicoloured"), "lilac": N_("lilac"),
    "olive": N_("olive"), "beige": N_("beige"), "forest green": N_("forest green"),
    "grey check": N_("grey check"), "rust": N_("rust"), "midnight": N_("midnight blue"), "ruby": N_("ruby red"),
}

#: Material flags (certifications) that are plain words; trade marks (LENZING™ ECOVERO™) stay as written.
CERTIFICATIONS: dict[str, str] = {
    "organic": N_("organic"), "recycled": N_("recycled"),
    "remanufactured offcuts": N_("remanufactured offcuts"),
}

#: Care instructions as phrases (a care text is these, separated by commas or full stops).
CARE_PHRASES: dict[str, str] = {
    "30°c gentle": N_("30 °C gentle cycle"),
    "30°c gentle cycle": N_("30 °C gentle cycle"),
    "30°c wool cycle inside out": N_("30 °C wool cycle, inside out"),
    "40°c": N_("40 °C"),
    "30°c inside out": N_("30 °C, inside out"),
    "dry clean only": N_("dry clean only"),
    "no tumble dry": N_("do not tumble dry"),
    "do not tumble dry": N_("do not tumble dry"),
    "tumble dry low": N_("tumble dry on low heat"),
    "iron on low heat": N_("iron on low heat"),
    "iron on medium heat": N_("iron on medium heat"),
    "dry clean or hand wash cold": N_("dry clean or hand wash cold"),
    "hand wash cold inside out": N_("hand wash cold, inside out"),
    "dry flat": N_("dry flat"),
    "do not iron the sequins": N_("do not iron the sequins"),
}


def vocabulary_word(vocabulary: Mapping[str, str], value: str) -> str | None:
    """The marked word for ``value`` (letter case ignored), or None when it is free text."""
    return vocabulary.get(value.strip().lower())


def care_phrases(care: str) -> list[str] | None:
    """The care text as marked phrases, in order, or None when any part is free text (then the
    page shows the whole text as written rather than half of it translated)."""
    parts = [" ".join(p.split()).lower() for p in re.split(r"[,.;]", care)]
    parts = [p for p in parts if p]
    if not parts or any(p not in CARE_PHRASES for p in parts):
        return None
    return [CARE_PHRASES[p] for p in parts]
