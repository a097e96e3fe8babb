"""Garments retired into an offcut lot when it is registered (issue 15): checked on the plain read,
then retired with route ``offcuts`` naming the new lot, in the lot's own write transaction."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, User
from cksloop.domain import lifecycle
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Action, GarmentState, RetireRoute
from cksloop.domain.messages import N_
from cksloop.services import garments as garment_service
from cksloop.services import ledger, streams


def garments_to_retire(session: Session, *, codes: Sequence[str], actor: User) -> list[str]:
    """Of the garments a new lot names, those its registration retires (the rest were already retired).

    Raises InvalidDetails on ``source`` naming the garments that do not exist
    (``details.unknown_codes``) or cannot be retired now (``details.not_retirable``), before anything is written.
    """
    rows = dict(session.execute(select(Garment.code, Garment.state).where(Garment.code.in_(list(codes)))).all())
    unknown = [c for c in codes if c not in rows]
    if unknown:
        error = InvalidDetails({"source": N_("No garment has this code.")})
        error.details["unknown_codes"] = unknown[:50]
        raise error
    may_retire = lifecycle.may(actor.role, Action.RETIRE)
    blocked = [c for c in codes if rows[c] is not GarmentState.RETIRED
               and (not may_retire or Action.RETIRE not in lifecycle.allowed_actions(rows[c], actor.role))]
    if blocked:
        error = InvalidDetails({"source": N_("These garments cannot be retired into offcuts now: "
                                             "only garments in stock, awaiting inspection or in care can.")})
        error.details["not_retirable"] = blocked[:50]
        raise error
    return [c for c in codes if rows[c] is not GarmentState.RETIRED]


def retire_into(session: Session, *, lot_code: str, codes: Sequence[str], actor: User, now: dt.datetime) -> None:
    """Retire ``codes`` into the lot in the caller's open write transaction (decided under its lock, so no
    version can move); the garment stream's projections write before the caller commits."""
    if not codes:
        return
    details = {"route": RetireRoute.OFFCUTS.value, "offcut_lot": lot_code}
    decisions = [garment_service.decide_action(session, code=code, action=Action.RETIRE, details=details,
                                               actor=actor, now=now) for code in codes]
    try:
        ledger.record(session, stream=streams.GARMENTS, decisions=decisions, actor_id=actor.id, now=now)
        ledger.before_commit(session, streams.GARMENTS)
    except BaseException:
        for projection in streams.GARMENTS.projections:
            projection.discard(session)
        raise
