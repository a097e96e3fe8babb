"""Executing a review decision: the ledger events for every garment it concerns, in one transaction, once.

The plan re-reads the garments recorded with the decision; any whose state moved since refuses the
whole decision (GarmentsMoved names it). The decision row is marked executed by a compare-and-set
from NULL under the same write lock as the events (the plan's ``first`` step), so a double-tapped
execute writes once and the second answers AlreadyExecuted; a garment moved during the write makes
the ledger's own compare-and-set refuse everything.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, OverstockReview, OverstockReviewDecision, Style, User
from cksloop.domain import lifecycle
from cksloop.domain.clock import local_date
from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import Action, Context, Snapshot
from cksloop.domain.markdown import GarmentPrice, plan_markdown
from cksloop.domain.overstock_proposals import Decision
from cksloop.domain.overstock_sessions import AlreadyExecuted, GarmentsMoved, moved_since
from cksloop.services import buyer_lots, ledger, overstock, streams
from cksloop.services.garments import decision_for, load_locations
from cksloop.services.overstock_reviews import get_decision

#: the lifecycle action each decision writes (mark_down's price is the policy's, per garment)
ACTIONS = {Decision.TRANSFER: Action.TRANSFER, Decision.OUTLET: Action.MOVE_TO_OUTLET,
           Decision.RENTAL_POOL: Action.ADD_TO_RENTAL_POOL, Decision.MARK_DOWN: Action.MARK_DOWN}


def _load(session: Session, codes: list[str]) -> dict[str, Garment]:
    found: dict[str, Garment] = {}
    for start in range(0, len(codes), 500):
        found.update((g.code, g) for g in session.scalars(
            select(Garment).where(Garment.code.in_(codes[start:start + 500])).order_by(Garment.id)))
    return found


def _mark_executed(session: Session, decision_id: int, *, actor: User, now: dt.datetime, events: int) -> None:
    """The decision's compare-and-set from "not executed": the loser of a race writes nothing."""
    done = session.execute(update(OverstockReviewDecision).where(
        OverstockReviewDecision.id == decision_id, OverstockReviewDecision.executed_at.is_(None))
        .values(executed_at=now, executed_by=actor.id, result={"garments": events, "events": events})).rowcount
    if done != 1:
        raise AlreadyExecuted()


def execute(session: Session, *, review_id: int, decision_id: int, actor: User, now: dt.datetime) -> dict[str, int]:
    """Carry out a recorded decision; ``{"garments": n, "events": n}`` as written.

    Raises NotFound, AlreadyExecuted (nothing more written), GarmentsMoved (a garment's state moved
    since the decision, or during the write: nothing written), MarkdownRefused (the policy now
    refuses the markdown), NotPermitted (the actor's role may not take the action), and for a buyer
    lot what ``buyer_lots.change_garments`` raises.
    """
    row = get_decision(session, review_id, decision_id)
    if row.executed_at is not None:
        raise AlreadyExecuted(result=row.result)
    kind, params, decided, style = Decision(row.decision), dict(row.params), dict(row.garments), row.style
    season = session.scalar(select(OverstockReview.season).where(OverstockReview.id == review_id))
    codes = sorted(decided)

    def check_moved(garments: dict[str, Garment]) -> None:
        moved = moved_since(decided, {c: g.state.value if g.state else None for c, g in garments.items()})
        if moved:
            raise GarmentsMoved(moved)

    if kind is Decision.BUYER_LOT:
        check_moved(_load(session, codes))
        buyer_lots.change_garments(session, lot_id=params["buyer_lot_id"], add=codes, remove=[], actor=actor,
                                   now=now, then=lambda s, events: _mark_executed(
                                       s, decision_id, actor=actor, now=now, events=events))
        return {"garments": len(codes), "events": len(codes)}

    def plan() -> ledger.Plan[dict[str, int]]:
        garments = _load(session, codes)
        check_moved(garments)
        places, location_ids = load_locations(session)
        codes_by_id = {id_: code for code, id_ in location_ids.items()}
        ctx = Context(actor_role=actor.role, today=local_date(now), places=places)
        wanted: dict[str, dict[str, Any]] = {}
        if kind is Decision.MARK_DOWN:
            retail = session.scalar(select(Style.retail_price_cents).where(Style.style_number == style)) or 0
            policy = overstock.policy_for(session, season=season or "")
            repricing = plan_markdown(policy, [GarmentPrice(c, g.state, g.price_cents or retail, retail)
                                               for c, g in garments.items()],
                                      percent=params.get("percent"), target_price_cents=params.get("target_price_cents"))
            wanted = {r.code: {"price_cents": r.to_price_cents} for r in repricing.changes}
        elif kind in ACTIONS:
            wanted = {c: {"to_location": params["to_location"]} if "to_location" in params else {} for c in codes}
        decisions = []
        for code in sorted(wanted):
            garment = garments[code]
            snapshot = Snapshot(state=garment.state, price_cents=garment.price_cents,
                                location=codes_by_id.get(garment.location_id) if garment.location_id else None,
                                care_return_state=garment.care_return_state)
            change = lifecycle.decide(snapshot, ACTIONS[kind], wanted[code], ctx)
            change.details["overstock_decision"] = decision_id  # the ledger names the decision it carries out
            decisions.append(decision_for(garment, change, actor_id=actor.id, now=now, location_ids=location_ids))
        count = len(decisions)
        return ledger.Plan(decisions, answer=lambda recorded: {"garments": len(recorded), "events": len(recorded)},
                           first=lambda s: _mark_executed(s, decision_id, actor=actor, now=now, events=count))

    def conflict(decision: ledger.Decision) -> DomainError:
        session.rollback()
        current = session.get(Garment, decision.aggregate_id, populate_existing=True)
        state = current.state.value if current is not None and current.state else None
        return GarmentsMoved([{"code": decision.subject.code, "was": decided.get(decision.subject.code),
                               "state": state}])

    return ledger.run(session, stream=streams.GARMENTS, plan=plan, actor_id=actor.id, now=now, conflict=conflict)


def price_history(session: Session, style_number: str) -> list[dict[str, Any]]:
    """Every markdown of the style's garments, oldest first: garment, when, from and to price."""
    rows = session.execute(
        select(Garment.code, GarmentEvent.occurred_at, GarmentEvent.price_cents, GarmentEvent.details)
        .join(Garment, Garment.id == GarmentEvent.garment_id).join(Style, Style.id == Garment.style_id)
        .where(Style.style_number == style_number, GarmentEvent.action == Action.MARK_DOWN)
        .order_by(GarmentEvent.occurred_at, GarmentEvent.id))
    return [{"code": code, "occurred_at": at.isoformat(), "from_price_cents": (details or {}).get("previous_price_cents"),
             "to_price_cents": price, "decision_id": (details or {}).get("overstock_decision")}
            for code, at, price, details in rows]
