"""Logging a held workshop, and correcting a log only by a compensating entry (issue 15).

A log names no person (participants are a count) and turns the lots used into the lot ledger's
``consume`` and ``return_leftover`` changes, which the service writes with the entry in one
transaction, or writes nothing. Entries are never edited: a correction records differences.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .errors import DomainError, InvalidDetails
from .messages import N_
from .offcut_details import raise_errors, read_lot_lines, read_text
from .offcuts import LotContext, LotSnapshot, LotSteps, OffcutAction, apply, decide
from .workshops import MAX_QUANTITY, ProductType, Workshop, read_count


# --- entries ------------------------------------------------------------------------------------

class EntryKind(StrEnum):
    LOG = "log"
    CORRECTION = "correction"

    @property
    def label(self) -> str:
        return N_("workshop log") if self is EntryKind.LOG else N_("correction")


class WorkshopNotStarted(DomainError):
    """A workshop that has not started yet cannot be logged as held."""

    code = "workshop_not_started"

    def __init__(self, *, starts_at: dt.datetime):
        super().__init__(N_("This workshop has not started yet: it can be logged once it has begun."),
                         details={"starts_at": starts_at.isoformat()})


class ConfirmationRequired(DomainError):
    """More participants than the capacity: allowed, but only once the organiser confirms."""

    code = "confirmation_required"

    def __init__(self, *, participants: int, capacity: int):
        super().__init__(N_("%(participants)s participants is more than the %(capacity)s places planned. "
                            "Confirm to log it anyway."),
                         details={"participants": participants, "capacity": capacity},
                         participants=participants, capacity=capacity)


class AlreadyLogged(DomainError):
    """A held workshop is logged once; afterwards only a compensating correction changes it."""

    code = "already_logged"

    def __init__(self) -> None:
        super().__init__(N_("This workshop is already logged: record a correction instead."))


@dataclass(frozen=True)
class LotUse:
    """Grams taken from one lot in one entry, and grams of it brought back (signed in corrections)."""

    code: str
    consumed_g: int
    returned_g: int = 0

    @property
    def net_g(self) -> int:
        return self.consumed_g - self.returned_g


@dataclass(frozen=True)
class WorkshopEntry:
    """One append-only record of a workshop: its log, or a correction holding differences."""

    workshop_id: int
    kind: EntryKind
    store: str
    held_on: dt.date
    organiser: int | None
    participants: int
    products: tuple[tuple[str, int], ...]  # (product type key, quantity), sorted by key
    lots: tuple[LotUse, ...]
    note: str | None = None


@dataclass(frozen=True)
class LoggedWorkshop:
    """What the service writes in one transaction: the entry and every lot's changes, or nothing."""

    entry: WorkshopEntry
    lot_steps: tuple[LotSteps, ...]


def read_products(raw: Any, product_types: Mapping[str, ProductType],
                  errors: dict[str, str]) -> dict[str, int]:
    """[{type, quantity}] → {type: quantity}, lines of one type added up."""
    if not isinstance(raw, list) or not raw:
        errors["products"] = N_("Say what was made: at least one product type and its quantity.")
        return {}
    totals: dict[str, int] = {}
    for item in raw:
        key = item.get("type") if isinstance(item, dict) else None
        kind = product_types.get(key) if isinstance(key, str) else None
        if kind is None:
            errors["products"] = N_("Not a known product type.")
            continue
        if kind.typical_use_g <= 0:
            errors["products"] = N_("A product type needs its typical material use in grams.")
            continue
        quantity = read_count(item.get("quantity"), f"products.{key}", errors, maximum=MAX_QUANTITY)
        if quantity is not None:
            totals[key] = totals.get(key, 0) + quantity
    return dict(sorted(totals.items()))


def suggest_grams(*, products: Mapping[str, int], product_types: Mapping[str, ProductType],
                  lots: Sequence[LotSnapshot], given_g: int = 0) -> dict[str, int]:
    """Pre-filled grams per scanned lot: the products' typical use less the ``given_g`` already
    entered for other lots, shared out evenly, capped by what each lot has left (a lot that runs
    short passes the rest to the lots scanned after it)."""
    need = sum(product_types[key].typical_use_g * quantity for key, quantity in products.items())
    need = max(need - given_g, 0)
    shares: dict[str, int] = {}
    for index, lot in enumerate(lots):
        fair = -(-need // (len(lots) - index))  # ceiling, so the last lots are not left short
        shares[lot.code or ""] = min(fair, lot.remaining_g)
        need -= shares[lot.code or ""]
    return shares


def _lot_steps(*, workshop_id: int, uses: Sequence[LotUse], snapshots: Mapping[str, LotSnapshot],
               ctx: LotContext) -> tuple[LotSteps, ...]:
    """Each use as the lot ledger's changes, decided in order against the lot's snapshot."""
    steps = []
    for use in uses:
        lot = start = snapshots[use.code]
        changes = []
        taken, back = use.consumed_g, use.returned_g
        if taken < 0:  # a correction that used less than logged returns the difference
            taken, back = 0, back - taken
        for action, grams in ((OffcutAction.CONSUME, taken), (OffcutAction.RETURN_LEFTOVER, back)):
            if grams:
                change = decide(lot, action, {"grams": grams, "workshop_id": workshop_id}, ctx)
                lot = apply(lot, change)
                changes.append(change)
        if changes:
            steps.append(LotSteps(use.code, start.version, tuple(changes)))
    return tuple(steps)


def _check_lots(scanned: Mapping[str, int | None], snapshots: Mapping[str, LotSnapshot], store: str,
                errors: dict[str, str]) -> None:
    for code in scanned:
        lot = snapshots.get(code)
        if lot is None or not lot.exists:
            errors[f"lots.{code}"] = N_("No such offcut lot.")
        elif lot.location != store:
            errors[f"lots.{code}"] = N_("This lot is not at the workshop's store: move it there first.")


def log_workshop(*, workshop: Workshop, participants: Any, products: Any, lots: Any, leftovers: Any = None,
                 product_types: Mapping[str, ProductType], snapshots: Mapping[str, LotSnapshot],
                 entries: Sequence[WorkshopEntry], ctx: LotContext, now: dt.datetime,
                 confirmed: bool = False) -> LoggedWorkshop:
    """Log ``workshop`` as held: the entry and the lot changes it implies, decided together.

    ``lots`` is [{code, grams?}] (grams left out are pre-filled from the products' typical use),
    ``leftovers`` [{code, grams}] of those lots; ``snapshots`` the scanned lots by code; ``entries``
    the workshop's earlier entries. Raises WorkshopNotStarted, AlreadyLogged, ConfirmationRequired
    (over capacity, until ``confirmed``), InsufficientOffcut, NotPermitted or InvalidDetails.
    """
    assert workshop.id is not None, "log a stored workshop"
    if workshop.starts_at > now:
        raise WorkshopNotStarted(starts_at=workshop.starts_at)
    if entries:
        raise AlreadyLogged()
    errors: dict[str, str] = {}
    count = read_count(participants, "participants", errors, maximum=MAX_QUANTITY)
    made = read_products(products, product_types, errors)
    scanned = read_lot_lines(lots, "lots", errors, required=True)
    back = read_lot_lines(leftovers, "leftovers", errors, required=False)
    _check_lots(scanned, snapshots, workshop.store, errors)
    raise_errors(errors)
    assert count is not None
    if count > workshop.capacity and not confirmed:
        raise ConfirmationRequired(participants=count, capacity=workshop.capacity)
    suggested = suggest_grams(products=made, product_types=product_types,
                              lots=[snapshots[code] for code, grams in scanned.items() if grams is None],
                              given_g=sum(grams for grams in scanned.values() if grams is not None))
    uses = []
    for code, grams in scanned.items():
        taken = suggested[code] if grams is None else grams
        returned = back.get(code) or 0
        if code in back and back[code] is None:
            errors[f"leftovers.{code}"] = N_("Weigh the leftovers: how many grams came back?")
        elif returned > taken:
            errors[f"leftovers.{code}"] = N_("More leftovers than was taken from this lot.")
        if taken <= 0:
            errors[f"lots.{code}"] = N_("Enter the grams used from this lot.")
        uses.append(LotUse(code, taken, returned))
    for code in back.keys() - scanned.keys():
        errors[f"leftovers.{code}"] = N_("Leftovers go back to a lot used in this workshop.")
    raise_errors(errors)
    ctx = replace(ctx, workshops=ctx.workshops | {workshop.id})
    steps = _lot_steps(workshop_id=workshop.id, uses=uses, snapshots=snapshots, ctx=ctx)
    entry = WorkshopEntry(workshop.id, EntryKind.LOG, workshop.store, workshop.held_on, workshop.organiser,
                          count, tuple(made.items()), tuple(uses))
    return LoggedWorkshop(entry, steps)


def totals(entries: Sequence[WorkshopEntry]) -> tuple[int, dict[str, int], dict[str, int]]:
    """A workshop's participants, products by type and net grams by lot over all its entries."""
    products: dict[str, int] = {}
    grams: dict[str, int] = {}
    for entry in entries:
        for key, quantity in entry.products:
            products[key] = products.get(key, 0) + quantity
        for use in entry.lots:
            grams[use.code] = grams.get(use.code, 0) + use.net_g
    return sum(e.participants for e in entries), products, grams


def correct_workshop(*, workshop: Workshop, participants: Any, products: Any, lots: Any, note: Any,
                     product_types: Mapping[str, ProductType], snapshots: Mapping[str, LotSnapshot],
                     entries: Sequence[WorkshopEntry], ctx: LotContext, confirmed: bool = False) -> LoggedWorkshop:
    """A compensating entry that brings a logged workshop to the corrected figures given.

    ``participants``, ``products`` and ``lots`` ([{code, grams}], net grams used) are the whole,
    corrected log; the entry holds the differences from the earlier entries, and lots used more
    get a ``consume``, lots used less a ``return_leftover``. ``note`` says why (required).
    Raises InvalidDetails (also when nothing differs), ConfirmationRequired or InsufficientOffcut.
    """
    assert workshop.id is not None, "correct a stored workshop"
    if not entries:
        raise InvalidDetails({"workshop": N_("This workshop has not been logged yet: log it first.")})
    errors: dict[str, str] = {}
    why = read_text({"note": note}, "note", errors, required=True, max_len=2000)
    count = read_count(participants, "participants", errors, maximum=MAX_QUANTITY)
    made = read_products(products, product_types, errors)
    scanned = read_lot_lines(lots, "lots", errors, required=True)
    for code, grams in scanned.items():
        if grams is None:
            errors[f"lots.{code}"] = N_("Enter the grams used from this lot.")
    was_count, was_made, was_grams = totals(entries)
    new_codes = scanned.keys() - was_grams.keys()
    _check_lots({code: None for code in new_codes}, snapshots, workshop.store, errors)
    # lots of the earlier entries may have moved on since; they take back what was not used
    missing = sorted(code for code in was_grams.keys() - new_codes if code not in snapshots)
    if missing:
        raise ValueError(f"the caller must pass the snapshots of every lot the workshop used: {missing}")
    raise_errors(errors)
    assert count is not None
    if count > workshop.capacity and not confirmed:
        raise ConfirmationRequired(participants=count, capacity=workshop.capacity)
    product_delta = {key: made.get(key, 0) - was_made.get(key, 0) for key in sorted(made.keys() | was_made.keys())}
    uses = tuple(LotUse(code, (scanned.get(code) or 0) - was_grams.get(code, 0))
                 for code in sorted(scanned.keys() | was_grams.keys())
                 if (scanned.get(code) or 0) != was_grams.get(code, 0))
    if count == was_count and not any(product_delta.values()) and not uses:
        raise InvalidDetails({"workshop": N_("Nothing differs from the log: there is nothing to correct.")})
    ctx = replace(ctx, workshops=ctx.workshops | {workshop.id})
    steps = _lot_steps(workshop_id=workshop.id, uses=uses, snapshots=snapshots, ctx=ctx)
    entry = WorkshopEntry(workshop.id, EntryKind.CORRECTION, workshop.store, workshop.held_on, workshop.organiser,
                          count - was_count, tuple((k, v) for k, v in product_delta.items() if v), uses, why)
    return LoggedWorkshop(entry, steps)
