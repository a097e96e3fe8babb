"""Which stories the demo tells and how often: every reachable state once, the rest drawn by weight."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from cksloop.demo.chain import STYLES, DemoStyle
from cksloop.demo.plans import Plan, Planner
from cksloop.domain.lifecycle import GarmentState


#: story → (final state, weight for the random part, which styles suit it)
Story = tuple[Callable[[Planner, DemoStyle], Plan], GarmentState, float, Callable[[DemoStyle], bool]]


def _any(_: DemoStyle) -> bool:
    return True


def _current(style: DemoStyle) -> bool:
    return style.season == "SS26"


def _older(style: DemoStyle) -> bool:
    return style.season != "SS26"


def _rental(style: DemoStyle) -> bool:
    return style.rental and not style.snag_sensitive


def _remanufacturable(style: DemoStyle) -> bool:
    return style.category in ("blazer", "coat") and style.season != "SS26"


def _rental_story(ending: GarmentState) -> Callable[[Planner, DemoStyle], Plan]:
    return lambda planner, style: planner.rental(style, ending)


S = GarmentState
STORIES: dict[str, Story] = {
    "in_stock": (Planner.in_stock, S.IN_STOCK, 22, _current),
    "sold": (Planner.sold, S.SOLD, 22, _any),
    "customer_return": (Planner.customer_return, S.IN_STOCK, 4, _any),
    "outlet": (Planner.outlet, S.IN_STOCK, 12, _older),
    "in_care": (Planner.in_care_from_stock, S.IN_CARE, 1.5, _any),
    "rental_pool": (_rental_story(S.IN_RENTAL_POOL), S.IN_RENTAL_POOL, 5, _rental),
    "rented_out": (_rental_story(S.RENTED_OUT), S.RENTED_OUT, 5.5, _rental),
    "awaiting_inspection": (_rental_story(S.AWAITING_INSPECTION), S.AWAITING_INSPECTION, 1.5, _rental),
    "rental_care": (_rental_story(S.IN_CARE), S.IN_CARE, 1.5, _rental),
    "rental_to_stock": (_rental_story(S.IN_STOCK), S.IN_STOCK, 1.2, _rental),
    "rental_retired": (_rental_story(S.RETIRED), S.RETIRED, 0.5, _rental),
    "remanufactured": (Planner.remanufactured, S.RETIRED, 1.5, _remanufacturable),
    "offcuts": (Planner.offcuts, S.RETIRED, 2.5, _older),
    # exactly one each: the theft, the piece the renter lost, the report's quality return
    "stolen": (Planner.stolen, S.WRITTEN_OFF, 0, _any),
    "rental_lost": (_rental_story(S.WRITTEN_OFF), S.WRITTEN_OFF, 0, _rental),
    "quality_return": (Planner.quality_return, S.IN_STOCK, 0, lambda s: s.snag_sensitive),
}


def plan_garments(*, count: int, rng: random.Random, now: dt.datetime, partner_id: int) -> list[Plan]:
    """Histories for ``count`` garments, oldest receipt first. Every story (and so every
    reachable state) appears once before the rest is drawn by weight."""
    planner = Planner(rng, now, partner_id)
    names = list(STORIES)
    weighted = [n for n in names if STORIES[n][2] > 0]
    chosen = names[:count] + rng.choices(weighted, weights=[STORIES[n][2] for n in weighted],
                                         k=max(0, count - len(names)))
    plans = []
    for name in chosen:
        make, _state, _weight, suits = STORIES[name]
        style = rng.choice([s for s in STYLES if suits(s)])
        plans.append(make(planner, style))
    plans.sort(key=lambda p: p.received_at)
    return plans
