"""Every catalogue (nl, fr) keeps up with the code: every marked string translated, placeholders kept, .mo answering.

When a completeness test fails, someone added or changed a user-facing string: run
`scripts/translations update`, list what is left with `scripts/translations todo fr` (and nl),
translate the empty msgstr entries in cksloop/translations/<lang>/LC_MESSAGES/messages.po and
commit it. The .mo is built from the .po (scripts/venv.sh and tests/conftest.py compile it) and
never committed, so it cannot go stale in git.
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
TRANSLATIONS = ROOT / "cksloop" / "translations"
#: every catalogue on disk; English is the msgids themselves
LANGUAGES = sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
#: the plural rule each language's catalogue must declare (gettext's classic ones)
PLURAL_RULES = {"nl": ("(n!=1)", "n!=1"), "fr": ("(n>1)", "n>1")}
FIX = ("run scripts/translations update, list what is left with scripts/translations todo LANG, "
       "translate the empty entries in messages.po and commit it")
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


def test_the_compiled_catalogue_the_app_loads_answers_every_message_the_po_holds(catalog):
    # loaded as Flask-Babel loads it, from the folder the app is configured with
    lang = catalog.locale_identifier
    mo = po_of(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: scripts/run, scripts/test and pytest compile it from the .po"
    compiled = Translations.load(str(mo.parents[2]), [lang])
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
