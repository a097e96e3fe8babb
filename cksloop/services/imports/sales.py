"""Importing the tills' sales: every line checked, then all written or none, each (receipt, line) once.

A labelled garment's line is its ``sell`` through the ledger (the sales rollup counts it as it counts
a sale at the till through the API); a line of unlabelled stock (style, size, quantity) is kept in
``pos_sales`` and counted by the rollup in the same transaction, and a rebuild counts it again from
there. A line already imported is skipped, so importing the same file twice writes nothing twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, Location, PosSale, Style, User
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.clock import BRUSSELS, local_date
from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.labels import is_garment_code
from cksloop.domain.lifecycle import Action, Context, GarmentState, LocationKind, Snapshot
from cksloop.domain.messages import N_
from cksloop.services import house_rules, ledger, overstock_rollups, streams
from cksloop.services.garments import decision_for, load_locations
from cksloop.services.imports.rows import (MAX_PRICE_CENTS, ErrorList, ImportReport, RowError, TooManyErrors,
                                           by_row, chunks, parse_file, read_text, shown)

SALES_COLUMNS = ("date", "store", "item_code", "style_number", "size", "quantity", "price_paid_cents",
                 "receipt_id", "line")
SALES_REQUIRED = frozenset({"date", "store", "price_paid_cents", "receipt_id", "line"})
MAX_QUANTITY = 1000


@dataclass
class _Line:
    row: int
    day: dt.date
    store: str
    code: str | None
    style: str
    size: str
    quantity: int
    paid: int
    receipt: str
    line: int


def _number(index: int, row: dict[str, str], name: str, errors: ErrorList, *, maximum: int,
            required: bool) -> int | None:
    value = read_text(index, row, name, errors, max_len=12, required=required)
    if value is None:
        return None
    digits = value[1:] if value.startswith("-") else value
    if not digits.isascii() or not digits.isdigit():
        errors.add(index, name, N_("“%(value)s” is not a whole number."), value=shown(value))
        return None
    if value.startswith("-"):
        errors.add(index, name, N_("A negative number is not allowed here."))
        return None
    if not 1 <= int(digits) <= maximum:
        errors.add(index, name, N_("A number from 1 to %(limit)s."), limit=maximum)
        return None
    return int(digits)


def _day(index: int, row: dict[str, str], errors: ErrorList, today: dt.date) -> dt.date | None:
    value = read_text(index, row, "date", errors, max_len=10)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or day.year < 2000:
        errors.add(index, "date", N_("“%(value)s” is not a date (YYYY-MM-DD) from 2000 on."), value=shown(value))
        return None
    if day > today:
        errors.add(index, "date", N_("A sale cannot be dated in the future."))
        return None
    return day


def import_sales(session: Session, *, data: bytes, actor: User, now: dt.datetime,
                 dry_run: bool = False) -> ImportReport:
    """Check every line of a POS sales CSV; when all are right and it is not a dry run, write the
    new ones in one transaction (labelled garments sold through the ledger by ``actor``)."""
    report = ImportReport(kind="sales", dry_run=dry_run)
    stores = {c: (i, k) for i, c, k in session.execute(select(Location.id, Location.code, Location.kind))}
    styles = {s.style_number.upper(): s for s in session.scalars(select(Style))}
    lines: list[_Line] = []
    receipts: dict[tuple[str, int], int] = {}
    codes: dict[str, int] = {}

    def check(index: int, row: dict[str, str], errors: ErrorList) -> None:
        before = len(report.errors)
        day = _day(index, row, errors, local_date(now))
        store = read_text(index, row, "store", errors, max_len=40)
        if store and stores.get(store, (0, None))[1] not in (LocationKind.STORE, LocationKind.OUTLET):
            errors.add(index, "store", N_("No store or outlet with code %(value)s."), value=shown(store))
        receipt = read_text(index, row, "receipt_id", errors, max_len=60)
        line = _number(index, row, "line", errors, maximum=99_999, required=True)
        paid = _number(index, row, "price_paid_cents", errors, maximum=MAX_PRICE_CENTS, required=True)
        if receipt and line is not None:
            if (receipt, line) in receipts:
                errors.add(index, "line", N_("Receipt %(receipt)s line %(line)s is already on row %(row)s."),
                           receipt=shown(receipt), line=line, row=receipts[(receipt, line)])
            else:
                receipts[(receipt, line)] = index
        raw_code = row.get("item_code") or None
        code, number, size, quantity = None, "", "", 1
        if raw_code:
            code = raw_code.upper()
            if not is_garment_code(code):
                errors.add(index, "item_code", N_("“%(value)s” is not a garment code such as CKS-00123."),
                           value=shown(raw_code))
            elif code in codes:
                errors.add(index, "item_code", N_("The code %(value)s is already on row %(row)s."), value=code,
                           row=codes[code])
            else:
                codes[code] = index
            given = _number(index, row, "quantity", errors, maximum=1, required=False)
            quantity = given or 1
        else:
            number = read_text(index, row, "style_number", errors, max_len=40) or ""
            style = styles.get(number.upper())
            if number and style is None:
                errors.add(index, "style_number", N_("No style has number %(value)s."), value=shown(number))
            size = read_text(index, row, "size", errors, max_len=12) or ""
            if size and style is not None and size not in style.size_list:
                errors.add(index, "size", N_("%(style)s has no size %(value)s (sizes: %(sizes)s)."),
                           style=style.style_number, value=shown(size), sizes=", ".join(style.size_list))
            quantity = _number(index, row, "quantity", errors, maximum=MAX_QUANTITY, required=True) or 0
            number = style.style_number if style is not None else number
        if len(report.errors) == before:
            assert day is not None and store and receipt and line is not None and paid is not None
            lines.append(_Line(index, day, store, code, number, size, quantity, paid, receipt, line))

    parse_file(data, report, SALES_COLUMNS, SALES_REQUIRED, check)
    # the rows read well are checked against the garments too, so one run lists every problem
    done = _already_imported(session, list(receipts))
    fresh = [line for line in lines if (line.receipt, line.line) not in done]
    report.skipped = len(lines) - len(fresh)
    garments = _garments(session, [line.code for line in fresh if line.code])
    try:
        decisions = _sell_decisions(session, fresh, garments, ErrorList(report), actor=actor, now=now)
    except TooManyErrors:
        decisions = []
    report.errors.sort(key=by_row)
    report.keys = [f"{line.receipt}#{line.line}" for line in fresh]
    if report.errors or dry_run or not fresh:
        session.rollback()
        return report
    try:
        _write(session, fresh, decisions, stores, styles, garments, actor=actor, now=now)
    except (IntegrityError, ledger.StaleVersion, DomainError):
        session.rollback()
        report.errors.append(RowError(None, None, N_("The database changed while importing; nothing "
                                                     "was imported. Run the import again.")))
        return report
    report.imported = len(fresh)
    return report


def _already_imported(session: Session, keys: list[tuple[str, int]]) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for start in range(0, len(keys), 500):
        found |= {(receipt, line) for receipt, line in session.execute(select(PosSale.receipt_id, PosSale.line).where(
            tuple_(PosSale.receipt_id, PosSale.line).in_(keys[start:start + 500])))}
    return found


def _garments(session: Session, codes: list[str]) -> dict[str, Garment]:
    found: dict[str, Garment] = {}
    for chunk in chunks(codes, 500):
        found.update((g.code, g) for g in session.scalars(select(Garment).where(Garment.code.in_(chunk))))
    return found


def sold_at(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When an imported sale happened, as the ledger records it: noon in Brussels on its day (the
    till file gives no time), never after the import itself."""
    return min(dt.datetime.combine(day, dt.time(12), BRUSSELS).astimezone(dt.UTC), now)


def _sell_decisions(session: Session, fresh: list[_Line], garments: dict[str, Garment], errors: ErrorList, *,
                    actor: User, now: dt.datetime) -> list[tuple[_Line, ledger.Decision]]:
    """Each labelled line's ``sell`` as the lifecycle and house rules decide it; refusals become row errors."""
    places, location_ids = load_locations(session)
    by_id = {id_: code for code, id_ in location_ids.items()}
    facts = house_rules.facts(session, actor=actor, action=Action.SELL)
    out = []
    for line in fresh:
        if line.code is None:
            continue
        garment = garments.get(line.code)
        if garment is None:
            errors.add(line.row, "item_code", N_("No garment with code %(code)s."), code=line.code)
            continue
        where = by_id.get(garment.location_id) if garment.location_id else None
        if garment.state is not GarmentState.IN_STOCK:
            errors.add(line.row, "item_code", N_("%(code)s cannot be sold: it is %(state)s."), code=line.code,
                       state=garment.state.value if garment.state else "-")
            continue
        if where != line.store:
            errors.add(line.row, "store", N_("%(code)s is at %(location)s, not at %(value)s."), code=line.code,
                       location=where or "-", value=line.store)
            continue
        snapshot = Snapshot(state=garment.state, location=where, price_cents=garment.price_cents)
        details = {"price_cents": line.paid, "receipt": f"{line.receipt}#{line.line}"[:60]}
        ctx = Context(actor_role=actor.role, today=line.day, places=places)
        try:
            change = lifecycle.decide(snapshot, Action.SELL, details, ctx)
            change = house_rules.apply(facts, actor=actor, snapshot=snapshot, change=change, details=details)
        except InvalidDetails as refused:
            column, message = next(iter(refused.field_errors.items()))
            errors.add(line.row, "price_paid_cents" if column == "price_cents" else column, message)
            continue
        except DomainError as refused:
            errors.add(line.row, "item_code", refused.message, **refused.params)
            continue
        out.append((line, decision_for(garment, change, actor_id=actor.id, now=sold_at(line.day, now),
                                       location_ids=location_ids)))
    return out


def _write(session: Session, fresh: list[_Line], decisions: list[tuple[_Line, ledger.Decision]],
           stores: dict[str, tuple[int, LocationKind]], styles: dict[str, Style], garments: dict[str, Garment], *,
           actor: User, now: dt.datetime) -> None:
    """One transaction: the receipt lines, the garments' sell events (per sale day, so the rollup
    books each on its day), the unlabelled units in the rollup; then the projections and commit."""
    begin_write(session)
    try:
        session.execute(insert(PosSale), [{
            "receipt_id": line.receipt, "line": line.line, "sold_on": line.day, "location_id": stores[line.store][0],
            "style_id": garments[line.code].style_id if line.code else styles[line.style.upper()].id,
            "size": garments[line.code].size if line.code else line.size, "quantity": line.quantity,
            "price_paid_cents": line.paid, "garment_id": garments[line.code].id if line.code else None,
            "imported_at": now} for line in fresh])
        for day in sorted({line.day for line, _ in decisions}):
            ledger.record(session, stream=streams.GARMENTS, decisions=[d for line, d in decisions if line.day == day],
                          actor_id=actor.id, now=sold_at(day, now))
        for line in fresh:
            if line.code is None:
                location_id, kind = stores[line.store]
                overstock_rollups.count_unlabelled(session, style_id=styles[line.style.upper()].id, day=line.day,
                                                   size=line.size, location_id=location_id, kind=kind,
                                                   units=line.quantity)
        ledger.before_commit(session, streams.GARMENTS)
        session.commit()
    except BaseException:
        session.rollback()
        for projection in streams.GARMENTS.projections:
            projection.discard(session)
        raise
