"""Buyer figures for a period: pieces, kg and value per buyer, destination and end use; lots overdue
for proof; and the share of overstock sold in own channels versus to buyers (computed once here
from the overstock sales rollup, for the overstock review, the buyers' figures and the charter).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Buyer, BuyerLot, BuyerLotGarment, Garment, OverstockDailySales
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.messages import N_
from cksloop.domain.overstock_figures import OWN_CHANNELS, Channel, own_channel_share, shown_pct
from cksloop.services import buyer_proof

#: a shipped lot counts for the period of its shipping date, proven or not
SHIPPED_STATUSES = (LotStatus.SHIPPED, LotStatus.PROVEN)
MAX_DAYS = 3660


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    errors: dict[str, str] = {}
    if start is None:
        errors["from"] = N_("Give the first day of the period.")
    if end is None:
        errors["to"] = N_("Give the last day of the period.")
    if start and end and (end < start or (end - start).days > MAX_DAYS):
        errors["to"] = N_("The last day must be on or after the first, at most ten years later.")
    if errors:
        raise InvalidDetails(errors)
    assert start is not None and end is not None
    return start, end


def units_by_channel(session: Session, *, start: dt.date, end: dt.date) -> dict[Channel, int]:
    """Units sold net of customer returns per channel, from the daily sales rollup (``buyer`` is a lot shipped)."""
    rows = session.execute(select(OverstockDailySales.channel,
                                  func.sum(OverstockDailySales.sold - OverstockDailySales.returned))
                           .where(OverstockDailySales.day >= start, OverstockDailySales.day <= end)
                           .group_by(OverstockDailySales.channel)).all()
    return {Channel(channel): int(units or 0) for channel, units in rows}


def overstock_share(session: Session, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The share of units sold in own channels (stores, outlet, rental sale) versus to buyers: ONE
    function for every page that shows it; ``own_channel_pct`` is None when nothing was sold."""
    sold = units_by_channel(session, start=start, end=end)
    share = own_channel_share(sold)
    return {"own_channel_units": sum(max(n, 0) for c, n in sold.items() if c in OWN_CHANNELS),
            "buyer_units": max(sold.get(Channel.BUYER, 0), 0),
            "own_channel_pct": shown_pct(share), "buyer_pct": None if share is None else shown_pct(1 - share)}


def _add(table: dict[str, dict[str, int]], key: str, pieces: int, grams: int, cents: int) -> None:
    row = table[key]
    row["pieces"] += pieces
    row["weight_g"] += grams
    row["value_cents"] += cents


def _rows(table: dict[str, dict[str, int]], name: str) -> list[dict[str, Any]]:
    return [{name: key, "pieces": row["pieces"], "weight_kg": row["weight_g"] / 1000,
             "value_cents": row["value_cents"]} for key, row in sorted(table.items())]


def figures(session: Session, *, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
    """Lots shipped from ``start`` to ``end`` (both included) by buyer, destination country and end use;
    kg is the lots' declared gross weight, value the garments' prices when shipped."""
    start, end = check_period(start, end)
    per_lot = (select(BuyerLotGarment.lot_id, func.count().label("pieces"),
                      func.coalesce(func.sum(Garment.price_cents), 0).label("cents"))
               .join(Garment, Garment.id == BuyerLotGarment.garment_id)
               .group_by(BuyerLotGarment.lot_id).subquery())
    rows = session.execute(
        select(Buyer.name, BuyerLot.destination_country, BuyerLot.end_use, BuyerLot.gross_weight_g,
               per_lot.c.pieces, per_lot.c.cents)
        .join(Buyer, Buyer.id == BuyerLot.buyer_id).outerjoin(per_lot, per_lot.c.lot_id == BuyerLot.id)
        .where(BuyerLot.status.in_(SHIPPED_STATUSES), BuyerLot.shipped_on >= start, BuyerLot.shipped_on <= end))
    tables: dict[str, dict[str, dict[str, int]]] = {
        name: defaultdict(lambda: {"pieces": 0, "weight_g": 0, "value_cents": 0})
        for name in ("buyer", "destination_country", "end_use")}
    lots = 0
    for buyer, country, use, grams, pieces, cents in rows:
        lots += 1
        for name, key in (("buyer", buyer), ("destination_country", country), ("end_use", use.value)):
            _add(tables[name], key, int(pieces or 0), int(grams or 0), int(cents or 0))
    totals = {"lots": lots, "pieces": sum(r["pieces"] for r in tables["buyer"].values()),
              "weight_kg": sum(r["weight_g"] for r in tables["buyer"].values()) / 1000,
              "value_cents": sum(r["value_cents"] for r in tables["buyer"].values())}
    overdue = buyer_proof.overdue_lots(session, today=today)
    return {
        "from": start.isoformat(), "to": end.isoformat(), "totals": totals,
        "by_buyer": _rows(tables["buyer"], "buyer"),
        "by_destination_country": _rows(tables["destination_country"], "destination_country"),
        "by_end_use": _rows(tables["end_use"], "end_use"),
        "overdue_lots": [{"id": v["id"], "buyer": v["buyer_name"], "proof_due_on": v["proof_due_on"],
                          "days_late": v["days_late"]} for v in overdue],
        "overstock_share": overstock_share(session, start=start, end=end),
    }
