"""Garment codes, GS1 rules, sheet layouts, the QR matrix and ZPL escaping: pure rules, no app."""
from __future__ import annotations

import re
import string

import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode import util

from cksloop.adapters import label_sheets, qr, zpl
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.labels import (LAYOUTS, MAX_LABELS, check_codes, check_dpi, check_start_at,
                                   digital_link_path, gs1_check_digit, gtin14, is_garment_code,
                                   is_valid_gtin, label_url, layout_named, make_label, parse_codes,
                                   unique_codes)

BASE = "https://loop.cks.example"
#: the longest base URL for which a Digital Link with the longest code stays at QR version 5
LONG_BASE = "https://loop.cks-fashion.example"


# --- codes and GS1 ------------------------------------------------------------------------------

@pytest.mark.parametrize("gtin", ["4006381333931", "5400000001017", "5400000001024", "96385074",
                                  "036000291452", "00012345600012"])
def test_gs1_check_digit_accepts_real_gtins(gtin):
    assert gs1_check_digit(gtin[:-1]) == int(gtin[-1])
    assert is_valid_gtin(gtin)


def test_gtin_with_a_wrong_check_digit_or_length_is_refused():
    assert not is_valid_gtin("4006381333932")
    assert not is_valid_gtin("400638133393")  # 12 digits, wrong check digit
    assert not is_valid_gtin("40063813339311")
    assert not is_valid_gtin("4006381333９31")  # a full-width digit is not a digit here
    with pytest.raises(ValueError):
        gtin14("4006381333932")


def test_short_gtins_are_left_padded_to_fourteen_digits():
    assert gtin14("96385074") == "00000096385074"
    assert gtin14("036000291452") == "00036000291452"
    assert gtin14("4006381333931") == "04006381333931"


def test_label_url_is_a_digital_link_when_the_size_has_a_gtin_and_the_short_path_otherwise():
    assert label_url(BASE + "/", "CKS-00123", "5400000001024") == BASE + "/01/05400000001024/21/CKS-00123"
    assert label_url(BASE, "CKS-00123", None) == BASE + "/g/CKS-00123"
    assert digital_link_path("96385074", "CKS-0001") == "/01/00000096385074/21/CKS-0001"


def test_a_stored_gtin_that_fails_its_check_digit_falls_back_to_the_short_path():
    label = make_label(BASE, code="CKS-00001", gtin="5400000001018", style_number="S", style_name="N",
                       size="M", colour="navy")
    assert label.url == BASE + "/g/CKS-00001"


def test_codes_are_read_from_lines_commas_semicolons_and_spaces_once_each_in_order():
    assert parse_codes(" CKS-00003\nCKS-00001, CKS-00002;CKS-00003\t\n") == \
        ["CKS-00003", "CKS-00001", "CKS-00002", "CKS-00003"]
    assert unique_codes(["CKS-00003", "CKS-00001", "CKS-00003"]) == ["CKS-00003", "CKS-00001"]


def test_code_lists_that_are_empty_too_long_or_malformed_are_refused_with_the_reason():
    with pytest.raises(InvalidDetails) as empty:
        check_codes([])
    assert "codes" in empty.value.field_errors
    with pytest.raises(InvalidDetails) as too_many:
        check_codes([f"CKS-{i:05d}" for i in range(MAX_LABELS + 1)])
    assert too_many.value.details["max_codes"] == MAX_LABELS
    with pytest.raises(InvalidDetails) as malformed:
        check_codes(["CKS-00001", "cks-00002", "<b>", "x" * 500])
    assert malformed.value.details["malformed_codes"] == ["cks-00002", "<b>", "x" * 40]
    check_codes([f"CKS-{i:05d}" for i in range(MAX_LABELS)])  # exactly the limit is fine


# --- sheet layouts ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_layout_fits_its_labels_on_the_sheet_without_overlap(name):
    layout = LAYOUTS[name]
    boxes = [layout.cell_box(cell) for cell in range(1, layout.cells + 1)]
    for left, top, width, height in boxes:
        assert 0 <= left and left + width <= layout.page_width_mm + 1e-9
        assert 0 <= top and top + height <= layout.page_height_mm + 1e-9
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = (a[0] + a[2] <= b[0] + 1e-9 or b[0] + b[2] <= a[0] + 1e-9 or
                     a[1] + a[3] <= b[1] + 1e-9 or b[1] + b[3] <= a[1] + 1e-9)
            assert apart, (a, b)


def test_layouts_have_the_sizes_people_buy():
    assert (LAYOUTS["a4-3x8"].cells, LAYOUTS["a4-3x8"].label_width_mm, LAYOUTS["a4-3x8"].label_height_mm) == (24, 70, 37)
    assert LAYOUTS["a4-2x7"].cells == 14
    assert LAYOUTS["a4-4x10"].cells == 40


def test_cells_are_counted_left_to_right_then_down():
    layout = LAYOUTS["a4-3x8"]
    assert layout.cell_box(1)[:2] == (0.0, 0.5)
    assert layout.cell_box(2)[:2] == (70.0, 0.5)
    assert layout.cell_box(4)[:2] == (0.0, 37.5)
    assert layout.sheets_for(24) == 1
    assert layout.sheets_for(24, start_at=2) == 2
    assert layout.sheets_for(0) == 0


@given(name=st.sampled_from(sorted(LAYOUTS)), start_at=st.one_of(
    st.integers(-5, 60), st.booleans(), st.floats(), st.text(max_size=3), st.none()))
def test_start_at_must_be_a_whole_number_of_a_cell_on_the_sheet(name, start_at):
    layout = LAYOUTS[name]
    if isinstance(start_at, int) and not isinstance(start_at, bool) and 1 <= start_at <= layout.cells:
        assert check_start_at(layout, start_at) == start_at
    else:
        with pytest.raises(InvalidDetails) as refused:
            check_start_at(layout, start_at)
        assert refused.value.details["max_start_at"] == layout.cells


def test_unknown_layouts_and_printer_resolutions_are_refused_naming_the_known_ones():
    with pytest.raises(InvalidDetails) as refused:
        layout_named("a4-9x9")
    assert refused.value.details["layouts"] == sorted(LAYOUTS)
    for wrong in (["a4-3x8"], None, 3):
        with pytest.raises(InvalidDetails):
            layout_named(wrong)
    assert check_dpi(300) == 300
    for wrong in (250, "203", True, 203.5):
        with pytest.raises(InvalidDetails):
            check_dpi(wrong)


# --- the QR matrix ------------------------------------------------------------------------------

def reference_matrix(text: str) -> list[list[bool]]:
    """What the qrcode package itself makes (module by module, all eight masks scored)."""
    encoder = qrcode.QRCode(error_correction=qr.ERROR_CORRECTION, border=0)
    encoder.add_data(text)
    encoder.make(fit=True)
    return [[bool(m) for m in row] for row in encoder.get_matrix()]


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.builds(lambda n, gtin: label_url(BASE, f"CKS-{n:05d}", gtin),
              st.integers(0, 99999), st.sampled_from([None, "5400000001017", "96385074"])),
    st.text(alphabet=string.printable, min_size=1, max_size=400),
    st.text(min_size=1, max_size=60)))
def test_fast_qr_matrix_is_exactly_what_the_qrcode_package_makes(text):
    matrix = qr.qr_matrix(text)
    assert matrix.as_lists() == reference_matrix(text)


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=string.printable, min_size=1, max_size=200))
def test_mask_penalty_equals_qrcodes_lost_point(text):
    matrix = qr.qr_matrix(text)
    rows = list(matrix.rows)
    penalty = qr._penalty(rows, qr._transpose(rows, matrix.size), matrix.size)
    assert penalty == util.lost_point(matrix.as_lists())


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_version_and_codewords_are_what_qrcode_chooses(text):
    encoder = qrcode.QRCode(error_correction=qr.ERROR_CORRECTION, border=0)
    encoder.add_data(text)
    version = encoder.best_fit()
    assert qr.qr_version(text) == version
    assert qr._encode(text) == (version, util.create_data(version, qr.ERROR_CORRECTION, encoder.data_list))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=string.printable, min_size=1, max_size=300))
def test_dark_rectangles_cover_every_dark_module_exactly_once(text):
    matrix = qr.qr_matrix(text)
    covered = [[0] * matrix.size for _ in range(matrix.size)]
    for x, y, w, h in qr.dark_rectangles(matrix):
        for row in range(y, y + h):
            for column in range(x, x + w):
                covered[row][column] += 1
    assert covered == [[1 if dark else 0 for dark in row] for row in matrix.as_lists()]


def test_label_qr_uses_error_correction_q_with_a_quiet_zone_of_four_modules():
    url = label_url(BASE, "CKS-00123", "5400000001024")
    image = Image.open(__import__("io").BytesIO(qr.png(qr.qr_matrix(url), module_px=6)))
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == url
    assert found.ec_level == "Q"
    # the four outer rings of modules are white
    pixels = image.convert("L").load()
    side = image.width
    for i in range(side):
        for j in range(qr.QUIET_ZONE * 6):
            assert pixels[i, j] == pixels[j, i] == pixels[i, side - 1 - j] == pixels[side - 1 - j, i] == 255


@pytest.mark.parametrize("base", [BASE, LONG_BASE])
@pytest.mark.parametrize("gtin", ["5400000001024", None])
@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_qr_modules_print_at_half_a_millimetre_or_more_on_every_sheet(name, gtin, base):
    url = label_url(base, "CKS-000123456789", gtin)  # the longest code there can be
    assert label_sheets.module_mm(LAYOUTS[name], url) >= 0.5


@pytest.mark.parametrize("base", [BASE, LONG_BASE])
@pytest.mark.parametrize("dpi", [203, 300])
def test_qr_modules_print_at_half_a_millimetre_or_more_on_the_thermal_label(dpi, base):
    matrix = qr.qr_matrix(label_url(base, "CKS-000123456789", "5400000001024"))
    shape = zpl.geometry(dpi, matrix.size_with_quiet_zone)
    assert shape.module_mm >= 0.5
    assert shape.margin_dots + matrix.size_with_quiet_zone * shape.magnification <= shape.height_dots


# --- ZPL field data ------------------------------------------------------------------------------

_HEX = re.compile(r"_([0-9A-F]{2})")


def unescape_field(data: str) -> str:
    """How a printer reads a ^FH field: _XX is the byte XX (UTF-8 under ^CI28)."""
    raw = bytearray()
    i = 0
    while i < len(data):
        match = _HEX.match(data, i)
        if match:
            raw.append(int(match.group(1), 16))
            i = match.end()
        else:
            raw.extend(data[i].encode("ascii"))
            i += 1
    return raw.decode("utf-8")


@given(st.text(max_size=80))
def test_zpl_field_data_can_carry_any_text_without_a_command_character(text):
    escaped = zpl.field_data(text)
    assert not set(escaped) & set("^~\\") and escaped.isascii() and escaped.isprintable()
    assert unescape_field(escaped) == text


def test_zpl_field_data_escapes_carets_tildes_underscores_and_accents():
    assert zpl.field_data("a^b~c_d\\é") == "a_5Eb_7Ec_5Fd_5C_C3_A9"
    assert zpl.field_data("^XZ^XA") == "_5EXZ_5EXA"
