"""The sale price rule (issue 12 §4.3): a store sells at the garment's price, or a reasoned discount within the limit.

Markdowns are the merchandisers' tool; a store clerk who could sell at any price (0 cents
included) would go around them. So store staff sell at the current price, or lower with a reason
from a short list and no more than the admin's limit (default 20 %) off. Merchandisers and
admins may set any price above zero.
"""
from __future__ import annotations

from typing import Any

from .errors import InvalidDetails
from .lifecycle import Role
from .messages import N_, LabelledEnum

DEFAULT_LIMIT_PCT = 20
#: the roles whose sale price is not bound to the garment's price
FREE_PRICERS = frozenset({Role.MERCHANDISER, Role.ADMIN})


class DiscountReason(LabelledEnum):
    """Why a store sells below the current price: a short list, so discounts can be reviewed."""

    DAMAGED = "damaged", N_("Damaged or soiled")
    DISPLAY_MODEL = "display_model", N_("Display model")
    LOYALTY = "loyalty", N_("Loyal customer")
    COMPLAINT = "complaint", N_("Settling a complaint")


class SalePriceRefused(InvalidDetails):
    """The price is outside what the seller may give: says why, and the allowed range."""

    code = "sale_price_refused"

    def __init__(self, field: str, field_message: str, *, price_cents: int, lowest_cents: int, limit_pct: int):
        super().__init__({field: field_message})
        self.message = N_("Sell at the garment's price of %(price)s, or give a store discount with a reason "
                          "down to %(lowest)s (at most %(limit)s%% off).")
        self.params = {"price": euros(price_cents), "lowest": euros(lowest_cents), "limit": limit_pct}
        self.details.update({"price_cents": price_cents, "lowest_cents": lowest_cents, "limit_pct": limit_pct,
                             "reasons": [r.value for r in DiscountReason]})
        self.args = (self.render(),)


def euros(cents: int) -> str:
    return f"€ {cents // 100},{cents % 100:02d}"


def lowest_price(price_cents: int, limit_pct: int) -> int:
    """The lowest store price: ``limit_pct`` off, rounded up to the cent (never beyond the limit)."""
    return -(-price_cents * (100 - limit_pct) // 100)


def check_sale(*, role: Role, price_cents: int | None, sold_for: int | None, reason: Any,
               limit_pct: int) -> dict[str, Any]:
    """What the sale records (``price_cents``, and ``discount_reason`` for a store discount).

    ``price_cents`` is the garment's current price; ``sold_for`` what the seller asks (None: the
    current price). Raises InvalidDetails for a price of zero or a reason not on the list, and
    SalePriceRefused when store staff go above the price, below the limit or without a reason.
    """
    current = price_cents or 0
    sold = current if sold_for is None else sold_for
    chosen = None
    if reason not in (None, ""):
        if reason not in DiscountReason._value2member_map_:
            raise InvalidDetails({"discount_reason": N_("Choose a reason from the list.")})
        chosen = DiscountReason(reason)
    if sold <= 0:
        raise InvalidDetails({"price_cents": N_("A sale price must be more than zero.")})
    out: dict[str, Any] = {"price_cents": sold}
    if role in FREE_PRICERS:
        if chosen is not None and sold < current:
            out["discount_reason"] = chosen.value
        return out
    lowest = lowest_price(current, limit_pct)
    if sold > current:
        raise SalePriceRefused("price_cents", N_("More than the garment's price."), price_cents=current,
                               lowest_cents=lowest, limit_pct=limit_pct)
    if sold < current:
        if chosen is None:
            raise SalePriceRefused("discount_reason", N_("A store discount needs a reason."),
                                   price_cents=current, lowest_cents=lowest, limit_pct=limit_pct)
        if sold < lowest:
            raise SalePriceRefused("price_cents", N_("More off than a store may give."), price_cents=current,
                                   lowest_cents=lowest, limit_pct=limit_pct)
        out["discount_reason"] = chosen.value
    return out
