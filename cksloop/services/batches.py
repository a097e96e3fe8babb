"""Batch scanning: check one action against a garment at once, then apply it to many in one go.

A batch is one unit of work of the ledger: every garment is loaded in one plain query, each is
checked by the lifecycle and house rules, and the decisions are written together (each guarded by
its version; if one moved meanwhile, the batch decides once more) and commit once. Garments that cannot take the action
are reported with the reason and what they could do instead; they never stop the others.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from cksloop.db.models import Garment, User
from cksloop.domain import lifecycle
from cksloop.domain.errors import (DomainError, IllegalTransition, InvalidDetails, NotFound,
                                   NotPermitted, VersionConflict)
from cksloop.domain.labels import GARMENT_CODE
from cksloop.domain.lifecycle import Action, Change, Context, Snapshot
from cksloop.domain.messages import N_
from cksloop.services import house_rules, ledger, streams
from cksloop.services.garments import build_context, conflict_for, decision_for, load_locations

#: The most garments one batch may hold (a full rail or a big box of returns is ~150).
MAX_BATCH = 500
#: The most scans one batch may send, double scans included (each is reported as a double): a
#: full batch of MAX_BATCH garments scanned twice over still goes through.
MAX_SCANS = 4 * MAX_BATCH

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


class StoredRefusal(DomainError):
    """A refusal read back from the answer stored for an Idempotency-Key."""

    def __init__(self, *, code: str, message: str, params: dict[str, Any], details: dict[str, Any],
                 field_errors: dict[str, str] | None):
        self.code = code
        if field_errors is not None:
            self.field_errors = field_errors
        super().__init__(message, details=details, **params)


#: the one idempotency refusal (the ledger's), under the name the batch API has used
IdempotencyKeyReused = ledger.IdempotencyKeyReused


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
    #: True when this is the stored answer to a repeated request (same Idempotency-Key)
    replayed: bool = False

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
    places, location_ids = load_locations(session)
    ctx = build_context(session, actor=actor, now=now, places=places)
    _check_details(action, details, ctx)
    wanted = _normalise(code)
    garment = session.scalar(select(Garment).where(Garment.code == wanted)) if _is_code(wanted) else None
    if garment is None:
        return _unknown(wanted)
    codes_by_id = {p_id: p_code for p_code, p_id in location_ids.items()}
    try:
        lifecycle.decide(_snapshot(garment, codes_by_id), action, details, ctx)
    except (IllegalTransition, InvalidDetails, NotPermitted) as error:
        return _refused(garment, error, actor.role)
    line = BatchLine(code=garment.code, outcome=Outcome.ALLOWED,
                     state=garment.state.value if garment.state else None, version=garment.version,
                     allowed_actions=[a.value for a in lifecycle.allowed_actions(garment.state, actor.role)])
    return _described(line, garment)


def _load(session: Session, codes: Sequence[str]) -> dict[str, Garment]:
    """The garments named by ``codes`` (a plain read: the ledger's compare-and-set guards the
    write), in one query per 500 codes."""
    found: dict[str, Garment] = {}
    for start in range(0, len(codes), MAX_BATCH):
        chunk = codes[start:start + MAX_BATCH]
        query = (select(Garment).where(Garment.code.in_(chunk)).order_by(Garment.id)
                 .options(lazyload(Garment.location)))
        found.update((g.code, g) for g in session.scalars(query))
    return found


def apply_batch(session: Session, *, action: Action, codes: Sequence[Any], details: dict[str, Any],
                actor: User, now: dt.datetime, idempotency_key: str | None = None,
                expected_versions: Mapping[str, int] | None = None, queued_at: str | None = None) -> BatchResult:
    """Take ``action`` with the same ``details`` on every garment in ``codes``, committing once.

    Returns one line per code, in scan order: applied, refused (with the reason and the actions
    possible instead), duplicate (scanned before in this batch) or unknown. Raises NotPermitted
    when the role may never take the action, InvalidDetails for details wrong for any garment,
    more than MAX_BATCH different codes or more than MAX_SCANS codes (doubles included), and
    VersionConflict (nothing written) if a garment changed again after the batch decided a
    second time. With an ``idempotency_key`` a repeat of the same
    request (a retry after the shop Wi-Fi lost the answer) returns the first result and writes
    nothing; the key reused for another batch raises IdempotencyKeyReused.

    ``expected_versions`` (code → version as last seen, e.g. by a phone that scanned offline)
    refuses the garments someone changed since, naming their state now; ``queued_at`` (the
    device's time of an offline scan, ISO 8601) is recorded on each event beside the server's.
    """
    _require_role(action, actor)
    if not isinstance(codes, Sequence) or isinstance(codes, str) or not codes:
        raise InvalidDetails({"codes": N_("Scan at least one garment.")})
    if len(codes) > MAX_SCANS:
        raise InvalidDetails({"codes": N_(
            "At most 2000 scans in one batch, double scans included: split the pile.")})
    if len({_normalise(c) for c in codes}) > MAX_BATCH:
        raise InvalidDetails({"codes": N_("At most 500 garments in one batch: split the pile.")})
    actor_id = actor.id
    seen_versions = {_normalise(c): v for c, v in (expected_versions or {}).items()}
    idempotency = ledger.Idempotency(actor_id, idempotency_key, ledger.fingerprint(
        "batch", action=action.value, codes=list(codes), details=details, versions=seen_versions,
        queued_at=queued_at)) if idempotency_key else None

    def plan() -> ledger.Plan[BatchResult]:
        places, location_ids = load_locations(session)
        ctx = build_context(session, actor=actor, now=now, places=places)
        _check_details(action, details, ctx)
        codes_by_id = {p_id: p_code for p_code, p_id in location_ids.items()}
        wanted = [_normalise(c) for c in codes]
        garments = _load(session, sorted({c for c in wanted if _is_code(c)}))
        facts = house_rules.facts(session, actor=actor, action=action)
        lines: list[BatchLine] = []
        decisions: list[ledger.Decision] = []
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
            seen_version = seen_versions.get(code)
            if seen_version is not None and seen_version != garment.version:
                # changed since it was scanned (another store acted first): not on an old picture
                allowed = [a.value for a in lifecycle.allowed_actions(garment.state, actor.role)]
                lines.append(_refused(garment, VersionConflict(
                    expected=seen_version, current=garment.version,
                    state=garment.state.value if garment.state else "new", allowed=allowed), actor.role))
                continue
            line, decision = _decide_one(garment, action, details, ctx, actor, now, location_ids,
                                         codes_by_id, facts)
            if decision is not None and queued_at:
                decision.change.details["queued_at"] = queued_at
            lines.append(line)
            if decision is not None:
                decisions.append(decision)
        ids = {code: garment.id for code, garment in garments.items()}

        def answer(recorded: list[ledger.Recorded]) -> BatchResult:
            by_garment = ledger.decisions_by(recorded)
            for line in lines:
                if line.outcome is Outcome.APPLIED:
                    line.version = by_garment[ids[line.code]].seq
            return BatchResult(action=action, lines=lines)

        return ledger.Plan(decisions, answer=answer, stored_form=_stored_form, write_empty=True)

    return ledger.run(
        session, stream=streams.GARMENTS, plan=plan, actor_id=actor_id, now=now, idempotency=idempotency,
        from_stored=_from_stored_answer, redecide=1,
        conflict=lambda d: conflict_for(session, garment_id=d.aggregate_id, expected=d.seen_version,
                                        actor=actor))


def _from_stored_answer(stored: dict[str, Any]) -> BatchResult:
    if "batch" not in stored:
        raise IdempotencyKeyReused(N_("This Idempotency-Key was already used for a different request."))
    return _from_stored(stored["batch"])


def _stored_form(result: BatchResult) -> dict[str, Any]:
    """The result as plain JSON, with each refusal's untranslated message and parameters."""
    lines = []
    for line in result.lines:
        error = None
        if line.error is not None:
            error = {"code": line.error.code, "message": line.error.message,
                     "params": line.error.params, "details": line.error.details,
                     "fields": getattr(line.error, "field_errors", None)}
        lines.append({"code": line.code, "outcome": line.outcome.value, "error": error,
                      "state": line.state, "version": line.version, "style_number": line.style_number,
                      "style_name": line.style_name, "size": line.size,
                      "allowed_actions": line.allowed_actions})
    return {"batch": {"action": result.action.value, "lines": lines}}


def _from_stored(data: dict[str, Any]) -> BatchResult:
    lines = []
    for stored in data["lines"]:
        item = dict(stored)
        raw = item.pop("error")
        error = None
        if raw is not None:
            error = StoredRefusal(code=raw["code"], message=raw["message"], params=raw["params"],
                                  details=raw["details"], field_errors=raw["fields"])
        lines.append(BatchLine(**{**item, "outcome": Outcome(item["outcome"])}, error=error))
    return BatchResult(action=Action(data["action"]), lines=lines, replayed=True)


def _decide_one(garment: Garment, action: Action, details: dict[str, Any], ctx: Context, actor: User,
                now: dt.datetime, location_ids: dict[str, int], codes_by_id: dict[int, str],
                facts: house_rules.Facts) -> tuple[BatchLine, ledger.Decision | None]:
    snapshot = _snapshot(garment, codes_by_id)
    try:
        change: Change = lifecycle.decide(snapshot, action, details, ctx)
        change = house_rules.apply(facts, actor=actor, snapshot=snapshot, change=change, details=details)
    except (IllegalTransition, InvalidDetails, NotPermitted) as error:
        return _refused(garment, error, actor.role), None
    line = _described(BatchLine(code=garment.code, outcome=Outcome.APPLIED), garment)
    line.state = change.to_state.value
    line.allowed_actions = [a.value for a in lifecycle.allowed_actions(change.to_state, actor.role)]
    return line, decision_for(garment, change, actor_id=actor.id, now=now, location_ids=location_ids)
