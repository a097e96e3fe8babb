"""The overstock review's figures against hand-computed values, and the sales rollup against a rebuild from the ledger."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cksloop.db.models import (CollectionRulesVersion, Garment, GarmentEvent, OverstockDailySales, OverstockMonthlySales,
                               Style, StyleMonthlyReceipts, StylePlan, StyleSizeReceipts)
from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import Action, Role
from cksloop.domain.overstock_figures import compute_lines
from cksloop.domain.overstock_proposals import RentalDemand, propose, store_rates
from cksloop.domain.overstock_rules import Flag, Rule
from cksloop.services import catalogue, garments, overstock
from cksloop.services.overstock_rollups import (monthly_receipts_from_garments, rebuild, rebuild_receipts,
                                               receipts_from_garments, sums_from_events)
from tests.builders import OUTLET, STORE, WAREHOUSE, make_user, migrated_again, seed_world

DAY = dt.timedelta(days=1)


def make_style(session: Session, number: str = "AW26-0301", season: str = "AW26") -> Style:
    seed_world(session)
    return catalogue.create_style(
        session, style_number=number, name="Knit dress Mira", season=season, category="dress", colour="green",
        sizes=["S", "M", "L"], country_of_manufacture="PT", supplier="Porto Knits", retail_price_cents=10000,
        materials=[("wool", 100, False, "")])


def rollup_rows(session: Session) -> dict[Any, dict[str, int]]:
    return {(r.style_id, r.day, r.size, r.location_id, r.channel): {
        "sold": r.sold, "returned": r.returned, "garments_sold": r.garments_sold,
        "garments_sold_cents": r.garments_sold_cents} for r in session.scalars(select(OverstockDailySales))}


def monthly_rows(session: Session) -> dict[Any, dict[str, int]]:
    return {(r.style_id, r.month, r.channel): {
        "sold": r.sold, "returned": r.returned, "garments_sold": r.garments_sold,
        "garments_sold_cents": r.garments_sold_cents} for r in session.scalars(select(OverstockMonthlySales))}


def receipt_rows(session: Session) -> dict[Any, tuple[int, dt.date, dt.date]]:
    return {(r.style_id, r.size): (r.units, r.first_on, r.last_on) for r in session.scalars(select(StyleSizeReceipts))}


def monthly_receipt_rows(session: Session) -> dict[tuple[int, dt.date], int]:
    return {(r.style_id, r.month): r.units for r in session.scalars(select(StyleMonthlyReceipts))}


def months_of(daily: dict[Any, dict[str, int]]) -> dict[Any, dict[str, int]]:
    """Daily rows added up per style, month and channel, by hand."""
    months: dict[Any, dict[str, int]] = {}
    for (style_id, day, _size, _location_id, channel), counts in daily.items():
        row = months.setdefault((style_id, dt.date(day.year, day.month, 1), channel), dict.fromkeys(counts, 0))
        for name, n in counts.items():
            row[name] += n
    return months


def build_fixture(session: Session, now: dt.datetime) -> tuple[Style, list[Garment]]:
    """12 units received 70 days ago at the warehouse; 6 to a store, 2 to the outlet; 5 sold at the
    store (3 long ago, 2 five days ago), one of these returned; 1 sold at the outlet; 1 marked down."""
    style = make_style(session)
    admin = make_user(session, Role.ADMIN, home_location=WAREHOUSE)
    received = now - 70 * DAY
    units = [catalogue.receive_garment(session, style=style, size="M" if i % 2 else "S",
                                       location_code=WAREHOUSE, actor=admin, now=received) for i in range(12)]

    def act(i: int, action: Action, when: dt.datetime, **details: Any) -> None:
        garments.act(session, code=units[i].code, action=action, details=details, actor=admin, now=when)

    for i in range(6):
        act(i, Action.TRANSFER, received + DAY, to_location=STORE)
    for i in (6, 7):
        act(i, Action.MOVE_TO_OUTLET, received + DAY, to_location=OUTLET, price_cents=6000)
    for i in (0, 1, 2):
        act(i, Action.SELL, received + 10 * DAY)
    for i in (3, 4):
        act(i, Action.SELL, now - 5 * DAY)
    act(3, Action.CUSTOMER_RETURN, now - 3 * DAY, location=STORE)
    act(6, Action.SELL, now - 2 * DAY)
    act(8, Action.MARK_DOWN, now - DAY, price_cents=5000)
    session.add(StylePlan(style_id=style.id, planned_units=20, short_term_pct=30))
    session.add(CollectionRulesVersion(season="AW26", version=2, rules={"min_units_on_hand": 5}))
    session.commit()
    return style, units


def test_every_figure_of_a_review_line_equals_the_hand_computed_value(db_session: Session, now: dt.datetime) -> None:
    build_fixture(db_session, now)
    result = overstock.review(db_session, season="AW26", as_of=now.date())
    (line,) = result.lines
    shown = line.as_dict()
    assert shown["style"] == "AW26-0301"
    assert shown["planned"] == 20
    assert shown["received"] == 12
    # 5 store sales less 1 return, 1 outlet sale
    assert shown["sold_by_channel"] == {"store": 4, "outlet": 1, "rental_sale": 0, "buyer": 0}
    assert shown["sold"] == 5 and shown["returned"] == 1
    # store: the returned unit and one unsold; outlet: one; warehouse: four
    assert shown["on_hand_by_location_type"] == {"store": 2, "warehouse": 4, "outlet": 1, "rental_pool": 0}
    assert shown["on_hand"] == 7
    assert shown["sell_through_pct"] == 42  # 5 / (5 + 7) = 41.7 %
    # last four weeks: 2 sold, 1 returned, 1 at the outlet = 2 net, 0.5 a week; 7 / 0.5
    assert shown["weeks_of_cover"] == 14.0
    assert shown["age_days"] == 70
    # on hand at 10000 ×5, 6000 (outlet), 5000 (marked down): 1 − 61000 / 70000 = 12.9 %
    assert shown["markdown_depth_pct"] == 13
    assert result.rules_version == 2 and result.policy_version == 1
    # week 17 of AW26: the S-curve plans 58 %, less the 5-point tolerance, above 42 %; 14 weeks > 8;
    # a mean age of 70 days stays under 12 weeks
    assert [f["rule"] for f in shown["flags"]] == ["below_plan", "cover"]
    assert shown["flags"][1]["message"] == "14.0 weeks of cover, more than the 8.0 allowed."
    # value kept per unit: the warehouse's four to the selling store (mean price 8750), the policy's
    # −50 % step after 10 weeks (4995 with the ,95 ending), the outlet at 40 % (4000), a buyer last
    proposals = shown["proposals"]
    assert [(p["action"], p["unit_value_cents"], p["units"]) for p in proposals] == [
        ("transfer", 8750, 4), ("mark_down", 4995, 7), ("outlet", 4000, 6), ("buyer_lot", 1000, 7)]
    assert "CKS Antwerpen Meir (0.3)" in proposals[0]["reason"]


def test_a_review_at_one_location_counts_only_that_locations_sales_and_stock(db_session: Session,
                                                                            now: dt.datetime) -> None:
    build_fixture(db_session, now)
    (line,) = overstock.review(db_session, season="AW26", as_of=now.date(), location=STORE).lines
    shown = line.as_dict()
    assert shown["sold"] == 4 and shown["on_hand"] == 2 and shown["received"] == 0


def test_a_past_review_date_leaves_out_later_sales(db_session: Session, now: dt.datetime) -> None:
    build_fixture(db_session, now)
    (line,) = overstock.review(db_session, season="AW26", as_of=(now - 6 * DAY).date()).lines
    assert line.as_dict()["sold_by_channel"]["store"] == 3 and line.as_dict()["sold_by_channel"]["outlet"] == 0


def test_the_sales_rollup_equals_a_rebuild_from_the_ledger_events(db_session: Session, now: dt.datetime) -> None:
    build_fixture(db_session, now)
    kept = rollup_rows(db_session)
    assert kept == sums_from_events(db_session)
    months = monthly_rows(db_session)
    assert months == months_of(kept) and len(months) >= 2  # the fixture's sales span more than one month
    assert sum(r["sold"] for r in kept.values()) == 6 and sum(r["returned"] for r in kept.values()) == 1
    # every unit is a labelled garment here, valued at the price its sale event carries
    sale_prices = [e.details["price_cents"] for e in db_session.scalars(
        select(GarmentEvent).where(GarmentEvent.action == Action.SELL))]
    assert sum(r["garments_sold"] for r in kept.values()) == len(sale_prices) == 6
    assert sum(r["garments_sold_cents"] for r in kept.values()) == sum(sale_prices) > 0
    assert rebuild(db_session) == len(kept)
    db_session.commit()
    assert rollup_rows(db_session) == kept and monthly_rows(db_session) == months


def test_receipts_are_kept_per_style_and_size_with_their_first_and_last_day(db_session: Session,
                                                                            now: dt.datetime) -> None:
    style, _ = build_fixture(db_session, now)  # 12 garments, half S and half M, received 70 days ago
    admin = make_user(db_session, Role.ADMIN)
    catalogue.receive_garment(db_session, style=style, size="M", location_code=STORE, actor=admin, now=now - 3 * DAY)
    first = (now - 70 * DAY).date()
    assert receipt_rows(db_session) == {(style.id, "S"): (6, first, first),
                                        (style.id, "M"): (7, first, (now - 3 * DAY).date())}
    assert receipt_rows(db_session) == receipts_from_garments(db_session)
    months = {(style.id, first.replace(day=1)): 12}
    last = (now - 3 * DAY).date().replace(day=1)
    months[(style.id, last)] = months.get((style.id, last), 0) + 1
    assert monthly_receipt_rows(db_session) == months == monthly_receipts_from_garments(db_session)
    # a review dated between a size's first and last receipt counts its garments received by then
    (line,) = overstock.review(db_session, season="AW26", as_of=(now - 10 * DAY).date()).lines
    assert line.line.received == 12
    (line,) = overstock.review(db_session, season="AW26", as_of=(now - 3 * DAY).date()).lines
    assert line.line.received == 13
    for days_back in (0, 3, 4, 10, 70, 71):
        as_of = (now - days_back * DAY).date()
        fine, summed = _both_inputs(db_session, season="AW26", as_of=as_of, location=None)
        assert _review_of(db_session, summed, season="AW26", as_of=as_of) == \
            _review_of(db_session, fine, season="AW26", as_of=as_of)
    db_session.execute(delete(StyleSizeReceipts))
    db_session.execute(delete(StyleMonthlyReceipts))
    assert rebuild_receipts(db_session) == 2
    assert receipt_rows(db_session) == receipts_from_garments(db_session)
    assert monthly_receipt_rows(db_session) == months


def test_the_migrations_fill_the_monthly_sales_and_the_receipts(db_session: Session, now: dt.datetime,
                                                                database_url: str) -> None:
    build_fixture(db_session, now)
    months, receipts = monthly_rows(db_session), receipt_rows(db_session)
    received = monthly_receipt_rows(db_session)
    assert months == months_of(rollup_rows(db_session)) and months and receipts and received

    def all_three(session: Session) -> tuple[Any, Any, Any]:
        return monthly_rows(session), receipt_rows(session), monthly_receipt_rows(session)

    assert migrated_again(db_session, database_url, "0020_received_on", all_three) == (months, receipts, received)


def act_in_order(session: Session, units: list[Garment], steps: list[tuple[int, str, int, str]], *, actor: Any,
                 start: dt.datetime) -> None:
    """Sell, take back, move, pool or mark down the garments as ``steps`` say (garment index, action,
    day after ``start``, place), in day order; a refused step writes nothing and the rest go on."""
    for i, kind, day, place in sorted(steps, key=lambda s: s[2]):
        action, details = {"sell": (Action.SELL, {}), "return": (Action.CUSTOMER_RETURN, {"location": place}),
                           "move": (Action.TRANSFER, {"to_location": place}),
                           "pool": (Action.ADD_TO_RENTAL_POOL, {}),
                           # a price that depends on the day, so garments of a style end at different prices
                           "markdown": (Action.MARK_DOWN, {"price_cents": 9000 - 50 * day})}[kind]
        try:
            garments.act(session, code=units[i].code, action=action, details=details, actor=actor,
                         now=start + day * DAY)
        except DomainError:
            session.rollback()  # refused: wrote nothing


def test_the_sales_rollup_equals_a_rebuild_after_random_sales_and_returns(db_session: Session,
                                                                         now: dt.datetime) -> None:
    style = make_style(db_session)
    admin = make_user(db_session, Role.ADMIN)
    places = [STORE, OUTLET]

    @settings(max_examples=12, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["sell", "return", "move"]), st.integers(0, 40),
                              st.sampled_from(places)), min_size=1, max_size=12))
    def run(steps: list[tuple[int, str, int, str]]) -> None:
        units = [catalogue.receive_garment(db_session, style=style, size="L", location_code=STORE, actor=admin,
                                           now=now - 50 * DAY) for _ in range(4)]
        act_in_order(db_session, units, steps, actor=admin, start=now - 45 * DAY)
        assert rollup_rows(db_session) == sums_from_events(db_session)
        assert monthly_rows(db_session) == months_of(rollup_rows(db_session))
        assert receipt_rows(db_session) == receipts_from_garments(db_session)
        assert monthly_receipt_rows(db_session) == monthly_receipts_from_garments(db_session)

    run()


def _both_inputs(session: Session, *, season: str, as_of: dt.date,
                 location: str | None) -> tuple[overstock.ReviewInputs, overstock.ReviewInputs]:
    """The garment-by-garment inputs and the collection review's summed ones."""
    return (overstock.review_inputs(session, season=season, as_of=as_of, location=location),
            overstock.collection_inputs(session, season=season, as_of=as_of, location=location))


def _review_of(session: Session, inputs: overstock.ReviewInputs, *, season: str, as_of: dt.date) -> dict[str, Any]:
    """Everything the review computes from ``inputs``: each line, its store rates, and every proposal
    as if the line were flagged (the rental one too), and the garments on hand the stock rows stand for."""
    lines = compute_lines(as_of=as_of, sales=inputs.sales, stock=inputs.stock, receipts=inputs.receipts,
                          planned=inputs.planned)
    policy = overstock.policy_for(session, season=season)
    rental = RentalDemand(utilisation=0.9, pool_units=1, target_pool_units=4)
    rates = {style: store_rates(style=style, as_of=as_of, sales=inputs.sales, names=inputs.names) for style in lines}
    proposals = {style: propose(line=line, flags=[Flag(Rule.AGE, "test")], rates=rates[style], policy=policy,
                                stock=[s for s in inputs.stock if s.style == style], rental=rental)
                 for style, line in lines.items()}
    return {"lines": lines, "rates": rates, "proposals": proposals,
            "on_hand": sum(s.units for s in inputs.stock)}


def _fewer_rows(fine: overstock.ReviewInputs, summed: overstock.ReviewInputs) -> bool:
    """The summed inputs read no more rows than the garment-by-garment ones, whose rows are one garment each."""
    return (len(summed.sales) <= len(fine.sales) and len(summed.receipts) <= len(fine.receipts)
            and len(summed.stock) <= len(fine.stock) and all(s.units == 1 for s in fine.stock))


@pytest.mark.parametrize("location", [None, STORE, OUTLET, WAREHOUSE])
def test_the_collection_review_sums_to_the_same_figures_on_every_date(db_session: Session, now: dt.datetime,
                                                                     location: str | None) -> None:
    build_fixture(db_session, now)
    # every day from before the receipt to today: each sale falls on the cover window's first day once
    for days_back in range(0, 75):
        as_of = (now - days_back * DAY).date()
        fine, summed = _both_inputs(db_session, season="AW26", as_of=as_of, location=location)
        assert _review_of(db_session, summed, season="AW26", as_of=as_of) == \
            _review_of(db_session, fine, season="AW26", as_of=as_of)
        assert _fewer_rows(fine, summed)


def test_the_collection_review_sums_to_the_same_figures_after_random_sales(db_session: Session,
                                                                           now: dt.datetime) -> None:
    style = make_style(db_session)
    admin = make_user(db_session, Role.ADMIN)

    @settings(max_examples=10, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["sell", "return", "move", "pool", "markdown"]),
                              st.integers(0, 60), st.sampled_from([STORE, OUTLET])), min_size=1, max_size=12),
           st.integers(0, 70), st.sampled_from([None, STORE, OUTLET]))
    def run(steps: list[tuple[int, str, int, str]], days_back: int, location: str | None) -> None:
        units = [catalogue.receive_garment(db_session, style=style, size=size, location_code=WAREHOUSE, actor=admin,
                                           now=now - 65 * DAY) for size in ("S", "M", "L", "L")]
        act_in_order(db_session, units, steps, actor=admin, start=now - 62 * DAY)
        as_of = (now - days_back * DAY).date()
        fine, summed = _both_inputs(db_session, season=style.season, as_of=as_of, location=location)
        assert _review_of(db_session, summed, season=style.season, as_of=as_of) == \
            _review_of(db_session, fine, season=style.season, as_of=as_of)
        assert _fewer_rows(fine, summed)

    run()


def test_one_styles_review_line_is_its_line_in_the_whole_review(db_session: Session, now: dt.datetime) -> None:
    style, _ = build_fixture(db_session, now)
    other = make_style(db_session, number="AW26-0302")
    admin = make_user(db_session, Role.ADMIN)
    for _ in range(3):
        catalogue.receive_garment(db_session, style=other, size="M", location_code=STORE, actor=admin,
                                  now=now - 20 * DAY)
    whole = overstock.review(db_session, season="AW26", as_of=now.date())
    assert [l.line.key for l in whole.lines] == [style.style_number, other.style_number]
    for line in whole.lines:
        (alone,) = overstock.review(db_session, season="AW26", as_of=now.date(), style=line.line.key).lines
        assert alone == line


def test_the_latest_collection_with_stock_skips_newer_ones_without_any(db_session: Session, now: dt.datetime) -> None:
    s = db_session
    admin = make_user(s, Role.ADMIN)
    old, sold_out = make_style(s, "AW25-0101", "AW25"), make_style(s, "SS26-0101", "SS26")
    make_style(s, "AW26-0101", "AW26")  # planned, nothing received yet
    assert overstock.latest_season_with_stock(s) is None
    catalogue.receive_garment(s, style=old, size="M", location_code=STORE, actor=admin, now=now - 90 * DAY)
    gone = catalogue.receive_garment(s, style=sold_out, size="M", location_code=STORE, actor=admin, now=now - 9 * DAY)
    garments.act(s, code=gone.code, action=Action.SELL, details={"price_cents": 5000}, actor=admin, now=now - DAY)
    assert overstock.latest_season_with_stock(s) == "AW25"
    catalogue.receive_garment(s, style=sold_out, size="S", location_code=STORE, actor=admin, now=now)
    assert overstock.latest_season_with_stock(s) == "SS26"
