"""The textile fibre names of Regulation (EU) No 1007/2011, Annex I, in Dutch, French and English.

A composition shown to customers must use these names (Art. 5 and 9), in the language(s) of the
Member State where the garment is sold (Art. 16(3)): Belgium asks for Dutch and French. The
catalogue stores a fibre under an English key ("cotton", "elastane", "linen"); this module maps it
to the regulation's name in each language. The names are the regulation's own words, not
translations of ours, which is why they live here and not in the message catalogues.
"""
from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("nl", "fr", "en")


@dataclass(frozen=True)
class FibreName:
    """One row of Annex I: its number and the fibre's name in each language."""

    number: int
    en: str
    nl: str
    fr: str

    def in_language(self, language: str) -> str:
        return getattr(self, language) if language in LANGUAGES else self.en


#: Annex I rows by their key, the English name (as amended up to row 50 by Regulation (EU) 2018/122).
#: Row 2 names several animals; each gets its own key. Row 45 names a fibre by its material; the
#: catalogue uses "metallic fibre".
_ROWS: tuple[FibreName, ...] = (
    FibreName(1, "wool", "wol", "laine"),
    FibreName(2, "alpaca", "alpaca", "alpaga"),
    FibreName(2, "llama", "lama", "lama"),
    FibreName(2, "camel", "kameel", "chameau"),
    FibreName(2, "cashmere", "kasjmier", "cachemire"),
    FibreName(2, "mohair", "mohair", "mohair"),
    FibreName(2, "angora", "angora", "angora"),
    FibreName(2, "vicuna", "vicuña", "vigogne"),
    FibreName(2, "yak", "yak", "yack"),
    FibreName(2, "guanaco", "guanaco", "guanaco"),
    FibreName(2, "cashgora", "kasjgora", "cashgora"),
    FibreName(2, "beaver", "bever", "castor"),
    FibreName(2, "otter", "otter", "loutre"),
    FibreName(3, "animal hair", "dierlijk haar", "poil"),
    FibreName(4, "silk", "zijde", "soie"),
    FibreName(5, "cotton", "katoen", "coton"),
    FibreName(6, "kapok", "kapok", "kapok"),
    FibreName(7, "flax", "vlas", "lin"),
    FibreName(8, "true hemp", "hennep", "chanvre"),
    FibreName(9, "jute", "jute", "jute"),
    FibreName(10, "abaca", "abaca", "abaca"),
    FibreName(11, "alfa", "alfa", "alfa"),
    FibreName(12, "coir", "kokos", "coco"),
    FibreName(13, "broom", "brem", "genêt"),
    FibreName(14, "ramie", "ramee", "ramie"),
    FibreName(15, "sisal", "sisal", "sisal"),
    FibreName(16, "sunn", "sunn", "sunn"),
    FibreName(17, "henequen", "henequen", "henequen"),
    FibreName(18, "maguey", "maguey", "maguey"),
    FibreName(19, "acetate", "acetaat", "acétate"),
    FibreName(20, "alginate", "alginaat", "alginate"),
    FibreName(21, "cupro", "cupro", "cupro"),
    FibreName(22, "modal", "modal", "modal"),
    FibreName(23, "protein", "proteïne", "protéinique"),
    FibreName(24, "triacetate", "triacetaat", "triacétate"),
    FibreName(25, "viscose", "viscose", "viscose"),
    FibreName(26, "acrylic", "acryl", "acrylique"),
    FibreName(27, "chlorofibre", "chloorvezel", "chlorofibre"),
    FibreName(28, "fluorofibre", "fluorvezel", "fluorofibre"),
    FibreName(29, "modacrylic", "modacryl", "modacrylique"),
    FibreName(30, "polyamide", "polyamide", "polyamide"),
    FibreName(31, "aramid", "aramide", "aramide"),
    FibreName(32, "polyimide", "polyimide", "polyimide"),
    FibreName(33, "lyocell", "lyocell", "lyocell"),
    FibreName(34, "polylactide", "polylactide", "polylactide"),
    FibreName(35, "polyester", "polyester", "polyester"),
    FibreName(36, "polyethylene", "polyethyleen", "polyéthylène"),
    FibreName(37, "polypropylene", "polypropyleen", "polypropylène"),
    FibreName(38, "polycarbamide", "polycarbamide", "polycarbamide"),
    FibreName(39, "polyurethane", "polyurethaan", "polyuréthanne"),
    FibreName(40, "vinylal", "vinylal", "vinylal"),
    FibreName(41, "trivinyl", "trivinyl", "trivinyl"),
    FibreName(42, "elastodiene", "elastodieen", "élastodiène"),
    FibreName(43, "elastane", "elastaan", "élasthanne"),
    FibreName(44, "glass fibre", "glasvezel", "verre textile"),
    FibreName(45, "metallic fibre", "metaalvezel", "fibre métallique"),
    FibreName(46, "elastomultiester", "elastomultiester", "élastomultiester"),
    FibreName(47, "elastolefin", "elastolefine", "élastoléfine"),
    FibreName(48, "melamine", "melamine", "mélamine"),
    FibreName(49, "polypropylene/polyamide bicomponent", "polypropyleen/polyamide-bicomponent",
              "bicomposant polypropylène/polyamide"),
    FibreName(50, "polyacrylate", "polyacrylaat", "polyacrylate"),
)

FIBRES: dict[str, FibreName] = {row.en: row for row in _ROWS}

#: Words the catalogue or a supplier's sheet may use for a row of Annex I. "Linen" is what a
#: shop calls flax; "nylon" is the regulation's own alternative to polyamide (row 30); brand
#: names such as Lycra™ are not fibre names and are deliberately absent.
ALIASES: dict[str, str] = {
    "linen": "flax",
    "hemp": "true hemp",
    "nylon": "polyamide",
    "spandex": "elastane",
    "metal": "metallic fibre",
    "metallised fibre": "metallic fibre",
    "horsehair": "animal hair",
    "coconut": "coir",
    "manila hemp": "abaca",
    "kashmir": "cashmere",
    "vicuña": "vicuna",
    "polyacrylic": "acrylic",
}


def annex_row(fibre: str) -> FibreName | None:
    """The Annex I row of a catalogue fibre key (letter case and spaces ignored), else None."""
    key = " ".join(fibre.lower().split())
    return FIBRES.get(ALIASES.get(key, key))


def fibre_name(fibre: str, language: str) -> str | None:
    """The regulation's name of ``fibre`` in ``language`` (nl, fr, en; others get English),
    or None when the key names no fibre of Annex I (the caller shows it as stored)."""
    row = annex_row(fibre)
    return row.in_language(language) if row is not None else None
