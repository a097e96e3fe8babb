"""CSV import of styles and garments: validate every row first, then write all or nothing.

The column reference is docs/import-format.md. A file with any error imports nothing; the
report names each problem by row (the spreadsheet row: the header is row 1), column and reason.
Garments arrive through ``catalogue.receive_garment``, so each one starts its ledger with a
``receive`` event like a garment received in the shop.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, Location, Style, StyleSize, User
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.errors import DomainError, NotFound
from cksloop.domain.labels import format_garment_code, gtin14, is_garment_code, is_valid_gtin
from cksloop.domain.lifecycle import Action, LocationKind, Role
from cksloop.domain.messages import N_
from cksloop.services import catalogue

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 500  # beyond this a file is clearly the wrong one: stop listing
MAX_FIELD = 1000
MAX_PRICE_CENTS = 10_000_000  # the ledger's own ceiling for a price

STYLE_COLUMNS = ("style_number", "name", "season", "category", "colour", "sizes", "gtins", "materials",
                 "country_of_manufacture", "supplier", "retail_price", "care")
STYLE_REQUIRED = frozenset(STYLE_COLUMNS) - {"gtins", "care"}
GARMENT_COLUMNS = ("code", "style_number", "size", "location", "price")
GARMENT_REQUIRED = frozenset({"style_number", "size", "location"})

#: ISO 3166-1 alpha-2 codes
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())

_STYLE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_SEASON = re.compile(r"^(SS|AW)\d{2}$")
_SIZE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /.+-]{0,11}$")
_MONEY = re.compile(r"^\d{1,6}(?:[.,]\d{1,2})?$")
_SUSTAINABLE = {"sustainable": True, "conventional": False, "": False}


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the spreadsheet row (header = 1), None for the file as a whole."""

    row: int | None
    column: str | None
    message: str  # untranslated template, marked with N_()
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        """The English text (CLI, logs); the web layer translates ``message`` itself."""
        return self.message % self.params if self.params else self.message


@dataclass
class ImportReport:
    """What an import found and did. ``imported`` stays 0 on a dry run or when any row is wrong."""

    kind: str  # "styles" or "garments"
    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0
    keys: list[str] = field(default_factory=list)  # style numbers / garment codes, written or to write
    truncated: bool = False  # more errors existed than are listed

    @property
    def ok(self) -> bool:
        return not self.errors


class _TooManyErrors(Exception):
    pass


class _Errors:
    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, row: int | None, column: str | None, message: str, /, **params: Any) -> None:
        if len(self.report.errors) >= MAX_ERRORS:
            self.report.truncated = True
            raise _TooManyErrors
        self.report.errors.append(RowError(row, column, message, params))


def shown(value: str, limit: int = 40) -> str:
    """A cell value safe to echo back: shortened, with control characters made visible."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in cut)


# --- reading the file -------------------------------------------------------------------------


def _decode(data: bytes, errors: _Errors) -> str | None:
    if len(data) > MAX_BYTES:
        errors.add(None, None, N_("The file is larger than %(limit)s MB."), limit=MAX_BYTES // (1024 * 1024))
        return None
    if not data.strip():
        errors.add(None, None, N_("The file is empty."))
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        errors.add(None, None, N_("The file is UTF-16 text: save it as “CSV UTF-8”."))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        errors.add(None, None, N_("The file is not UTF-8 text (first bad byte on line %(line)s): "
                                  "save it as “CSV UTF-8”."), line=line)
        return None
    if "\x00" in text:
        errors.add(None, None, N_("The file contains NUL bytes: it is not a CSV text file."))
        return None
    return text


def _rows(text: str, columns: tuple[str, ...], required: frozenset[str],
          errors: _Errors) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped value}) for each non-blank data row; header problems
    and malformed CSV are recorded as file errors."""
    first_line = text.split("\n", 1)[0]
    # spreadsheets in a Belgian locale save CSV with semicolons
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            errors.add(None, None, N_("The file is empty."))
            return
        names = [h.strip().lower().replace(" ", "_") for h in header]
        problems = False
        seen: set[str] = set()
        for name in names:
            if name in seen:
                errors.add(1, shown(name), N_("The column %(column)s appears twice."), column=shown(name))
                problems = True
            seen.add(name)
            if name not in columns:
                errors.add(1, shown(name), N_("Unknown column. The columns are: %(columns)s."),
                           columns=", ".join(columns))
                problems = True
        for name in sorted(required - seen):
            errors.add(1, name, N_("The required column %(column)s is missing."), column=name)
            problems = True
        if problems:
            return
        count = 0
        for index, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank lines that spreadsheets leave at the end
            count += 1
            if count > MAX_ROWS:
                errors.add(None, None, N_("The file has more than %(limit)s rows: split it."), limit=MAX_ROWS)
                return
            if len(cells) != len(names):
                errors.add(index, None, N_("This row has %(found)s values; the header has %(expected)s."),
                           found=len(cells), expected=len(names))
                continue
            yield index, {name: cell.strip() for name, cell in zip(names, cells)}
    except csv.Error as exc:
        errors.add(reader.line_num or None, None, N_("The file is not valid CSV (%(reason)s)."),
                   reason=shown(str(exc), 80))


def _cell_checks(index: int, row: dict[str, str], errors: _Errors) -> bool:
    """Length and control characters for every cell; True when the row can be read further."""
    fine = True
    for name, value in row.items():
        if len(value) > MAX_FIELD:
            errors.add(index, name, N_("Too long (at most %(limit)s characters)."), limit=MAX_FIELD)
            fine = False
        elif any(_is_control(ch) for ch in value):
            errors.add(index, name, N_("Contains control characters (line breaks, tabs, "
                                       "direction marks)."))
            fine = False
    return fine


def _is_control(ch: str) -> bool:
    # control characters, and the bidirectional overrides that can disguise text
    return unicodedata.category(ch) == "Cc" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"


def _text(index: int, row: dict[str, str], name: str, errors: _Errors, *, max_len: int,
          required: bool = True) -> str | None:
    value = row.get(name, "")
    if not value:
        if required:
            errors.add(index, name, N_("This field is required."))
        return None
    if len(value) > max_len:
        errors.add(index, name, N_("Too long (at most %(limit)s characters)."), limit=max_len)
        return None
    return value


def parse_price(value: str) -> int | None:
    """Euros as written in a shop ("129.95" or "129,95") to cents; None when not a price."""
    if not _MONEY.match(value):
        return None
    try:
        cents = int((Decimal(value.replace(",", ".")) * 100).to_integral_exact())
    except InvalidOperation:
        return None
    return cents


def _price(index: int, row: dict[str, str], name: str, errors: _Errors, *, required: bool) -> int | None:
    value = row.get(name, "")
    if not value:
        if required:
            errors.add(index, name, N_("This field is required."))
        return None
    cents = parse_price(value)
    if cents is None:
        errors.add(index, name, N_("“%(value)s” is not a price in euros such as 129.95 "
                                   "(no currency sign, no thousands separator)."), value=shown(value))
        return None
    if not 1 <= cents <= MAX_PRICE_CENTS:
        errors.add(index, name, N_("A price is between 0.01 and %(limit)s euros."),
                   limit=MAX_PRICE_CENTS // 100)
        return None
    return cents


def _parse(data: bytes, report: ImportReport, columns: tuple[str, ...], required: frozenset[str],
           check_row: Callable[[int, dict[str, str], _Errors], None]) -> None:
    errors = _Errors(report)
    try:
        text = _decode(data, errors)
        if text is None:
            return
        for index, row in _rows(text, columns, required, errors):
            report.rows += 1
            if _cell_checks(index, row, errors):
                check_row(index, row, errors)
        if report.rows == 0 and not report.errors:
            errors.add(None, None, N_("The file has a header but no rows."))
    except _TooManyErrors:
        pass


# --- styles -----------------------------------------------------------------------------------


@dataclass
class _StyleRow:
    style_number: str
    name: str
    season: str
    category: str
    colour: str
    sizes: list[str]
    gtins: dict[str, str]
    materials: list[tuple[str, int, bool, str]]
    country: str
    supplier: str
    price_cents: int
    care: str


def _sizes(index: int, value: str | None, errors: _Errors) -> list[str] | None:
    if value is None:
        return None
    sizes = [s.strip() for s in value.split("|")]
    for size in sizes:
        if not _SIZE.match(size):
            errors.add(index, "sizes", N_("“%(size)s” is not a size: use letters, digits, / . + - "
                                          "(at most 12 characters), separated by |."), size=shown(size))
            return None
    duplicates = sorted({s for s in sizes if sizes.count(s) > 1})
    if duplicates:
        errors.add(index, "sizes", N_("The size %(size)s is listed twice."), size=shown(duplicates[0]))
        return None
    if len(sizes) > 30 or len(",".join(sizes)) > 120:
        errors.add(index, "sizes", N_("Too many sizes for one style."))
        return None
    return sizes


def _gtins(index: int, value: str, sizes: list[str] | None, errors: _Errors) -> dict[str, str] | None:
    if not value:
        return {}
    out: dict[str, str] = {}
    for part in value.split("|"):
        size, sep, gtin = (p.strip() for p in part.partition("="))
        if not sep or not size or not gtin:
            errors.add(index, "gtins", N_("“%(part)s” is not SIZE=GTIN, e.g. M=5400000001024."),
                       part=shown(part))
            return None
        if sizes is not None and size not in sizes:
            errors.add(index, "gtins", N_("The size %(size)s is not in the sizes column."), size=shown(size))
            return None
        if size in out:
            errors.add(index, "gtins", N_("The size %(size)s has two GTINs."), size=shown(size))
            return None
        if not is_valid_gtin(gtin):
            errors.add(index, "gtins", N_("%(gtin)s is not a valid GTIN (8, 12, 13 or 14 digits with "
                                          "the GS1 check digit)."), gtin=shown(gtin))
            return None
        out[size] = gtin
    return out


def _materials(index: int, value: str | None, errors: _Errors) -> list[tuple[str, int, bool, str]] | None:
    if value is None:
        return None
    out: list[tuple[str, int, bool, str]] = []
    for part in value.split("|"):
        bits = [b.strip() for b in part.split(":", 3)]
        fibre = bits[0].lower()
        if len(bits) < 2 or not fibre or len(fibre) > 60:
            errors.add(index, "materials", N_("“%(part)s” is not FIBRE:PERCENT[:sustainable|conventional"
                                              "[:CERTIFICATION]], e.g. viscose:100:sustainable:LENZING "
                                              "ECOVERO."), part=shown(part))
            return None
        percent = bits[1].removesuffix("%").strip() if len(bits) > 1 else ""
        if not percent.isdigit() or not 1 <= int(percent) <= 100:
            errors.add(index, "materials", N_("The share of %(fibre)s must be a whole percentage from "
                                              "1 to 100."), fibre=shown(fibre))
            return None
        flag = bits[2].lower() if len(bits) > 2 else ""
        if flag not in _SUSTAINABLE:
            errors.add(index, "materials", N_("“%(flag)s” must be sustainable or conventional."),
                       flag=shown(flag))
            return None
        certification = bits[3] if len(bits) > 3 else ""
        if len(certification) > 80:
            errors.add(index, "materials", N_("The certification of %(fibre)s is too long."),
                       fibre=shown(fibre))
            return None
        if any(f == fibre and c == certification for f, _, _, c in out):
            errors.add(index, "materials", N_("%(fibre)s is listed twice."), fibre=shown(fibre))
            return None
        out.append((fibre, int(percent), _SUSTAINABLE[flag], certification))
    total = sum(p for _, p, _, _ in out)
    if total != 100:
        errors.add(index, "materials", N_("The composition adds up to %(total)s%%, not 100%%."), total=total)
        return None
    return out


def _check_style(index: int, row: dict[str, str], errors: _Errors) -> _StyleRow | None:
    before = len(errors.report.errors)
    number = _text(index, row, "style_number", errors, max_len=40)
    if number is not None and not _STYLE_NUMBER.match(number):
        errors.add(index, "style_number", N_("“%(value)s” is not a style number: letters, digits and "
                                             ". _ / - only, e.g. SS26-3001."), value=shown(number))
    name = _text(index, row, "name", errors, max_len=120)
    season = _text(index, row, "season", errors, max_len=8)
    if season is not None:
        season = season.upper()
        if not _SEASON.match(season):
            errors.add(index, "season", N_("“%(value)s” is not a season such as SS26 or AW25."),
                       value=shown(season))
    category = _text(index, row, "category", errors, max_len=60)
    colour = _text(index, row, "colour", errors, max_len=60)
    sizes = _sizes(index, _text(index, row, "sizes", errors, max_len=MAX_FIELD), errors)
    gtins = _gtins(index, row.get("gtins", ""), sizes, errors)
    materials = _materials(index, _text(index, row, "materials", errors, max_len=MAX_FIELD), errors)
    country = _text(index, row, "country_of_manufacture", errors, max_len=40)
    if country is not None:
        country = country.upper()
        if country not in COUNTRIES:
            errors.add(index, "country_of_manufacture", N_("“%(value)s” is not an ISO 3166 country code "
                                                           "of two letters, e.g. PT or TR."),
                       value=shown(country))
    supplier = _text(index, row, "supplier", errors, max_len=120)
    price = _price(index, row, "retail_price", errors, required=True)
    care = row.get("care", "")
    if len(errors.report.errors) > before:
        return None
    assert None not in (number, name, season, category, colour, sizes, gtins, materials, country,
                        supplier, price)
    return _StyleRow(number, name, season, category, colour, sizes, gtins, materials, country,  # type: ignore[arg-type]
                     supplier, price, care)  # type: ignore[arg-type]


def import_styles(session: Session, *, data: bytes, dry_run: bool = False) -> ImportReport:
    """Check every row of a styles CSV; when all are right and it is not a dry run, add them all.

    New styles only: a style number that already exists is an error, not an update.
    """
    report = ImportReport(kind="styles", dry_run=dry_run)
    parsed: list[tuple[int, _StyleRow]] = []
    first_row_of: dict[str, int] = {}
    gtin_rows: dict[str, int] = {}

    def check(index: int, row: dict[str, str], errors: _Errors) -> None:
        style = _check_style(index, row, errors)
        if style is None:
            return
        key = style.style_number.upper()
        if key in first_row_of:
            errors.add(index, "style_number", N_("The style number %(value)s is already on row %(row)s."),
                       value=style.style_number, row=first_row_of[key])
            return
        first_row_of[key] = index
        for size, gtin in style.gtins.items():
            long = gtin14(gtin)
            if long in gtin_rows:
                errors.add(index, "gtins", N_("The GTIN %(gtin)s (size %(size)s) is already on row %(row)s."),
                           gtin=gtin, size=size, row=gtin_rows[long])
                return
            gtin_rows[long] = index
        parsed.append((index, style))

    _parse(data, report, STYLE_COLUMNS, STYLE_REQUIRED, check)
    errors = _Errors(report)
    try:
        _check_styles_against_database(session, parsed, gtin_rows, errors)
    except _TooManyErrors:
        pass
    report.keys = [style.style_number for _, style in parsed]
    report.errors.sort(key=_by_row)
    if report.errors or dry_run:
        session.rollback()
        return report
    begin_write(session)
    try:
        for _, style in parsed:
            catalogue.create_style(
                session, style_number=style.style_number, name=style.name, season=style.season,
                category=style.category, colour=style.colour, sizes=style.sizes,
                country_of_manufacture=style.country, supplier=style.supplier,
                retail_price_cents=style.price_cents, materials=style.materials, gtins=style.gtins,
                care=style.care)
        session.commit()
    except (IntegrityError, DomainError):
        # someone added the same style or GTIN between the check and the write
        session.rollback()
        report.errors.append(RowError(None, None, N_("The database changed while importing; nothing "
                                                     "was imported. Run the import again.")))
        return report
    report.imported = len(parsed)
    return report


def _check_styles_against_database(session: Session, parsed: list[tuple[int, _StyleRow]],
                                   gtin_rows: dict[str, int], errors: _Errors) -> None:
    # style numbers compare without case (a catalogue holds thousands, not millions)
    existing = {n.upper() for n in session.scalars(select(Style.style_number))} if parsed else set()
    clashing_rows = set()
    for index, style in parsed:
        if style.style_number.upper() in existing:
            clashing_rows.add(index)
            errors.add(index, "style_number", N_("A style with number %(value)s already exists."),
                       value=style.style_number)
    for chunk in _chunks(list(gtin_rows), 500):
        for gtin in session.scalars(select(StyleSize.gtin).where(StyleSize.gtin.in_(chunk))):
            if gtin is not None and gtin_rows[gtin] not in clashing_rows:  # one message per row is enough
                errors.add(gtin_rows[gtin], "gtins", N_("The GTIN %(gtin)s already belongs to another "
                                                        "style."), gtin=gtin.lstrip("0"))


def _by_row(error: RowError) -> int:
    return error.row or 0  # file-level problems first; sort is stable within a row


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- garments ---------------------------------------------------------------------------------


def default_receiver(session: Session) -> User:
    """Who a CLI import records as receiving the garments when nobody is named: the
    longest-standing active admin. NotFound when there is none yet."""
    user = session.scalar(select(User).where(User.role == Role.ADMIN, User.active.is_(True))
                          .order_by(User.id).limit(1))
    if user is None:
        raise NotFound(N_("There is no admin yet: create one with `cksloop users create`, or name "
                          "the receiving user with --by."))
    return user


@dataclass
class _GarmentRow:
    code: str | None
    style_number: str
    size: str
    location: str
    price_cents: int | None


_STOCK_PLACES = {LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.OUTLET}


def import_garments(session: Session, *, data: bytes, actor: User, now: dt.datetime,
                    dry_run: bool = False) -> ImportReport:
    """Check every row of a garments CSV; when all are right and it is not a dry run, receive
    them all in one transaction (each starts its ledger with a ``receive`` event by ``actor``).

    Rows without a code get the next free codes (CKS-00123), in file order.
    """
    report = ImportReport(kind="garments", dry_run=dry_run)
    if not lifecycle.may(actor.role, Action.RECEIVE):
        report.errors.append(RowError(None, None, N_("Your role (%(role)s) may not receive garments."),
                                      {"role": actor.role.value}))
        return report
    styles = {s.style_number.upper(): s for s in session.scalars(select(Style))}
    places = {loc.code: loc.kind for loc in session.scalars(select(Location).where(Location.active.is_(True)))}
    parsed: list[tuple[int, _GarmentRow]] = []
    code_rows: dict[str, int] = {}

    def check(index: int, row: dict[str, str], errors: _Errors) -> None:
        before = len(errors.report.errors)
        raw_code = row.get("code") or None
        code = raw_code.upper() if raw_code is not None else None
        if raw_code is not None and code is not None:
            if not is_garment_code(code):
                errors.add(index, "code", N_("“%(value)s” is not a garment code such as CKS-00123 "
                                             "(leave it empty to get one)."), value=shown(raw_code))
                code = None
            elif code in code_rows:
                errors.add(index, "code", N_("The code %(value)s is already on row %(row)s."), value=code,
                           row=code_rows[code])
                code = None
            else:
                code_rows[code] = index
        number = _text(index, row, "style_number", errors, max_len=40)
        style = styles.get(number.upper()) if number else None
        if number and style is None:
            errors.add(index, "style_number", N_("No style with number %(value)s: import the style first."),
                       value=shown(number))
        size = _text(index, row, "size", errors, max_len=12)
        if size and style is not None and size not in style.size_list:
            errors.add(index, "size", N_("%(style)s has no size %(value)s (sizes: %(sizes)s)."),
                       style=style.style_number, value=shown(size), sizes=", ".join(style.size_list))
        location = _text(index, row, "location", errors, max_len=40)
        if location:
            kind = places.get(location)
            if kind is None:
                errors.add(index, "location", N_("No location with code %(value)s."), value=shown(location))
            elif kind not in _STOCK_PLACES:
                errors.add(index, "location", N_("Garments are received at a store, the warehouse or "
                                                 "the outlet, not at %(value)s."), value=location)
        price = _price(index, row, "price", errors, required=False)
        if len(errors.report.errors) == before:
            assert number is not None and size is not None and location is not None
            assert style is not None
            parsed.append((index, _GarmentRow(code, style.style_number, size, location, price)))

    _parse(data, report, GARMENT_COLUMNS, GARMENT_REQUIRED, check)
    errors = _Errors(report)
    try:
        for chunk in _chunks(list(code_rows), 500):
            for code in session.scalars(select(Garment.code).where(Garment.code.in_(chunk))):
                errors.add(code_rows[code], "code", N_("A garment with code %(value)s already exists."),
                           value=code)
    except _TooManyErrors:
        pass
    report.errors.sort(key=_by_row)
    if report.errors:
        session.rollback()
        return report
    codes = _assign_codes(session, parsed, set(code_rows))
    report.keys = codes
    if dry_run:
        session.rollback()
        return report
    begin_write(session)
    try:
        styles = {s.style_number: s for s in session.scalars(select(Style))}
        for (_, row), code in zip(parsed, codes):
            catalogue.receive_garment(session, style=styles[row.style_number], size=row.size,
                                      location_code=row.location, actor=actor, now=now, code=code,
                                      price_cents=row.price_cents, commit=False)
        session.commit()
    except (IntegrityError, DomainError):
        session.rollback()
        report.errors.append(RowError(None, None, N_("The database changed while importing; nothing "
                                                     "was imported. Run the import again.")))
        return report
    report.imported = len(parsed)
    return report


def _assign_codes(session: Session, parsed: list[tuple[int, _GarmentRow]], taken: set[str]) -> list[str]:
    """The code of every row: its own, or the next CKS-number used neither in the file nor the
    database (checked in chunks, so a chain-size ledger is never loaded whole)."""
    codes: list[str | None] = [row.code for _, row in parsed]
    number = session.scalar(select(func.max(Garment.id))) or 0
    missing = [i for i, code in enumerate(codes) if code is None]
    while missing:
        fresh: list[str] = []
        for _ in missing:
            number += 1
            while format_garment_code(number) in taken:
                number += 1
            fresh.append(format_garment_code(number))
        clash: set[str] = set()
        for chunk in _chunks(fresh, 500):
            clash |= set(session.scalars(select(Garment.code).where(Garment.code.in_(chunk))))
        still = []
        for i, candidate in zip(missing, fresh):
            if candidate in clash:
                still.append(i)
            else:
                codes[i] = candidate
                taken.add(candidate)
        taken |= clash
        missing = still
    return [code for code in codes if code is not None]
