"""Every word a template shows a person is marked for translation (issue 18: a template string not
marked fails CI). The template is read as Jinja reads it: what Jinja outputs from its own tags
({{ _("…") }}, {% trans %}) is marked or data; what is left is the template's literal HTML, whose
text and user-visible attributes must hold no words except the short list of names below.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

#: Words that are the same in every language: names, codes and units. Keep it short and say why.
ALLOWED_WORDS = frozenset({
    "CKS", "Dressr", "cksloop", "cks", "loop",  # brand and product names (base.html: cks<strong>loop</strong>)
    "QR", "GS1", "GTIN", "EAN", "CN",  # code standards printed on labels and forms
    "SVG", "CSV", "XLSX", "PDF", "ZPL", "JSON", "API",  # file and data formats
    "g", "kg", "cm", "mm",  # units of measure
    "A", "B", "C", "D", "E",  # the inspection grades, which are letters in every language
    "Nederlands", "Français", "English",  # each language named in itself (the language switch)
})
#: Attributes a person reads or hears (a screen reader says aria-label and alt; title is a tooltip).
VISIBLE_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "aria-description",
                                "aria-placeholder", "aria-roledescription", "aria-valuetext", "label"})
#: Blocks that base.html puts inside an attribute (<body class="…">): class names, not text.
ATTRIBUTE_BLOCKS = frozenset({"body_class"})
#: What Jinja puts out stands in for one character with no letters in it.
OUTPUT = "\x1a"
WORD = re.compile(r"[^\W_][\w.'’-]*")


def literal_html(source: str, name: str = "template") -> str:
    """The template with every Jinja tag, comment and {% trans %} block replaced by OUTPUT (line
    breaks kept, so line numbers still point at the template)."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    parts: list[str] = []
    in_trans = in_attribute_block = False
    tag: list[str] = []  # the names of the Jinja tag being read ("block", "body_class")
    for _line, token, value in env.lexer.tokeniter(source, name):
        if token == "data":
            parts.append(OUTPUT + "\n" * value.count("\n") if in_trans or in_attribute_block else value)
            continue
        if token == "block_begin":
            tag = []
        elif token == "name" and len(tag) < 2:
            tag.append(value)
            in_trans = tag[0] == "trans" or (in_trans and tag[0] != "endtrans")
            if tag[0] == "block" and len(tag) == 2:
                in_attribute_block = value in ATTRIBUTE_BLOCKS
            elif tag[0] == "endblock":
                in_attribute_block = False
        if token in ("variable_begin", "block_begin", "comment_begin", "linecomment_begin"):
            parts.append(OUTPUT)
        parts.append("\n" * value.count("\n"))
    return "".join(parts)


def words_of(text: str) -> list[str]:
    """The words of ``text`` that would need a translation: not names, units, numbers, or codes
    (a word with a digit in it: "CKS-00123", "AW26", "m²")."""
    return [w for w in WORD.findall(text.replace(OUTPUT, " "))
            if not any(ch.isdigit() for ch in w) and w.strip(".'’-") not in ALLOWED_WORDS]


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._hidden = 0  # inside <script> or <style>: code, not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        for attr, value in attrs:
            visible = attr in VISIBLE_ATTRIBUTES or (
                attr == "value" and tag == "input"
                and (values.get("type") or "").lower() in ("submit", "button", "reset"))
            if visible and value and words_of(value):
                self.found.append((self.getpos()[0], f'{tag} {attr}="{value.replace(OUTPUT, "…")}"'))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and words_of(data):
            line = self.getpos()[0] + data[:len(data) - len(data.lstrip())].count("\n")
            self.found.append((line, " ".join(data.replace(OUTPUT, "…").split())))


#: a partial that holds nothing but attributes, e.g. ``data-t-x="{{ _('…') }}"``
ATTRIBUTES_ONLY = re.compile(r'\A[\s\x1a]*[a-z][\w-]*="')  # \x1a: where a Jinja comment or tag was


def unmarked_texts(source: str, name: str = "template") -> list[tuple[int, str]]:
    """(line, text) of each text or visible attribute of ``source`` with a word not marked for translation."""
    finder = _Finder()
    html = literal_html(source, name)
    if ATTRIBUTES_ONLY.match(html):
        # a partial included inside a tag (attributes only): read it as that tag's attributes
        html = f"<div {html}>"
    finder.feed(html)
    finder.close()
    return finder.found


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_every_word_a_template_shows_is_marked_for_translation(path):
    found = unmarked_texts(path.read_text(encoding="utf-8"), str(path))
    assert not found, (f"{path.relative_to(ROOT)}: mark these with {{{{ _(\"…\") }}}}: "
                       + "; ".join(f"line {line}: {text}" for line, text in found))


def test_the_check_reads_every_template():
    assert len(templates()) > 50
    assert TEMPLATES / "base.html" in templates()


@pytest.mark.parametrize("source, expected", [
    ("<p>Scan a label</p>", [(1, "Scan a label")]),
    ('<p>{{ _("Scan a label") }}</p>\n<button>Send now</button>', [(2, "Send now")]),
    ('<input name="q" placeholder="Code or style">', [(1, 'input placeholder="Code or style"')]),
    ('<img src="x.png" alt="Photo of the defect">', [(1, 'img alt="Photo of the defect"')]),
    ('<a href="/" aria-label="Home" title="{{ _(\'Home\') }}">⌂</a>', [(1, 'a aria-label="Home"')]),
    ('<input type="submit" value="Save">', [(1, 'input value="Save"')]),
    ("<p>{{ n }} garments left</p>", [(1, "… garments left")]),
    ("{% if x %}\n<p>\n  Nothing here\n</p>{% endif %}", [(3, "Nothing here")]),
])
def test_an_unmarked_word_is_found_with_its_line(source, expected):
    assert unmarked_texts(source) == expected


@pytest.mark.parametrize("source", [
    '<p>{{ _("Scan a label") }} · {{ ngettext("%(num)d garment", "%(num)d garments", n) }}</p>',
    "<p>{% trans %}Scan a label{% endtrans %}</p>",
    "<p>{% trans n=n %}One garment{% pluralize %}{{ n }} garments{% endtrans %}</p>",
    '<p>{{ n }} g · {{ p }} % — CKS × Dressr · GS1 QR</p>',
    '<input type="hidden" name="next" value="dashboard"><input name="q" value="{{ q }}">',
    '<button type="submit" name="save" value="rules">{{ _("Save") }}</button>',
    "{% block body_class %}page-scan page-batch{% endblock %}{% block content %}{{ _('Scan') }}{% endblock %}",
    '<input name="code" placeholder="CKS-00123" inputmode="text"> <span>{{ w }} m²</span>',
    "<script>const label = 'not a sentence for people';</script><style>.a::after{content:'x'}</style>",
    "{# a comment says what it likes #}<p>{{ code }}</p>",
    '<a href="/garments?sort=price" class="button primary big" data-role="store_staff">{{ _("Open") }}</a>',
])
def test_marked_text_names_units_and_code_pass(source):
    assert unmarked_texts(source) == []
