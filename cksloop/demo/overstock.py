"""The demo's current collection for the overstock review: styles that sell, styles that stick, a plan each, months of sales.

Written through the services like the rest of the demo (receipts, then one backdated ledger action
per step), so the sales rollup and every figure of the review come from the ledger. The plan is a
pure function of ``now`` (``plan_overstock``), so a test can count what the ledger must hold.

Two weeks before ``now`` the merchandisers held the previous review: the ledger is written up to that
moment, the review is opened and decided (one markdown executed through the review, one outlet move
decided but not yet carried out, one style held), and the weeks since follow. Today's review then
shows last time's decisions beside what happened since, as in the two-weekly meeting.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Style, User
from cksloop.demo.chain import OUTLET, STORES, WAREHOUSE, DemoStyle, demo_gtins
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Action
from cksloop.services import catalogue, garments, overstock_execution, overstock_reviews
from cksloop.services.imports.plans import import_plans

DAY = dt.timedelta(days=1)
WEEK = 7 * DAY
#: GTIN numbering after the chain's styles, so every demo GTIN stays unique
GTIN_OFFSET = 100
#: the previous two-weekly review, this many weeks before ``now``
REVIEW_WEEKS_AGO = 2


def season_for(now: dt.datetime) -> str:
    """The collection in full swing ten weeks before ``now``: AW from August, SS from February."""
    day = (now - 10 * WEEK).date()
    if day.month >= 8:
        return f"AW{day.year % 100:02d}"
    return f"SS{day.year % 100:02d}" if day.month >= 2 else f"AW{(day.year - 1) % 100:02d}"


def styles_for(season: str) -> list[DemoStyle]:
    number = season + "-40"
    care = "30°C wool cycle inside out, dry flat, do not tumble dry."
    return [
        DemoStyle(number + "01", "Vera", "dress", "forest green", ["XS", "S", "M", "L"],
                  [("wool", 60, False, ""), ("viscose", 40, True, "LENZING™ ECOVERO™")], "PT", "Malhas do Porto",
                  11995, care),
        DemoStyle(number + "02", "Lore", "blazer", "grey check", ["36", "38", "40", "42"],
                  [("wool", 70, False, ""), ("polyester", 30, True, "recycled")], "PT", "Porto Tailoring",
                  17995, "Dry clean only."),
        DemoStyle(number + "03", "Wout", "trousers", "rust", ["36", "38", "40", "42"],
                  [("cotton", 98, True, "organic"), ("elastane", 2, False, "")], "TR", "Atelier Izmir",
                  7995, "30°C inside out, do not tumble dry."),
        DemoStyle(number + "04", "Nina", "blouse", "midnight", ["XS", "S", "M", "L"],
                  [("viscose", 100, True, "LENZING™ ECOVERO™")], "TR", "Atelier Izmir", 6995,
                  "30°C gentle cycle, do not tumble dry, iron on low heat."),
        DemoStyle(number + "05", "Jade", "dress", "ruby", ["XS", "S", "M", "L"],
                  [("polyester", 100, True, "recycled")], "CN", "Ningbo Evening", 15995,
                  "Dry clean only.", rental=True),
        DemoStyle(number + "06", "Febe", "coat", "ecru", ["S", "M", "L"],
                  [("polyester", 100, True, "recycled")], "CN", "Ningbo Outerwear", 14995, care),
    ]


@dataclass
class DemoUnit:
    """One garment of the collection: where and when it arrives, and what happens to it afterwards."""

    style: str
    size: str
    received_at: dt.datetime
    steps: list[tuple[dt.datetime, Action, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class DemoDecision:
    """A decision of the previous review; ``writes`` counts the events its execution writes."""

    style: str
    decision: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    execute: bool = False
    writes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class OverstockDemo:
    season: str
    styles: list[DemoStyle]
    units: list[DemoUnit]
    planned_units: dict[str, int]
    review_at: dt.datetime
    decisions: list[DemoDecision]

    def actions(self) -> Counter[str]:
        """How many events of each action the collection writes (receipts and executed decisions included)."""
        counted = Counter(step[1].value for unit in self.units for step in unit.steps)
        counted["receive"] = len(self.units)
        for decision in self.decisions:
            counted.update(decision.writes)
        return counted


def _in_store_at(unit: DemoUnit, at: dt.datetime) -> bool:
    """Whether the garment is on a store's shelf at ``at`` (received, sent out, not sold, not in the outlet)."""
    where = "warehouse"
    for when, action, _details in unit.steps:
        if when > at:
            break
        where = {Action.TRANSFER: "store", Action.CUSTOMER_RETURN: "store", Action.SELL: "sold",
                 Action.MOVE_TO_OUTLET: "outlet", Action.ADD_TO_RENTAL_POOL: "rental"}.get(action, where)
    return where == "store"


def plan_overstock(now: dt.datetime) -> OverstockDemo:
    """The collection's garments and their histories, by ``now``: six styles, from a best seller to a
    style that stopped selling, with returns, transfers, outlet moves, markdowns and a rental share."""
    season = season_for(now)
    styles = styles_for(season)
    units: list[DemoUnit] = []
    stores = STORES[:3]

    def delivery(style: DemoStyle, count: int, weeks_ago: float) -> list[DemoUnit]:
        at = now - weeks_ago * WEEK
        made = [DemoUnit(style.number, style.sizes[i % len(style.sizes)], at) for i in range(count)]
        for i, unit in enumerate(made):  # the warehouse sends the delivery to the stores the next day
            unit.steps.append((at + DAY, Action.TRANSFER, {"to_location": stores[i % len(stores)]}))
        units.extend(made)
        return made

    def sell(batch: list[DemoUnit], weeks: list[float]) -> None:
        for unit, weeks_ago in zip(batch, weeks):
            unit.steps.append((now - weeks_ago * WEEK, Action.SELL, {}))

    def mark_down(batch: list[DemoUnit], style: DemoStyle, percent: int, weeks_ago: float) -> None:
        # the policy's price ending: ,95
        price = style.price_cents * (100 - percent) // 100 // 100 * 100 - 5
        for unit in batch:
            unit.steps.append((now - weeks_ago * WEEK, Action.MARK_DOWN, {"price_cents": price}))

    best, blazer, trousers, shirt, party, coat = styles
    # a best seller, replenished five weeks ago: judged, and not flagged
    first = delivery(best, 24, 15)
    sell(first[:22], [14 - i * 0.6 for i in range(22)])
    second = delivery(best, 16, 5)
    sell(second[:6], [3.5, 3, 2.2, 1.5, 1, 0.4])
    # a style that stopped selling: below plan, no sales for weeks, old; marked down once already
    stuck = delivery(blazer, 30, 15)
    sell(stuck[:6], [13, 12, 11, 10, 9, 8])
    mark_down(stuck[6:18], blazer, 30, 6)
    # selling on plan but old: flagged for age only
    steady = delivery(trousers, 30, 16)
    sell(steady[:18], [15 - i * 0.8 for i in range(12)] + [3.5, 3, 2.5, 2, 1, 0.5])
    # returns, an outlet share and a markdown: below plan
    mixed = delivery(shirt, 24, 14)
    sell(mixed[:8], [12, 11, 10, 9, 6, 5, 3, 2])
    for unit, weeks_ago in zip(mixed[:2], [8, 4]):  # two customers bring theirs back
        unit.steps.append((now - weeks_ago * WEEK, Action.CUSTOMER_RETURN, {"location": unit.steps[0][2]["to_location"]}))
    for unit in mixed[12:18]:
        unit.steps.append((now - 7 * WEEK, Action.MOVE_TO_OUTLET,
                           {"to_location": OUTLET, "price_cents": shirt.price_cents * 60 // 100 // 100 * 100 - 5}))
    sell(mixed[12:15], [5, 3, 1])
    # the shirt's markdown of two weeks ago is a decision of the previous review (below), not a step
    # an occasion dress partly in the rental pool
    dresses = delivery(party, 14, 12)
    sell(dresses[:6], [10, 8, 6, 4, 3, 1])
    for unit in dresses[10:14]:
        unit.steps.append((now - 9 * WEEK, Action.ADD_TO_RENTAL_POOL, {}))
    # a fresh arrival selling fast
    fresh = delivery(coat, 16, 2)
    sell(fresh[:8], [1.6, 1.4, 1.2, 1, 0.8, 0.6, 0.4, 0.2])
    for unit in units:
        unit.steps.sort(key=lambda step: step[0])
    planned = {best.number: 45, blazer.number: 25, trousers.number: 30, shirt.number: 20, party.number: 15,
               coat.number: 30}
    review_at = now - REVIEW_WEEKS_AGO * WEEK
    # the shirts on store shelves then are above the markdown's price (the outlet's are below it)
    shirts_marked = sum(1 for unit in mixed if _in_store_at(unit, review_at))
    decisions = [
        DemoDecision(best.number, "hold", "Verkoopt volgens plan; de bijlevering dekt de komende weken."),
        DemoDecision(shirt.number, "mark_down", "Onder plan na de retours; eerste afprijzing.",
                     {"percent": 30}, execute=True, writes=Counter({Action.MARK_DOWN.value: shirts_marked})),
        DemoDecision(blazer.number, "outlet", "Wekenlang geen verkoop na de eerste afprijzing; de outlet heeft plaats "
                     "na het soldenweekend.", {"to_location": OUTLET}),
    ]
    return OverstockDemo(season, styles, units, planned, review_at, decisions)


def load_overstock_demo(session: Session, *, now: dt.datetime, actor: User,
                        merchandiser: User | None = None) -> OverstockDemo | None:
    """Write the collection unless its styles exist already (the demo loads once); the previous
    review is decided by ``merchandiser`` (else ``actor``)."""
    plan = plan_overstock(now)
    if session.scalar(select(Style.id).where(Style.style_number == plan.styles[0].number)) is not None:
        return None
    made = {}
    for index, style in enumerate(plan.styles):
        made[style.number] = catalogue.create_style(
            session, style_number=style.number, name=style.name, season=style.season, category=style.category,
            colour=style.colour, sizes=style.sizes, country_of_manufacture=style.country, supplier=style.supplier,
            retail_price_cents=style.price_cents, materials=style.materials,
            gtins=demo_gtins(GTIN_OFFSET + index, style), care=style.care)
    codes = [catalogue.receive_garment(session, style=made[unit.style], size=unit.size, location_code=WAREHOUSE,
                                       actor=actor, now=unit.received_at, commit=False).code for unit in plan.units]
    session.commit()
    # the plan is made before the season starts
    first = min(unit.received_at for unit in plan.units)
    rows = "style_number,planned_units,short_term_pct\n" + "".join(
        f"{number},{units},30\n" for number, units in plan.planned_units.items())
    import_plans(session, data=rows.encode(), now=first - WEEK, actor_id=actor.id)

    def act(before: bool) -> None:
        for code, unit in zip(codes, plan.units):
            for at, action, details in unit.steps:
                if (at <= plan.review_at) is before:
                    garments.act(session, code=code, action=action, details=details, actor=actor, now=at)

    act(before=True)  # the ledger up to the previous review, which is held on what it shows then
    decider = merchandiser or actor
    review = overstock_reviews.open_review(session, season=plan.season, as_of=local_date(plan.review_at),
                                           actor=decider, now=plan.review_at)
    for decision in plan.decisions:
        row = overstock_reviews.record_decision(
            session, review_id=review.id, actor=decider, now=plan.review_at,
            raw={"style": decision.style, "decision": decision.decision, "reason": decision.reason,
                 **decision.params})
        if decision.execute:
            overstock_execution.execute(session, review_id=review.id, decision_id=row.id, actor=decider,
                                        now=plan.review_at)
    act(before=False)  # and the two weeks since
    return plan
