"""What a scan means: a raw scanned payload → one garment code, or why it is not a CKS label.

Scans come from phone cameras, handheld keyboard-wedge scanners and people typing. Accepted:
our label URLs (``{BASE_URL}/g/{code}``), GS1 Digital Link URLs on our host
(``{BASE_URL}/01/{GTIN}[/22/…][/10/…]/21/{code}``, query string ignored), the GS1 element string
many handheld scanners send for a Digital Link (``(01){GTIN}(21){code}``, bracketed or raw) and
garment codes as people type them (``cks-00051``, ``CKS-49``, ``00049``), with surrounding whitespace. A scanner left on the US layout while the
computer types Belgian AZERTY turns ``CKS-00123`` into ``CKS)àà&é"``: such input is mapped back
key by key and reported as mangled so the page can say so.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from .labels import garment_code_in, is_valid_gtin
from .messages import N_
from .offcut_labels import lot_code_in, lot_code_in_path

#: Longest payload worth looking at; a label URL is well under 200 characters.
MAX_PAYLOAD = 2000


class LabelForm(StrEnum):
    CODE = "code"  # a bare garment code, typed or scanned from a barcode
    SHORT_URL = "short_url"  # {BASE_URL}/g/{code}
    DIGITAL_LINK = "digital_link"  # {BASE_URL}/01/{GTIN-14}/21/{code}
    GS1_ELEMENT_STRING = "gs1_element_string"  # (01){GTIN-14}(21){code}, what many handheld scanners send


class LabelKind(StrEnum):
    """What a label names: one garment, or an offcut lot (issue 15)."""

    GARMENT = "garment"
    OFFCUT_LOT = "offcut_lot"


class Refusal(StrEnum):
    """Why a payload is not a CKS label; the API returns it as ``details.reason``."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BINARY = "binary"
    WIFI = "wifi"
    OTHER_QR = "other_qr"  # contact card, phone number, e-mail, …
    FOREIGN_URL = "foreign_url"
    UNKNOWN_PATH = "unknown_path"  # our host, but no garment in the path
    PRODUCT_ONLY = "product_only"  # a GS1 Digital Link without a serial: a style, not a garment
    BAD_GTIN = "bad_gtin"
    NOT_A_LABEL = "not_a_label"


REFUSAL_MESSAGES: dict[Refusal, str] = {
    Refusal.EMPTY: N_("Nothing was scanned."),
    Refusal.TOO_LONG: N_("This is not a CKS label: it is far too long."),
    Refusal.BINARY: N_("This is not a CKS label: it holds binary or control characters."),
    Refusal.WIFI: N_("This is not a CKS label but a Wi-Fi QR code."),
    Refusal.OTHER_QR: N_("This is not a CKS label but a contact, phone number or message."),
    Refusal.FOREIGN_URL: N_("This is not a CKS label: the link belongs to another website (%(host)s)."),
    Refusal.UNKNOWN_PATH: N_("This is not a CKS label: the link is ours but names no garment."),
    Refusal.PRODUCT_ONLY: N_("This is not a CKS garment label: it names a product (GTIN %(gtin)s), "
                             "not one garment."),
    Refusal.BAD_GTIN: N_("This is not a CKS label: the GTIN in the link is not valid (check digit)."),
    Refusal.NOT_A_LABEL: N_("This is not a CKS label."),
}


@dataclass(frozen=True)
class ScannedLabel:
    """A payload that names one garment."""

    code: str
    form: LabelForm
    #: the text after undoing a keyboard-layout mix-up (equal to the trimmed payload otherwise)
    read_as: str
    gtin: str | None = None
    mangled: bool = False
    kind: LabelKind = LabelKind.GARMENT


@dataclass(frozen=True)
class NotALabel:
    """A payload that names no garment; ``message`` is a translatable template filled by ``params``."""

    reason: Refusal
    read_as: str = ""
    mangled: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return REFUSAL_MESSAGES[self.reason]

    def render(self) -> str:
        """The English text (tests, logs)."""
        return self.message % self.params if self.params else self.message


ScanOutcome = ScannedLabel | NotALabel

# --- the Belgian AZERTY ↔ US key table ----------------------------------------------------------
# One row per physical key: what the US layout types (plain, shift) and what Belgian AZERTY types
# on the same key. A scanner set to US sends the keys for the US characters; the computer, set to
# Belgian, types the Belgian ones. Keys that are the same on both (most letters) are left out.
_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("`", "~", "²", "³"),
    ("1", "!", "&", "1"),
    ("2", "@", "é", "2"),
    ("3", "#", '"', "3"),
    ("4", "$", "'", "4"),
    ("5", "%", "(", "5"),
    ("6", "^", "§", "6"),
    ("7", "&", "è", "7"),
    ("8", "*", "!", "8"),
    ("9", "(", "ç", "9"),
    ("0", ")", "à", "0"),
    ("-", "_", ")", "°"),
    ("=", "+", "-", "_"),
    ("q", "Q", "a", "A"),
    ("w", "W", "z", "Z"),
    ("[", "{", "^", "¨"),  # dead keys on AZERTY: typed alone or composed with the next vowel
    ("]", "}", "$", "*"),
    ("a", "A", "q", "Q"),
    (";", ":", "m", "M"),
    ("'", '"', "ù", "%"),
    ("\\", "|", "µ", "£"),
    ("z", "Z", "w", "W"),
    ("m", "M", ",", "?"),
    (",", "<", ";", "."),
    (".", ">", ":", "/"),
    ("/", "?", "=", "+"),
)

#: US character → what Belgian AZERTY types for the same key (how a scan gets mangled)
US_TO_BE: dict[str, str] = {}
#: Belgian AZERTY character → the US character of the same key (how we undo it)
BE_TO_US: dict[str, str] = {}
for _us_plain, _us_shift, _be_plain, _be_shift in _KEYS:
    US_TO_BE[_us_plain], US_TO_BE[_us_shift] = _be_plain, _be_shift
    BE_TO_US[_be_plain], BE_TO_US[_be_shift] = _us_plain, _us_shift

# a dead key followed by a vowel key composes one accented letter (^ + e → ê): undo both keys
for _dead_us, _dead_be in (("[", "\u0302"), ("{", "\u0308")):
    for _be_letter in "aeiouyAEIOUY":
        _composed = unicodedata.normalize("NFC", _be_letter + _dead_be)
        if len(_composed) == 1:
            BE_TO_US[_composed] = _dead_us + BE_TO_US.get(_be_letter, _be_letter)


def unmangle_azerty(text: str) -> str:
    """``text`` as the scanner meant it, assuming it was sent for US and typed as Belgian AZERTY."""
    return "".join(BE_TO_US.get(ch, ch) for ch in text)


def mangle_azerty(text: str) -> str:
    """What a US-layout scanner types on a Belgian AZERTY computer (tests and the self-test page)."""
    return "".join(US_TO_BE.get(ch, ch) for ch in text)


# --- parsing ------------------------------------------------------------------------------------

_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # symbology identifier some scanners send first
_OTHER_QR = re.compile(r"^(BEGIN:VCARD|MECARD:|MATMSG:|SMSTO:|SMS:|TEL:|MAILTO:|GEO:|BEGIN:VEVENT|"
                       r"BEGIN:VCALENDAR|FIDO:|OTPAUTH:)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# GS1 Digital Link qualifiers of a GTIN, in the only order the standard allows: CPV, lot, serial
_DL_QUALIFIERS = ("22", "10", "21")
_INVISIBLE = "\u200b\u200e\u200f\u2060\ufeff"  # zero-width marks some apps and scanners add
_GS = "\x1d"  # FNC1 as a scanner types it: ends a variable-length GS1 field
# a GS1 element string: (01) GTIN-14, then optional (22) CPV and (10) lot, and (21) the serial;
# in brackets as printed under a barcode, or raw (GS after each variable field but the last)
_GS1_BRACKETS = re.compile(r"^\(01\)(\d{14})(?:\(22\)([^()]{1,20}))?(?:\(10\)([^()]{1,20}))?\(21\)([^()]{1,20})$")
_GS1_RAW = re.compile("^01(\\d{14})(?:22([^\x1d]{1,20})\x1d)?(?:10([^\x1d]{1,20})\x1d)?21([^\x1d]{1,20})$")


def parse_scan(raw: str, *, base_url: str, lots: bool = False) -> ScanOutcome:
    """What ``raw`` (exactly what was scanned or typed) names, judged against our ``base_url``.

    With ``lots`` an offcut lot's code or label URL (/r/{code}) is a label too (``kind``
    offcut_lot); callers that act on garments only leave it off. Never raises on any text: it
    returns a ScannedLabel or a NotALabel with the reason.
    """
    if not isinstance(raw, str):
        return NotALabel(Refusal.NOT_A_LABEL)
    if len(raw) > MAX_PAYLOAD:
        return NotALabel(Refusal.TOO_LONG)
    text = raw.strip().strip(_INVISIBLE).strip()
    if not text:
        return NotALabel(Refusal.EMPTY)
    if _is_binary(text):
        return NotALabel(Refusal.BINARY)
    base = _base(base_url)
    direct = _parse(text, base, lots)
    if isinstance(direct, ScannedLabel):
        return direct
    unmangled = unmangle_azerty(text)
    if unmangled == text:
        return direct
    second = _parse(unmangled, base, lots)
    if isinstance(second, ScannedLabel):
        return ScannedLabel(second.code, second.form, unmangled, second.gtin, mangled=True, kind=second.kind)
    if direct.reason is Refusal.NOT_A_LABEL and second.reason is not Refusal.NOT_A_LABEL:
        # e.g. a mangled Wi-Fi code or foreign link: say what it really is
        return NotALabel(second.reason, unmangled, True, second.params)
    return direct


def _code_in(text: str) -> str | None:
    """The garment code ``text`` spells as people type it ("cks-00051", "CKS-49", "00049"), else None."""
    return garment_code_in(text)


def _is_binary(text: str) -> bool:
    for ch in text:
        if ch in "\t\n\r" + _GS:
            continue  # line breaks are text: contact cards and messages span lines
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            return True
    return False


@dataclass(frozen=True)
class _Base:
    host: str
    port: int | None
    path: str  # prefix without the trailing slash, "" at the root


@lru_cache(maxsize=16)  # one base URL per deployment; parsed once, not on every scan
def _base(base_url: str) -> _Base:
    parts = urlsplit(base_url.strip())
    return _Base((parts.hostname or "").lower(), _port(parts), parts.path.rstrip("/"))


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError:
        return -1  # a port that is not a number never matches ours
    if port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return None
    return port


def _parse(text: str, base: _Base, lots: bool = False) -> ScanOutcome:
    text = _AIM_PREFIX.sub("", text, count=1)
    code = _code_in(text)
    if code:
        return ScannedLabel(code, LabelForm.CODE, text)
    # lot codes never read as garment codes (offcut_labels: the patterns are disjoint)
    lot = lot_code_in(text) if lots else None
    if lot:
        return ScannedLabel(lot, LabelForm.CODE, text, kind=LabelKind.OFFCUT_LOT)
    element = _GS1_BRACKETS.fullmatch(text) or _GS1_RAW.fullmatch(text.lstrip(_GS))
    if element:
        return _element_string(element.group(1), element.group(4), text)
    upper = text.upper()
    if upper.startswith("WIFI:"):
        return NotALabel(Refusal.WIFI, text)
    if _OTHER_QR.match(text):
        return NotALabel(Refusal.OTHER_QR, text)
    if base.host and upper.startswith(base.host.upper() + "/"):
        text = "https://" + text  # some scanners and people drop the scheme
    if not re.match(r"^https?://", text, re.IGNORECASE):
        return NotALabel(Refusal.NOT_A_LABEL, text)
    return _parse_url(text, base, lots)


def _parse_url(text: str, base: _Base, lots: bool = False) -> ScanOutcome:
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return NotALabel(Refusal.NOT_A_LABEL, text)
    if not host:
        return NotALabel(Refusal.NOT_A_LABEL, text)
    if host != base.host or _port(parts) != base.port:
        shown = host if len(host) <= 80 else host[:77] + "…"
        return NotALabel(Refusal.FOREIGN_URL, text, params={"host": shown})
    path = parts.path
    if base.path:
        if path != base.path and not path.startswith(base.path + "/"):
            return NotALabel(Refusal.UNKNOWN_PATH, text)
        path = path[len(base.path):]
    segments = [unquote(s) for s in path.split("/") if s]
    if len(segments) == 2 and segments[0] == "g":
        code = _code_in(segments[1])
        if code:
            return ScannedLabel(code, LabelForm.SHORT_URL, text)
        return NotALabel(Refusal.UNKNOWN_PATH, text)
    if segments and segments[0] == "01":
        return _digital_link(segments, text)
    lot = lot_code_in_path(segments) if lots else None
    if lot:
        return ScannedLabel(lot, LabelForm.SHORT_URL, text, kind=LabelKind.OFFCUT_LOT)
    return NotALabel(Refusal.UNKNOWN_PATH, text)


def _element_string(gtin: str, serial: str, text: str) -> ScanOutcome:
    """A GS1 element string names a garment by its serial (AI 21), like a Digital Link does."""
    if not is_valid_gtin(gtin):
        return NotALabel(Refusal.BAD_GTIN, text)
    code = _code_in(serial)
    if not code:
        return NotALabel(Refusal.NOT_A_LABEL, text)
    return ScannedLabel(code, LabelForm.GS1_ELEMENT_STRING, text, gtin)


def _digital_link(segments: list[str], text: str) -> ScanOutcome:
    """/01/{gtin} then key qualifiers in GS1 order (22, 10, 21); only a serial names a garment."""
    if len(segments) % 2 or len(segments) > 8:
        return NotALabel(Refusal.UNKNOWN_PATH, text)
    gtin = segments[1]
    if not (gtin.isascii() and is_valid_gtin(gtin)):
        return NotALabel(Refusal.BAD_GTIN, text)
    gtin = gtin.zfill(14)
    pairs = list(zip(segments[2::2], segments[3::2]))
    order = [ai for ai, _ in pairs]
    if any(ai not in _DL_QUALIFIERS for ai in order) or \
            order != sorted(order, key=_DL_QUALIFIERS.index) or len(set(order)) != len(order):
        return NotALabel(Refusal.UNKNOWN_PATH, text)
    serial = dict(pairs).get("21")
    if serial is None:
        return NotALabel(Refusal.PRODUCT_ONLY, text, params={"gtin": gtin})
    code = _code_in(serial)
    if not code:
        return NotALabel(Refusal.UNKNOWN_PATH, text)
    return ScannedLabel(code, LabelForm.DIGITAL_LINK, text, gtin)
