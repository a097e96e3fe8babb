"""Reads the buyer pages need beyond the API's: lots with their buyer, a lot's garments, one garment's chance to join.

Nothing here writes; the writes are services.buyers and services.buyer_lots.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Buyer, BuyerContract, BuyerLot, BuyerLotGarment, Garment, Location, Style
from cksloop.domain import buyer_lots as lots
from cksloop.domain.buyer_lots import Candidate, GarmentCannotJoin, LotStatus
from cksloop.domain.lifecycle import GarmentState
from cksloop.domain.errors import NotFound
from cksloop.domain.messages import N_
from cksloop.services import buyers

#: The most lots one list page shows (newest first), as the API's list.
MAX_LIST = 500


def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code the contract and lot forms may offer (pycountry's)."""
    return sorted(buyers.known_country_codes())


def latest_contract(session: Session, buyer_id: int) -> BuyerContract | None:
    """The buyer's newest contract version (the start of an amendment), or None."""
    return session.scalar(select(BuyerContract).where(BuyerContract.buyer_id == buyer_id)
                          .order_by(BuyerContract.version.desc()).limit(1))


@dataclass(frozen=True)
class LotLine:
    id: int
    status: LotStatus
    buyer_id: int
    buyer_name: str
    destination_country: str
    end_use: Any
    planned_ship_on: Any
    contract_version: int
    shipped_on: Any
    garments: int


def lot_lines(session: Session, *, status: LotStatus | None) -> list[LotLine]:
    """The lots, newest first, with their buyer's name and garment count, in one grouped query."""
    counts = (select(BuyerLotGarment.lot_id, func.count().label("n")).group_by(BuyerLotGarment.lot_id).subquery())
    query = (select(BuyerLot, Buyer.name, func.coalesce(counts.c.n, 0))
             .join(Buyer, Buyer.id == BuyerLot.buyer_id)
             .outerjoin(counts, counts.c.lot_id == BuyerLot.id)
             .order_by(BuyerLot.id.desc()).limit(MAX_LIST))
    if status is not None:
        query = query.where(BuyerLot.status == status)
    return [LotLine(id=lot.id, status=lot.status, buyer_id=lot.buyer_id, buyer_name=name,
                    destination_country=lot.destination_country, end_use=lot.end_use,
                    planned_ship_on=lot.planned_ship_on, contract_version=lot.contract_version,
                    shipped_on=lot.shipped_on, garments=n)
            for lot, name, n in session.execute(query).all()]


def status_counts(session: Session) -> dict[LotStatus, int]:
    rows = session.execute(select(BuyerLot.status, func.count()).group_by(BuyerLot.status)).all()
    return {status: n for status, n in rows}


@dataclass(frozen=True)
class LotGarment:
    code: str
    style_number: str
    style_name: str
    size: str
    state: GarmentState | None


def lot_garments(session: Session, lot_id: int) -> list[LotGarment]:
    """The lot's garments by code, with what a packer needs to recognise them."""
    rows = session.execute(
        select(Garment.code, Style.style_number, Style.name, Garment.size, Garment.state)
        .join(BuyerLotGarment, BuyerLotGarment.garment_id == Garment.id)
        .join(Style, Style.id == Garment.style_id)
        .where(BuyerLotGarment.lot_id == lot_id).order_by(Garment.code)).all()
    return [LotGarment(*row) for row in rows]


def lot_row(session: Session, lot_id: int) -> BuyerLot:
    """The stored lot (NotFound when there is none), for a page that shows more than the API view."""
    row = session.get(BuyerLot, lot_id, populate_existing=True)
    if row is None:
        raise NotFound(N_("No buyer lot with number %(id)s."), id=lot_id)
    return row


@dataclass(frozen=True)
class JoinCheck:
    """Whether one scanned garment may join a lot now; ``reason`` is an untranslated template."""

    code: str
    state: GarmentState | None
    ok: bool
    reason: str | None = None
    params: dict[str, Any] | None = None


def check_garment(session: Session, *, code: str, lot_id: int | None) -> JoinCheck:
    """The domain's verdict on one garment joining (a new lot when ``lot_id`` is None); writes nothing.

    The write checks again under the lock: this is feedback while scanning, not a reservation."""
    garment = session.scalar(select(Garment).where(Garment.code == code))
    kind = None
    open_lot = None
    if garment is not None:
        if garment.location_id is not None:
            kind = session.scalar(select(Location.kind).where(Location.id == garment.location_id))
        open_lot = session.scalar(select(BuyerLotGarment.lot_id).where(
            BuyerLotGarment.garment_id == garment.id, BuyerLotGarment.is_open))
    state = garment.state if garment is not None else None
    if lot_id is not None and open_lot == lot_id:
        return JoinCheck(code=code, state=state, ok=True)
    try:
        lots.check_candidates([Candidate(code=code, state=state, location_kind=kind, open_lot_id=open_lot)],
                              lot_id=lot_id)
    except GarmentCannotJoin as refused:
        return JoinCheck(code=code, state=state, ok=False, reason=refused.message, params=refused.params)
    return JoinCheck(code=code, state=state, ok=True)
