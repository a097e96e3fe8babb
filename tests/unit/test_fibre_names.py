"""The fibre names of Regulation (EU) No 1007/2011, Annex I, as the passport shows them per language."""
from __future__ import annotations

import pytest

from cksloop.domain.fibre_names import FIBRES, annex_row, fibre_name


@pytest.mark.parametrize("key,en,nl,fr", [
    ("cotton", "cotton", "katoen", "coton"),
    ("polyester", "polyester", "polyester", "polyester"),
    ("lyocell", "lyocell", "lyocell", "lyocell"),
    ("viscose", "viscose", "viscose", "viscose"),
    ("elastane", "elastane", "elastaan", "élasthanne"),
    ("wool", "wool", "wol", "laine"),
    ("linen", "flax", "vlas", "lin"),  # the shop's word for row 7
    ("polyamide", "polyamide", "polyamide", "polyamide"),
    ("metallic fibre", "metallic fibre", "metaalvezel", "fibre métallique"),
])
def test_each_catalogue_fibre_has_the_regulations_name_in_each_language(key, en, nl, fr):
    assert (fibre_name(key, "en"), fibre_name(key, "nl"), fibre_name(key, "fr")) == (en, nl, fr)


def test_every_row_of_annex_one_is_there_once_with_three_names():
    assert {row.number for row in FIBRES.values()} == set(range(1, 51))
    for row in FIBRES.values():
        assert row.en and row.nl and row.fr


def test_keys_are_read_without_regard_to_letter_case_or_spacing():
    assert fibre_name("  Elastane ", "fr") == "élasthanne"
    assert fibre_name("Metallic   Fibre", "nl") == "metaalvezel"
    assert annex_row("NYLON").number == 30


def test_a_fibre_the_regulation_does_not_name_has_no_name_and_other_languages_read_english():
    assert fibre_name("unobtainium", "nl") is None
    assert fibre_name("lycra", "en") is None  # a trade mark, not a fibre name
    assert fibre_name("cotton", "de") == "cotton"
