"""VAT numbers: each EU member state's format, and check digits for BE, NL, FR, DE and LU."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.vat import (CHECK_DIGIT_COUNTRIES, EU_VAT_COUNTRIES, InvalidVatNumber, is_valid_vat_number,
                                normalise_vat_number)

VALID = [
    ("BE", "BE0403019261", "BE0403019261"),
    ("BE", "0403.019.261", "BE0403019261"),
    ("BE", "be 0403 019 261", "BE0403019261"),
    ("NL", "NL004495445B01", "NL004495445B01"),   # a company: the RSIN's eleven-test
    ("NL", "NL000099998B57", "NL000099998B57"),   # a sole trader since 2020: mod 97
    ("FR", "FR40303265045", "FR40303265045"),
    ("DE", "DE136695976", "DE136695976"),
    ("LU", "LU15027442", "LU15027442"),
    ("GR", "EL094259216", "EL094259216"),          # Greece writes EL
    ("AT", "ATU13585627", "ATU13585627"),
    ("IE", "IE6433435F", "IE6433435F"),
    ("SE", "SE123456789701", "SE123456789701"),
    ("NO", "NO 123456789 MVA", "NO123456789MVA"),  # outside the EU: shape only
]

INVALID = [
    ("BE", "BE0403019262"),      # check digits
    ("BE", "BE2403019261"),      # must start with 0 or 1
    ("BE", "BE040301926"),       # nine digits
    ("NL", "NL004495446B01"),    # neither the eleven-test nor mod 97
    ("NL", "NL004495445C01"),
    ("FR", "FR41303265045"),
    ("DE", "DE136695978"),
    ("DE", "DE13669597"),
    ("LU", "LU15027443"),
    ("AT", "AT13585627"),        # the U is part of the number
    ("SE", "SE123456789702"),
    ("IT", "IT1234567890"),
    ("US", "x"),
    ("BE", ""),
]


@pytest.mark.parametrize(("country", "typed", "normal"), VALID)
def test_a_valid_vat_number_is_answered_as_vies_writes_it(country, typed, normal):
    assert normalise_vat_number(country=country, number=typed) == normal


@pytest.mark.parametrize(("country", "typed"), INVALID)
def test_an_invalid_vat_number_is_refused(country, typed):
    with pytest.raises(InvalidVatNumber) as refused:
        normalise_vat_number(country=country, number=typed)
    assert refused.value.code == "invalid_vat_number"
    assert not is_valid_vat_number(country=country, number=typed)


def test_every_eu_member_state_has_a_format_and_five_have_check_digits():
    assert len(EU_VAT_COUNTRIES) == 27
    assert CHECK_DIGIT_COUNTRIES == {"BE", "NL", "FR", "DE", "LU"}


@given(body=st.integers(min_value=0, max_value=19_999_999))
def test_exactly_one_pair_of_check_digits_makes_a_belgian_number_valid(body):
    first8 = f"{body:08d}"
    valid = [f"{first8}{check:02d}" for check in range(100)
             if is_valid_vat_number(country="BE", number=f"{first8}{check:02d}")]
    assert valid == [f"{first8}{97 - body % 97:02d}"]


@given(body=st.integers(min_value=10_000_000, max_value=99_999_999))
def test_exactly_one_check_digit_makes_a_german_number_valid(body):
    valid = [d for d in range(10) if is_valid_vat_number(country="DE", number=f"{body}{d}")]
    assert len(valid) == 1
