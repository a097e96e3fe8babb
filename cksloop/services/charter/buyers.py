"""Buyers section: lots shipped to bulk buyers (opkopers), their pieces and kilograms per destination
country and end use, and how many of them are proven or overdue (report section 3: "clear agreements
govern the permitted destinations").

Seam: the lists read ``buyer_lots`` / ``buyer_lot_garments`` (services.buyer_lots); the buyer-proof
work (services.buyer_figures) can replace ``section`` without changing the report. Lots carry no
price, so no value in euro is shown for buyers.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Buyer, BuyerLot, BuyerLotGarment, Garment, Style
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.destinations import EndUse
from cksloop.services.charter.figures import Section, counted, keep, measured

NAME = "buyers"
PIECES, KG = "pieces_", "kg_"


def _shipped_in(year: int) -> Any:
    return and_(BuyerLot.shipped_on >= dt.date(year, 1, 1), BuyerLot.shipped_on < dt.date(year + 1, 1, 1))


def lots(year: int, where: Any = True) -> Select[Any]:
    """Buyer lots shipped in the year (status as it is today)."""
    return (select(BuyerLot.id.label("lot"), Buyer.name.label("buyer"), BuyerLot.status.label("status"),
                   BuyerLot.destination_country.label("country"), BuyerLot.end_use.label("end_use"),
                   BuyerLot.shipped_on.label("shipped_on"), BuyerLot.gross_weight_g.label("gross_weight_g"))
            .join(Buyer, Buyer.id == BuyerLot.buyer_id).where(_shipped_in(year), where).order_by(BuyerLot.id))


def pieces(year: int, where: Any = True) -> Select[Any]:
    """The garments in the lots shipped in the year."""
    return (select(Garment.id.label("garment_id"), Garment.code.label("code"), Style.style_number.label("style"),
                   BuyerLot.id.label("lot"), BuyerLot.destination_country.label("country"),
                   BuyerLot.end_use.label("end_use"))
            .select_from(BuyerLotGarment).join(BuyerLot, BuyerLot.id == BuyerLotGarment.lot_id)
            .join(Garment, Garment.id == BuyerLotGarment.garment_id).join(Style, Style.id == Garment.style_id)
            .where(_shipped_in(year), where).order_by(BuyerLot.id, Garment.id))


def _destination(key: str) -> Any:
    """``nl_reuse`` → the filter for lots to NL for reuse, or None for a key that names none."""
    country, _, use = key.partition("_")
    if len(country) != 2 or not country.isalpha() or use not in EndUse._value2member_map_:
        return None
    return and_(BuyerLot.destination_country == country.upper(), BuyerLot.end_use == EndUse(use))


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    simple = {"lots_shipped": lambda: lots(year), "pieces_shipped": lambda: pieces(year),
              "lots_proven": lambda: lots(year, BuyerLot.status == LotStatus.PROVEN),
              "lots_overdue": lambda: lots(year, BuyerLot.status == LotStatus.OVERDUE)}
    if key in simple:
        return simple[key]()
    for prefix, make in ((PIECES, pieces), (KG, lots)):
        if key.startswith(prefix) and (where := _destination(key.removeprefix(prefix))) is not None:
            return make(year, where)
    return None


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {}
    out["lots_shipped"] = counted(session, NAME, "lots_shipped", year, lots(year), "lots")
    out["pieces_shipped"] = counted(session, NAME, "pieces_shipped", year, pieces(year), "garments")
    grams = session.scalar(select(func.sum(BuyerLot.gross_weight_g)).where(_shipped_in(year)))
    if out["lots_shipped"].value:
        keep(out, "kg_shipped", measured(NAME, "kg_shipped", year, int(grams or 0) / 1000, "kg", "lots_shipped"))
    for key, status in (("lots_proven", LotStatus.PROVEN), ("lots_overdue", LotStatus.OVERDUE)):
        out[key] = counted(session, NAME, key, year, lots(year, BuyerLot.status == status), "lots")
    destinations = session.execute(
        select(BuyerLot.destination_country, BuyerLot.end_use, func.sum(BuyerLot.gross_weight_g))
        .where(_shipped_in(year)).group_by(BuyerLot.destination_country, BuyerLot.end_use)
        .order_by(BuyerLot.destination_country, BuyerLot.end_use)).all()
    for country, use, grams_to in destinations:
        use = EndUse(use)
        dest = f"{country.lower()}_{use.value}"
        where = _destination(dest)
        out[PIECES + dest] = counted(session, NAME, PIECES + dest, year, pieces(year, where), "garments")
        keep(out, KG + dest, measured(NAME, KG + dest, year, int(grams_to or 0) / 1000, "kg"))
    return out
