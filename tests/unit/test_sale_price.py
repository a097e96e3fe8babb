"""The sale price rule: store staff sell at the price or a reasoned discount within the limit."""
from __future__ import annotations

import pytest

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.domain.sale_price import DiscountReason, SalePriceRefused, check_sale, lowest_price

PRICE = 10_000


def sell(role: Role = Role.STORE_STAFF, *, sold_for: int | None, reason: str | None = None, limit: int = 20):
    return check_sale(role=role, price_cents=PRICE, sold_for=sold_for, reason=reason, limit_pct=limit)


def test_a_clerk_sells_at_the_current_price_without_a_reason() -> None:
    assert sell(sold_for=None) == {"price_cents": PRICE}
    assert sell(sold_for=PRICE) == {"price_cents": PRICE}


@pytest.mark.parametrize("reason", list(DiscountReason))
def test_a_clerk_discount_within_the_limit_with_a_reason_is_recorded_with_it(reason: DiscountReason) -> None:
    assert sell(sold_for=8_000, reason=reason.value) == {"price_cents": 8_000, "discount_reason": reason.value}


def test_a_clerk_discount_without_a_reason_is_refused_with_the_allowed_range() -> None:
    with pytest.raises(SalePriceRefused) as refused:
        sell(sold_for=9_000)
    assert refused.value.field_errors == {"discount_reason": "A store discount needs a reason."}
    assert refused.value.details["lowest_cents"] == 8_000 and refused.value.details["limit_pct"] == 20
    assert "€ 80,00" in refused.value.render() and "€ 100,00" in refused.value.render()


def test_a_clerk_discount_beyond_the_limit_is_refused_even_with_a_reason() -> None:
    with pytest.raises(SalePriceRefused) as refused:
        sell(sold_for=7_999, reason="damaged")
    assert "price_cents" in refused.value.field_errors


def test_the_limit_the_admin_sets_is_the_one_applied() -> None:
    assert sell(sold_for=6_000, reason="display_model", limit=40)["price_cents"] == 6_000
    with pytest.raises(SalePriceRefused):
        sell(sold_for=9_500, reason="display_model", limit=0)


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
def test_a_store_role_may_not_sell_above_the_price(role: Role) -> None:
    with pytest.raises(SalePriceRefused):
        sell(role, sold_for=PRICE + 1)


@pytest.mark.parametrize("role", list(Role))
def test_nobody_sells_for_nothing(role: Role) -> None:
    with pytest.raises(InvalidDetails) as refused:
        sell(role, sold_for=0, reason="damaged")
    assert "price_cents" in refused.value.field_errors


@pytest.mark.parametrize("role", [Role.MERCHANDISER, Role.ADMIN])
def test_merchandisers_and_admins_set_any_price_above_zero(role: Role) -> None:
    assert sell(role, sold_for=1)["price_cents"] == 1
    assert sell(role, sold_for=PRICE * 2)["price_cents"] == PRICE * 2


def test_a_reason_not_on_the_list_is_refused() -> None:
    with pytest.raises(InvalidDetails) as refused:
        sell(sold_for=9_000, reason="friend of the manager")
    assert "discount_reason" in refused.value.field_errors


def test_the_lowest_price_never_goes_beyond_the_limit() -> None:
    assert lowest_price(999, 20) == 800  # 799.2 rounds up: never more than 20 % off
    assert lowest_price(10_000, 0) == 10_000
