"""Batch scanning: check one action against a garment at once, then apply it to many in one go.

A batch is one transaction: every garment is loaded in one query (locked against concurrent
changes), each is checked by the lifecycle rules and written through ``record_change`` so the
ledger stays the truth, and the whole batch commits once. Garments that cannot take the action
are reported with the reason and what they could do instead; they never stop the others.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from cksloop.db.models import Garment, Location, User
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.errors import (DomainError, IllegalTransition, InvalidDetails, NotFound,
                                   NotPermitted)
from cksloop.domain.labels import GARMENT_CODE
from cksloop.domain.lifecycle import Action, Change, Context, Snapshot
from cksloop.domain.messages import N_
from cksloop.services import rentals
from cksloop.services.garments import build_context, load_places, record_change

#: The most garments one batch may hold (a full rail or a big box of returns is ~150).
MAX_BATCH = 500

#: Actions that make sense for a pile of garments with the same details, in the order offered.
#: Left out: those that need a judgement per garment (inspect, return with inspection), the
#: counter's work (sell, customer return) and receiving new garments (labels come after).
BATCH_ACTIONS: tuple[Action, ...] = (
    Action.RECEIVE_RENTAL_RETURN,
    Action.MOVE_TO_OUTLET,
    Action.TRANSFER,
    Action.ADD_TO_RENTAL_POOL,
    Action.REMOVE_FROM_RENTAL_POOL,
    Action.CHECK_OUT_RENTAL,
    Action.START_CARE,
    Action.FINISH_CARE,
    Action.MARK_DOWN,
    Action.ALLOCATE_TO_BUYER_LOT,
    Action.RELEASE_FROM_BUYER_LOT,
    Action.RETIRE,
    Action.WRITE_OFF,
)


def batch_actions_for(role: lifecycle.Role) -> list[Action]:
    """The batch actions ``role`` may take, in the order the batch page offers them."""
    return [a for a in BATCH_ACTIONS if lifecycle.may(role, a)]


class Outcome(StrEnum):
    ALLOWED = "allowed"  # a check: the garment can take the action now
    APPLIED = "applied"
    REFUSED = "refused"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"


class DuplicateScan(DomainError):
    """The same garment was scanned again in this batch: it counts once."""

    code = "duplicate"


@dataclass
class BatchLine:
    """What happened (or would happen) to one scanned code."""

    code: str
    outcome: Outcome
    #: why not, for refused / duplicate / unknown lines; translated by the web layer
    error: DomainError | None = None
    state: str | None = None  # the state after (applied) or now (refused)
    version: int | None = None
    style_number: str | None = None
    style_name: str | None = None
    size: str | None = None
    allowed_actions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.ALLOWED, Outcome.APPLIED)


@dataclass
class BatchResult:
    action: Action
    lines: list[BatchLine]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for line in self.lines if line.outcome is outcome)

    @property
    def applied(self) -> list[BatchLine]:
        return [line for line in self.lines if line.outcome is Outcome.APPLIED]


def _normalise(code: Any) -> str:
    return code.strip().upper() if isinstance(code, str) else ""


def _is_code(code: str) -> bool:
    # checked before any query: arbitrary text (a NUL byte, say) never reaches the database
    return code.isascii() and GARMENT_CODE.fullmatch(code) is not None


def _unknown(code: str) -> BatchLine:
    if _is_code(code):
        error = NotFound(N_("No garment with code %(code)s."), code=code)
    else:
        error = NotFound(N_("“%(code)s” is not a garment code."), code=code[:40])
    return BatchLine(code=code[:40], outcome=Outcome.UNKNOWN, error=error)


def _described(line: BatchLine, garment: Garment) -> BatchLine:
    line.style_number = garment.style.style_number
    line.style_name = garment.style.name
    line.size = garment.size
    return line


def _snapshot(garment: Garment, codes_by_id: dict[int, str]) -> Snapshot:
    # the location code from a map loaded once, instead of one lazy load per garment
    return Snapshot(state=garment.state,
                    location=codes_by_id.get(garment.location_id) if garment.location_id else None,
                    price_cents=garment.price_cents, care_return_state=garment.care_return_state)


def _refused(garment: Garment, error: DomainError, role: lifecycle.Role) -> BatchLine:
    line = BatchLine(code=garment.code, outcome=Outcome.REFUSED, error=error,
                     state=garment.state.value if garment.state else None, version=garment.version,
                     allowed_actions=[a.value for a in lifecycle.allowed_actions(garment.state, role)])
    return _described(line, garment)


def _check_details(action: Action, details: dict[str, Any], ctx: Context) -> None:
    """Refuse details that are wrong whatever the garment (a missing destination, say).

    The action is tried on a garment in one of its starting states with no location or price,
    so only the garment-independent checks can fail here.
    """
    rule = lifecycle.RULES[action]
    start = sorted((s for s in rule.from_states if s is not None), key=lambda s: s.value)
    if not start:
        return
    try:
        lifecycle.decide(Snapshot(state=start[0]), action, details, ctx)
    except InvalidDetails:
        raise
    except DomainError:
        return


def _require_role(action: Action, actor: User) -> None:
    if not lifecycle.may(actor.role, action):
        rule = lifecycle.RULES[action]
        raise NotPermitted(action=action.value, role=actor.role.value,
                           roles=sorted(r.value for r in rule.roles))


def check_action(session: Session, *, action: Action, code: str, details: dict[str, Any],
                 actor: User, now: dt.datetime) -> BatchLine:
    """Whether the garment ``code`` can take ``action`` with ``details`` now; writes nothing.

    Raises NotPermitted when the role may never take the action, InvalidDetails when the details
    are wrong for any garment; a garment-specific refusal is the returned line's ``error``.
    """
    _require_role(action, actor)
    places = load_places(session)
    ctx = build_context(session, actor=actor, now=now, places=places)
    _check_details(action, details, ctx)
    wanted = _normalise(code)
    garment = session.scalar(select(Garment).where(Garment.code == wanted)) if _is_code(wanted) else None
    if garment is None:
        return _unknown(wanted)
    codes_by_id = {p_id: p_code for p_code, p_id in _location_ids(session).items()}
    try:
        lifecycle.decide(_snapshot(garment, codes_by_id), action, details, ctx)
    except (IllegalTransition, InvalidDetails, NotPermitted) as error:
        return _refused(garment, error, actor.role)
    line = BatchLine(code=garment.code, outcome=Outcome.ALLOWED,
                     state=garment.state.value if garment.state else None, version=garment.version,
                     allowed_actions=[a.value for a in lifecycle.allowed_actions(garment.state, actor.role)])
    return _described(line, garment)


def _location_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Location.code, Location.id)).all())


def _load(session: Session, codes: Sequence[str]) -> dict[str, Garment]:
    """The garments named by ``codes``, locked for this transaction, in one query per 500 codes."""
    found: dict[str, Garment] = {}
    for start in range(0, len(codes), MAX_BATCH):
        chunk = codes[start:start + MAX_BATCH]
        # FOR UPDATE OF garments (PostgreSQL; SQLite's BEGIN IMMEDIATE already excludes writers):
        # nobody changes these garments between our check and our write. Ordered to avoid deadlocks.
        query = (select(Garment).where(Garment.code.in_(chunk)).order_by(Garment.id)
                 .options(lazyload(Garment.location)).with_for_update(of=Garment))
        found.update((g.code, g) for g in session.scalars(query))
    return found


def apply_batch(session: Session, *, action: Action, codes: Sequence[Any], details: dict[str, Any],
                actor: User, now: dt.datetime) -> BatchResult:
    """Take ``action`` with the same ``details`` on every garment in ``codes``, committing once.

    Returns one line per code, in scan order: applied, refused (with the reason and the actions
    possible instead), duplicate (scanned before in this batch) or unknown. Raises NotPermitted
    when the role may never take the action, InvalidDetails for details wrong for any garment or
    more than MAX_BATCH codes, and VersionConflict (nothing written) if a garment changed anyway.
    """
    _require_role(action, actor)
    if not isinstance(codes, Sequence) or isinstance(codes, str) or not codes:
        raise InvalidDetails({"codes": N_("Scan at least one garment.")})
    if len(codes) > MAX_BATCH:
        raise InvalidDetails({"codes": N_("At most 500 garments in one batch: split the pile.")})
    begin_write(session)
    try:
        places = load_places(session)
        ctx = build_context(session, actor=actor, now=now, places=places)
        _check_details(action, details, ctx)
        location_ids = _location_ids(session)
        codes_by_id = {p_id: p_code for p_code, p_id in location_ids.items()}
        wanted = [_normalise(c) for c in codes]
        garments = _load(session, sorted({c for c in wanted if _is_code(c)}))
        lines: list[BatchLine] = []
        seen: set[str] = set()
        for raw, code in zip(codes, wanted):
            if code in seen:
                lines.append(BatchLine(code=code, outcome=Outcome.DUPLICATE, error=DuplicateScan(
                    N_("%(code)s was already scanned in this batch: it counts once."), code=code)))
                continue
            seen.add(code)
            garment = garments.get(code)
            if garment is None:
                lines.append(_unknown(code or (raw if isinstance(raw, str) else "")))
                continue
            lines.append(_apply_one(session, garment, action, details, ctx, actor, now,
                                    location_ids, codes_by_id))
        if any(line.outcome is Outcome.APPLIED for line in lines):
            session.commit()
        else:
            session.rollback()
        return BatchResult(action=action, lines=lines)
    except BaseException:
        session.rollback()
        raise


def _apply_one(session: Session, garment: Garment, action: Action, details: dict[str, Any],
               ctx: Context, actor: User, now: dt.datetime, location_ids: dict[str, int],
               codes_by_id: dict[int, str]) -> BatchLine:
    try:
        change: Change = lifecycle.decide(_snapshot(garment, codes_by_id), action, details, ctx)
    except (IllegalTransition, InvalidDetails, NotPermitted) as error:
        return _refused(garment, error, actor.role)
    line = _described(BatchLine(code=garment.code, outcome=Outcome.APPLIED), garment)
    event = record_change(session, garment=garment, change=change, actor=actor, now=now,
                          location_ids=location_ids)
    rentals.on_change(session, garment_id=garment.id, change=change, event=event, actor=actor, now=now)
    line.state = change.to_state.value
    line.version = event.seq
    line.allowed_actions = [a.value for a in lifecycle.allowed_actions(change.to_state, actor.role)]
    return line

