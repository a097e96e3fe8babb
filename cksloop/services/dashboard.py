"""What needs doing today, per role: counts that link to the work itself."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, RentalCycle, User
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.domain.messages import N_
from cksloop.services import buyer_proof


#: the roles that handle rentals (the rentals pages allow the same roles)
RENTAL_ROLES = frozenset({Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN})
#: the roles that handle buyer lots and their proof (the overdue list allows the same roles)
BUYER_ROLES = frozenset({Role.MERCHANDISER, Role.ADMIN})


@dataclass(frozen=True)
class Task:
    label: str  # untranslated; the page translates it
    count: int
    state: str | None = None  # filter for the garment list
    here_only: bool = False  # counted at the user's home store, not the whole chain
    overdue: bool = False
    #: the page that lists this work, when it is not the garment list filtered by ``state``
    endpoint: str | None = None


def _count_by_state(session: Session, location_id: int | None) -> dict[GarmentState, int]:
    query = select(Garment.state, func.count()).group_by(Garment.state)
    if location_id is not None:
        query = query.where(Garment.location_id == location_id)
    return {state: n for state, n in session.execute(query).all() if state is not None}


def overdue_rentals(session: Session, *, now: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(RentalCycle).where(
        RentalCycle.returned_at.is_(None), RentalCycle.due_on < local_date(now))) or 0


def today_for(session: Session, *, user: User, now: dt.datetime) -> list[Task]:
    """The tasks to show on the user's home page, most urgent first."""
    here = user.home_location_id if user.role is Role.STORE_STAFF else None
    counts = _count_by_state(session, here)
    S = GarmentState
    tasks: list[Task] = []
    # a tile links to work its role may do: workshop organisers do not handle rentals
    if user.role in RENTAL_ROLES:
        tasks.append(Task(N_("Rentals overdue"), overdue_rentals(session, now=now), S.RENTED_OUT.value,
                          overdue=True))
    if user.role in BUYER_ROLES:
        # shipped lots past their proof deadline (issue 14); the page words the line with ngettext
        tasks.append(Task(N_("Buyer lots overdue for proof"), buyer_proof.count_overdue(session, today=local_date(now)),
                          overdue=True, endpoint="disclosure.overdue"))
    if user.role in (Role.STORE_STAFF, Role.ADMIN):
        tasks += [
            Task(N_("Returns awaiting inspection"), counts.get(S.AWAITING_INSPECTION, 0),
                 S.AWAITING_INSPECTION.value, here_only=here is not None),
            Task(N_("Garments in cleaning or repair"), counts.get(S.IN_CARE, 0), S.IN_CARE.value,
                 here_only=here is not None),
            Task(N_("Ready in the rental pool"), counts.get(S.IN_RENTAL_POOL, 0),
                 S.IN_RENTAL_POOL.value, here_only=here is not None),
        ]
    if user.role in (Role.MERCHANDISER, Role.ADMIN):
        tasks += [
            Task(N_("Garments in stock"), counts.get(S.IN_STOCK, 0), S.IN_STOCK.value),
            Task(N_("Allocated to buyer lots, not yet shipped"), counts.get(S.ALLOCATED_TO_BUYER_LOT, 0),
                 S.ALLOCATED_TO_BUYER_LOT.value),
        ]
    if user.role in (Role.WORKSHOP_ORGANISER, Role.ADMIN):
        tasks += [Task(N_("Garments retired (offcuts and remanufacturing)"), counts.get(S.RETIRED, 0),
                       S.RETIRED.value)]
    if user.role is Role.STORE_STAFF:
        tasks.append(Task(N_("In stock here"), counts.get(S.IN_STOCK, 0), S.IN_STOCK.value,
                          here_only=True))
    return tasks
