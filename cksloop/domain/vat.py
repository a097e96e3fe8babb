"""VAT numbers of EU member states: format per country, and check digits where they are simple.

Sources: the formats VIES publishes per member state; the national check-digit rules.

Implemented here, standard library only, rather than through python-stdnum: the domain may not import
packages, and a buyer's number needs only format and check digits (VIES confirms a number exists;
that call, if ever wanted, belongs in an adapter). BE, NL, FR, DE and LU check their digits; the
other member states are checked by format. Outside the EU only a plain shape is checked.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from .errors import DomainError
from .messages import N_

#: VAT prefix of a country where it differs from the ISO code (Greece).
VAT_PREFIX = {"GR": "EL"}

_FORMATS: dict[str, str] = {
    "AT": r"U\d{8}", "BE": r"[01]\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]", "CZ": r"\d{8,10}",
    "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "GR": r"\d{9}", "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}", "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}", "HR": r"\d{11}", "HU": r"\d{8}",
    "IE": r"\d[A-Z0-9+*]\d{5}[A-W][A-I]?",
    "IT": r"\d{11}", "LT": r"\d{9}|\d{12}", "LU": r"\d{8}", "LV": r"\d{11}", "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}", "RO": r"[1-9]\d{1,9}", "SE": r"\d{10}01",
    "SI": r"\d{8}", "SK": r"\d{10}",
}
_SHAPE_OUTSIDE_EU = re.compile(r"^[A-Z0-9]{4,20}$")


class InvalidVatNumber(DomainError):
    """The VAT number does not have its country's format or check digits."""

    code = "invalid_vat_number"


def _be(n: str) -> bool:
    return 97 - int(n[:8]) % 97 == int(n[8:])


def _nl(n: str) -> bool:
    # companies: the RSIN's eleven-test; sole traders since 2020: ISO 7064 mod 97 over "NL" + number
    digits = n[:9]
    elf = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    as_number = "".join(str(int(c, 36)) for c in "NL" + n)
    return elf % 11 == 0 or int(as_number) % 97 == 1


def _fr(n: str) -> bool:
    key, siren = n[:2], n[2:]
    if not key.isdigit():
        return True  # new-style alphabetic keys have no simple public check
    return int(key) == (12 + 3 * (int(siren) % 97)) % 97


def _de(n: str) -> bool:
    # ISO 7064 MOD 11,10
    product = 10
    for digit in n[:8]:
        total = (int(digit) + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(n[8])


def _lu(n: str) -> bool:
    return int(n[:6]) % 89 == int(n[6:])


_CHECKS: dict[str, Callable[[str], bool]] = {"BE": _be, "NL": _nl, "FR": _fr, "DE": _de, "LU": _lu}

#: Countries whose numbers are checked by format (all EU member states) and those with check digits.
EU_VAT_COUNTRIES = frozenset(_FORMATS)
CHECK_DIGIT_COUNTRIES = frozenset(_CHECKS)


def normalise_vat_number(*, country: str, number: str) -> str:
    """The number as VIES writes it (prefix, no spaces or dots), or raises ``InvalidVatNumber``.

    ``country`` is the buyer's ISO 3166-1 alpha-2 code; a number typed with or without its
    country prefix is accepted. Outside the EU, 4–20 letters or digits are accepted as typed.
    """
    country = country.strip().upper()
    prefix = VAT_PREFIX.get(country, country)
    compact = re.sub(r"[\s.\-/]", "", number or "").upper()
    if compact.startswith(prefix) and country in _FORMATS:
        compact = compact[len(prefix):]
    if country not in _FORMATS:
        if not _SHAPE_OUTSIDE_EU.match(compact):
            raise InvalidVatNumber(N_("“%(number)s” is not a VAT or company number."), number=number)
        return compact
    if not re.fullmatch(_FORMATS[country], compact):
        raise InvalidVatNumber(N_("“%(number)s” does not have the format of a VAT number of %(country)s."),
                               number=number, country=country)
    check = _CHECKS.get(country)
    if check is not None and not check(compact):
        raise InvalidVatNumber(N_("The check digits of VAT number “%(number)s” are wrong."), number=number)
    return prefix + compact


def is_valid_vat_number(*, country: str, number: str) -> bool:
    try:
        normalise_vat_number(country=country, number=number)
    except InvalidVatNumber:
        return False
    return True
