"""Use cases on one garment: decide an action and write it through the ledger, read it, check its replay."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, OffcutLot, RentalPartner, User
from cksloop.domain import lifecycle
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails, NotFound, VersionConflict
from cksloop.domain.lifecycle import Action, Change, Context, GarmentState, Place, Snapshot
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import lot_code_in
from cksloop.services import house_rules, ledger, streams

@dataclass
class ActionResult:
    """What an applied action did; ``as_dict`` is also what an idempotent retry replays."""

    code: str
    action: str
    from_state: str | None
    state: str
    version: int
    location: str | None
    price_cents: int | None
    event_id: int
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "action": self.action, "from_state": self.from_state,
            "state": self.state, "version": self.version, "location": self.location,
            "price_cents": self.price_cents, "event_id": self.event_id, "details": self.details,
        }


#: the one idempotency refusal (the ledger's), under the name the garment API has used
IdempotencyMismatch = ledger.IdempotencyKeyReused


def parse_action(name: Any) -> Action:
    """The Action called ``name``, or InvalidDetails listing the known actions."""
    try:
        return Action(name)
    except ValueError:
        raise InvalidDetails({"action": N_("Not a known action.")}) from None


def snapshot_of(garment: Garment) -> Snapshot:
    return Snapshot(
        state=garment.state,
        location=garment.location.code if garment.location else None,
        price_cents=garment.price_cents,
        care_return_state=garment.care_return_state,
    )


def load_locations(session: Session) -> tuple[dict[str, Place], dict[str, int]]:
    """Every location as the rules see it (by code), and the code → id map the ledger needs,
    from one query."""
    rows = session.execute(select(Location.id, Location.code, Location.kind, Location.city)).all()
    return ({code: Place(code, kind, city) for _, code, kind, city in rows},
            {code: id_ for id_, code, _, _ in rows})


def load_places(session: Session) -> dict[str, Place]:
    return load_locations(session)[0]


def build_context(session: Session, *, actor: User, now: dt.datetime,
                  places: dict[str, Place] | None = None,
                  partners: frozenset[int] | None = None, offcut_lots: frozenset[str] = frozenset()) -> Context:
    """The facts the rules need about the world outside the garment.

    ``places`` and ``partners`` may be narrowed by the caller to what an action can name;
    by default every location and rental partner is loaded.
    """
    return Context(
        actor_role=actor.role,
        today=local_date(now),
        here=actor.home_location.code if actor.home_location else None,
        places=places if places is not None else load_places(session),
        partners=partners if partners is not None else frozenset(session.scalars(select(RentalPartner.id))),
        buyer_lots=frozenset(),  # buyer lots arrive with the buyers capability; until then none is open
        offcut_lots=offcut_lots,
    )


_PLACE_DETAILS = ("location", "to_location")


def _context_for(session: Session, *, garment: Garment, details: dict[str, Any], actor: User,
                 now: dt.datetime) -> tuple[Context, dict[str, int]]:
    """The context for one action, loading only the locations and partner it can name.

    One garment's action touches at most three places (where it is, where the actor works, the
    one the details name) and one partner: reading just those keeps the write path short.
    """
    # a NUL byte is no location code, and PostgreSQL refuses it in a query parameter (500)
    codes = {v for k in _PLACE_DETAILS
             if isinstance(v := details.get(k), str) and len(v) <= 40 and "\x00" not in v}
    if garment.location is not None:
        codes.add(garment.location.code)
    if actor.home_location is not None:
        codes.add(actor.home_location.code)
    rows = session.execute(select(Location.id, Location.code, Location.kind, Location.city)
                           .where(Location.code.in_(codes))).all() if codes else []
    places = {code: Place(code, kind, city) for _, code, kind, city in rows}
    partners: frozenset[int] = frozenset()
    raw = details.get("partner")
    partner_id = raw if isinstance(raw, int) and not isinstance(raw, bool) else \
        int(raw) if isinstance(raw, str) and raw.strip().isdecimal() and len(raw) < 12 else None
    if partner_id is not None and 0 < partner_id < 2**31:
        partners = frozenset(session.scalars(select(RentalPartner.id).where(RentalPartner.id == partner_id)))
    lot = lot_code_in(details["offcut_lot"]) if isinstance(details.get("offcut_lot"), str) else None
    lots = frozenset(session.scalars(select(OffcutLot.code).where(OffcutLot.code == lot))) if lot else frozenset()
    ctx = build_context(session, actor=actor, now=now, places=places, partners=partners, offcut_lots=lots)
    return ctx, {code: id_ for id_, code, _, _ in rows}


def get_garment(session: Session, code: str) -> Garment:
    """The garment with ``code``; NotFound otherwise."""
    garment = session.scalar(select(Garment).where(Garment.code == code))
    if garment is None:
        raise NotFound(N_("No garment with code %(code)s."), code=code)
    return garment


def allowed_actions_for(garment: Garment, user: User) -> list[Action]:
    return lifecycle.allowed_actions(garment.state, user.role)


@dataclass(frozen=True)
class GarmentRef:
    """What the plan read about a garment and the projections need after the write."""

    id: int
    code: str
    style_id: int
    size: str = ""  # the overstock sales rollup counts by size


def conflict_for(session: Session, *, garment_id: int, expected: int, actor: User | None) -> VersionConflict:
    """The one version conflict: what the garment is now and what may be done with it instead."""
    session.rollback()
    current = session.get(Garment, garment_id, populate_existing=True)
    assert current is not None
    return VersionConflict(expected=expected, current=current.version,
                           state=current.state.value if current.state else "new",
                           allowed=[a.value for a in lifecycle.allowed_actions(
                               current.state, actor.role if actor else None)])


def decision_for(garment: Garment, change: Change, *, actor_id: int | None, now: dt.datetime,
                 location_ids: dict[str, int]) -> ledger.Decision:
    """The ledger decision that records ``change`` on ``garment`` (as read, at its version)."""
    location_id = location_ids.get(change.location) if change.location else None
    care_return = None
    if change.to_state is GarmentState.IN_CARE:
        care_return = GarmentState(change.details.get("care_return_state", "in_rental_pool"))
    return ledger.Decision(
        aggregate_id=garment.id, seen_version=garment.version,
        values={"state": change.to_state, "location_id": location_id, "price_cents": change.price_cents,
                "care_return_state": care_return},
        event={"action": change.action, "from_state": change.from_state, "to_state": change.to_state,
               "location_id": location_id, "price_cents": change.price_cents, "actor_id": actor_id,
               "occurred_at": now, "details": change.details},
        change=change, subject=GarmentRef(garment.id, garment.code, garment.style_id, garment.size))


def result_of(recorded: ledger.Recorded) -> ActionResult:
    change: Change = recorded.decision.change
    return ActionResult(
        code=recorded.decision.subject.code, action=change.action.value,
        from_state=change.from_state.value if change.from_state else None,
        state=change.to_state.value, version=recorded.seq, location=change.location,
        price_cents=change.price_cents, event_id=recorded.event_id, details=change.details)


def decide_action(session: Session, *, code: str, action: Action, details: dict[str, Any], actor: User,
                  now: dt.datetime, expected_version: int | None = None) -> ledger.Decision:
    """Read the garment and its context (a plain read, no lock) and let the domain decide.

    Raises NotFound, NotPermitted, OutOfScope, IllegalTransition, InvalidDetails, VersionConflict.
    """
    garment = get_garment(session, code)
    if expected_version is not None and expected_version != garment.version:
        raise VersionConflict(expected=expected_version, current=garment.version,
                              state=garment.state.value if garment.state else "new",
                              allowed=[a.value for a in allowed_actions_for(garment, actor)])
    ctx, location_ids = _context_for(session, garment=garment, details=details, actor=actor, now=now)
    snapshot = snapshot_of(garment)
    change = lifecycle.decide(snapshot, action, details, ctx)
    change = house_rules.check(session, actor=actor, snapshot=snapshot, change=change, details=details)
    return decision_for(garment, change, actor_id=actor.id, now=now, location_ids=location_ids)


def act(session: Session, *, code: str, action: Action, details: dict[str, Any], actor: User,
        now: dt.datetime, expected_version: int | None = None,
        idempotency_key: str | None = None) -> ActionResult:
    """Take ``action`` on the garment ``code`` for ``actor`` and commit once (through the ledger).

    Raises NotFound, NotPermitted, OutOfScope, IllegalTransition, InvalidDetails, VersionConflict
    (someone else acted first, or ``expected_version`` is stale) and IdempotencyMismatch. With an
    ``idempotency_key`` a repeat of the same request returns the first answer and writes nothing.
    """
    actor_id = actor.id
    idempotency = ledger.Idempotency(actor_id, idempotency_key, ledger.fingerprint(
        "garment_action", action=action.value, code=code, details=details, v=expected_version)) \
        if idempotency_key else None

    def plan() -> ledger.Plan[ActionResult]:
        decision = decide_action(session, code=code, action=action, details=details, actor=actor, now=now,
                                 expected_version=expected_version)
        return ledger.Plan([decision], answer=lambda recorded: result_of(recorded[0]),
                           stored_form=ActionResult.as_dict)

    return ledger.run(
        session, stream=streams.GARMENTS, plan=plan, actor_id=actor_id, now=now, idempotency=idempotency,
        from_stored=lambda stored: ActionResult(**stored),
        conflict=lambda d: conflict_for(session, garment_id=d.aggregate_id, actor=actor,
                                        expected=expected_version if expected_version is not None else d.seen_version))


def events_of(session: Session, garment: Garment) -> list[GarmentEvent]:
    """The garment's ledger, oldest first."""
    return list(session.scalars(
        select(GarmentEvent).where(GarmentEvent.garment_id == garment.id).order_by(GarmentEvent.seq)))


def change_of(event: GarmentEvent, location_codes: dict[int, str]) -> Change:
    return Change(event.action, event.from_state, event.to_state,
                  location_codes.get(event.location_id) if event.location_id else None,
                  event.price_cents, dict(event.details or {}))


def replay_matches(session: Session, garment: Garment) -> bool:
    """Whether the garment row equals the replay of its ledger (the core invariant)."""
    codes = dict(session.execute(select(Location.id, Location.code)).all())
    events = events_of(session, garment)
    replayed = lifecycle.replay(change_of(e, codes) for e in events)
    return replayed == snapshot_of(garment) and garment.version == len(events)


def count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(GarmentEvent)) or 0
