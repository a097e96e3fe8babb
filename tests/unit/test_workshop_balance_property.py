"""Property: a workshop's log and corrections take from the lots exactly the grams their entries say."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cksloop.domain.errors import DomainError
from cksloop.domain.offcuts import apply
from cksloop.domain.workshop_logs import correct_workshop, log_workshop, totals
from cksloop.domain.workshops import BUILTIN_PRODUCT_TYPES, Workshop
from tests.unit.offcut_fixtures import context, make_lot

NOW = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)
WORKSHOP = Workshop(1, "ANT-MEIR", NOW - dt.timedelta(hours=1), "Bracelets", capacity=20)
CODES = ["CKSR-00012", "CKSR-00013", "CKSR-00014"]
# mostly sensible input, so logs and corrections get written; sometimes junk, so refusals are tried too
grams = st.one_of(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=300),
                  st.integers(min_value=-3, max_value=900), st.just("x"))
with_grams = st.fixed_dictionaries({"code": st.sampled_from(CODES), "grams": grams})
line = st.one_of(with_grams, with_grams, with_grams, st.fixed_dictionaries({"code": st.sampled_from(CODES)}))
quantity = st.one_of(st.integers(min_value=1, max_value=8), st.integers(min_value=-1, max_value=8))
products = st.lists(st.fixed_dictionaries({"type": st.sampled_from(sorted(BUILTIN_PRODUCT_TYPES)),
                                           "quantity": quantity}), min_size=1, max_size=3)
leftovers = st.one_of(st.just([]), st.just([]), st.lists(st.fixed_dictionaries(
    {"code": st.sampled_from(CODES), "grams": st.integers(min_value=1, max_value=60)}), max_size=2))
attempt = st.fixed_dictionaries({"participants": st.integers(min_value=0, max_value=25), "products": products,
                                 "lots": st.lists(line, min_size=1, max_size=3), "leftovers": leftovers})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weights=st.lists(st.integers(min_value=1, max_value=900), min_size=3, max_size=3),
       attempts=st.lists(attempt, min_size=1, max_size=6))
def test_lots_always_hold_for_the_workshop_what_its_entries_add_up_to_and_stay_balanced(weights, attempts):
    lots = {code: make_lot(code, grams) for code, grams in zip(CODES, weights)}
    entries = []
    for tried in attempts:
        try:
            if not entries:
                done = log_workshop(workshop=WORKSHOP, product_types=BUILTIN_PRODUCT_TYPES, snapshots=lots,
                                    entries=entries, ctx=context(), now=NOW, confirmed=True, **tried)
            else:
                done = correct_workshop(workshop=WORKSHOP, participants=tried["participants"],
                                        products=tried["products"], lots=tried["lots"], note="recount",
                                        product_types=BUILTIN_PRODUCT_TYPES, snapshots=lots, entries=entries,
                                        ctx=context(), confirmed=True)
        except DomainError as refusal:
            assert refusal.render()
            continue
        for steps in done.lot_steps:
            assert steps.expected_version == lots[steps.code].version
            for change in steps.changes:
                lots[steps.code] = apply(lots[steps.code], change)
        entries.append(done.entry)
        participants, _products, grams = totals(entries)
        assert participants >= 1
        for code, lot in lots.items():
            assert lot.is_balanced and lot.remaining_g >= 0
            assert lot.consumed_by.get("workshop:1", 0) == grams.get(code, 0)
