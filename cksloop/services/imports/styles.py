"""Importing styles: every row checked (sizes, GTINs, materials, country, price), then all added or none."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Style, StyleSize
from cksloop.db.session import begin_write
from cksloop.domain.errors import DomainError
from cksloop.domain.labels import gtin14, is_valid_gtin
from cksloop.domain.messages import N_
from cksloop.services import catalogue
from cksloop.services.imports.rows import (MAX_FIELD, ErrorList, ImportReport, RowError, TooManyErrors, by_row,
                                           chunks, parse_file, read_price, read_text, shown)

STYLE_COLUMNS = ("style_number", "name", "season", "category", "colour", "sizes", "gtins", "materials",
                 "country_of_manufacture", "supplier", "retail_price", "care")
STYLE_REQUIRED = frozenset(STYLE_COLUMNS) - {"gtins", "care"}

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
_SUSTAINABLE = {"sustainable": True, "conventional": False, "": False}


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


def _sizes(index: int, value: str | None, errors: ErrorList) -> list[str] | None:
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


def _gtins(index: int, value: str, sizes: list[str] | None, errors: ErrorList) -> dict[str, str] | None:
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


def _materials(index: int, value: str | None, errors: ErrorList) -> list[tuple[str, int, bool, str]] | None:
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


def _check_style(index: int, row: dict[str, str], errors: ErrorList) -> _StyleRow | None:
    before = len(errors.report.errors)
    number = read_text(index, row, "style_number", errors, max_len=40)
    if number is not None and not _STYLE_NUMBER.match(number):
        errors.add(index, "style_number", N_("“%(value)s” is not a style number: letters, digits and "
                                             ". _ / - only, e.g. SS26-3001."), value=shown(number))
    name = read_text(index, row, "name", errors, max_len=120)
    season = read_text(index, row, "season", errors, max_len=8)
    if season is not None:
        season = season.upper()
        if not _SEASON.match(season):
            errors.add(index, "season", N_("“%(value)s” is not a season such as SS26 or AW25."),
                       value=shown(season))
    category = read_text(index, row, "category", errors, max_len=60)
    colour = read_text(index, row, "colour", errors, max_len=60)
    sizes = _sizes(index, read_text(index, row, "sizes", errors, max_len=MAX_FIELD), errors)
    gtins = _gtins(index, row.get("gtins", ""), sizes, errors)
    materials = _materials(index, read_text(index, row, "materials", errors, max_len=MAX_FIELD), errors)
    country = read_text(index, row, "country_of_manufacture", errors, max_len=40)
    if country is not None:
        country = country.upper()
        if country not in COUNTRIES:
            errors.add(index, "country_of_manufacture", N_("“%(value)s” is not an ISO 3166 country code "
                                                           "of two letters, e.g. PT or TR."),
                       value=shown(country))
    supplier = read_text(index, row, "supplier", errors, max_len=120)
    price = read_price(index, row, "retail_price", errors, required=True)
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

    def check(index: int, row: dict[str, str], errors: ErrorList) -> None:
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

    parse_file(data, report, STYLE_COLUMNS, STYLE_REQUIRED, check)
    errors = ErrorList(report)
    try:
        _check_styles_against_database(session, parsed, gtin_rows, errors)
    except TooManyErrors:
        pass
    report.keys = [style.style_number for _, style in parsed]
    report.errors.sort(key=by_row)
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
                                   gtin_rows: dict[str, int], errors: ErrorList) -> None:
    # style numbers compare without case (a catalogue holds thousands, not millions)
    existing = {n.upper() for n in session.scalars(select(Style.style_number))} if parsed else set()
    clashing_rows = set()
    for index, style in parsed:
        if style.style_number.upper() in existing:
            clashing_rows.add(index)
            errors.add(index, "style_number", N_("A style with number %(value)s already exists."),
                       value=style.style_number)
    for chunk in chunks(list(gtin_rows), 500):
        for gtin in session.scalars(select(StyleSize.gtin).where(StyleSize.gtin.in_(chunk))):
            if gtin is not None and gtin_rows[gtin] not in clashing_rows:  # one message per row is enough
                errors.add(gtin_rows[gtin], "gtins", N_("The GTIN %(gtin)s already belongs to another "
                                                        "style."), gtin=gtin.lstrip("0"))
