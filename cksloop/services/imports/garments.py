"""Importing garments: every row checked against the styles and locations, then all received or none.

Garments arrive through ``catalogue.receive_garment``, so each one starts its ledger with a
``receive`` event like a garment received in the shop.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, Location, Style, User
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.errors import DomainError, NotFound
from cksloop.domain.labels import format_garment_code, is_garment_code
from cksloop.domain.lifecycle import Action, LocationKind, Role
from cksloop.domain.messages import N_
from cksloop.services import catalogue
from cksloop.services.imports.rows import (ErrorList, ImportReport, RowError, TooManyErrors, by_row, chunks,
                                           parse_file, read_price, read_text, shown)

GARMENT_COLUMNS = ("code", "style_number", "size", "location", "price")
GARMENT_REQUIRED = frozenset({"style_number", "size", "location"})

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

    def check(index: int, row: dict[str, str], errors: ErrorList) -> None:
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
        number = read_text(index, row, "style_number", errors, max_len=40)
        style = styles.get(number.upper()) if number else None
        if number and style is None:
            errors.add(index, "style_number", N_("No style with number %(value)s: import the style first."),
                       value=shown(number))
        size = read_text(index, row, "size", errors, max_len=12)
        if size and style is not None and size not in style.size_list:
            errors.add(index, "size", N_("%(style)s has no size %(value)s (sizes: %(sizes)s)."),
                       style=style.style_number, value=shown(size), sizes=", ".join(style.size_list))
        location = read_text(index, row, "location", errors, max_len=40)
        if location:
            kind = places.get(location)
            if kind is None:
                errors.add(index, "location", N_("No location with code %(value)s."), value=shown(location))
            elif kind not in _STOCK_PLACES:
                errors.add(index, "location", N_("Garments are received at a store, the warehouse or "
                                                 "the outlet, not at %(value)s."), value=location)
        price = read_price(index, row, "price", errors, required=False)
        if len(errors.report.errors) == before:
            assert number is not None and size is not None and location is not None
            assert style is not None
            parsed.append((index, _GarmentRow(code, style.style_number, size, location, price)))

    parse_file(data, report, GARMENT_COLUMNS, GARMENT_REQUIRED, check)
    errors = ErrorList(report)
    try:
        for chunk in chunks(list(code_rows), 500):
            for code in session.scalars(select(Garment.code).where(Garment.code.in_(chunk))):
                errors.add(code_rows[code], "code", N_("A garment with code %(value)s already exists."),
                           value=code)
    except TooManyErrors:
        pass
    report.errors.sort(key=by_row)
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
        for chunk in chunks(fresh, 500):
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
