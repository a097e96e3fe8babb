"""What the charter report counts is written with the events (migrations 0019, 0020): each garment's first
receipt, each return's first grading, each pool stay's predecessor, the sold garments in the sales
rollup. The projection must equal the ledger, the migration must fill the past as the projection
would have, and the figures that read them must count exactly one row per garment."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Inspection, OverstockDailySales, RentalCycle, RentalPoolStay
from cksloop.domain.clock import local_date, utc
from cksloop.domain.lifecycle import Action, Role
from cksloop.services import catalogue, charter, garments, rentals
from tests.builders import STORE, make_user, migrated_again


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, 0, tzinfo=dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)


def _story(s: Session, world: dict[str, Any]) -> dict[str, str]:
    """g: pooled in 2025, rented over new year, inspected later, taken out and pooled again in 2026,
    rented and graded at its return; h: pooled in 2026 only; k: sold, never rented."""
    admin = make_user(s, Role.ADMIN)
    partner = world["partner"]

    def receive(when: dt.datetime) -> str:
        return catalogue.receive_garment(s, style=world["dress"], size="M", location_code=STORE, actor=admin,
                                         now=when).code

    g, h, k = receive(at(2025, 10, 1)), receive(at(2026, 1, 20)), receive(at(2025, 11, 3))
    rentals.add_to_pool(s, code=g, partner_id=partner.id, actor=admin, now=at(2025, 10, 2))
    rentals.check_out(s, code=g, partner_id=partner.id, due_on="2025-12-30", actor=admin, now=at(2025, 12, 20))
    rentals.receive_return(s, code=g, actor=admin, now=at(2026, 1, 5))
    rentals.record_inspection(s, code=g, actor=admin, now=at(2026, 1, 6),
                              details={"reason": "end_of_rental", "grade": "A", "defects": []})
    rentals.take_out_of_pool(s, code=g, actor=admin, now=at(2026, 2, 1))
    rentals.add_to_pool(s, code=g, partner_id=partner.id, actor=admin, now=at(2026, 3, 1))
    rentals.check_out(s, code=g, partner_id=partner.id, due_on="2026-03-15", actor=admin, now=at(2026, 3, 5))
    rentals.record_return(s, code=g, actor=admin, now=at(2026, 3, 10),
                          details={"reason": "end_of_rental", "grade": "A", "defects": []})
    rentals.add_to_pool(s, code=h, partner_id=partner.id, actor=admin, now=at(2026, 1, 21))
    garments.act(s, code=k, action=Action.SELL, details={"price_cents": 4000}, actor=admin, now=at(2026, 2, 2))
    return {"g": g, "h": h, "k": k}


def _projected(s: Session) -> dict[str, Any]:
    return {
        "received": [tuple(r) for r in s.execute(select(Garment.code, Garment.received_on).order_by(Garment.id))],
        "stays": [(i, _utc(t)) for i, t in s.execute(
            select(RentalPoolStay.id, RentalPoolStay.previous_ended_at).order_by(RentalPoolStay.id))],
        "inspected": [(i, _utc(t)) for i, t in s.execute(
            select(RentalCycle.id, RentalCycle.inspected_at).order_by(RentalCycle.id))],
        "sales": [tuple(r) for r in s.execute(
            select(OverstockDailySales.style_id, OverstockDailySales.day, OverstockDailySales.channel,
                   OverstockDailySales.sold, OverstockDailySales.garments_sold,
                   OverstockDailySales.garments_sold_cents).order_by(OverstockDailySales.day))],
    }


def test_each_projection_equals_the_ledger(db_session: Session, world: dict[str, Any]) -> None:
    s = db_session
    _story(s, world)
    firsts = dict(s.execute(select(GarmentEvent.garment_id, GarmentEvent.occurred_at)
                            .where(GarmentEvent.seq == 1)).all())
    for garment in s.scalars(select(Garment)):  # the shop day of the first event
        assert garment.received_on == local_date(firsts[garment.id])
    stays = s.scalars(select(RentalPoolStay).order_by(RentalPoolStay.id)).all()
    assert [(_utc(x.started_at), _utc(x.ended_at), _utc(x.previous_ended_at)) for x in stays] == [
        (at(2025, 10, 2), at(2026, 2, 1), None), (at(2026, 3, 1), None, at(2026, 2, 1)),
        (at(2026, 1, 21), None, None)]
    graded = dict(s.execute(select(Inspection.rental_cycle_id, Inspection.inspected_at)).all())
    cycles = s.scalars(select(RentalCycle).order_by(RentalCycle.id)).all()
    assert [_utc(c.inspected_at) for c in cycles] == [at(2026, 1, 6), at(2026, 3, 10)]
    assert [_utc(c.inspected_at) for c in cycles] == [_utc(graded[c.id]) for c in cycles]
    (sale,) = _projected(s)["sales"]
    assert sale[3:] == (1, 1, 4000)


def test_the_figures_count_each_garment_once_and_drill_to_the_same_garments(db_session: Session,
                                                                            world: dict[str, Any]) -> None:
    s = db_session
    codes = _story(s, world)
    now = at(2026, 12, 1)
    expected = {2025: {"pool_garments": [codes["g"]], "garments_rented": [codes["g"]], "returns_inspected": 0},
                # g's two stays overlap 2026: still one garment in the pool
                2026: {"pool_garments": [codes["g"], codes["h"]], "garments_rented": [codes["g"]],
                       "returns_inspected": 2}}
    for year, wanted in expected.items():
        figures = charter.build_report(s, year=year, now=now).sections["rental"]
        for key in ("pool_garments", "garments_rented"):
            page = charter.drill(s, year=year, section="rental", figure=key, page=1, per_page=50)
            assert figures[key].value == page.count == len(wanted[key]), (year, key)
            assert sorted(i["code"] for i in page.items) == sorted(wanted[key])
        page = charter.drill(s, year=year, section="rental", figure="returns_inspected", page=1, per_page=50)
        assert figures["returns_inspected"].value == page.count == wanted["returns_inspected"]
    overstock = charter.build_report(s, year=2026, now=now).sections["overstock"]
    assert overstock["units_sold_own"].value == 1 and overstock["value_sold_own"].value == 40.0
    # a collection's garments received by the end of each year: h came in after new year
    for year, wanted in ((2025, {codes["g"], codes["k"]}), (2026, set(codes.values()))):
        page = charter.drill(s, year=year, section="overstock", figure="received_ss25", page=1, per_page=50)
        assert {i["code"] for i in page.items} == wanted and page.count == len(wanted)


def test_the_migration_fills_in_what_the_projections_would_have_written(db_session: Session, world: dict[str, Any],
                                                                        database_url: str) -> None:
    s = db_session
    _story(s, world)
    projected = _projected(s)
    assert projected["stays"][1][1] is not None and projected["inspected"][0][1] is not None
    assert migrated_again(s, database_url, "0018_rental_cycle_ready_at", _projected) == projected


def test_a_receipt_late_in_the_evening_counts_on_the_next_shop_day(db_session: Session, world: dict[str, Any],
                                                                    database_url: str) -> None:
    s = db_session
    admin = make_user(s, Role.ADMIN)
    # 22:30 UTC is 00:30 in Brussels in summer (and 23:30 in winter): the shop day is the next day in
    # summer only; the migration works it out from the stored moment as receive_garment does
    summer = catalogue.receive_garment(s, style=world["dress"], size="M", location_code=STORE, actor=admin,
                                       now=dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)).code
    winter = catalogue.receive_garment(s, style=world["dress"], size="M", location_code=STORE, actor=admin,
                                       now=dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC)).code

    def days(session: Session) -> dict[str, dt.date]:
        return dict(session.execute(select(Garment.code, Garment.received_on)).all())

    assert days(s) == {summer: dt.date(2026, 7, 2), winter: dt.date(2026, 12, 31)}
    assert migrated_again(s, database_url, "0019_charter_projections", days) == days(s)
