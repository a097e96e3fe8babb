"""Offcut figures per period and store, against hand-computed values."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cksloop.domain.offcut_figures import (LotEvent, Period, RemanufacturedGarment, RetiredGarment, kg,
                                           offcut_figures, workshops_by_organiser)
from cksloop.domain.offcuts import LotChange, OffcutAction
from cksloop.domain.workshop_logs import EntryKind, LotUse, WorkshopEntry

D = dt.date
Y2026 = Period.year(2026)
ENTRIES = [
    WorkshopEntry(1, EntryKind.LOG, "ANT-MEIR", D(2026, 3, 14), 5, 10, (("jewellery_pouch", 10),),
                  (LotUse("CKSR-00012", 400, 60),)),
    # a recount typed in 2027 still corrects the March 2026 workshop
    WorkshopEntry(1, EntryKind.CORRECTION, "ANT-MEIR", D(2026, 3, 14), 5, -1, (("bracelet", 2),),
                  (LotUse("CKSR-00012", 24),), "recount"),
    WorkshopEntry(2, EntryKind.LOG, "GENT-VELD", D(2026, 11, 2), 6, 8, (("toiletry_bag", 4),),
                  (LotUse("CKSR-00020", 500),)),
    WorkshopEntry(3, EntryKind.LOG, "ANT-MEIR", D(2025, 12, 31), 5, 12, (("bracelet", 12),),
                  (LotUse("CKSR-00001", 150),)),
]
EVENTS = [
    LotEvent(LotChange(OffcutAction.CONSUME, "CKSR-00030", "WH-WOMMELGEM", {"grams": 4000, "project_id": 3},
                       consumed_g=4000, consumer="project:3"), D(2026, 1, 20)),
    LotEvent(LotChange(OffcutAction.RETURN_LEFTOVER, "CKSR-00030", "WH-WOMMELGEM", {"grams": 300, "project_id": 3},
                       consumed_g=-300, consumer="project:3"), D(2026, 4, 1)),
    LotEvent(LotChange(OffcutAction.REWEIGH, "CKSR-00012", "ANT-MEIR", {"weight_g": 500, "waste_g": 35},
                       waste_g=35), D(2026, 5, 5)),
    LotEvent(LotChange(OffcutAction.CONSUME, "CKSR-00012", "ANT-MEIR", {"grams": 40, "note": "window display"},
                       consumed_g=40, consumer="other"), D(2026, 6, 1)),
    # workshop consumption in the lot ledger is counted from the workshop entries, not twice
    LotEvent(LotChange(OffcutAction.CONSUME, "CKSR-00012", "ANT-MEIR", {"grams": 400, "workshop_id": 1},
                       consumed_g=400, consumer="workshop:1"), D(2026, 3, 14)),
    LotEvent(LotChange(OffcutAction.REWEIGH, "CKSR-00012", "ANT-MEIR", {"weight_g": 1, "waste_g": 99},
                       waste_g=99), D(2027, 1, 1)),
]
RETIRED = [RetiredGarment("CKS-00049", D(2026, 2, 1), "ANT-MEIR"), RetiredGarment("CKS-00050", D(2026, 2, 1), "WH-WOMMELGEM")]
REMADE = [RemanufacturedGarment("CKS-01001", D(2026, 9, 1), "REBELLE-ANT", D(2026, 10, 3), "ANT-MEIR"),
          RemanufacturedGarment("CKS-01002", D(2026, 9, 1), "REBELLE-ANT"),
          RemanufacturedGarment("CKS-01003", D(2026, 12, 20), "REBELLE-ANT", D(2027, 1, 2), "ANT-MEIR")]


def figures(period: Period = Y2026, store: str | None = None):
    return offcut_figures(period=period, store=store, workshop_entries=ENTRIES, lot_events=EVENTS,
                          retired=RETIRED, remanufactured=REMADE)


def test_the_years_figures_for_all_stores_add_up_logs_corrections_and_lot_events():
    f = figures()
    assert (f.workshops_held, f.participants, f.products_made) == (2, 17, 16)
    assert f.products_by_type == {"bracelet": 2, "jewellery_pouch": 10, "toiletry_bag": 4}
    assert f.reused_in_workshops_g == 340 + 24 + 500
    assert (f.reused_by_partners_g, f.reused_otherwise_g, f.wasted_g) == (3700, 40, 35)
    assert (f.garments_retired_into_offcuts, f.remanufactured_made, f.remanufactured_sold) == (2, 3, 1)
    assert f.has_data and kg(f.reused_by_partners_g) == Decimal("3.700")


def test_a_stores_figures_count_only_what_happened_there():
    f = figures(store="ANT-MEIR")
    assert (f.workshops_held, f.participants, f.reused_in_workshops_g) == (1, 9, 364)
    assert (f.reused_by_partners_g, f.wasted_g, f.garments_retired_into_offcuts) == (0, 35, 1)
    assert (f.remanufactured_made, f.remanufactured_sold) == (0, 1)


def test_a_period_with_nothing_recorded_says_it_has_no_data():
    assert not figures(Period.year(2024)).has_data


def test_workshops_are_counted_per_organiser_once_each_whatever_their_corrections():
    assert workshops_by_organiser(ENTRIES, period=Y2026) == {5: 1, 6: 1}
    assert workshops_by_organiser(ENTRIES, period=Period.year(2025)) == {5: 1}


def test_grams_read_as_kilograms_to_the_gram_and_a_period_must_end_after_it_starts():
    assert kg(1234) == Decimal("1.234") and kg(0) == 0
    with pytest.raises(ValueError):
        Period(D(2026, 1, 1), D(2026, 1, 1))
