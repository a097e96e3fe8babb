"""The house's rules on top of the lifecycle, with the facts they need loaded: store scope, sale price."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cksloop.db.models import Location, User, UserStore
from cksloop.domain.lifecycle import Action, Change, Snapshot
from cksloop.domain.sale_price import DEFAULT_LIMIT_PCT, check_sale
from cksloop.domain.store_scope import SCOPED_ROLES, check_scope
from cksloop.services import discard_evidence, settings


@dataclass(frozen=True)
class Facts:
    """What the house rules need to know about the actor, loaded once per unit of work."""

    stores: frozenset[str]  # location codes the actor works at (scoped roles only)
    discount_limit_pct: int = DEFAULT_LIMIT_PCT  # read for sales only
    evidence_ids: frozenset[int] = frozenset()  # stored discard evidence, read for retirements only


def stores_of(session: Session, user: User) -> frozenset[str]:
    """The codes of the user's stores: the home location and those an admin gave them."""
    given = select(UserStore.location_id).where(UserStore.user_id == user.id)
    return frozenset(session.scalars(select(Location.code).where(
        or_(Location.id == user.home_location_id, Location.id.in_(given)))))


def facts(session: Session, *, actor: User, action: Action | None = None) -> Facts:
    """The facts for ``actor``: their stores, read only for roles bound to them, and the store
    discount limit when the action is a sale."""
    return Facts(stores=stores_of(session, actor) if actor.role in SCOPED_ROLES else frozenset(),
                 discount_limit_pct=settings.store_discount_limit(session) if action is Action.SELL
                 else DEFAULT_LIMIT_PCT,
                 evidence_ids=discard_evidence.stored_ids(session) if action is Action.RETIRE else frozenset())


def apply(facts: Facts, *, actor: User, snapshot: Snapshot, change: Change, details: dict[str, Any]) -> Change:
    """The change as the house allows it, or the refusal (OutOfScope, InvalidDetails)."""
    check_scope(role=actor.role, stores=facts.stores, location=snapshot.location, change=change)
    if change.action is Action.SELL:
        sale = check_sale(role=actor.role, price_cents=snapshot.price_cents,
                          sold_for=change.details.get("price_cents"), reason=details.get("discount_reason"),
                          limit_pct=facts.discount_limit_pct)
        change = replace(change, details={**change.details, **sale})
    discard_evidence.check_named(change, stored=facts.evidence_ids)
    return change


def check(session: Session, *, actor: User, snapshot: Snapshot, change: Change,
          details: dict[str, Any]) -> Change:
    """``apply`` with the facts loaded for this one change."""
    return apply(facts(session, actor=actor, action=change.action), actor=actor, snapshot=snapshot, change=change, details=details)
