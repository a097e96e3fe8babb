"""The Dutch catalog keeps up with the code: every marked string translated, placeholders kept, .mo answering.

When the first test fails, someone added or changed a user-facing string: run
`scripts/translations update`, translate the empty msgstr entries in
cksloop/translations/nl/LC_MESSAGES/messages.po and commit it. The .mo is built from the .po
(scripts/venv.sh and tests/conftest.py compile it) and never committed, so it cannot go stale in git.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "cksloop" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
FIX = "run scripts/translations update, translate the empty entries in messages.po and commit it"
# the same keywords as scripts/translations
KEYWORDS = ["_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "N_", "pgettext:1c,2"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def read_catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="nl")


def strings_of(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids_of(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the code marks for translation today, extracted as scripts/translations does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords",
            *[arg for keyword in KEYWORDS for arg in ("-k", keyword)], "-o", str(pot), str(ROOT)]
    CommandLineInterface().run(args)
    return read_catalog(pot)


def test_extraction_finds_the_strings_of_python_code_and_templates(extracted):
    files = {Path(path).resolve().relative_to(ROOT).as_posix()
             for message in extracted for path, _line in message.locations}
    assert any(path.startswith("cksloop/domain/") for path in files)
    assert any(path.startswith("cksloop/web/") for path in files)
    assert any(path.startswith("templates/") for path in files)
    assert extracted.get("Scan a label") is not None


def test_every_marked_string_has_a_dutch_translation_that_is_neither_empty_nor_fuzzy(catalog, extracted):
    missing, empty, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None:
            missing.append(ids_of(message)[0])
        elif translated.fuzzy:
            fuzzy.append(ids_of(message)[0])
        elif not all(strings_of(translated)) or (message.pluralizable and len(strings_of(translated)) != 2):
            empty.append(ids_of(message)[0])
    assert not missing, f"not in the nl catalog ({FIX}): {missing}"
    assert not empty, f"untranslated in the nl catalog ({FIX}): {empty}"
    assert not fuzzy, f"fuzzy in the nl catalog (check and clear the flag, then compile): {fuzzy}"


def test_the_catalog_uses_dutch_plural_rules(catalog):
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") in ("(n!=1)", "n!=1")


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalog):
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        expected = {name for text in ids_of(message) for name in PLACEHOLDER.findall(text)}
        for text in strings_of(message):
            if text and set(PLACEHOLDER.findall(text)) != expected:
                wrong.append((ids_of(message)[0], text))
    assert not wrong, wrong


def test_every_python_format_translation_formats_like_its_msgid(catalog):
    class Anything(dict):
        def __missing__(self, key):
            return 3

    broken = []
    for message in catalog:
        if not message.id or not message.python_format:
            continue
        for text in strings_of(message):
            try:
                text % Anything()
            except (ValueError, TypeError, KeyError) as exc:
                broken.append((ids_of(message)[0], text, str(exc)))
    assert not broken, broken
    assert not [(m.id, errors) for m, errors in catalog.check()], "babel's own catalog checks failed"


def test_translations_contain_no_html(catalog):
    tagged = [m.id for m in catalog if m.id and any(re.search(r"<[a-zA-Z/][^>]*>", s or "")
                                                   for s in strings_of(m))
              and not any("<token>" in i for i in ids_of(m))]
    assert not tagged, tagged


def test_the_compiled_catalogue_the_app_loads_answers_every_message_the_po_holds(catalog):
    # loaded as Flask-Babel loads it, from the folder the app is configured with
    assert MO.exists(), f"{MO} is missing: scripts/run, scripts/test and pytest compile it from the .po"
    compiled = Translations.load(str(MO.parents[2]), ["nl"])
    wrong, answered = [], 0
    for message in catalog:
        if not message.id or message.fuzzy or not all(strings_of(message)):
            continue  # not translated yet: the test above names it
        if message.pluralizable:
            singular, plural = message.id
            got = tuple(compiled.unpgettext(message.context, singular, plural, n) if message.context
                        else compiled.ungettext(singular, plural, n) for n in (1, 2))
        else:
            got = (compiled.upgettext(message.context, message.id) if message.context
                   else compiled.ugettext(message.id),)
        answered += 1
        if got != strings_of(message):
            wrong.append((ids_of(message)[0], strings_of(message), got))
    assert not wrong, f"the compiled catalogue answers differently from messages.po: {wrong[:10]}"
    assert answered > 100, "the catalogue should hold the app's translations"


def test_no_compiled_catalogue_is_committed():
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert tracked.stdout.split() == [], "a committed .mo goes stale: it is built from the .po at install"
