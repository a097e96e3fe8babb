"""The audit trail: who did what to which garment, when and where — read from the ledger itself —
and who signed in, failed to, and changed users or tokens (the append-only ``account_events``).

Pages are cut by keyset (newest first, "older than event N"), not by OFFSET, so the thousandth
page of a ledger with millions of events costs the same as the first. Every filter lands on an
index of ``garment_events`` (actor, action or location together with the time; the garment's
own (garment, seq) key; the time alone for date ranges).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session, aliased

from cksloop.db.models import AccountEvent, ApiToken, Garment, GarmentEvent, Location, Style, User
from cksloop.domain.clock import start_of_local_day, utc
from cksloop.domain.lifecycle import Action, GarmentState

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; None means any. Dates are shop dates (Brussels), both ends included."""

    user_id: int | None = None
    action: Action | None = None
    garment_code: str | None = None
    location_code: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditEntry:
    event_id: int
    occurred_at: dt.datetime
    garment_code: str
    style_name: str
    seq: int
    action: Action
    from_state: GarmentState | None
    to_state: GarmentState
    actor_name: str | None
    actor_email: str | None
    location_code: str | None
    location_name: str | None
    details: dict[str, Any]
    price_cents: int | None = None  # the garment's price after the event


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    #: pass as ``before`` for the next (older) page; None on the last page
    older_than: int | None


#: dates outside these only make the query wider, never fail it (year 1 or 9999 would overflow)
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9998, 12, 31)


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight in Brussels on ``day``, in UTC (the ledger stores UTC)."""
    day = min(max(day, EARLIEST), LATEST)
    return start_of_local_day(day)


def search(session: Session, *, filters: AuditFilter, before: int | None = None,
           limit: int = PAGE_SIZE) -> AuditPage:
    """One page of ledger events matching ``filters``, newest first, older than event ``before``.

    An unknown garment code or location gives an empty page, not an error: it is a search.
    """
    actor = aliased(User)
    place = aliased(Location)
    query: Select[Any] = (
        select(GarmentEvent.id, GarmentEvent.occurred_at, GarmentEvent.seq, GarmentEvent.action,
               GarmentEvent.from_state, GarmentEvent.to_state, GarmentEvent.details,
               Garment.code, Style.name, actor.name, actor.email, place.code, place.name,
               GarmentEvent.price_cents)
        .join(Garment, Garment.id == GarmentEvent.garment_id)
        .join(Style, Style.id == Garment.style_id)
        .outerjoin(actor, actor.id == GarmentEvent.actor_id)
        .outerjoin(place, place.id == GarmentEvent.location_id)
    )
    if filters.user_id is not None:
        query = query.where(GarmentEvent.actor_id == filters.user_id)
    if filters.action is not None:
        query = query.where(GarmentEvent.action == filters.action)
    if filters.garment_code:
        # resolve to the id first so the (garment, seq) key serves the search
        garment_id = session.scalar(select(Garment.id).where(Garment.code == filters.garment_code))
        if garment_id is None:
            return AuditPage([], None)
        query = query.where(GarmentEvent.garment_id == garment_id)
    if filters.location_code:
        location_id = session.scalar(select(Location.id).where(Location.code == filters.location_code))
        if location_id is None:
            return AuditPage([], None)
        query = query.where(GarmentEvent.location_id == location_id)
    if filters.since is not None:
        query = query.where(GarmentEvent.occurred_at >= start_of_day(filters.since))
    if filters.until is not None:
        query = query.where(GarmentEvent.occurred_at < start_of_day(min(filters.until, LATEST) + dt.timedelta(days=1)))
    if before is not None:
        cursor = session.execute(select(GarmentEvent.occurred_at, GarmentEvent.id)
                                 .where(GarmentEvent.id == before)).first()
        if cursor is None:
            return AuditPage([], None)
        query = query.where(tuple_(GarmentEvent.occurred_at, GarmentEvent.id) < tuple_(*cursor))
    rows = session.execute(query.order_by(GarmentEvent.occurred_at.desc(), GarmentEvent.id.desc())
                           .limit(limit + 1)).all()
    entries = [AuditEntry(
        event_id=r[0], occurred_at=utc(r[1]), seq=r[2], action=r[3], from_state=r[4], to_state=r[5],
        details=dict(r[6] or {}), garment_code=r[7], style_name=r[8], actor_name=r[9], actor_email=r[10],
        location_code=r[11], location_name=r[12], price_cents=r[13]) for r in rows[:limit]]
    return AuditPage(entries, entries[-1].event_id if len(rows) > limit else None)


def users_for_filter(session: Session) -> list[tuple[int, str]]:
    """(id, "name <email>") of every user, for the filter's choice list."""
    return [(uid, f"{name} <{email}>") for uid, name, email in
            session.execute(select(User.id, User.name, User.email).order_by(User.name, User.email))]


def locations_for_filter(session: Session) -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in
            session.execute(select(Location.code, Location.name).order_by(Location.name))]


@dataclass(frozen=True)
class AccountFilter:
    """What to look for among account events; ``user_id`` matches who acted or whom it concerned."""

    user_id: int | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AccountAuditEntry:
    event_id: int
    at: dt.datetime
    action: str
    actor_name: str | None  # None: the command line, or a failed sign-in (nobody acted)
    actor_email: str | None
    subject_name: str
    subject_email: str
    token_name: str | None
    address: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AccountAuditPage:
    entries: list[AccountAuditEntry]
    older_than: int | None


def search_accounts(session: Session, *, filters: AccountFilter, before: int | None = None,
                    limit: int = PAGE_SIZE) -> AccountAuditPage:
    """One page of account events (sign-ins, users, tokens), newest first, older than event ``before``."""
    actor, subject = aliased(User), aliased(User)
    query: Select[Any] = (
        select(AccountEvent.id, AccountEvent.at, AccountEvent.action, actor.name, actor.email, subject.name,
               subject.email, ApiToken.label, AccountEvent.address, AccountEvent.details)
        .join(subject, subject.id == AccountEvent.subject_id)
        .outerjoin(actor, actor.id == AccountEvent.actor_id)
        .outerjoin(ApiToken, ApiToken.id == AccountEvent.token_id)
    )
    if filters.user_id is not None:
        query = query.where((AccountEvent.actor_id == filters.user_id) | (AccountEvent.subject_id == filters.user_id))
    if filters.action:
        query = query.where(AccountEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(AccountEvent.at >= start_of_day(filters.since))
    if filters.until is not None:
        query = query.where(AccountEvent.at < start_of_day(min(filters.until, LATEST) + dt.timedelta(days=1)))
    if before is not None:
        cursor = session.execute(select(AccountEvent.at, AccountEvent.id).where(AccountEvent.id == before)).first()
        if cursor is None:
            return AccountAuditPage([], None)
        query = query.where(tuple_(AccountEvent.at, AccountEvent.id) < tuple_(*cursor))
    rows = session.execute(query.order_by(AccountEvent.at.desc(), AccountEvent.id.desc()).limit(limit + 1)).all()
    entries = [AccountAuditEntry(
        event_id=r[0], at=utc(r[1]), action=r[2], actor_name=r[3], actor_email=r[4], subject_name=r[5],
        subject_email=r[6], token_name=r[7], address=r[8], details=dict(r[9] or {})) for r in rows[:limit]]
    return AccountAuditPage(entries, entries[-1].event_id if len(rows) > limit else None)
