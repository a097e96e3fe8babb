"""Importing style plans: planned quantity and short-term share per style, every row checked, then all written or none."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Style, StylePlan
from cksloop.db.session import begin_write
from cksloop.domain.messages import N_
from cksloop.services.imports.rows import ErrorList, ImportReport, by_row, chunks, parse_file, read_text, shown

PLAN_COLUMNS = ("style_number", "planned_units", "short_term_pct")
PLAN_REQUIRED = frozenset({"style_number", "planned_units"})
MAX_PLANNED = 1_000_000


def _whole(index: int, row: dict[str, str], name: str, errors: ErrorList, *, maximum: int,
           message: str, required: bool) -> int | None:
    value = read_text(index, row, name, errors, max_len=12, required=required)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > maximum:
        errors.add(index, name, message, value=shown(value))
        return None
    return int(value)


def import_plans(session: Session, *, data: bytes, now: dt.datetime, actor_id: int | None = None,
                 dry_run: bool = False) -> ImportReport:
    """Check every row of a plans CSV; when all are right and it is not a dry run, set each style's
    plan (a style already planned gets the new figures: plans are revised as the season goes)."""
    report = ImportReport(kind="plans", dry_run=dry_run)
    rows: dict[str, tuple[int, int, int]] = {}  # style number (upper) → (row, planned, short-term %)

    def check(index: int, row: dict[str, str], errors: ErrorList) -> None:
        before = len(report.errors)
        number = read_text(index, row, "style_number", errors, max_len=40)
        planned = _whole(index, row, "planned_units", errors, maximum=MAX_PLANNED, required=True,
                         message=N_("“%(value)s” is not a whole number of units from 0 to 1000000."))
        short = _whole(index, row, "short_term_pct", errors, maximum=100, required=False,
                       message=N_("“%(value)s” is not a whole percentage from 0 to 100."))
        if len(report.errors) > before or number is None or planned is None:
            return
        if number.upper() in rows:
            errors.add(index, "style_number", N_("The style number %(value)s is already on row %(row)s."),
                       value=shown(number), row=rows[number.upper()][0])
            return
        rows[number.upper()] = (index, planned, short or 0)

    parse_file(data, report, PLAN_COLUMNS, PLAN_REQUIRED, check)
    ids: dict[str, int] = {}
    for chunk in chunks(list(rows), 500):
        ids.update((n.upper(), i) for n, i in session.execute(
            select(Style.style_number, Style.id).where(Style.style_number.in_(chunk))))
    errors = ErrorList(report)
    for number, (index, _, _) in rows.items():
        if number not in ids and len(report.errors) < 500:
            errors.add(index, "style_number", N_("No style has number %(value)s."), value=shown(number))
    report.errors.sort(key=by_row)
    report.keys = sorted(rows)
    if report.errors or dry_run:
        session.rollback()
        return report
    begin_write(session)
    for number, (_, planned, short) in rows.items():
        session.merge(StylePlan(style_id=ids[number], planned_units=planned, short_term_pct=short,
                                updated_at=now, updated_by=actor_id))
    session.commit()
    report.imported = len(rows)
    return report
