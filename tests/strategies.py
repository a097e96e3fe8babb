"""Hypothesis strategies for lifecycle actions: details that are sometimes right and often wrong."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from cksloop.domain.inspection import DefectCode, Grade, ReturnReason, Zone
from cksloop.domain.lifecycle import (Action, CareKind, CareOutcome, DestructionGround, RetireRoute, Role,
                                      Snapshot, WriteOffReason)

#: anything a hostile or careless client might put in a field
junk = st.one_of(
    st.none(), st.just(""), st.text(max_size=12), st.integers(min_value=-10**12, max_value=10**12),
    st.booleans(), st.floats(allow_nan=True), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just("\x00\x07"),
    st.just("<script>alert(1)</script>"), st.just("' OR 1=1 --"),
)


def _defects() -> st.SearchStrategy[Any]:
    defect = st.fixed_dictionaries(
        {"code": st.sampled_from(list(DefectCode)).map(str), "zone": st.sampled_from(list(Zone)).map(str),
         "severity": st.integers(min_value=0, max_value=6)},
        optional={"note": st.text(max_size=20)},
    )
    return st.lists(defect, max_size=3)


def details_for(*, places: Sequence[str], partners: Sequence[int], buyer_lots: Sequence[int],
                today: dt.date) -> st.SearchStrategy[dict[str, Any]]:
    """Details for any action: each known field absent, plausible, or junk."""
    dates = st.integers(min_value=-3, max_value=30).map(lambda n: (today + dt.timedelta(days=n)).isoformat())
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "location": st.sampled_from(list(places)),
        "to_location": st.sampled_from(list(places)),
        "price_cents": st.integers(min_value=-1, max_value=30_000),
        "partner": st.sampled_from(list(partners) + [max(partners, default=0) + 1]),
        "due_on": dates,
        "reason": st.sampled_from([*map(str, ReturnReason), *map(str, WriteOffReason)]),
        "grade": st.sampled_from(list(Grade)).map(str),
        "defects": _defects(),
        "retire_route": st.sampled_from(list(RetireRoute)).map(str),
        "route": st.sampled_from(list(RetireRoute)).map(str),
        "ground": st.sampled_from(list(DestructionGround)).map(str),
        "care_kind": st.sampled_from(list(CareKind)).map(str),
        "outcome": st.sampled_from(list(CareOutcome)).map(str),
        "cost_cents": st.integers(min_value=-1, max_value=5000),
        "buyer_lot": st.sampled_from(list(buyer_lots) + [999]),
        "destination_country": st.sampled_from(["BE", "NL", "GH", "US", "XX"]),
        "destination_use": st.sampled_from(["reuse", "licensed_sorting", "landfill"]),
        "transport_document": st.text(min_size=1, max_size=20),
        "note": st.text(max_size=40),
        "receipt": st.text(max_size=20),
    }
    # a field is mostly left out: actions then often get the few details they need
    field = {name: st.one_of(value, value, junk) for name, value in plausible.items()}
    return st.fixed_dictionaries({}, optional=field)


def likely_details(action: Action, snapshot: Snapshot, *, partner: int = 1, buyer_lot: int = 4) -> dict[str, Any]:
    """Details that usually make ``action`` valid for ``snapshot`` (at the test world's places),
    so random sequences get somewhere instead of being refused at the first step."""
    elsewhere = "GENT-VELD" if snapshot.location != "GENT-VELD" else "ANT-MEIR"
    price = snapshot.price_cents or 2
    return {
        Action.RECEIVE: {"location": "ANT-MEIR", "price_cents": 12995},
        Action.TRANSFER: {"to_location": elsewhere},
        Action.CUSTOMER_RETURN: {"location": "ANT-MEIR"},
        Action.CHECK_OUT_RENTAL: {"partner": partner, "due_on": "2026-12-05"},
        Action.RETURN_RENTAL: {"reason": "end_of_rental", "grade": "B"},
        Action.INSPECT: {"grade": "C"},
        Action.START_CARE: {"care_kind": "repair"},
        Action.FINISH_CARE: {"outcome": "done"},
        Action.MOVE_TO_OUTLET: {"to_location": "OUTLET-WOMMELGEM"},
        Action.MARK_DOWN: {"price_cents": max(1, price - 500)},
        Action.ALLOCATE_TO_BUYER_LOT: {"buyer_lot": buyer_lot},
        Action.SHIP_TO_BUYER: {"destination_country": "BE", "destination_use": "reuse",
                               "transport_document": "CMR 7"},
        Action.RETIRE: {"route": "offcuts"},
        Action.WRITE_OFF: {"reason": "lost"},
    }.get(action, {})


actions = st.sampled_from(list(Action))
roles = st.sampled_from(list(Role))
