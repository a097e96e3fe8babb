"""Reading an import file: the limits, the report of problems by row and column, and one reader per kind of cell.

A file with any error imports nothing; the report names each problem by row (the spreadsheet
row: the header is row 1), column and reason.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cksloop.domain.messages import N_

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 500  # beyond this a file is clearly the wrong one: stop listing
MAX_FIELD = 1000
MAX_PRICE_CENTS = 10_000_000  # the ledger's own ceiling for a price

_MONEY = re.compile(r"^\d{1,6}(?:[.,]\d{1,2})?$")


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
    skipped: int = 0  # lines imported before (a sales import writes each receipt line once)

    @property
    def ok(self) -> bool:
        return not self.errors


class TooManyErrors(Exception):
    """Raised by ErrorList.add once MAX_ERRORS are listed: the rest of the file is not read."""


class ErrorList:
    """The problems of one import, added to its report as they are found."""

    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, row: int | None, column: str | None, message: str, /, **params: Any) -> None:
        if len(self.report.errors) >= MAX_ERRORS:
            self.report.truncated = True
            raise TooManyErrors
        self.report.errors.append(RowError(row, column, message, params))


def shown(value: str, limit: int = 40) -> str:
    """A cell value safe to echo back: shortened, with control characters made visible."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in cut)


# --- reading the file -------------------------------------------------------------------------


def _decode(data: bytes, errors: ErrorList) -> str | None:
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
          errors: ErrorList) -> Iterator[tuple[int, dict[str, str]]]:
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


def _cell_checks(index: int, row: dict[str, str], errors: ErrorList) -> bool:
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


def read_text(index: int, row: dict[str, str], name: str, errors: ErrorList, *, max_len: int,
               required: bool = True) -> str | None:
    """A text cell of at most ``max_len`` characters."""
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


def read_price(index: int, row: dict[str, str], name: str, errors: ErrorList, *, required: bool) -> int | None:
    """A price cell in euros, as cents within the ledger's limits."""
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


def parse_file(data: bytes, report: ImportReport, columns: tuple[str, ...], required: frozenset[str],
               check_row: Callable[[int, dict[str, str], ErrorList], None]) -> None:
    """Decode and read every row, checking each with ``check_row``; problems go to ``report``."""
    errors = ErrorList(report)
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
    except TooManyErrors:
        pass


def by_row(error: RowError) -> int:
    """Sort key of errors by spreadsheet row."""
    return error.row or 0  # file-level problems first; sort is stable within a row


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """``items`` in slices of ``size`` (a query's IN list stays within what the database takes)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
