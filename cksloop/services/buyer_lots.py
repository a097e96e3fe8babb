"""Buyer lots: create, change, confirm, ship, cancel — the lot rows and the garments' events in one ledger write.

Each use case reads and asks the domain (buyer_contracts, buyer_lots, the lifecycle) outside any
lock, then hands ``ledger.run`` the garments' decisions with the lot's own rows as the plan's
``first`` step: the lot is inserted (or its version compared and set) under the same write lock,
before the events that name it, and everything commits together or not at all.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLot, BuyerLotGarment, Garment, User
from cksloop.domain import buyer_lots as lots
from cksloop.domain import lifecycle
from cksloop.domain.buyer_contracts import ProofKind, Verdict, check_declaration
from cksloop.domain.buyer_lots import Candidate, LotStatus, Shipment, Step
from cksloop.domain.clock import local_date
from cksloop.domain.destinations import EndUse
from cksloop.domain.errors import DomainError, InvalidDetails, NotFound, VersionConflict
from cksloop.domain.labels import GARMENT_CODE
from cksloop.domain.lifecycle import Action, Context, Snapshot
from cksloop.domain.messages import N_
from cksloop.services import buyer_lot_history, buyers, ledger, streams
from cksloop.services.garments import decision_for, load_locations

#: The most garments one request may name (issue 14's benchmark lot holds 2,000).
MAX_GARMENTS = 2000


class LotChanged(VersionConflict):
    """Someone else changed the lot between our read and our write: nothing was written."""

    def __init__(self) -> None:
        DomainError.__init__(self, N_("Someone else changed this lot a moment ago. Reload it and try again."))


def _lost_race(code: str) -> lots.GarmentCannotJoin:
    return lots.GarmentCannotJoin([{"code": code, "state": None, "open_lot_id": None,
                                    "reason": N_("Garment %(garment)s was just taken by another lot.")}])


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {"contract_id": verdict.contract_id, "contract_version": verdict.contract_version,
            "is_export": verdict.is_export, "proof_owed": sorted(p.value for p in verdict.proof_owed),
            "proof_days": verdict.proof_days, "labels_removed": verdict.labels_removed}


def _verdict(data: dict[str, Any]) -> Verdict:
    return Verdict(contract_id=data["contract_id"], contract_version=data["contract_version"],
                   is_export=data["is_export"], proof_owed=frozenset(ProofKind(p) for p in data["proof_owed"]),
                   proof_days=data["proof_days"], labels_removed=data["labels_removed"])


def _codes_in(session: Session, lot_id: int) -> dict[str, int]:
    """The lot's garments, code → garment id."""
    rows = session.execute(select(Garment.code, Garment.id).join(BuyerLotGarment, BuyerLotGarment.garment_id == Garment.id)
                           .where(BuyerLotGarment.lot_id == lot_id)).all()
    return {code: garment_id for code, garment_id in rows}


def _as_domain(row: BuyerLot, codes: Sequence[str]) -> lots.BuyerLot:
    shipment = None
    if row.shipped_on is not None:
        shipment = Shipment(row.shipped_on, row.carrier or "", row.transport_document or "", row.gross_weight_g or 0)
    return lots.BuyerLot(buyer_id=row.buyer_id, destination_country=row.destination_country, end_use=row.end_use,
                         planned_ship_on=row.planned_ship_on, verdict=_verdict(row.verdict), status=row.status,
                         garments=frozenset(codes), shipment=shipment,
                         proof_accepted=frozenset(ProofKind(p) for p in row.proof_accepted), id=row.id)


def load_lot(session: Session, lot_id: int) -> BuyerLot:
    """The stored lot row, read afresh; NotFound otherwise."""
    return _load_lot(session, lot_id)


def as_domain(row: BuyerLot, codes: Sequence[str]) -> lots.BuyerLot:
    """The lot as the rules see it."""
    return _as_domain(row, codes)


def _load_lot(session: Session, lot_id: int) -> BuyerLot:
    row = session.get(BuyerLot, lot_id, populate_existing=True)
    if row is None:
        raise NotFound(N_("No buyer lot with number %(id)s."), id=lot_id)
    return row


def parse_codes(value: Any, name: str) -> list[str]:
    """Garment codes from a request, normalised; InvalidDetails for anything else."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_GARMENTS:
        raise InvalidDetails({name: N_("Give a list of at most 2,000 garment codes.")})
    codes = [v.strip().upper() for v in value if isinstance(v, str)]
    if len(codes) != len(value) or not all(c.isascii() and GARMENT_CODE.fullmatch(c) for c in codes):
        raise InvalidDetails({name: N_("Give a list of at most 2,000 garment codes.")})
    return codes


class _Garments:
    """The offered garments as read for one plan: ORM rows, candidates, and the location maps."""

    def __init__(self, session: Session, codes: Sequence[str]):
        places, self.location_ids = load_locations(session)
        self.codes_by_id = {id_: code for code, id_ in self.location_ids.items()}
        self.rows: dict[str, Garment] = {}
        for start in range(0, len(codes), 500):
            chunk = list(codes[start:start + 500])
            self.rows.update((g.code, g) for g in session.scalars(select(Garment).where(Garment.code.in_(chunk))))
        ids = [g.id for g in self.rows.values()]
        open_lots: dict[int, int] = {}
        for start in range(0, len(ids), 500):
            rows = session.execute(select(BuyerLotGarment.garment_id, BuyerLotGarment.lot_id).where(
                BuyerLotGarment.garment_id.in_(ids[start:start + 500]), BuyerLotGarment.is_open)).all()
            open_lots.update((garment_id, lot_id) for garment_id, lot_id in rows)
        self.candidates = []
        for code in codes:
            g = self.rows.get(code)
            where = self.codes_by_id.get(g.location_id) if g is not None and g.location_id else None
            self.candidates.append(Candidate(
                code=code, state=g.state if g is not None else None,
                location_kind=places[where].kind if where else None,
                open_lot_id=open_lots.get(g.id) if g is not None else None))

    def snapshot(self, garment: Garment) -> Snapshot:
        return Snapshot(state=garment.state,
                        location=self.codes_by_id.get(garment.location_id) if garment.location_id else None,
                        price_cents=garment.price_cents, care_return_state=garment.care_return_state)


def _decisions(garments: _Garments, codes: Sequence[str], action: Action, details: dict[str, Any], *,
               lot_id: int, actor: User, now: dt.datetime) -> list[ledger.Decision]:
    ctx = Context(actor_role=actor.role, today=local_date(now), buyer_lots=frozenset({lot_id}))
    out = []
    for code in sorted(codes):
        garment = garments.rows[code]
        change = lifecycle.decide(garments.snapshot(garment), action, dict(details), ctx)
        change.details["buyer_lot"] = lot_id  # every garment event names its lot
        out.append(decision_for(garment, change, actor_id=actor.id, now=now, location_ids=garments.location_ids))
    return out


def _run(session: Session, plan: Any, *, actor: User, now: dt.datetime) -> int:
    def conflict(decision: ledger.Decision) -> DomainError:
        subject = decision.subject
        return _lost_race(subject.code) if subject is not None else LotChanged()

    return ledger.run(session, stream=streams.GARMENTS, plan=plan, actor_id=actor.id, now=now,
                      conflict=conflict, redecide=1)


def create_lot(session: Session, *, buyer_id: int, destination_country: str, end_use: EndUse,
               planned_ship_on: dt.date, codes: Sequence[str], actor: User, now: dt.datetime) -> int:
    """A new draft lot holding ``codes``; its id. Raises ContractViolation (the declaration breaks
    the contract valid on ``planned_ship_on``) or GarmentCannotJoin, with nothing written."""
    buyers.get_buyer(session, buyer_id)
    codes = list(codes)

    def plan() -> ledger.Plan[int]:
        versions = buyers.versions_of(buyers.contract_rows(session, buyer_id))
        verdict = check_declaration(versions=versions, destination_country=destination_country,
                                    end_use=end_use, planned_ship_on=planned_ship_on)
        garments = _Garments(session, codes)
        step = lots.draft(buyer_id=buyer_id, destination_country=destination_country, end_use=end_use,
                          planned_ship_on=planned_ship_on, verdict=verdict, candidates=garments.candidates)
        # the lot has no id before it is inserted: decide with a stand-in, then name the real id in ``first``
        decisions = _decisions(garments, step.added, Action.ALLOCATE_TO_BUYER_LOT, {"buyer_lot": 1},
                               lot_id=1, actor=actor, now=now)
        added = _ids(garments, step.added)
        made: dict[str, int] = {}

        def first(s: Session) -> None:
            lot = step.lot
            row = BuyerLot(buyer_id=buyer_id, status=lot.status, destination_country=lot.destination_country,
                           end_use=lot.end_use, planned_ship_on=lot.planned_ship_on,
                           contract_id=verdict.contract_id, contract_version=verdict.contract_version,
                           verdict=verdict_json(verdict), proof_accepted=[], version=1, created_at=now,
                           created_by=actor.id)
            s.add(row)
            s.flush()
            made["id"] = row.id
            for decision in decisions:
                decision.event["details"]["buyer_lot"] = row.id
            _hold(s, row.id, added)
            buyer_lot_history.record(s, lot_id=row.id, seq=1, kind="status_draft", actor_id=actor.id, now=now,
                                     details={"contract_version": verdict.contract_version,
                                              "garments": len(step.added)})

        return ledger.Plan(decisions, answer=lambda _: made["id"], first=first)

    return _run(session, plan, actor=actor, now=now)


def _ids(garments: Any, codes: Sequence[str]) -> list[int]:
    """The ids of garments read by the plan, taken while it reads: the write begins with a fresh
    transaction, which expires what was read, and each id asked after it was a statement (2,000 for a lot)."""
    return [garments.rows[c].id for c in codes]


def _hold(session: Session, lot_id: int, garment_ids: Sequence[int]) -> None:
    if garment_ids:
        session.execute(insert(BuyerLotGarment), [{"lot_id": lot_id, "garment_id": g, "is_open": True}
                                                  for g in garment_ids])


def _step_plan(session: Session, lot_id: int, decide: Any, *, actor: User, now: dt.datetime,
               offered: Sequence[str] = (), then: Callable[[Session, int], None] | None = None) -> Any:
    """The plan of a step on a stored lot: compare-and-set its version, write its new columns,
    hold the added garments and release the others, with the garments' events."""
    def plan() -> ledger.Plan[int]:
        row = _load_lot(session, lot_id)
        seen = row.version
        held = _codes_in(session, lot_id)
        lot = _as_domain(row, list(held))
        garments = _Garments(session, list(offered) + sorted(held))
        step, action, details, columns = decide(lot, garments)
        decisions: list[ledger.Decision] = []
        if action is not None:
            decisions = _decisions(garments, step.lot.garments if action is Action.SHIP_TO_BUYER else step.added,
                                   action, details, lot_id=lot_id, actor=actor, now=now)
        if step.released:
            decisions += _decisions(garments, step.released, Action.RELEASE_FROM_BUYER_LOT, {},
                                    lot_id=lot_id, actor=actor, now=now)

        added = _ids(garments, step.added)

        def first(s: Session) -> None:
            moved = s.execute(update(BuyerLot).where(BuyerLot.id == lot_id, BuyerLot.version == seen)
                              .values(version=seen + 1, status=step.lot.status, **columns)).rowcount
            if moved != 1:
                raise LotChanged()
            if step.released:
                s.execute(delete(BuyerLotGarment).where(
                    BuyerLotGarment.lot_id == lot_id,
                    BuyerLotGarment.garment_id.in_([held[c] for c in step.released])))
            _hold(s, lot_id, added)
            if step.lot.status is LotStatus.SHIPPED:
                s.execute(update(BuyerLotGarment).where(BuyerLotGarment.lot_id == lot_id).values(is_open=False))
            if then is not None:
                then(s, len(decisions))
            changed = step.lot.status is not lot.status
            buyer_lot_history.record(
                s, lot_id=lot_id, seq=seen + 1, kind=f"status_{step.lot.status.value}" if changed else "garments_changed",
                actor_id=actor.id, now=now, details={"added": len(step.added), "released": len(step.released)})

        return ledger.Plan(decisions, answer=lambda _: lot_id, first=first)

    return plan


def change_garments(session: Session, *, lot_id: int, add: Sequence[str], remove: Sequence[str],
                    actor: User, now: dt.datetime, then: Callable[[Session, int], None] | None = None) -> int:
    """Add and remove garments of a draft lot; GarmentCannotJoin names any that may not join.
    ``then(session, events)`` writes more rows in the same transaction (a review decision marked executed)."""
    def decide(lot: lots.BuyerLot, garments: _Garments) -> tuple[Step, Action, dict[str, Any], dict[str, Any]]:
        offered = [c for c in garments.candidates[:len(add)]]
        step = lots.change_garments(lot, add=offered, remove=remove)
        return step, Action.ALLOCATE_TO_BUYER_LOT, {"buyer_lot": lot_id}, {}

    return _run(session, _step_plan(session, lot_id, decide, actor=actor, now=now, offered=add, then=then),
                actor=actor, now=now)


def confirm(session: Session, *, lot_id: int, actor: User, now: dt.datetime) -> int:
    def decide(lot: lots.BuyerLot, garments: _Garments) -> tuple[Step, None, dict[str, Any], dict[str, Any]]:
        return lots.confirm(lot), None, {}, {}

    return _run(session, _step_plan(session, lot_id, decide, actor=actor, now=now), actor=actor, now=now)


def cancel(session: Session, *, lot_id: int, actor: User, now: dt.datetime) -> int:
    def decide(lot: lots.BuyerLot, garments: _Garments) -> tuple[Step, None, dict[str, Any], dict[str, Any]]:
        return lots.cancel(lot), None, {}, {}

    return _run(session, _step_plan(session, lot_id, decide, actor=actor, now=now), actor=actor, now=now)


def ship(session: Session, *, lot_id: int, shipment: Shipment, actor: User, now: dt.datetime) -> int:
    """Confirmed → shipped; every garment gets ``ship_to_buyer``. A shipping date other than the
    planned one is checked again against the contract valid on it (and that verdict is kept)."""
    def decide(lot: lots.BuyerLot, garments: _Garments) -> tuple[Step, Action, dict[str, Any], dict[str, Any]]:
        step = lots.ship(lot, shipment=shipment, today=local_date(now))
        verdict = lot.verdict
        if shipment.shipped_on != lot.planned_ship_on:
            versions = buyers.versions_of(buyers.contract_rows(session, lot.buyer_id))
            verdict = check_declaration(versions=versions, destination_country=lot.destination_country,
                                        end_use=lot.end_use, planned_ship_on=shipment.shipped_on)
            step = replace(step, lot=replace(step.lot, verdict=verdict))
        details = {"buyer_lot": lot_id, "destination_country": lot.destination_country,
                   "destination_use": lot.end_use.value,
                   "transport_document": shipment.transport_document}
        columns = {"shipped_on": shipment.shipped_on, "carrier": shipment.carrier,
                   "transport_document": shipment.transport_document, "gross_weight_g": shipment.gross_weight_g,
                   "verdict": verdict_json(verdict), "contract_id": verdict.contract_id,
                   "contract_version": verdict.contract_version}
        return step, Action.SHIP_TO_BUYER, details, columns

    return _run(session, _step_plan(session, lot_id, decide, actor=actor, now=now), actor=actor, now=now)


def lot_view(session: Session, lot_id: int) -> dict[str, Any]:
    """The lot as the API answers it."""
    row = _load_lot(session, lot_id)
    return _view(row, sorted(_codes_in(session, lot_id)))


def _view(row: BuyerLot, codes: list[str] | None) -> dict[str, Any]:
    lot = _as_domain(row, codes or [])
    view: dict[str, Any] = {
        "id": row.id, "status": row.status.value, "buyer_id": row.buyer_id,
        "destination_country": row.destination_country, "end_use": row.end_use.value,
        "planned_ship_on": row.planned_ship_on.isoformat(), "contract_id": row.contract_id,
        "contract_version": row.contract_version, "proof_owed": row.verdict["proof_owed"],
        "proof_due_on": lot.proof_due_on.isoformat() if lot.proof_due_on else None,
        "shipped_on": row.shipped_on.isoformat() if row.shipped_on else None, "carrier": row.carrier,
        "transport_document": row.transport_document,
        "gross_weight_kg": row.gross_weight_g / 1000 if row.gross_weight_g is not None else None,
        "version": row.version,
    }
    if codes is not None:
        view["garments"] = codes
    return view


#: how many lots a list shows at most, newest first
LIST_LIMIT = 500


def list_lots(session: Session, *, status: LotStatus | None, everything: bool = False) -> list[dict[str, Any]]:
    """Lots newest first: the latest ``LIST_LIMIT``, or all of them with ``everything``."""
    query = select(BuyerLot).order_by(BuyerLot.id.desc())
    if not everything:
        query = query.limit(LIST_LIMIT)
    if status is not None:
        query = query.where(BuyerLot.status == status)
    return [_view(row, None) for row in session.scalars(query)]
