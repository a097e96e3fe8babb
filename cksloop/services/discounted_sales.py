"""Store discounts as merchandisers review them: every sale below the garment's price, with its reason."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, Style, User
from cksloop.domain.clock import utc
from cksloop.domain.lifecycle import Action
from cksloop.domain.sale_price import DiscountReason

PAGE_SIZE = 200


@dataclass(frozen=True)
class DiscountedSale:
    code: str
    style_number: str
    style_name: str
    sold_at: dt.datetime
    store: str | None
    seller: str | None
    sold_cents: int
    price_cents: int | None  # the garment's price when it was sold
    reason: DiscountReason | None


def discounted_sales(session: Session, *, limit: int = PAGE_SIZE) -> list[DiscountedSale]:
    """The most recent sales with a store discount (a ``discount_reason``), newest first."""
    reason = GarmentEvent.details["discount_reason"].as_string()
    rows = session.execute(
        select(Garment.code, Style.style_number, Style.name, GarmentEvent.occurred_at, Location.name, User.name,
               GarmentEvent.details, GarmentEvent.price_cents, reason)
        .join(Garment, Garment.id == GarmentEvent.garment_id)
        .join(Style, Style.id == Garment.style_id)
        .outerjoin(Location, Location.id == GarmentEvent.location_id)
        .outerjoin(User, User.id == GarmentEvent.actor_id)
        .where(GarmentEvent.action == Action.SELL, reason.is_not(None))
        .order_by(GarmentEvent.occurred_at.desc(), GarmentEvent.id.desc()).limit(limit)).all()
    return [DiscountedSale(code, number, name, utc(at), store, seller,
                           int(details.get("price_cents") or 0), price,
                           DiscountReason(why) if why in DiscountReason._value2member_map_ else None)
            for code, number, name, at, store, seller, details, price, why in rows]
