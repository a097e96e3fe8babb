"""The scan parser reads offcut lot labels only where the caller asks for them (issue 15)."""
from __future__ import annotations

from cksloop.domain.scanning import LabelForm, LabelKind, NotALabel, ScannedLabel, mangle_azerty, parse_scan

BASE = "https://loop.cks.example"


def test_a_lot_code_and_its_label_url_resolve_as_offcut_lots_when_lots_are_asked_for():
    for payload, form in (("CKSR-00012", LabelForm.CODE), ("cksr 12", LabelForm.CODE),
                          (f"{BASE}/r/CKSR-00012", LabelForm.SHORT_URL)):
        outcome = parse_scan(payload, base_url=BASE, lots=True)
        assert isinstance(outcome, ScannedLabel)
        assert (outcome.code, outcome.form, outcome.kind) == ("CKSR-00012", form, LabelKind.OFFCUT_LOT)


def test_a_lot_label_typed_on_an_azerty_keyboard_is_still_a_lot():
    outcome = parse_scan(mangle_azerty(f"{BASE}/r/CKSR-00012"), base_url=BASE, lots=True)
    assert isinstance(outcome, ScannedLabel) and outcome.mangled
    assert (outcome.code, outcome.kind) == ("CKSR-00012", LabelKind.OFFCUT_LOT)


def test_garment_only_callers_never_take_a_lot_for_a_garment():
    assert isinstance(parse_scan("CKSR-00012", base_url=BASE), NotALabel)
    assert isinstance(parse_scan(f"{BASE}/r/CKSR-00012", base_url=BASE), NotALabel)
    garment = parse_scan("CKS-00049", base_url=BASE, lots=True)
    assert isinstance(garment, ScannedLabel) and garment.kind is LabelKind.GARMENT
