"""Enums carry their own label: every member has one, it is translated when shown, and Dutch has it."""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import cksloop.domain
from cksloop.domain import messages
from cksloop.domain.inspection import DefectCode, Grade, ReturnReason, Zone
from cksloop.domain.lifecycle import Action, CareOutcome, GarmentState, LocationKind, RetireRoute, Role
from cksloop.domain.messages import LabelledEnum, LazyText

PO = Path(__file__).resolve().parents[2] / "cksloop" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def labelled_enums() -> list[type[LabelledEnum]]:
    """Every labelled enum of the domain (its modules imported first, so none is missed)."""
    for module in pkgutil.walk_packages(cksloop.domain.__path__, "cksloop.domain."):
        importlib.import_module(module.name)
    return sorted(_subclasses(LabelledEnum), key=lambda cls: cls.__qualname__)


@pytest.fixture
def dutch() -> Iterator[dict[str, str]]:
    """The Dutch catalogue installed as the labels' translator; the previous one comes back after."""
    with PO.open("rb") as fh:
        catalogue = {m.id: m.string for m in read_po(fh, locale="nl") if isinstance(m.id, str) and m.id}
    before = messages._translate
    messages.install_translator(lambda text: catalogue.get(text) or text)
    yield catalogue
    messages.install_translator(before)


def test_the_domain_has_the_labelled_enums_people_read() -> None:
    names = {cls.__name__ for cls in labelled_enums()}
    assert {"Action", "CareKind", "CareOutcome", "DefectCode", "DestructionGround", "EndUse",
            "GarmentState", "Grade", "LocationKind", "RetireRoute", "ReturnReason", "Role",
            "WriteOffReason", "Zone"} <= names


@pytest.mark.parametrize("enum", labelled_enums(), ids=lambda cls: cls.__name__)
def test_every_member_of_every_labelled_enum_has_a_label(enum: type[LabelledEnum]) -> None:
    for member in enum:
        assert isinstance(member.label, LazyText)
        assert member.label.message.strip(), f"{enum.__name__}.{member.name} has no label"


@pytest.mark.parametrize("enum", labelled_enums(), ids=lambda cls: cls.__name__)
def test_every_label_translates_in_dutch(enum: type[LabelledEnum], dutch: dict[str, str]) -> None:
    for member in enum:
        assert dutch.get(member.label.message), f"no Dutch for {enum.__name__}.{member.name}"
        assert str(member.label) == dutch[member.label.message]


def test_a_state_label_reads_in_dutch_when_dutch_is_installed(dutch: dict[str, str]) -> None:
    assert str(GarmentState.RENTED_OUT.label) == "verhuurd"
    assert GarmentState.label_of("rented_out") == "verhuurd"
    assert RetireRoute.OFFCUTS.label == "versneden tot stofresten voor workshops"


def test_a_label_taken_before_the_language_is_known_speaks_the_language_shown_in() -> None:
    label = LocationKind.STORE.label  # as a form's choices take it at import time
    before = messages._translate
    try:
        messages.install_translator(lambda text: {"store": "winkel"}.get(text, text))
        assert f"{label}" == "winkel"
        messages.install_translator(lambda text: text)
        assert str(label) == "store"
    finally:
        messages.install_translator(before)


def test_the_stored_value_stays_the_value_and_the_label_is_separate() -> None:
    assert GarmentState("rented_out") is GarmentState.RENTED_OUT
    assert GarmentState.RENTED_OUT.value == "rented_out" == GarmentState.RENTED_OUT
    assert Grade.A.label.message == "A — ready to rent as is"
    assert Role.ADMIN.label.message == "administrator"


def test_an_unknown_stored_value_is_shown_as_it_was_stored() -> None:
    assert Zone.label_of("elbow") == "elbow"
    assert DefectCode.label_of("XX") == "XX"
    assert ReturnReason.message_of("gone") == "gone"


def test_the_english_message_of_a_value_does_not_depend_on_the_installed_language(dutch: dict[str, str]) -> None:
    assert DefectCode.message_of("SNAG") == "snag, pulled yarn, loop"
    assert Action.message_of("sell") == "Sell"


def test_lazy_labels_compare_and_sort_as_the_text_shown() -> None:
    assert CareOutcome.DONE.label == CareOutcome.DONE.label
    assert CareOutcome.DONE.label == "done: ready again"
    assert sorted([Zone.WAIST.label, Zone.BACK.label]) == [Zone.BACK.label, Zone.WAIST.label]
    assert Zone.BACK.label + "!" == "back!"
