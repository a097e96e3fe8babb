"""Use cases on one garment: take an action, read its ledger, check it against its replay."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import (Garment, GarmentEvent, IdempotencyRecord, Location, RentalPartner,
                               User)
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.clock import local_date
from cksloop.domain.errors import (DomainError, IllegalTransition, InvalidDetails, NotFound,
                                    VersionConflict)
from cksloop.domain.lifecycle import Action, Change, Context, GarmentState, Place, Snapshot
from cksloop.domain.messages import N_
from cksloop.services import rentals

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


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"


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
                  partners: frozenset[int] | None = None) -> Context:
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
    ctx = build_context(session, actor=actor, now=now, places=places, partners=partners)
    return ctx, {code: id_ for id_, code, _, _ in rows}


def get_garment(session: Session, code: str) -> Garment:
    """The garment with ``code``; NotFound otherwise."""
    garment = session.scalar(select(Garment).where(Garment.code == code))
    if garment is None:
        raise NotFound(N_("No garment with code %(code)s."), code=code)
    return garment


def allowed_actions_for(garment: Garment, user: User) -> list[Action]:
    return lifecycle.allowed_actions(garment.state, user.role)


def _fingerprint(action: str, code: str, payload: dict[str, Any]) -> str:
    blob = json.dumps({"a": action, "c": code, "p": payload}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _stored_answer(session: Session, user_id: int, key: str, fingerprint: str) -> dict[str, Any] | None:
    record = session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatch(N_("This Idempotency-Key was already used for a different request."))
    return record.response


def record_change(session: Session, *, garment: Garment, change: Change, actor: User | None,
                  now: dt.datetime, location_ids: dict[str, int]) -> GarmentEvent:
    """Write ``change`` to the ledger and the garment row, guarded by the garment's version.

    Raises VersionConflict when someone else changed the garment since it was read.
    Does not commit: the calling use case owns the transaction.
    """
    seen_version = garment.version
    location_id = location_ids.get(change.location) if change.location else None
    care_return = None
    if change.to_state is GarmentState.IN_CARE:
        care_return = GarmentState(change.details.get("care_return_state", "in_rental_pool"))
    result = session.execute(
        update(Garment)
        .where(Garment.id == garment.id, Garment.version == seen_version)
        .values(state=change.to_state, location_id=location_id, price_cents=change.price_cents,
                care_return_state=care_return, version=seen_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        current = session.get(Garment, garment.id, populate_existing=True)
        assert current is not None
        raise VersionConflict(expected=seen_version, current=current.version,
                              state=current.state.value if current.state else "new",
                              allowed=[a.value for a in lifecycle.allowed_actions(
                                  current.state, actor.role if actor else None)])
    event = GarmentEvent(
        garment_id=garment.id, seq=seen_version + 1, action=change.action,
        from_state=change.from_state, to_state=change.to_state, location_id=location_id,
        price_cents=change.price_cents, actor_id=actor.id if actor else None, occurred_at=now,
        details=change.details,
    )
    session.add(event)
    session.flush()
    # keep the in-memory row equal to the database without another SELECT
    session.expire(garment, ["state", "location_id", "price_cents", "care_return_state", "version",
                             "location"])
    return event


def act(session: Session, *, code: str, action: Action, details: dict[str, Any], actor: User,
        now: dt.datetime, expected_version: int | None = None,
        idempotency_key: str | None = None) -> ActionResult:
    """Take ``action`` on the garment ``code`` for ``actor`` and commit once.

    Raises NotFound, NotPermitted, IllegalTransition, InvalidDetails, VersionConflict (someone
    else acted first, or ``expected_version`` is stale) and IdempotencyMismatch. With an
    ``idempotency_key`` a repeat of the same request returns the first answer and writes nothing.
    """
    fingerprint = None
    if idempotency_key:
        fingerprint = _fingerprint(action.value, code, {"details": details, "v": expected_version})
        stored = _stored_answer(session, actor.id, idempotency_key, fingerprint)
        if stored is not None:
            return ActionResult(**stored)
    begin_write(session)
    try:
        if idempotency_key:
            assert fingerprint is not None
            stored = _stored_answer(session, actor.id, idempotency_key, fingerprint)
            if stored is not None:
                session.rollback()
                return ActionResult(**stored)
        garment = get_garment(session, code)
        if expected_version is not None and expected_version != garment.version:
            raise VersionConflict(expected=expected_version, current=garment.version,
                                  state=garment.state.value if garment.state else "new",
                                  allowed=[a.value for a in allowed_actions_for(garment, actor)])
        ctx, location_ids = _context_for(session, garment=garment, details=details, actor=actor,
                                         now=now)
        change = lifecycle.decide(snapshot_of(garment), action, details, ctx)
        event = record_change(session, garment=garment, change=change, actor=actor, now=now,
                              location_ids=location_ids)
        rentals.on_change(session, garment_id=garment.id, change=change, event=event, actor=actor,
                          now=now)
        result = ActionResult(
            code=code, action=action.value,
            from_state=change.from_state.value if change.from_state else None,
            state=change.to_state.value, version=event.seq, location=change.location,
            price_cents=change.price_cents, event_id=event.id, details=change.details,
        )
        if idempotency_key:
            session.add(IdempotencyRecord(user_id=actor.id, key=idempotency_key,
                                          fingerprint=fingerprint, status_code=200,
                                          response=result.as_dict(), created_at=now))
        session.commit()
        return result
    except IntegrityError:
        # a concurrent request won the race (same garment version, or same idempotency key)
        session.rollback()
        if idempotency_key:
            stored = _stored_answer(session, actor.id, idempotency_key, fingerprint or "")
            if stored is not None:
                return ActionResult(**stored)
        garment = get_garment(session, code)
        raise VersionConflict(expected=expected_version if expected_version is not None else -1,
                              current=garment.version,
                              state=garment.state.value if garment.state else "new",
                              allowed=[a.value for a in allowed_actions_for(garment, actor)]) from None
    except (VersionConflict, IllegalTransition):
        # on PostgreSQL a retry racing its own first request can read the garment after the first
        # one changed it (version moved, or the action no longer fits the new state); once the
        # first has committed, the retry answers its result like any repeat
        session.rollback()
        if idempotency_key:
            stored = _stored_answer(session, actor.id, idempotency_key, fingerprint or "")
            if stored is not None:
                return ActionResult(**stored)
        raise
    except BaseException:
        session.rollback()
        raise


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
