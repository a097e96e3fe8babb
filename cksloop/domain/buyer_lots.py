"""Buyer lots: which garments may join, and the states draft → confirmed → shipped → proven | overdue.

Sources: issue 14 and DOMAIN.md §5.6 (proof per lot).

Pure state machine: each function takes a lot and answers the next lot (or raises); the service
stores it and writes the garments' ledger events (``allocate_to_buyer_lot`` for ``added``,
``release_from_buyer_lot`` for ``released``, ``ship_to_buyer`` for every garment on shipping).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .buyer_contracts import ProofKind, Verdict
from .destinations import EndUse
from .errors import DomainError, InvalidDetails
from .lifecycle import GarmentState, LocationKind
from .messages import N_

#: A garment may join a lot only when unsold and in stock at a store, the warehouse or the outlet
#: (the lifecycle's allocate_to_buyer_lot starts from in_stock; a partner holds garments, sells none).
JOINABLE_STATES = frozenset({GarmentState.IN_STOCK})
JOINABLE_PLACES = frozenset({LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.OUTLET})
MAX_TEXT = 120


class LotStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    PROVEN = "proven"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Draft or confirmed: its garments are held and it can still be cancelled."""
        return self in OPEN_STATUSES


_STATUS_LABELS: dict[LotStatus, str] = {
    LotStatus.DRAFT: N_("draft"),
    LotStatus.CONFIRMED: N_("confirmed"),
    LotStatus.SHIPPED: N_("shipped, proof awaited"),
    LotStatus.PROVEN: N_("proven"),
    LotStatus.OVERDUE: N_("proof overdue"),
    LotStatus.CANCELLED: N_("cancelled"),
}
OPEN_STATUSES = frozenset({LotStatus.DRAFT, LotStatus.CONFIRMED})


class LotNotAllowedNow(DomainError):
    """The lot's status does not allow the step."""

    code = "not_allowed_now"

    def __init__(self, message: str, *, status: LotStatus, allowed_from: Iterable[LotStatus]):
        super().__init__(message, details={"status": status.value,
                                           "allowed_from": sorted(s.value for s in allowed_from)})


class GarmentCannotJoin(DomainError):
    """Garments that may not join the lot; ``details["garments"]`` names each with its state and reason."""

    code = "garment_cannot_join"

    def __init__(self, refusals: list[dict[str, object]]):
        first = refusals[0]
        super().__init__(str(first["reason"]), details={"garments": refusals},
                         garment=first["code"], state=first["state"] or "")


@dataclass(frozen=True)
class Candidate:
    """A garment offered to a lot, as the service reads it: None state means never received."""

    code: str
    state: GarmentState | None
    location_kind: LocationKind | None
    open_lot_id: int | None = None  # the open lot it is already in, if any


@dataclass(frozen=True)
class Shipment:
    shipped_on: dt.date
    carrier: str
    transport_document: str
    gross_weight_g: int


@dataclass(frozen=True)
class BuyerLot:
    """A lot as the rules see it; ``id`` is None until stored."""

    buyer_id: int
    destination_country: str
    end_use: EndUse
    planned_ship_on: dt.date
    verdict: Verdict
    status: LotStatus = LotStatus.DRAFT
    garments: frozenset[str] = frozenset()
    shipment: Shipment | None = None
    proof_accepted: frozenset[ProofKind] = frozenset()
    id: int | None = None

    @property
    def proof_due_on(self) -> dt.date | None:
        """The last day the owed proof may arrive (DOMAIN.md §5.6)."""
        if self.shipment is None:
            return None
        return self.shipment.shipped_on + dt.timedelta(days=self.verdict.proof_days)

    @property
    def proof_missing(self) -> frozenset[ProofKind]:
        return self.verdict.proof_owed - self.proof_accepted


@dataclass(frozen=True)
class Step:
    """A step's outcome: the new lot and the garments whose ledger events the service writes."""

    lot: BuyerLot
    added: frozenset[str] = frozenset()
    released: frozenset[str] = frozenset()


def _refusal(candidate: Candidate, lot_id: int | None, seen: set[str]) -> str | None:
    # each reason is a whole sentence with %(garment)s and %(state)s, so it translates as one
    if candidate.code in seen:
        return N_("Garment %(garment)s is listed twice.")
    if candidate.state is None:
        return N_("Garment %(garment)s has not been received, so it cannot join a lot.")
    if candidate.open_lot_id is not None and candidate.open_lot_id != lot_id:
        return N_("Garment %(garment)s is already in another open lot.")
    if candidate.state not in JOINABLE_STATES:
        return N_("Garment %(garment)s is %(state)s: only unsold garments in stock or at the outlet can join a lot.")
    if candidate.location_kind not in JOINABLE_PLACES:
        return N_("Garment %(garment)s is held by a partner: only garments in a store, the warehouse "
                  "or the outlet can join a lot.")
    return None


def check_candidates(candidates: Sequence[Candidate], *, lot_id: int | None = None) -> frozenset[str]:
    """The codes when every candidate may join; raises ``GarmentCannotJoin`` naming all that may not."""
    seen: set[str] = set()
    refusals: list[dict[str, object]] = []
    for candidate in candidates:
        reason = _refusal(candidate, lot_id, seen)
        seen.add(candidate.code)
        if reason:
            refusals.append({"code": candidate.code, "state": candidate.state.value if candidate.state else None,
                             "open_lot_id": candidate.open_lot_id, "reason": reason})
    if refusals:
        raise GarmentCannotJoin(refusals)
    return frozenset(seen)


def _require(lot: BuyerLot, message: str, allowed: frozenset[LotStatus]) -> None:
    if lot.status not in allowed:
        raise LotNotAllowedNow(message, status=lot.status, allowed_from=allowed)


def draft(*, buyer_id: int, destination_country: str, end_use: EndUse, planned_ship_on: dt.date,
          verdict: Verdict, candidates: Sequence[Candidate]) -> Step:
    """A new draft lot; ``verdict`` is what buyer_contracts.check_declaration answered for it."""
    codes = check_candidates(candidates)
    lot = BuyerLot(buyer_id=buyer_id, destination_country=destination_country.upper(), end_use=end_use,
                   planned_ship_on=planned_ship_on, verdict=verdict, garments=codes)
    return Step(lot, added=codes)


def change_garments(lot: BuyerLot, *, add: Sequence[Candidate] = (), remove: Iterable[str] = ()) -> Step:
    """Add and remove garments while the lot is a draft; a removed code must be in the lot."""
    _require(lot, N_("Only a draft lot can change its garments."), frozenset({LotStatus.DRAFT}))
    removing = frozenset(remove)
    strangers = sorted(removing - lot.garments)
    if strangers:
        raise InvalidDetails({"remove": N_("Only garments in the lot can be removed.")}, garments=strangers)
    joining = [c for c in add if c.code not in lot.garments]
    added = check_candidates(joining, lot_id=lot.id)
    return Step(replace(lot, garments=(lot.garments - removing) | added), added=added, released=removing)


def confirm(lot: BuyerLot) -> Step:
    """Draft → confirmed; an empty lot cannot be confirmed."""
    _require(lot, N_("Only a draft lot can be confirmed."), frozenset({LotStatus.DRAFT}))
    if not lot.garments:
        raise InvalidDetails({"garments": N_("Add at least one garment before confirming the lot.")})
    return Step(replace(lot, status=LotStatus.CONFIRMED))


def ship(lot: BuyerLot, *, shipment: Shipment, today: dt.date) -> Step:
    """Confirmed → shipped; needs the date (not in the future), carrier, transport document and a gross weight.

    The service re-checks the declaration when ``shipped_on`` differs from the planned date.
    """
    _require(lot, N_("Only a confirmed lot can be shipped."), frozenset({LotStatus.CONFIRMED}))
    errors: dict[str, str] = {}
    if shipment.shipped_on > today:
        errors["shipped_on"] = N_("The shipping date cannot be in the future.")
    if not shipment.carrier.strip() or len(shipment.carrier) > MAX_TEXT:
        errors["carrier"] = N_("Name the carrier (at most 120 characters).")
    if not shipment.transport_document.strip() or len(shipment.transport_document) > MAX_TEXT:
        errors["transport_document"] = N_("Give the transport or export document's number (at most 120 characters).")
    if shipment.gross_weight_g <= 0:
        errors["gross_weight_kg"] = N_("The gross weight must be more than zero.")
    if errors:
        raise InvalidDetails(errors)
    return Step(replace(lot, status=LotStatus.SHIPPED, shipment=shipment))


def accept_proof(lot: BuyerLot, *, kind: ProofKind) -> Step:
    """A merchandiser accepts one owed document; the lot is proven once all owed proof is accepted.

    Late proof still proves an overdue lot (its overdue event stays in the history)."""
    _require(lot, N_("Proof is accepted only for a shipped lot."), frozenset({LotStatus.SHIPPED, LotStatus.OVERDUE}))
    if kind not in lot.verdict.proof_owed:
        raise InvalidDetails({"kind": N_("This lot does not owe that kind of proof.")})
    accepted = lot.proof_accepted | {kind}
    proven = lot.verdict.proof_owed <= accepted
    return Step(replace(lot, proof_accepted=accepted, status=LotStatus.PROVEN if proven else lot.status))


def is_overdue(lot: BuyerLot, *, today: dt.date) -> bool:
    """Shipped, not proven, and the proof deadline has passed."""
    due = lot.proof_due_on
    return lot.status is LotStatus.SHIPPED and due is not None and today > due


def mark_overdue(lot: BuyerLot, *, today: dt.date) -> Step:
    """Shipped → overdue once the deadline has passed (a daily job, or when the lot is read)."""
    _require(lot, N_("Only a shipped lot can become overdue."), frozenset({LotStatus.SHIPPED}))
    if not is_overdue(lot, today=today):
        raise DomainError(N_("The proof of this lot is due on %(due)s, not yet overdue."),
                          due=lot.proof_due_on.isoformat() if lot.proof_due_on else "")
    return Step(replace(lot, status=LotStatus.OVERDUE))


def cancel(lot: BuyerLot) -> Step:
    """Draft or confirmed → cancelled, releasing every garment."""
    _require(lot, N_("Only a draft or confirmed lot can be cancelled."), OPEN_STATUSES)
    return Step(replace(lot, status=LotStatus.CANCELLED, garments=frozenset()), released=lot.garments)


def overdue_lots(lots: Iterable[BuyerLot], *, today: dt.date) -> list[BuyerLot]:
    """Lots whose proof is late, oldest deadline first (the merchandiser's home page)."""
    late = [lot for lot in lots if lot.status is LotStatus.OVERDUE or is_overdue(lot, today=today)]
    return sorted(late, key=lambda lot: (lot.proof_due_on or dt.date.max, lot.id or 0))


def open_lot_by_garment(lots: Mapping[int, Iterable[str]]) -> dict[str, int]:
    """Garment code → open lot id, from ``{lot_id: codes}`` of the open lots (feeds ``Candidate.open_lot_id``)."""
    return {code: lot_id for lot_id, codes in lots.items() for code in codes}


@dataclass(frozen=True)
class PackingCheck:
    """Scanning a packed box against its lot: strangers are the loud warning (issue 14)."""

    packed: frozenset[str]
    missing: frozenset[str]
    strangers: tuple[str, ...]  # scanned but not in the lot, in scan order
    repeated: tuple[str, ...]  # scanned more than once

    @property
    def is_complete(self) -> bool:
        return not self.missing and not self.strangers


def check_packing(lot: BuyerLot, *, scanned: Sequence[str]) -> PackingCheck:
    """Which of the lot's garments were scanned into the box, which are missing, which do not belong."""
    seen: set[str] = set()
    strangers: list[str] = []
    repeated: list[str] = []
    for code in scanned:
        if code in seen:
            repeated.append(code)
        elif code not in lot.garments:
            strangers.append(code)
        seen.add(code)
    packed = frozenset(seen) & lot.garments
    return PackingCheck(packed=packed, missing=lot.garments - packed, strangers=tuple(strangers),
                        repeated=tuple(repeated))
