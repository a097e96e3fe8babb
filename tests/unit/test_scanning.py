"""Reading scans: our labels in every form, foreign and broken payloads, AZERTY-mangled input."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cksloop.domain.labels import label_url
from cksloop.domain.scanning import (BE_TO_US, MAX_PAYLOAD, LabelForm, NotALabel, Refusal,
                                     ScannedLabel, mangle_azerty, parse_scan, unmangle_azerty)

BASE = "https://loop.cks.example"
GTIN13 = "5400000001017"


def scan(text: str, base: str = BASE) -> ScannedLabel | NotALabel:
    return parse_scan(text, base_url=base)


def label(text: str, base: str = BASE) -> ScannedLabel:
    result = scan(text, base)
    assert isinstance(result, ScannedLabel), result
    return result


def refusal(text: str, base: str = BASE) -> NotALabel:
    result = scan(text, base)
    assert isinstance(result, NotALabel), result
    return result


# --- our labels ---------------------------------------------------------------------------------

def test_a_bare_code_is_read_as_that_garment() -> None:
    result = label("CKS-00123")
    assert (result.code, result.form, result.mangled) == ("CKS-00123", LabelForm.CODE, False)


@pytest.mark.parametrize("typed", ["cks-00123", "  CKS-00123  ", "CKS-00123\r\n", "\tcks-00123\n",
                                   "\ufeffCKS-00123", "\u00a0CKS-00123\u200b"])
def test_lower_case_and_surrounding_whitespace_are_forgiven(typed: str) -> None:
    assert label(typed).code == "CKS-00123"


def test_the_short_label_url_on_our_host_names_the_garment() -> None:
    result = label(label_url(BASE, "CKS-0A7Z9", None))
    assert (result.code, result.form) == ("CKS-0A7Z9", LabelForm.SHORT_URL)


def test_the_gs1_digital_link_on_our_host_names_the_garment_and_its_gtin() -> None:
    result = label(label_url(BASE, "CKS-00123", GTIN13))
    assert (result.code, result.form, result.gtin) == ("CKS-00123", LabelForm.DIGITAL_LINK,
                                                       "05400000001017")


@pytest.mark.parametrize("path", [
    "/01/05400000001017/10/LOT7/21/CKS-00123",
    "/01/05400000001017/22/2A/10/LOT7/21/CKS-00123",
    "/01/05400000001017/21/CKS-00123?17=261231&linkType=gs1:pip",
    "/01/5400000001017/21/CKS-00123",  # GTIN-13 in the path: resolvers accept it, padded
    "/01/05400000001017/21/cks-00123#top",
    "/01/05400000001017/21/CKS%2D00123",
])
def test_digital_links_with_qualifiers_in_order_query_strings_and_encoding_are_accepted(path: str) -> None:
    assert label(BASE + path).code == "CKS-00123"


@pytest.mark.parametrize("url", [
    "http://loop.cks.example/g/CKS-00123",  # printed as https, typed as http
    "https://LOOP.cks.Example/g/CKS-00123",
    "https://loop.cks.example:443/g/CKS-00123",
    "https://loop.cks.example/g/CKS-00123/",
    "loop.cks.example/g/CKS-00123",  # scheme dropped by the scanner
    "]Q1https://loop.cks.example/g/CKS-00123",  # AIM symbology identifier in front
])
def test_small_variations_of_our_url_still_resolve(url: str) -> None:
    assert label(url).code == "CKS-00123"


def test_a_base_url_with_a_path_prefix_and_a_port_is_honoured() -> None:
    base = "http://127.0.0.1:5000/loop/"
    assert label("http://127.0.0.1:5000/loop/g/CKS-00123", base).code == "CKS-00123"
    assert refusal("http://127.0.0.1:5000/g/CKS-00123", base).reason is Refusal.UNKNOWN_PATH
    assert refusal("http://127.0.0.1:5001/loop/g/CKS-00123", base).reason is Refusal.FOREIGN_URL


# --- what is not ours ---------------------------------------------------------------------------

@pytest.mark.parametrize("payload, reason", [
    ("", Refusal.EMPTY),
    ("   \n", Refusal.EMPTY),
    ("https://example.com/g/CKS-00123", Refusal.FOREIGN_URL),
    ("https://loop.cks.example.evil.com/g/CKS-00123", Refusal.FOREIGN_URL),
    ("https://evil.com/?u=https://loop.cks.example/g/CKS-00123", Refusal.FOREIGN_URL),
    ("https://id.gs1.org/01/05400000001017/21/CKS-00123", Refusal.FOREIGN_URL),
    ("WIFI:S:CKS-guest;T:WPA;P:secret;;", Refusal.WIFI),
    ("wifi:T:WPA;S:shop;P:x;;", Refusal.WIFI),
    ("BEGIN:VCARD\nFN:Jan\nEND:VCARD", Refusal.OTHER_QR),
    ("mailto:info@cks.example", Refusal.OTHER_QR),
    ("Hello, this is a random text", Refusal.NOT_A_LABEL),
    ("CKS-123456789012345", Refusal.NOT_A_LABEL),  # too long to be a code
    ("12345678", Refusal.NOT_A_LABEL),  # eight digits: an EAN-8 product barcode, not ours
    ("5412345000013", Refusal.NOT_A_LABEL),  # an EAN-13 product barcode
    ("(01)05412345000014(21)CKS-00049", Refusal.BAD_GTIN),  # element string, wrong check digit
    ("CKS-0012345678901", Refusal.NOT_A_LABEL),  # too long to be a code
    ("XYZ-00123", Refusal.NOT_A_LABEL),
    ("5400000001017", Refusal.NOT_A_LABEL),  # an EAN barcode of the style, not a garment
    ("ftp://loop.cks.example/g/CKS-00123", Refusal.NOT_A_LABEL),
    ("javascript:alert(1)", Refusal.NOT_A_LABEL),
    ("https://loop.cks.example/", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/g/", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/g/NOT-A-CODE", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/g/CKS-00123%0A", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/admin/users", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/01/05400000001017/21/CKS-00123/10/LOT7", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/01/05400000001017/99/x/21/CKS-00123", Refusal.UNKNOWN_PATH),
    ("https://loop.cks.example/01/05400000001018/21/CKS-00123", Refusal.BAD_GTIN),
    ("https://loop.cks.example/01/05400000001017", Refusal.PRODUCT_ONLY),
    ("https://loop.cks.example/01/05400000001017/10/LOT7", Refusal.PRODUCT_ONLY),
    ("CKS-00\x00123", Refusal.BINARY),
    ("CKS-00123\x1b[2J", Refusal.BINARY),
    ("\x89PNG\r\n\x1a\n", Refusal.BINARY),
    ("CKS-\ufffd\ufffd", Refusal.BINARY),
    ("x" * (MAX_PAYLOAD + 1), Refusal.TOO_LONG),
    ("https://loop.cks.example/g/CKS-00123" + "/" * MAX_PAYLOAD, Refusal.TOO_LONG),
    ("http://[::1/g/CKS-00123", Refusal.NOT_A_LABEL),
    ("https://loop.cks.example:notaport/g/CKS-00123", Refusal.FOREIGN_URL),
])
def test_foreign_and_broken_payloads_are_refused_with_their_reason(payload: str, reason: Refusal) -> None:
    result = refusal(payload)
    assert result.reason is reason
    assert result.render()  # always a message to show


def test_a_foreign_link_names_its_host_in_the_message() -> None:
    assert "example.com" in refusal("https://example.com/x").render()


def test_a_code_written_with_lookalike_unicode_is_not_a_label() -> None:
    # "ﬀ" upper-cases to "FF" and "١" is an Arabic-Indic one: neither is on any label we print
    assert refusal("CKS-00\ufb001").reason is Refusal.NOT_A_LABEL
    assert refusal("CKS-0012\u0661").reason is Refusal.NOT_A_LABEL


# --- a US-layout scanner on a Belgian AZERTY computer ------------------------------------------

def test_the_mangled_code_of_the_issue_is_read_back_and_flagged() -> None:
    result = label('CKS)àà&é"')
    assert (result.code, result.mangled, result.read_as) == ("CKS-00123", True, "CKS-00123")


def test_mangling_follows_the_belgian_keys() -> None:
    assert mangle_azerty("CKS-00123") == 'CKS)àà&é"'
    assert mangle_azerty("https://a.be/q") == "httpsM==q:be=a"
    assert mangle_azerty("AMQWZ") == "Q?AZW"


@pytest.mark.parametrize("code", ["CKS-00123", "CKS-QWAZM9", "CKS-4567890", "CKS-ABCDEFGHIJKL"])
def test_every_mangled_label_form_resolves_to_its_garment(code: str) -> None:
    for printed in (code, label_url(BASE, code, None), label_url(BASE, code, GTIN13)):
        result = label(mangle_azerty(printed))
        assert (result.code, result.mangled) == (code, True)
        assert result.read_as == printed


def test_a_mangled_url_resolves_on_a_base_with_a_port() -> None:
    base = "http://127.0.0.1:5000"
    result = label(mangle_azerty(base + "/g/CKS-00123"), base)
    assert result.code == "CKS-00123" and result.mangled


def test_a_mangled_foreign_payload_is_refused_with_what_it_really_is() -> None:
    wifi = refusal(mangle_azerty("WIFI:S:shop;T:WPA;P:x;;"))
    assert (wifi.reason, wifi.mangled) == (Refusal.WIFI, True)
    foreign = refusal(mangle_azerty("https://example.com/g/CKS-00123"))
    assert (foreign.reason, foreign.params["host"]) == (Refusal.FOREIGN_URL, "example.com")


def test_dead_keys_composed_with_a_vowel_are_undone_into_both_keys() -> None:
    assert unmangle_azerty("ê") == "[e"
    assert unmangle_azerty("ï") == "{i"
    assert unmangle_azerty("â") == "[q"  # the Belgian "a" sits on the US "q" key


def test_the_key_table_is_one_to_one() -> None:
    singles = {be: us for be, us in BE_TO_US.items() if len(us) == 1}
    assert len(set(singles.values())) == len(singles)


# --- invariants ---------------------------------------------------------------------------------

codes = st.from_regex(r"\ACKS-[0-9A-Z]{4,12}\Z")


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_gives_a_code_or_a_reason_and_never_raises(text: str) -> None:
    result = scan(text)
    if isinstance(result, ScannedLabel):
        assert result.code.startswith("CKS-") and result.code.isascii()
    else:
        assert isinstance(result.reason, Refusal) and result.render()


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_decoded_as_a_scanner_might_never_raise(blob: bytes) -> None:
    result = scan(blob.decode("latin-1"))
    assert isinstance(result, (ScannedLabel, NotALabel))


@given(codes, st.sampled_from(["", " ", "\n", "\r\n"]), st.booleans(), st.booleans())
def test_every_valid_code_resolves_in_every_form(code: str, pad: str, lower: bool, mangled: bool) -> None:
    for printed in (code, label_url(BASE, code, None), label_url(BASE, code, GTIN13)):
        text = printed.lower() if lower and printed == code else printed
        text = mangle_azerty(text) if mangled else text
        result = label(pad + text + pad)
        assert result.code == code
        assert result.mangled is mangled


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=80))
def test_unmangling_undoes_mangling(text: str) -> None:
    assert unmangle_azerty(mangle_azerty(text)) == text


# --- codes as people type them and handheld scanners send them (issue 17) -------------------------

@pytest.mark.parametrize("payload, code", [
    ("CKS-49", "CKS-00049"),
    ("cks-49", "CKS-00049"),
    ("CKS49", "CKS-00049"),
    ("CKS-12", "CKS-00012"),
    ("00049", "CKS-00049"),
    ("49", "CKS-00049"),
    ("cks-00051", "CKS-00051"),
    ("CKS-123456", "CKS-123456"),
])
def test_a_code_typed_short_or_in_any_case_reads_as_the_full_code(payload: str, code: str) -> None:
    scanned = label(payload)
    assert scanned.code == code
    assert scanned.read_as == payload  # what was read is kept, so pages can say it


@pytest.mark.parametrize("payload", [
    "(01)05400000001017(21)CKS-00049",
    "]C1(01)05400000001017(21)CKS-00049",  # with the scanner's symbology identifier
    "010540000000101721CKS-00049",  # raw, as a scanner types it without brackets
    "0105400000001017" "10LOT7\x1d" "21CKS-00049",  # a lot first, ended by the FNC1 separator
    "(01)05400000001017(10)LOT7(21)cks-49",
])
def test_a_gs1_element_string_names_the_garment_by_its_serial(payload: str) -> None:
    scanned = label(payload)
    assert scanned.code == "CKS-00049"
    assert scanned.form is LabelForm.GS1_ELEMENT_STRING
    assert scanned.gtin == "05400000001017"


def test_a_gs1_element_string_without_a_cks_serial_is_not_a_label() -> None:
    assert refusal("(01)05400000001017(21)ABC").reason is Refusal.NOT_A_LABEL
