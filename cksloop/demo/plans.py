"""Believable garment histories planned in memory (steps with backdated times); nothing touches the database."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from cksloop.demo.chain import OUTLET, RENTAL_HUB, SEASONS, STORES, WAREHOUSE, DemoStyle
from cksloop.domain.clock import BRUSSELS
from cksloop.domain.lifecycle import Action, GarmentState


@dataclass
class Step:
    action: Action
    details: dict[str, Any]
    actor: str  # key into the demo users
    at: dt.datetime


@dataclass
class Plan:
    """One garment's life: where it arrived and what happened to it since, oldest first."""

    story: str
    style: DemoStyle
    size: str
    location: str
    received_at: dt.datetime
    steps: list[Step] = field(default_factory=list)


def sale_price(cents: int, percent_off: int) -> int:
    """``percent_off`` below ``cents``, rounded down to a shop price ending in ,95."""
    target = cents * (100 - percent_off) // 100
    price = target // 100 * 100 + 95
    if price > target:
        price -= 100
    return max(price, 95)


class _Timeline:
    """Turns 'days before now' into shop-hour timestamps that only move forward."""

    def __init__(self, now: dt.datetime, rng: random.Random):
        self.now = now
        self.today = now.astimezone(BRUSSELS).date()
        self.rng = rng
        self.last: dt.datetime | None = None

    def at(self, day: int) -> dt.datetime:
        """A time on ``day`` (days before now; histories end yesterday), after the last one."""
        local = (self.now + dt.timedelta(days=min(day, -1))).astimezone(BRUSSELS)
        stamp = local.replace(hour=self.rng.randint(9, 17), minute=self.rng.randint(0, 59), second=0,
                              microsecond=0).astimezone(dt.UTC)
        if self.last is not None and stamp <= self.last:
            stamp = self.last + dt.timedelta(minutes=self.rng.randint(5, 90))
        if stamp >= self.now:  # many steps squeezed into yesterday evening: keep them in the past
            stamp = max(self.now - dt.timedelta(minutes=1), (self.last or stamp) + dt.timedelta(seconds=1))
        self.last = stamp
        return stamp

    def day_of(self, stamp: dt.datetime) -> int:
        return (stamp.astimezone(BRUSSELS).date() - self.today).days


class Planner:
    """Writes believable garment histories as plans; nothing touches the database here."""

    def __init__(self, rng: random.Random, now: dt.datetime, partner_id: int):
        self.rng = rng
        self.now = now
        self.partner_id = partner_id
        self.receipt_numbers = iter(range(1001, 1_000_000))

    # building blocks

    def _start(self, story: str, style: DemoStyle) -> tuple[Plan, _Timeline, int]:
        """A receipt at the warehouse during the style's delivery window."""
        season = SEASONS[style.season]
        day = self.rng.randint(season.delivery_from, season.delivery_to)
        timeline = _Timeline(self.now, self.rng)
        size = self.rng.choice(style.sizes[1:-1] if len(style.sizes) > 3 and self.rng.random() < .7
                               else style.sizes)
        plan = Plan(story, style, size, WAREHOUSE, timeline.at(day))
        return plan, timeline, day

    def _do(self, plan: Plan, timeline: _Timeline, day: int, action: Action, actor: str,
            **details: Any) -> int:
        """Add a step on ``day`` (or just after the previous one); returns the day it landed on."""
        stamp = timeline.at(day)
        plan.steps.append(Step(action, details, actor, stamp))
        return timeline.day_of(stamp)

    def _to_store(self, plan: Plan, timeline: _Timeline, day: int, store: str | None = None) -> tuple[int, str]:
        store = store or self.rng.choice(STORES)
        day = self._do(plan, timeline, day + self.rng.randint(2, 6), Action.TRANSFER, "merchandiser",
                       to_location=store)
        return day, store

    def _sell(self, plan: Plan, timeline: _Timeline, day: int, store: str) -> int:
        stamp = timeline.at(day)
        receipt = f"{store}-{stamp.astimezone(BRUSSELS):%Y%m%d}-{next(self.receipt_numbers)}"
        plan.steps.append(Step(Action.SELL, {"receipt": receipt}, "store", stamp))
        return timeline.day_of(stamp)

    def _current_price(self, plan: Plan) -> int:
        price = plan.style.price_cents
        for step in plan.steps:
            if step.action in (Action.MARK_DOWN, Action.MOVE_TO_OUTLET) and "price_cents" in step.details:
                price = step.details["price_cents"]
        return price

    # stories: each ends in the state named in STORY_STATES

    def in_stock(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("in_stock", style)
        if self.rng.random() < 0.12:
            return plan  # still at the warehouse (reserve stock)
        day, store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        if self.rng.random() < 0.25:
            # rebalancing between stores: a size that sells better elsewhere
            other = self.rng.choice([s for s in STORES if s != store])
            day = self._do(plan, tl, day + self.rng.randint(10, 40), Action.TRANSFER, "store",
                           to_location=other, note="Maten herverdeeld tussen winkels")
        if season.sale < -1 and self.rng.random() < 0.5:
            self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                     price_cents=sale_price(style.price_cents, 30), note="Zomersolden" if
                     style.season.startswith("SS") else "Wintersolden")
        return plan

    def sold(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("sold", style)
        day, store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        sell_day = day + self.rng.randint(3, 120)
        if sell_day >= season.sale:
            self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                     price_cents=sale_price(style.price_cents, 30))
        self._sell(plan, tl, max(sell_day, day + 1), store)
        return plan

    def customer_return(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("customer_return", style)
        day, store = self._to_store(plan, tl, day)
        day = self._sell(plan, tl, day + self.rng.randint(3, 60), store)
        back_at = store if self.rng.random() < 0.7 else self.rng.choice(STORES)
        day = self._do(plan, tl, day + self.rng.randint(2, 28), Action.CUSTOMER_RETURN, "store",
                       location=back_at, note=self.rng.choice(
                           ["Verkeerde maat", "Toch niet gewild", "Kleur valt thuis anders uit",
                            "Cadeau geruild"]))
        roll = self.rng.random()
        if roll < 0.3:
            day = self._do(plan, tl, day + 1, Action.START_CARE, "store", care_kind="cleaning",
                           note="Make-up op de kraag na het passen")
            self._do(plan, tl, day + self.rng.randint(2, 5), Action.FINISH_CARE, "store", outcome="done",
                      cost_cents=self.rng.choice([450, 600, 750]))
        elif roll < 0.75:
            self._sell(plan, tl, day + self.rng.randint(2, 30), back_at)
        return plan

    def in_care_from_stock(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("in_care", style)
        day, store = self._to_store(plan, tl, day)
        day = self._sell(plan, tl, max(day + 3, -self.rng.randint(14, 40)), store)
        day = self._do(plan, tl, min(day + self.rng.randint(2, 8), -3), Action.CUSTOMER_RETURN, "store",
                       location=store, note="Teruggebracht met een loszittende knoop")
        self._do(plan, tl, day + self.rng.randint(1, 2), Action.START_CARE, "store", care_kind="repair",
                 note="Knoop aanzetten voor hij terug in de rekken gaat")
        return plan

    def outlet(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("outlet", style)
        day, _store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        first = sale_price(style.price_cents, 30)
        day = self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                       price_cents=first, note="Solden: eerste afprijzing")
        if self.rng.random() < 0.5:
            day = self._do(plan, tl, day + self.rng.randint(12, 20), Action.MARK_DOWN, "merchandiser",
                           price_cents=sale_price(style.price_cents, 50), note="Solden: tweede afprijzing")
        outlet_price = sale_price(style.price_cents, 60)
        day = self._do(plan, tl, max(day + 1, season.outlet), Action.MOVE_TO_OUTLET, "merchandiser",
                       to_location=OUTLET, price_cents=min(outlet_price, self._current_price(plan)),
                       note="Einde seizoen: eerst in onze eigen outlet, voor elke opkoper")
        if self.rng.random() < 0.55:
            self._sell(plan, tl, day + self.rng.randint(3, 90), OUTLET)
        return plan

    def remanufactured(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("remanufactured", style)
        day, _store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        day = self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                       price_cents=sale_price(style.price_cents, 30))
        day = self._do(plan, tl, max(day + 1, season.outlet), Action.MOVE_TO_OUTLET, "merchandiser",
                       to_location=OUTLET, price_cents=sale_price(style.price_cents, 60))
        self._do(plan, tl, day + self.rng.randint(40, 90), Action.RETIRE, "merchandiser",
                 route="remanufacturing",
                 note="CKS x Rebelle Antwerp: met restweefsel herwerkt tot een unieke blazer")
        return plan

    def offcuts(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("offcuts", style)
        day, store = self._to_store(plan, tl, day)
        if self.rng.random() < 0.5:
            day = self._do(plan, tl, day + self.rng.randint(10, 60), Action.START_CARE, "store",
                           care_kind="repair", note="Zijnaad gescheurd na het passen")
            day = self._do(plan, tl, day + self.rng.randint(3, 8), Action.FINISH_CARE, "store",
                           outcome="failed", note="Stof langs de naad gescheurd: niet te herstellen")
            self._do(plan, tl, day + 1, Action.INSPECT, "store", grade="E", retire_route="offcuts",
                     defects=[{"code": "TEAR", "zone": "seam", "severity": 4,
                               "note": "Stof gescheurd naast de zijnaad"}])
        else:
            self._do(plan, tl, day + self.rng.randint(30, 120), Action.RETIRE, "workshop",
                     route="offcuts",
                     note=self.rng.choice(["Versneden tot juwelenzakjes in de winkelworkshop",
                                           "Versneden tot toilettasjes in de winkelworkshop",
                                           "Stof voor armbandjes, samen met klanten gemaakt"]))
        return plan

    def stolen(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("stolen", style)
        day, _store = self._to_store(plan, tl, day)
        self._do(plan, tl, day + self.rng.randint(5, 40), Action.WRITE_OFF, "merchandiser",
                 reason="stolen", note="Beveiligingslabel gevonden in het pashokje; ontbrak bij de inventaris")
        return plan

    # rental: the Dressr pool at the Antwerp store

    def _rental_start(self, story: str, style: DemoStyle) -> tuple[Plan, _Timeline, int]:
        plan, tl, day = self._start(story, style)
        # the pool grew over the last year: older pieces joined it after a season in the shops
        pool_day = self.rng.randint(max(day + 4, -300), max(day + 5, -45))
        if pool_day - day > 60:
            day, store = self._to_store(plan, tl, day)
            if store != RENTAL_HUB:
                self._do(plan, tl, pool_day - 1, Action.TRANSFER, "merchandiser", to_location=RENTAL_HUB,
                         note="Naar de verhuurpool van Dressr: een tweede leven na het seizoen")
        else:
            self._to_store(plan, tl, max(day, pool_day - 8), RENTAL_HUB)
        day = self._do(plan, tl, pool_day, Action.ADD_TO_RENTAL_POOL, "store", partner=self.partner_id)
        return plan, tl, day

    def _check_out(self, plan: Plan, tl: _Timeline, day: int) -> int:
        stamp = tl.at(day)
        due = stamp.astimezone(BRUSSELS).date() + dt.timedelta(days=10)  # Dressr's one-off rental
        details: dict[str, Any] = {"partner": self.partner_id, "due_on": due.isoformat()}
        if self.rng.random() < 0.8:
            details["partner_reference"] = f"DR-{self.rng.randint(100000, 999999)}"
        plan.steps.append(Step(Action.CHECK_OUT_RENTAL, details, "store", stamp))
        return tl.day_of(stamp)

    def _normal_return(self, plan: Plan, tl: _Timeline, day: int) -> int:
        """One normal end of rental: inspected, then back to the pool (through care when needed)."""
        roll = self.rng.random()
        if roll < 0.08:
            # the box came back with the weekly laundry run: inspected a day or two later
            day = self._do(plan, tl, day, Action.RECEIVE_RENTAL_RETURN, "store", location=RENTAL_HUB)
            grade = "A" if self.rng.random() < 0.6 else "B"
            day = self._do(plan, tl, day + self.rng.randint(1, 3), Action.INSPECT, "store",
                           reason="end_of_rental", grade=grade,
                           defects=self._minor_defects() if grade == "B" else [])
            if grade == "B":
                day = self._do(plan, tl, day + self.rng.randint(2, 5), Action.FINISH_CARE, "store",
                               outcome="done", cost_cents=self.rng.choice([600, 750, 900]))
            return day
        if roll < 0.70:
            return self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental",
                            grade="A", location=RENTAL_HUB)
        if roll < 0.97:
            day = self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental",
                           grade="B", location=RENTAL_HUB, defects=self._minor_defects())
            return self._do(plan, tl, day + self.rng.randint(2, 6), Action.FINISH_CARE, "store",
                            outcome="done", cost_cents=self.rng.choice([600, 750, 900]),
                            note="Gereinigd door de externe wasserij")
        defect = self.rng.choice([
            {"code": "TRIM", "zone": "closure", "severity": 2, "note": "Treklipje van de rits los"},
            {"code": "SEAM", "zone": "hem", "severity": 2, "note": "Zoom over 5 cm open"},
            {"code": "TRIM", "zone": "front", "severity": 1, "note": "Eén knoop ontbreekt"},
        ])
        day = self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental", grade="C",
                       location=RENTAL_HUB, defects=[defect])
        return self._do(plan, tl, day + self.rng.randint(3, 9), Action.FINISH_CARE, "store",
                        outcome="done", cost_cents=self.rng.choice([1500, 2200, 3500]),
                        note="Hersteld door het retoucheatelier")

    def _minor_defects(self) -> list[dict[str, Any]]:
        if self.rng.random() < 0.7:
            return []  # most pieces just need a wash
        return [self.rng.choice([
            {"code": "STN", "zone": "front", "severity": 1, "note": "Kleine wijnvlek"},
            {"code": "STN", "zone": "collar", "severity": 1, "note": "Make-up op de kraag"},
            {"code": "ODOUR", "zone": "whole", "severity": 1, "note": "Parfum"},
            {"code": "PILL", "zone": "sleeve", "severity": 1, "note": "Lichte pilling onder de armen"},
            {"code": "FIT", "zone": "waist", "severity": 1, "note": "Tailleband licht uitgerekt"},
        ])]

    def _cycles(self, plan: Plan, tl: _Timeline, day: int, until: int) -> int:
        """Full rental cycles (check-out → return → back in the pool) that end before ``until``."""
        while True:
            start = day + self.rng.randint(4, 35)
            length = self.rng.randint(7, 12)
            if start + length + 10 >= until:
                return day
            self._check_out(plan, tl, start)
            day = self._normal_return(plan, tl, start + length)

    def rental(self, style: DemoStyle, ending: GarmentState) -> Plan:
        plan, tl, day = self._rental_start(f"rental:{ending.value}", style)
        if ending is GarmentState.IN_RENTAL_POOL:
            self._cycles(plan, tl, day, -1)
        elif ending is GarmentState.RENTED_OUT:
            day = self._cycles(plan, tl, day, -16)
            self._check_out(plan, tl, max(day + 1, self.rng.randint(-14, -1)))  # beyond -10 is overdue
        elif ending is GarmentState.AWAITING_INSPECTION:
            day = self._cycles(plan, tl, day, -18)
            day = self._check_out(plan, tl, max(day + 1, self.rng.randint(-15, -8)))
            self._do(plan, tl, max(day + 1, self.rng.randint(-3, -1)), Action.RECEIVE_RENTAL_RETURN, "store",
                     location=RENTAL_HUB, note="Terug met de wekelijkse wasserijronde")
        elif ending is GarmentState.IN_CARE:
            day = self._cycles(plan, tl, day, -18)
            day = self._check_out(plan, tl, max(day + 1, self.rng.randint(-16, -10)))
            self._normal_care_return(plan, tl, max(day + 1, self.rng.randint(-4, -1)))
        elif ending is GarmentState.IN_STOCK:
            day = self._cycles(plan, tl, day, -40)
            if self.rng.random() < 0.5:
                self._do(plan, tl, day + self.rng.randint(1, 10), Action.REMOVE_FROM_RENTAL_POOL, "store",
                         note="Einde seizoen in de verhuurpool")
            else:
                day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
                day = self._do(plan, tl, day + self.rng.randint(8, 11), Action.RETURN_RENTAL, "store",
                               reason="end_of_rental", grade="D", location=RENTAL_HUB,
                               defects=[{"code": "FADE", "zone": "whole", "severity": 2,
                                         "note": "Kleur verbleekt na veel wasbeurten"}],
                               note="Versleten voor verhuur; goed voor de outlet")
                self._do(plan, tl, day + self.rng.randint(5, 20), Action.MOVE_TO_OUTLET, "merchandiser",
                         to_location=OUTLET, price_cents=sale_price(style.price_cents, 60))
        elif ending is GarmentState.RETIRED:
            day = self._cycles(plan, tl, day, -40)
            day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
            day = self._do(plan, tl, day + self.rng.randint(8, 11), Action.RETURN_RENTAL, "store",
                           reason="customer_damage", grade="C", location=RENTAL_HUB,
                           defects=[{"code": "TEAR", "zone": "back", "severity": 4,
                                     "note": "Grote scheur over het rugpand"}])
            day = self._do(plan, tl, day + self.rng.randint(3, 8), Action.FINISH_CARE, "store",
                           outcome="failed", note="Scheur te groot om onzichtbaar te herstellen")
            self._do(plan, tl, day + 1, Action.INSPECT, "store", grade="E",
                     retire_route="offcuts", note="Stof gaat naar de winkelworkshop")
        elif ending is GarmentState.WRITTEN_OFF:
            day = self._cycles(plan, tl, day, -60)
            day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
            self._do(plan, tl, day + self.rng.randint(25, 40), Action.RETURN_RENTAL, "store", reason="lost",
                     note="Dressr meldt het stuk verloren door de huurster")
        else:  # pragma: no cover - the story table only names the endings above
            raise ValueError(ending)
        return plan

    def _normal_care_return(self, plan: Plan, tl: _Timeline, day: int) -> None:
        grade = self.rng.choice(["B", "B", "B", "C"])
        defects = self._minor_defects() if grade == "B" else [
            {"code": "SEAM", "zone": "seam", "severity": 2, "note": "Zijnaad komt open"}]
        self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental", grade=grade,
                 location=RENTAL_HUB, defects=defects)

    def quality_return(self, style: DemoStyle) -> Plan:
        """The report's one quality return: a snag-sensitive knit back after a rental with snags."""
        assert style.snag_sensitive
        plan, tl, day = self._rental_start("quality_return", style)
        day = self._cycles(plan, tl, day, -90)
        day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
        day = self._do(plan, tl, day + 10, Action.RETURN_RENTAL, "store", reason="quality_return",
                       grade="D", location=RENTAL_HUB,
                       defects=[{"code": "SNAG", "zone": "front", "severity": 3,
                                 "note": "Getrokken lussen in het fijne breisel op de voorkant na één keer dragen"}],
                       note="Huurster bracht het vroeg terug: het breisel bleef haken aan een tasriem. "
                            "Aandachtspunt voor volgende collecties.")
        self._do(plan, tl, day + self.rng.randint(5, 15), Action.MOVE_TO_OUTLET, "merchandiser",
                 to_location=OUTLET, price_cents=sale_price(style.price_cents, 60))
        return plan
