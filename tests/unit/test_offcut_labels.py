"""Offcut lot codes: formed and parsed, and never confused with garment codes."""
from __future__ import annotations

import pytest

from cksloop.domain.labels import is_garment_code
from cksloop.domain.offcut_labels import (format_lot_code, is_lot_code, lot_code_in, lot_code_in_path,
                                          lot_label_url)
from cksloop.domain.scanning import ScannedLabel, parse_scan


def test_a_lot_number_forms_a_cksr_code_that_is_a_lot_code_and_not_a_garment_code():
    code = format_lot_code(12)
    assert code == "CKSR-00012"
    assert is_lot_code(code) and not is_garment_code(code)


@pytest.mark.parametrize("number", [0, -1, True, 1.0, "12"])
def test_a_lot_number_that_is_not_a_positive_whole_number_forms_no_code(number):
    with pytest.raises(ValueError):
        format_lot_code(number)


@pytest.mark.parametrize("text, expected", [
    ("CKSR-00012", "CKSR-00012"),
    ("  cksr-00012\n", "CKSR-00012"),
    ("CKSR-ABC123", "CKSR-ABC123"),
    ("CKSR-12", "CKSR-00012"),  # short forms, read as garment codes are
    ("cksr12", "CKSR-00012"),
    ("CKSR 00012", "CKSR-00012"),
    ("00012", None),  # a bare number is a garment's
    ("CKSR-", None),
    ("CKS-00012", None),  # a garment
    ("CKSR-0000000000000", None),  # too long
    ("CKSR00012", "CKSR-00012"),
    ("ＣＫＳＲ-00012", None),  # full-width letters are not ours
    ("", None),
])
def test_lot_codes_are_read_in_any_letter_case_and_nothing_else_is(text, expected):
    assert lot_code_in(text) == expected


def test_a_garment_code_is_never_a_lot_code_and_a_lot_code_never_scans_as_a_garment():
    assert lot_code_in("CKS-00049") is None
    assert not isinstance(parse_scan("CKSR-00012", base_url="https://cksloop.example"), ScannedLabel)


def test_a_lot_label_url_carries_the_r_path_that_the_path_reader_resolves():
    url = lot_label_url("https://cksloop.example/", "CKSR-00012")
    assert url == "https://cksloop.example/r/CKSR-00012"
    assert lot_code_in_path(["r", "cksr-00012"]) == "CKSR-00012"
    assert lot_code_in_path(["g", "CKSR-00012"]) is None
    assert lot_code_in_path(["r", "CKS-00012"]) is None


def test_a_lot_code_typed_by_a_us_layout_scanner_on_an_azerty_computer_reads_back_after_unmangling():
    from cksloop.domain.scanning import mangle_azerty, unmangle_azerty

    mangled = mangle_azerty("CKSR-00012")
    assert mangled != "CKSR-00012" and lot_code_in(mangled) is None
    assert lot_code_in(unmangle_azerty(mangled)) == "CKSR-00012"
