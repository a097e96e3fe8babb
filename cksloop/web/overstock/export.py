"""The overstock review as a file: CSV or XLSX with the collection and date on top, one row per style, figures as on the page."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from cksloop.domain.overstock_figures import NO_SALES, Channel, LocationType
from cksloop.domain.rental_quality import csv_cell
from cksloop.web.i18n import gettext  # the request's catalogue, looked up once (a review has ~2,400 texts)


def header() -> list[str]:
    return ([gettext("Style"), gettext("Planned"), gettext("Received"), gettext("Sold")]
            + [gettext("Sold: %(channel)s", channel=c.label) for c in Channel]
            + [gettext("Returned"), gettext("On hand")]
            + [gettext("On hand: %(place)s", place=t.label) for t in LocationType]
            + [gettext("Sell-through (%)"), gettext("Weeks of cover"), gettext("Stock age (days)"),
               gettext("Markdown depth (%)"), gettext("Rental pool share (%)"), gettext("Flags"),
               gettext("Proposed actions")])


def cells(line: dict[str, Any]) -> list[Any]:
    """One style's row: the numbers ``ReviewLine.as_dict`` gives the page and the API, unchanged."""
    cover = line["weeks_of_cover"]
    return ([line["style"], line["planned"], line["received"], line["sold"]]
            + [line["sold_by_channel"][c.value] for c in Channel]
            + [line["returned"], line["on_hand"]]
            + [line["on_hand_by_location_type"][t.value] for t in LocationType]
            + [line["sell_through_pct"], gettext(NO_SALES) if cover is None else cover, line["age_days"],
               line["markdown_depth_pct"], line["rental_pool_share_pct"],
               " | ".join(f"{f['rule']}: {f['message']}" for f in line["flags"]),
               " | ".join(f"{i}. {p['action']}: {p['reason']}" for i, p in enumerate(line["proposals"], 1))])


def _rows(named: list[tuple[str, str]], lines: Iterable[dict[str, Any]]) -> Iterable[list[Any]]:
    for name, value in named:
        yield [csv_cell(name), csv_cell(value)]
    yield []
    yield header()
    for line in lines:
        yield [csv_cell(v) for v in cells(line)]


def as_csv(named: list[tuple[str, str]], lines: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then read accents), every text cell formula-safe."""
    out = io.StringIO()
    csv.writer(out).writerows(_rows(named, lines))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(named: list[tuple[str, str]], lines: Iterable[dict[str, Any]]) -> bytes:
    """A real spreadsheet (openpyxl, streamed rows), numbers as numbers, text formula-safe."""
    from openpyxl import Workbook  # only an export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Overstock review"))
    for row in _rows(named, lines):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
