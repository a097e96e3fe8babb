"""Every catalogue (nl, fr) keeps up with the code: every marked string translated, placeholders kept, .mo compiled.

When a completeness test fails, someone added or changed a user-facing string: run
`scripts/translations update`, list what is left with `scripts/translations todo fr` (and nl),
translate the empty msgstr entries in cksloop/translations/<lang>/LC_MESSAGES/messages.po,
run `scripts/translations compile`, commit both files of each language.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "cksloop" / "translations"
#: every catalogue on disk; English is the msgids themselves
LANGUAGES = sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
#: the plural rule each language's catalogue must declare (gettext's classic ones)
PLURAL_RULES = {"nl": ("(n!=1)", "n!=1"), "fr": ("(n>1)", "n>1")}
FIX = ("run scripts/translations update, scripts/translations todo LANG, translate the empty entries "
       "in messages.po, then scripts/translations compile and commit messages.po and messages.mo")
# the same keywords as scripts/translations
KEYWORDS = ["_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "N_", "pgettext:1c,2"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_of(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str = "nl"):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def strings_of(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids_of(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


@pytest.fixture(scope="module", params=LANGUAGES)
def catalog(request):
    return read_catalog(po_of(request.param), locale=request.param)


def test_the_app_offers_a_catalogue_for_every_language_but_english():
    from cksloop.config import defaults

    assert {"nl", "fr"} <= set(LANGUAGES)
    assert set(defaults("instance")["LANGUAGES"]) == {*LANGUAGES, "en"}


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


def test_every_marked_string_has_a_translation_that_is_neither_empty_nor_fuzzy(catalog, extracted):
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
    lang = catalog.locale_identifier
    assert not missing, f"not in the {lang} catalog ({FIX}): {missing}"
    assert not empty, f"untranslated in the {lang} catalog ({FIX}): {empty}"
    assert not fuzzy, f"fuzzy in the {lang} catalog (check and clear the flag, then compile): {fuzzy}"


def test_the_catalog_uses_the_plural_rule_of_its_language(catalog):
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") in PLURAL_RULES[catalog.locale_identifier]


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


def test_the_committed_mo_is_a_fresh_compile_of_the_po(catalog):
    fresh = io.BytesIO()
    write_mo(fresh, catalog, use_fuzzy=False)
    mo = po_of(catalog.locale_identifier).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run scripts/translations compile"
    assert mo.read_bytes() == fresh.getvalue(), f"{mo} is stale: run scripts/translations compile and commit it"


def test_translations_are_written_in_the_language_not_copied_from_the_english(catalog):
    # a few words are the same in every language (GTIN, Code, Outlet, cksloop); whole sentences are not
    copied = [m.id for m in catalog if m.id and not m.pluralizable and m.string == m.id
              and len(re.findall(r"[^\W\d_]{2,}", PLACEHOLDER.sub("", m.id))) >= 2]
    assert not copied, copied


def test_french_keeps_a_non_breaking_space_before_its_double_punctuation():
    # a phone screen must never start a line with ":" or "»"; scripts and people translating later
    # type an ordinary space, so the catalogue is checked (U+00A0, as LibreOffice and Word put it)
    catalog = read_catalog(po_of("fr"), locale="fr")
    breaking = [text for m in catalog if m.id for text in strings_of(m)
                if re.search(r" [:;?!»%]|« ", PLACEHOLDER.sub("", text))]
    assert not breaking, breaking
