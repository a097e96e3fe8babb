"""The one way to write to a ledger: decide on a plain read, then compare-and-set, record, project, commit.

A ledger is a ``Stream``: an aggregate table with a ``version`` column, its append-only event
table, and the projections that follow its events (for garments: the rental tables and rollups;
next the overstock rollups, buyer lots, offcut lots). A use case hands ``run`` a ``Plan`` maker
that reads and asks the domain (outside any lock); ``run`` then takes the write lock only to
compare-and-set each version, insert the events, let the projections update themselves, store
the idempotency record and commit — or write nothing. The same code serves any stream whose
events carry ``<aggregate>_id`` and ``seq``: offcut lots get a Stream, not a copy.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Integer, Table, bindparam, cast, column, insert, select, update, values
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import IdempotencyRecord
from cksloop.db.session import begin_write
from cksloop.domain.errors import DomainError, IllegalTransition, VersionConflict
from cksloop.domain.messages import N_

T = TypeVar("T")


class Projection(Protocol):
    """A read-model kept in step with a stream's events, inside the ledger's transaction."""

    def apply(self, session: Session, recorded: Recorded) -> None:
        """Update the read-model from one recorded event (no commit)."""

    def before_commit(self, session: Session) -> None:
        """Write what was gathered over the whole unit of work (one upsert for a batch)."""

    def discard(self, session: Session) -> None:
        """Forget what was gathered: the unit of work wrote nothing."""


@dataclass(frozen=True)
class Stream:
    """An aggregate with a version, its event table (``key`` names the aggregate, ``seq`` numbers
    its events 1, 2, 3 …) and the projections its events feed, in the order they run."""

    name: str
    table: Table
    events: Table
    key: str
    projections: tuple[Projection, ...] = ()


@dataclass
class Decision:
    """One aggregate's change as the domain decided it on a plain read, ready to be written."""

    aggregate_id: int
    seen_version: int
    values: dict[str, Any]  # the aggregate row's new columns (the version is set by the ledger)
    event: dict[str, Any]  # the event's columns besides id, key and seq
    change: Any  # what the domain decided, for the projections and the answer
    subject: Any = None  # what the plan knew about the aggregate (code, style …), read-only


@dataclass
class Recorded:
    """A decision as written: its event's id and sequence number, and what projections noted."""

    decision: Decision
    event_id: int
    seq: int
    actor_id: int | None
    now: dt.datetime
    notes: dict[str, Any] = field(default_factory=dict)  # e.g. the inspection a grading wrote


@dataclass
class Plan(Generic[T]):
    """What a use case decided: the decisions to write and how to answer once they are written."""

    decisions: list[Decision]
    answer: Callable[[list[Recorded]], T]
    #: the answer as the JSON stored for an Idempotency-Key (and read back by ``from_stored``)
    stored_form: Callable[[T], dict[str, Any]] | None = None
    #: more rows in the same transaction, after the projections (a grading's defect photos)
    extra: Callable[[Session, list[Recorded]], None] | None = None
    #: rows the events refer to, written first under the lock (a buyer lot whose id the
    #: allocations name, and its compare-and-set); a plan with ``first`` always writes
    first: Callable[[Session], None] | None = None
    #: write even with no decision (a batch whose every line was refused still stores its answer)
    write_empty: bool = False


class StaleVersion(Exception):
    """An aggregate's version moved between the plan's read and the write: nothing was written."""

    def __init__(self, decision: Decision):
        self.decision = decision
        super().__init__(f"version {decision.seen_version} of {decision.aggregate_id} is gone")


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came back with a different request."""

    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Idempotency:
    """A request's Idempotency-Key, for one user, with the fingerprint of what it asked."""

    user_id: int
    key: str
    fingerprint: str


def fingerprint(kind: str, **request: Any) -> str:
    """A stable hash of what a request asked (kind of request and its parts)."""
    blob = json.dumps({"kind": kind, **request}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def stored_answer(session: Session, idempotency: Idempotency | None) -> dict[str, Any] | None:
    """The answer stored for this key, or None; IdempotencyKeyReused when it answered another request."""
    if idempotency is None:
        return None
    record = session.execute(_STORED, {"user_id": idempotency.user_id, "key": idempotency.key}).first()
    if record is None:
        return None
    if record.fingerprint != idempotency.fingerprint:
        raise IdempotencyKeyReused(N_("This Idempotency-Key was already used for a different request."))
    return record.response


_STORED = (select(IdempotencyRecord.fingerprint, IdempotencyRecord.response)
           .where(IdempotencyRecord.user_id == bindparam("user_id"), IdempotencyRecord.key == bindparam("key")))


def run(session: Session, *, stream: Stream, plan: Callable[[], Plan[T]], actor_id: int | None,
        now: dt.datetime, conflict: Callable[[Decision], DomainError],
        idempotency: Idempotency | None = None, from_stored: Callable[[dict[str, Any]], T] | None = None,
        redecide: int = 0) -> T:
    """Decide with ``plan`` (a plain read), then write its decisions in one short locked transaction.

    A version that moved meanwhile makes the plan decide again up to ``redecide`` times, then
    raises ``conflict(decision)`` (the caller's VersionConflict). With ``idempotency`` a repeat of
    the same request answers the stored answer (``from_stored``) and writes nothing — also when
    it raced its own first attempt and lost. Raises what the plan raises; commits once or never.
    """
    def replay() -> T | None:
        stored = stored_answer(session, idempotency)
        return None if stored is None or from_stored is None else from_stored(stored)

    if (answer := replay()) is not None:
        return answer
    attempts = 0
    decided: Plan[T] | None = None
    while True:
        try:
            decided = plan()
            if not decided.decisions and decided.first is None and not (decided.write_empty and idempotency):
                session.rollback()  # the plain read ends; nothing to write
                return decided.answer([])
            return write(session, stream=stream, plan=decided, actor_id=actor_id, now=now,
                         idempotency=idempotency)
        except StaleVersion as stale:
            if (answer := replay()) is not None:
                return answer
            if attempts < redecide:
                attempts += 1
                continue
            raise conflict(stale.decision) from None
        except IntegrityError:
            # the same key (or the same version, on a unique sequence) won a race with us
            session.rollback()
            if (answer := replay()) is not None:
                return answer
            if decided is not None and decided.decisions:
                raise conflict(decided.decisions[0]) from None
            raise
        except (VersionConflict, IllegalTransition):
            # a retry that read its own first attempt's result: that result is the answer
            session.rollback()
            if (answer := replay()) is not None:
                return answer
            raise


def write(session: Session, *, stream: Stream, plan: Plan[T], actor_id: int | None, now: dt.datetime,
          idempotency: Idempotency | None = None) -> T:
    """The lock-held part: compare-and-set every version, insert the events, run the projections,
    store the idempotency record, commit. Raises StaleVersion (nothing written) when a version moved."""
    begin_write(session)
    try:
        if plan.first is not None:
            plan.first(session)
        recorded = record(session, stream=stream, decisions=plan.decisions, actor_id=actor_id, now=now)
        if plan.extra is not None:
            plan.extra(session, recorded)
        answer = plan.answer(recorded)
        if idempotency is not None:
            response = plan.stored_form(answer) if plan.stored_form else answer
            session.execute(insert(IdempotencyRecord), {
                "user_id": idempotency.user_id, "key": idempotency.key, "fingerprint": idempotency.fingerprint,
                "status_code": 200, "response": response, "created_at": now})
        before_commit(session, stream)
        session.commit()
        return answer
    except BaseException:
        session.rollback()
        for projection in stream.projections:
            projection.discard(session)
        raise


def record(session: Session, *, stream: Stream, decisions: Sequence[Decision], actor_id: int | None,
           now: dt.datetime) -> list[Recorded]:
    """Compare-and-set each version, insert the events, run the projections' ``apply``, in the
    caller's open write transaction (``write``'s, or an import's that receives many garments and
    then calls ``before_commit``). Raises StaleVersion when a version moved; does not commit."""
    if not decisions:
        return []
    columns = tuple(sorted(decisions[0].values))
    statements = _statements(stream, columns)
    if len(decisions) >= _MANY and len({d.aggregate_id for d in decisions}) == len(decisions):
        _compare_and_set_many(session, stream.table, columns, decisions)
    else:
        for decision in decisions:
            moved = session.execute(statements.compare_and_set, {
                **decision.values, "_id": decision.aggregate_id, "_seen": decision.seen_version,
                "_next": decision.seen_version + 1}).rowcount != 1
            if moved:
                raise StaleVersion(decision)
    rows = [{**d.event, stream.key: d.aggregate_id, "seq": d.seen_version + 1} for d in decisions]
    ids = session.execute(statements.insert_event, rows).scalars().all()
    recorded = [Recorded(d, event_id, d.seen_version + 1, actor_id, now) for d, event_id in zip(decisions, ids)]
    for item in recorded:
        for projection in stream.projections:
            projection.apply(session, item)
    return recorded


#: from this many decisions on (a batch, a buyer lot), the compare-and-set is one statement per
#: chunk: one round trip to PostgreSQL for 500 garments instead of 500 (a 2,000-garment lot took 2-3 s)
_MANY, _CHUNK = 16, 500


def _compare_and_set_many(session: Session, table: Table, columns: tuple[str, ...],
                          decisions: Sequence[Decision]) -> None:
    """Compare-and-set many aggregates (each once) with ``WITH given AS (VALUES …) UPDATE … FROM given
    RETURNING id``:
    the ids it answers are the versions that held; the first decision missing from them moved.
    Taken in id order, so two batches over the same garments lock them in the same order."""
    ordered = sorted(decisions, key=lambda d: d.aggregate_id)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        # a CTE: SQLite names a VALUES list's columns only there (not as ``AS given (…)``)
        given = values(column("_id", Integer), column("_seen", Integer),
                       *[column(c, table.c[c].type) for c in columns], name="given").data(
            [(d.aggregate_id, d.seen_version, *(d.values[c] for c in columns)) for d in chunk]).cte("given")
        # each value cast to its column's type: a VALUES column whose first row is NULL is text to PostgreSQL
        matched = set(session.execute(
            update(table).where(table.c.id == given.c._id, table.c.version == given.c._seen)
            .values({**{c: cast(given.c[c], table.c[c].type) for c in columns}, "version": given.c._seen + 1})
            .returning(table.c.id)).scalars())
        for decision in chunk:
            if decision.aggregate_id not in matched:
                raise StaleVersion(decision)


def before_commit(session: Session, stream: Stream) -> None:
    """Let the stream's projections write what they gathered (call just before committing)."""
    for projection in stream.projections:
        projection.before_commit(session)


@dataclass(frozen=True)
class _Statements:
    compare_and_set: Any
    insert_event: Any


@lru_cache(maxsize=32)
def _statements(stream: Stream, columns: tuple[str, ...]) -> _Statements:
    """The lock-held statements of a stream, built once (issue 19: nothing is compiled under the lock
    but the first time; SQLAlchemy's compiled cache then answers by identity)."""
    table = stream.table
    compare_and_set = (update(table)
                       .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_seen"))
                       .values({**{c: bindparam(c) for c in columns}, "version": bindparam("_next")}))
    insert_event = insert(stream.events).returning(stream.events.c.id, sort_by_parameter_order=True)
    return _Statements(compare_and_set, insert_event)


def decisions_by(items: Sequence[Recorded]) -> dict[int, Recorded]:
    """The recorded events by aggregate id (a batch's answer looks its lines up by garment)."""
    return {item.decision.aggregate_id: item for item in items}
