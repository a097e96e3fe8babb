"""The label sheets' font: DejaVu Sans ships inside the package with its licence, draws every letter
of Dutch, French and English, and anything else still gives a printable label."""
from __future__ import annotations

import fnmatch
import string
import tomllib
from importlib import resources
from pathlib import Path

import pypdfium2
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics

from cksloop.adapters import label_sheets
from cksloop.domain.labels import LAYOUTS, Label, make_label

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
#: the letters and signs Dutch, French and English write (ĳ as Dutch's one letter, € on price tags)
LETTERS = (string.ascii_letters + string.digits + " -'.,:;!?&/()%+"
           + "àâäæçéèêëîïôöœùûüÿáíóúñÀÂÄÆÇÉÈÊËÎÏÔÖŒÙÛÜŸÁÍÓÚÑĲĳ€«»‘’“”–—…°·×")


def label(style_name: str) -> Label:
    return make_label("https://loop.cks.example", code="CKS-00042", gtin=None, style_number="SS26-0001",
                      style_name=style_name, size="M", colour="navy")


def test_the_font_files_and_their_licence_ship_as_package_data():
    package_data = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-data"]
    patterns = package_data["cksloop.adapters"]
    folder = resources.files("cksloop.adapters").joinpath("fonts")
    for name in [*label_sheets.FONT_FILES.values(), "LICENSE"]:
        assert folder.joinpath(name).is_file(), name
        assert any(fnmatch.fnmatch(f"fonts/{name}", pattern) for pattern in patterns), name
    assert "Bitstream Vera" in folder.joinpath("LICENSE").read_text()


@given(st.text(alphabet=LETTERS, max_size=60))
def test_every_letter_of_dutch_french_and_english_is_drawn_as_it_is(text):
    for font in (label_sheets.REGULAR, label_sheets.BOLD):
        assert label_sheets.drawable(text, font) == text


def test_what_the_font_cannot_draw_becomes_a_space_its_base_letters_or_a_question_mark():
    # a tab typed into a name, "⑪" (circled 11, not in DejaVu), a Chinese character
    assert label_sheets.drawable("Robe\tÉlodie ⑪ 漢", label_sheets.REGULAR) == "Robe Élodie 11 ?"


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_label_whose_characters_the_font_has(text):
    shown = label_sheets.drawable(text, label_sheets.REGULAR)
    glyphs = pdfmetrics.getFont(label_sheets.REGULAR).face.charToGlyph
    assert all(ord(char) in glyphs for char in shown)
    data = label_sheets.render_sheets([label(text)], LAYOUTS["a4-2x7"])
    assert len(pypdfium2.PdfDocument(data)) == 1
