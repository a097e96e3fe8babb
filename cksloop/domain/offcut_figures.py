"""Offcut, workshop and remanufacturing figures per period and store (issue 15, read by issue 16's report).

Pure aggregation over records the service reads from the ledgers: workshop entries (logs and their
corrections, dated by the workshop), lot events, garments retired into offcuts, remanufactured
garments. Weights stay whole grams; ``kg`` gives the kilograms the report shows.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .offcuts import LotChange, OffcutAction
from .workshop_logs import EntryKind, WorkshopEntry


@dataclass(frozen=True)
class Period:
    """The dates from ``start`` up to, not including, ``end`` (a year: 1 January to 1 January)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("a period ends after it starts")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end


@dataclass(frozen=True)
class LotEvent:
    """One recorded lot change, with the Brussels date it happened on."""

    change: LotChange
    on: dt.date


@dataclass(frozen=True)
class RetiredGarment:
    """A garment retired through ``retire`` with route ``offcuts``."""

    code: str
    retired_on: dt.date
    location: str


@dataclass(frozen=True)
class RemanufacturedGarment:
    """A garment a remanufacturing project returned; ``sold_at`` is where it was sold, if it was."""

    code: str
    made_on: dt.date
    received_at: str
    sold_on: dt.date | None = None
    sold_at: str | None = None


@dataclass(frozen=True)
class OffcutFigures:
    """The period's figures for one store, or for all when ``store`` is None."""

    period: Period
    store: str | None
    workshops_held: int = 0
    participants: int = 0
    products_by_type: dict[str, int] = field(default_factory=dict)
    reused_in_workshops_g: int = 0
    reused_by_partners_g: int = 0
    reused_otherwise_g: int = 0  # consumptions with a note, neither workshop nor project
    wasted_g: int = 0
    garments_retired_into_offcuts: int = 0
    remanufactured_made: int = 0
    remanufactured_sold: int = 0

    @property
    def products_made(self) -> int:
        return sum(self.products_by_type.values())

    @property
    def has_data(self) -> bool:
        """Whether anything was recorded, so an empty period is not shown as zeros presented as facts."""
        return any((self.workshops_held, self.participants, self.products_made, self.reused_in_workshops_g,
                    self.reused_by_partners_g, self.reused_otherwise_g, self.wasted_g,
                    self.garments_retired_into_offcuts, self.remanufactured_made, self.remanufactured_sold))


def kg(grams: int) -> Decimal:
    """Grams as kilograms to the gram (1234 → Decimal('1.234'))."""
    return Decimal(grams).scaleb(-3)


def _here(location: str | None, store: str | None) -> bool:
    return store is None or location == store


def workshop_figures(entries: Iterable[WorkshopEntry], *, period: Period,
                     store: str | None) -> tuple[int, int, dict[str, int], int]:
    """Workshops held, participants, products by type and net grams used, corrections included.

    A correction counts in its workshop's period, so a later recount fixes the year it belongs to.
    """
    held: set[int] = set()
    participants = grams = 0
    products: dict[str, int] = {}
    for entry in entries:
        if entry.held_on not in period or not _here(entry.store, store):
            continue
        if entry.kind is EntryKind.LOG:
            held.add(entry.workshop_id)
        participants += entry.participants
        grams += sum(use.net_g for use in entry.lots)
        for key, quantity in entry.products:
            products[key] = products.get(key, 0) + quantity
    return len(held), participants, {k: v for k, v in sorted(products.items()) if v}, grams


def workshops_by_organiser(entries: Iterable[WorkshopEntry], *, period: Period,
                           store: str | None = None) -> dict[int | None, int]:
    """How many workshops each organiser held in the period (None: no organiser named)."""
    held: dict[int, int | None] = {}
    for entry in entries:
        if entry.kind is EntryKind.LOG and entry.held_on in period and _here(entry.store, store):
            held[entry.workshop_id] = entry.organiser
    counts: dict[int | None, int] = {}
    for organiser in held.values():
        counts[organiser] = counts.get(organiser, 0) + 1
    return counts


def lot_figures(events: Iterable[LotEvent], *, period: Period, store: str | None) -> tuple[int, int, int]:
    """Net grams consumed by partners' projects, otherwise (with a note), and grams wasted.

    Counted where the lot lay when it happened. Workshop consumption is counted from the
    workshop entries instead, dated by the workshop and not by the day it was typed in.
    """
    partners = otherwise = wasted = 0
    for event in events:
        change = event.change
        if event.on not in period or not _here(change.location, store):
            continue
        if change.action is OffcutAction.REWEIGH:
            wasted += change.waste_g
        elif change.consumer is not None and change.consumer.startswith("project:"):
            partners += change.consumed_g
        elif change.consumer == "other":
            otherwise += change.consumed_g
    return partners, otherwise, wasted


def offcut_figures(*, period: Period, store: str | None, workshop_entries: Iterable[WorkshopEntry],
                   lot_events: Iterable[LotEvent], retired: Iterable[RetiredGarment],
                   remanufactured: Iterable[RemanufacturedGarment]) -> OffcutFigures:
    """Every offcut figure of ``period`` for ``store`` (None: all stores and places)."""
    held, participants, products, workshop_g = workshop_figures(workshop_entries, period=period, store=store)
    partners_g, otherwise_g, wasted_g = lot_figures(lot_events, period=period, store=store)
    remanufactured = list(remanufactured)
    return OffcutFigures(
        period=period, store=store, workshops_held=held, participants=participants, products_by_type=products,
        reused_in_workshops_g=workshop_g, reused_by_partners_g=partners_g, reused_otherwise_g=otherwise_g,
        wasted_g=wasted_g,
        garments_retired_into_offcuts=sum(1 for g in retired if g.retired_on in period and _here(g.location, store)),
        remanufactured_made=sum(1 for g in remanufactured if g.made_on in period and _here(g.received_at, store)),
        remanufactured_sold=sum(1 for g in remanufactured
                                if g.sold_on is not None and g.sold_on in period and _here(g.sold_at, store)),
    )
