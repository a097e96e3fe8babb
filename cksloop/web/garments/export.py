"""The garment list as a file: CSV or XLSX of every garment a filter finds, the filters named on top."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext

from cksloop.db.queries import GarmentRow
from cksloop.domain.rental_quality import csv_cell
from cksloop.web.i18n import state_label


def header() -> list[str]:
    return [gettext("Code"), gettext("Style number"), gettext("Style"), gettext("Size"), gettext("Colour"),
            gettext("State"), gettext("Location"), gettext("Price (€)"), gettext("Due back on")]


def cells(row: GarmentRow) -> list[Any]:
    price = round(row.price_cents / 100, 2) if row.price_cents is not None else None
    return [row.code, row.style_number, row.style_name, row.size, row.colour,
            state_label(row.state) if row.state else "", row.location_name or "", price,
            row.due_on.isoformat() if row.due_on else ""]


def as_csv(filters: list[tuple[str, str]], rows: Iterable[GarmentRow]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheets read accents), the filters as the first lines,
    every text cell formula-safe like the rental exports."""
    out = io.StringIO()
    writer = csv.writer(out)
    for name, value in filters:
        writer.writerow([csv_cell(name), csv_cell(value)])
    writer.writerow([])
    writer.writerow(header())
    for row in rows:
        writer.writerow([csv_cell(v) for v in cells(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(filters: list[tuple[str, str]], rows: Iterable[GarmentRow]) -> bytes:
    """A real spreadsheet (openpyxl, streamed rows): the filters on top, then the list; text that
    a spreadsheet would run as a formula is stored as text with a leading quote."""
    from openpyxl import Workbook  # only an export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Garments"))
    for name, value in filters:
        sheet.append([csv_cell(name), csv_cell(value)])
    sheet.append([])
    sheet.append(header())
    for row in rows:
        sheet.append([csv_cell(v) for v in cells(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
