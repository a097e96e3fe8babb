"""Rental lists and CSV exports: open and overdue cycles, cycles, returns and inspections for any period."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.rental_quality import Period, csv_cell, parse_period
from cksloop.services import rental_reports, rentals
from cksloop.domain.clock import local_date
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.rentals.blueprint import PER_PAGE, RENTAL_STAFF, bp, page_arg, partner_arg


# --- open and overdue --------------------------------------------------------------------------


@bp.route("/rentals/open")
@allow(*RENTAL_STAFF)
def open_cycles() -> Any:
    return _render_open(overdue=False)


@bp.route("/rentals/overdue")
@allow(*RENTAL_STAFF)
def overdue() -> Any:
    return _render_open(overdue=True)


def _render_open(*, overdue: bool) -> Any:
    session = db()
    page = page_arg()
    partner_id = partner_arg()
    cycles, count = rentals.open_cycles(session, today=local_date(now()), partner_id=partner_id,
                                        overdue_only=overdue, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("rentals/open.html", cycles=cycles, count=count, page=page, per_page=PER_PAGE,
                           overdue=overdue, partners=rentals.list_partners(session), partner_id=partner_id)


# --- lists and CSV exports for any period and partner ------------------------------------------

LISTS: dict[str, dict[str, Any]] = {
    "cycles": {"query": rental_reports.cycles_query},
    "returns": {"query": rental_reports.returns_query},
    "inspections": {"query": rental_reports.inspections_query},
}


def _period() -> tuple[Period | None, dict[str, str]]:
    try:
        return parse_period(request.args.get("from"), request.args.get("to"), today=local_date(now())), {}
    except InvalidDetails as error:
        return None, {k: gettext(v) for k, v in error.field_errors.items()}


def _render_list(kind: str) -> Any:
    session = db()
    period, errors = _period()
    partner_id = partner_arg()
    rows, count, page = [], 0, page_arg()
    if period is not None:
        bounds = rental_reports.bounds_of(period, now=now())
        query = LISTS[kind]["query"](bounds=bounds, partner_id=partner_id)
        rows, count = rental_reports.page(session, query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template(f"rentals/list_{kind}.html", kind=kind, rows=rows, count=count, page=page,
                           per_page=PER_PAGE, period=period, errors=errors, partners=rentals.list_partners(session),
                           partner_id=partner_id, to_utc=rental_reports.to_utc), 422 if errors else 200


@bp.route("/rentals/cycles")
@allow(*RENTAL_STAFF)
def cycles() -> Any:
    return _render_list("cycles")


@bp.route("/rentals/returns")
@allow(*RENTAL_STAFF)
def returns() -> Any:
    return _render_list("returns")


@bp.route("/rentals/inspections")
@allow(*RENTAL_STAFF)
def inspections() -> Any:
    return _render_list("inspections")


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return rental_reports.to_utc(value).isoformat()  # type: ignore[union-attr]
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(getattr(value, "value", value))


CSV_COLUMNS: dict[str, tuple[list[str], Callable[[Any], list[Any]]]] = {
    "cycles": (["cycle", "garment", "style_number", "style", "size", "partner", "started_on", "due_on",
                "partner_reference", "checked_out_at_utc", "returned_at_utc", "return_reason"],
               lambda r: [r[0], r[1], r[2], r[3], r[4], r[5], _iso(r[6]), _iso(r[7]), r[8], _iso(r[9]),
                          _iso(r[10]), _iso(r[11])]),
    "returns": (["cycle", "garment", "style_number", "style", "size", "partner", "started_on", "due_on",
                 "returned_at_utc", "return_reason", "grade", "days_out"],
                lambda r: [r[0], r[1], r[2], r[3], r[4], r[5], _iso(r[6]), _iso(r[7]), _iso(r[8]), _iso(r[9]),
                           _iso(r[10]), None if r[11] is None else round(float(r[11]), 2)]),
    "inspections": (["inspection", "inspected_at_utc", "garment", "style_number", "style", "partner", "reason",
                     "grade", "defect", "zone", "severity", "defect_note", "inspection_note", "photo"],
                    lambda r: [r[0], _iso(r[1]), r[2], r[3], r[4], r[5], _iso(r[6]), _iso(r[7]), _iso(r[8]),
                               r[9], r[10], r[11], r[12],
                               url_for("rentals.defect_photo", photo_id=r[13], _external=True) if r[13] else ""]),
}


def _csv_lines(header: list[str], rows: Iterable[Any], convert: Callable[[Any], list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_cell(v) for v in convert(row)])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _export(kind: str) -> Any:
    period, errors = _period()
    if period is None:
        return _render_list(kind)
    partner_id = partner_arg()
    session = db()
    query = LISTS[kind]["query"](bounds=rental_reports.bounds_of(period, now=now()), partner_id=partner_id)
    header, convert = CSV_COLUMNS[kind]
    name = f"cksloop-{kind}-{period.from_on.isoformat()}-{period.to_on.isoformat()}.csv"
    def lines() -> Iterator[str]:
        # the request's teardown has already run when streaming starts: close what we reopen
        try:
            yield from _csv_lines(header, rentals.iter_rows(session, query), convert)
        finally:
            session.close()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/rentals/cycles.csv")
@allow(*RENTAL_STAFF)
def cycles_csv() -> Any:
    return _export("cycles")


@bp.route("/rentals/returns.csv")
@allow(*RENTAL_STAFF)
def returns_csv() -> Any:
    return _export("returns")


@bp.route("/rentals/inspections.csv")
@allow(*RENTAL_STAFF)
def inspections_csv() -> Any:
    return _export("inspections")
