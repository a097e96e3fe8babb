"""The offcut lot ledger: actions on a lot of offcuts (reststoffen) and its mass balance (issue 15).

Shaped like the garment lifecycle: ``decide`` checks an action against a lot's snapshot and returns
the ``LotChange`` one ledger event records; ``replay`` rebuilds the snapshot from recorded changes
and refuses a chain the rules would not have allowed. Every change carries signed gram deltas, so
for every lot, always::

    weight_in_g = split_out_g + consumed_g + waste_g + remaining_g

with ``consumed_g`` net of leftovers returned. Weights are whole grams: the shop scales read to the
gram (SCALE_RESOLUTION_G), so the balance is exact, with no tolerance beyond that resolution.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .errors import DomainError, InvalidDetails, NotPermitted
from .lifecycle import Place, Role
from .messages import N_
from .offcut_details import (composition, parse_grams, raise_errors, read_choice, read_grams, read_id,
                             read_lot_place, read_source, read_text)
from .offcut_labels import is_lot_code

#: What the scales read to; every weight is a whole number of grams.
SCALE_RESOLUTION_G = 1
#: The most parts one split makes.
MAX_SPLIT_PARTS = 50
_MAX_NOTE = 2000


class OffcutAction(StrEnum):
    CREATE = "create"
    SPLIT = "split"
    MOVE = "move"
    REWEIGH = "reweigh"
    CONSUME = "consume"
    RETURN_LEFTOVER = "return_leftover"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    OffcutAction.CREATE: N_("Register an offcut lot"),
    OffcutAction.SPLIT: N_("Split into smaller lots"),
    OffcutAction.MOVE: N_("Move to another location"),
    OffcutAction.REWEIGH: N_("Reweigh (the difference is waste)"),
    OffcutAction.CONSUME: N_("Use offcuts"),
    OffcutAction.RETURN_LEFTOVER: N_("Return leftovers"),
}


class WasteReason(StrEnum):
    """Why a reweighed lot is lighter than its ledger says."""

    CUTTING_LOSS = "cutting_loss"
    DAMAGED = "damaged"
    SOILED = "soiled"
    SCALE_CORRECTION = "scale_correction"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _WASTE_LABELS[self]


_WASTE_LABELS = {
    WasteReason.CUTTING_LOSS: N_("cutting loss (scraps too small to use)"),
    WasteReason.DAMAGED: N_("damaged"),
    WasteReason.SOILED: N_("soiled"),
    WasteReason.SCALE_CORRECTION: N_("earlier weighing was wrong"),
    WasteReason.OTHER: N_("other (say what in the note)"),
}

#: Who writes a lot's ledger; store staff read and scan lots but change nothing (issue 15, API).
WRITERS = frozenset({Role.WORKSHOP_ORGANISER, Role.MERCHANDISER, Role.ADMIN})
READERS = frozenset(Role)


class InsufficientOffcut(DomainError):
    """A consumption or split asks for more grams than the lot has left."""

    code = "insufficient_offcut"

    def __init__(self, *, lot: str, remaining_g: int, requested_g: int):
        super().__init__(
            N_("Lot %(lot)s has only %(remaining_g)s g left, not %(requested_g)s g."),
            details={"lot": lot, "remaining_g": remaining_g, "requested_g": requested_g},
            lot=lot, remaining_g=remaining_g, requested_g=requested_g,
        )


class LotActionNotPossible(DomainError):
    """The lot does not exist yet (only ``create``), or already exists (no second ``create``)."""

    code = "not_allowed_now"

    def __init__(self, *, action: str, lot: str | None):
        message = (N_("Lot %(lot)s already exists.") if action == OffcutAction.CREATE
                   else N_("This offcut lot has not been registered yet."))
        super().__init__(message, details={"lot": lot}, lot=lot or "")


# --- snapshot, change, context -----------------------------------------------------------------

@dataclass(frozen=True)
class LotSnapshot:
    """What a lot is now. ``code`` is None before it is created; ``version`` counts its events.

    ``consumed_by`` holds the net grams each consumer still holds ("workshop:12", "project:3",
    or "other" for consumptions with only a note), so leftovers return only what was taken.
    """

    code: str | None = None
    version: int = 0
    location: str | None = None
    weight_in_g: int = 0
    split_out_g: int = 0
    consumed_g: int = 0
    waste_g: int = 0
    remaining_g: int = 0
    consumed_by: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def exists(self) -> bool:
        return self.code is not None

    @property
    def is_balanced(self) -> bool:
        """The mass balance, with no part negative."""
        parts = (self.split_out_g, self.consumed_g, self.waste_g, self.remaining_g)
        return min(parts) >= 0 and self.weight_in_g == sum(parts)


@dataclass(frozen=True)
class LotChange:
    """Exactly what one lot ledger event records: the action, its details and signed gram deltas."""

    action: OffcutAction
    lot: str
    location: str | None
    details: Mapping[str, Any] = field(default_factory=dict)
    weight_in_g: int = 0
    split_out_g: int = 0
    consumed_g: int = 0
    waste_g: int = 0
    #: the consumer whose net holding ``consumed_g`` changes (consume / return_leftover only)
    consumer: str | None = None

    @property
    def remaining_delta_g(self) -> int:
        return self.weight_in_g - self.split_out_g - self.consumed_g - self.waste_g


@dataclass(frozen=True)
class LotSteps:
    """The changes one lot's ledger records for an entry, on top of ``expected_version``."""

    code: str
    expected_version: int
    changes: tuple[LotChange, ...]


@dataclass(frozen=True)
class LotContext:
    """Facts outside the lot that the rules need, looked up by the caller.

    ``places`` holds the open locations by code (a closed one is left out, so moving there is
    refused); ``workshops`` and ``projects`` the ids that exist and may consume offcuts.
    """

    actor_role: Role
    today: dt.date
    places: Mapping[str, Place] = field(default_factory=dict)
    workshops: frozenset[int] = frozenset()
    projects: frozenset[int] = frozenset()


def consumer_key(details: Mapping[str, Any]) -> str:
    """The consumer a consume/return_leftover detail names: workshop, project, or "other"."""
    if details.get("workshop_id") is not None:
        return f"workshop:{details['workshop_id']}"
    if details.get("project_id") is not None:
        return f"project:{details['project_id']}"
    return "other"


# --- the deciders: one per action --------------------------------------------------------------

def _create(snap: LotSnapshot, d: Mapping[str, Any], ctx: LotContext) -> LotChange:
    errors: dict[str, str] = {}
    code = d.get("code")
    if not is_lot_code(code):
        errors["code"] = N_("Not an offcut lot code (they look like CKSR-00012).")
    weight = read_grams(d, "weight_g", errors)
    location = read_lot_place(d, "location", ctx.places, errors)
    out: dict[str, Any] = {}
    for name in ("material", "colour"):
        value = read_text(d, name, errors, required=True, max_len=80)
        if value:
            out[name] = value
    out["composition"] = composition(d.get("composition"), errors)
    source = read_source(d.get("source"), errors)
    if source:
        out["source"] = source
    if d.get("area_m2") not in (None, ""):
        area = d["area_m2"]
        if isinstance(area, bool) or not isinstance(area, (int, float)) or not 0 < area <= 10_000:
            errors["area_m2"] = N_("The area is a number of square metres above 0.")
        else:
            out["area_m2"] = area
    raise_errors(errors)
    assert code is not None and weight is not None
    return LotChange(OffcutAction.CREATE, code, location, {"weight_g": weight, "location": location, **out},
                     weight_in_g=weight)


def _split(snap: LotSnapshot, d: Mapping[str, Any], ctx: LotContext) -> LotChange:
    errors: dict[str, str] = {}
    raw = d.get("parts_g")
    parts: list[int] = []
    if not isinstance(raw, list) or not raw:
        errors["parts_g"] = N_("Give the weight of each new lot in grams.")
    elif len(raw) > MAX_SPLIT_PARTS:
        errors["parts_g"] = N_("At most 50 parts at once.")
    else:
        for value in raw:
            try:
                parts.append(parse_grams(value))
            except ValueError as reason:
                errors["parts_g"] = str(reason)
                break
    raise_errors(errors)
    total = sum(parts)
    if total > snap.remaining_g:
        raise InsufficientOffcut(lot=snap.code or "", remaining_g=snap.remaining_g, requested_g=total)
    return LotChange(OffcutAction.SPLIT, snap.code or "", snap.location, {"parts_g": parts},
                     split_out_g=total)


def _move(snap: LotSnapshot, d: Mapping[str, Any], ctx: LotContext) -> LotChange:
    errors: dict[str, str] = {}
    to = read_lot_place(d, "to_location", ctx.places, errors)
    if to is not None and to == snap.location:
        errors["to_location"] = N_("The lot is already there.")
    if snap.remaining_g == 0:
        errors["to_location"] = N_("Nothing is left of this lot to move.")
    raise_errors(errors)
    return LotChange(OffcutAction.MOVE, snap.code or "", to, {"from_location": snap.location,
                                                              "to_location": to})


def _reweigh(snap: LotSnapshot, d: Mapping[str, Any], ctx: LotContext) -> LotChange:
    errors: dict[str, str] = {}
    # a reading of 0 g is allowed: the whole remainder turned out unusable
    weight = read_grams(d, "weight_g", errors, allow_zero=True)
    out: dict[str, Any] = {}
    if weight is not None and weight > snap.remaining_g:
        errors["weight_g"] = N_("A lot cannot gain weight: the ledger says %(remaining_g)s g are left. "
                                "Check the scale's tare and weigh again.")
        out["remaining_g"] = snap.remaining_g
    waste = snap.remaining_g - weight if weight is not None and weight <= snap.remaining_g else 0
    if waste:
        reason = read_choice(d, "reason", WasteReason, errors)
        if reason is not None:
            out["reason"] = reason.value
        note = read_text(d, "note", errors, required=reason is WasteReason.OTHER, max_len=_MAX_NOTE)
        if note:
            out["note"] = note
    if errors:
        error = InvalidDetails(errors, remaining_g=snap.remaining_g)
        error.details.update(lot=snap.code, remaining_g=snap.remaining_g)
        raise error
    return LotChange(OffcutAction.REWEIGH, snap.code or "", snap.location,
                     {"weight_g": weight, "waste_g": waste, **out}, waste_g=waste)


def _consumer(d: Mapping[str, Any], ctx: LotContext, errors: dict[str, str], out: dict[str, Any], *,
              require_reference: bool) -> None:
    given = [name for name in ("workshop_id", "project_id") if d.get(name) not in (None, "")]
    if len(given) > 1:
        errors["workshop_id"] = N_("Name a workshop or a project, not both.")
        return
    if given:
        known = ctx.workshops if given[0] == "workshop_id" else ctx.projects
        ident = read_id(d, given[0], errors, known)
        if ident is not None:
            out[given[0]] = ident
    note = read_text(d, "note", errors, required=require_reference and not given, max_len=_MAX_NOTE)
    if note:
        out["note"] = note


def _consume(snap: LotSnapshot, d: Mapping[str, Any], ctx: LotContext) -> LotChange:
    errors: dict[str, str] = {}
    grams = read_grams(d, "grams", errors)
    out: dict[str, Any] = {}
    # a consumption names who used the offcuts, or says in a note what they went into
    _consumer(d, ctx, errors, out, require_reference=True)
    raise_errors(errors)
    assert grams is not None
    if grams > snap.remaining_g:
        raise InsufficientOffcut(lot=snap.code or "", remaining_g=snap.remaining_g, requested_g=grams)
    return LotChange(OffcutAction.CONSUME, snap.code or "", snap.location, {"grams": grams, **out},
                     consumed_g=grams, consumer=consumer_key(out))


def _return_leftover(snap: LotSnapshot, d: Mapping[str, Any], ctx: LotContext) -> LotChange:
    errors: dict[str, str] = {}
    grams = read_grams(d, "grams", errors)
    out: dict[str, Any] = {}
    _consumer(d, ctx, errors, out, require_reference=False)
    key = consumer_key(out)
    held = snap.consumed_by.get(key, 0)
    if grams is not None and "grams" not in errors and grams > held:
        errors["grams"] = N_("More than was taken from this lot: %(held_g)s g were used and not returned.")
    if errors:
        error = InvalidDetails(errors, held_g=held)
        error.details.update(lot=snap.code, held_g=held)
        raise error
    assert grams is not None
    return LotChange(OffcutAction.RETURN_LEFTOVER, snap.code or "", snap.location, {"grams": grams, **out},
                     consumed_g=-grams, consumer=key)


_DECIDERS = {
    OffcutAction.CREATE: _create,
    OffcutAction.SPLIT: _split,
    OffcutAction.MOVE: _move,
    OffcutAction.REWEIGH: _reweigh,
    OffcutAction.CONSUME: _consume,
    OffcutAction.RETURN_LEFTOVER: _return_leftover,
}


def may_write(role: Role) -> bool:
    """Whether ``role`` may change offcut lots (store staff only read and scan them)."""
    return role in WRITERS


def decide(snapshot: LotSnapshot, action: OffcutAction, details: Mapping[str, Any],
           ctx: LotContext) -> LotChange:
    """Check ``action`` on a lot in ``snapshot`` and return the change to record.

    Raises NotPermitted (role), LotActionNotPossible (create twice / act before create),
    InsufficientOffcut (consume or split more than remains, with ``lot`` and ``remaining_g``) or
    InvalidDetails (field → reason). Nothing is changed: the caller records the LotChange.
    """
    try:
        action = OffcutAction(action)  # the API passes the word it was sent
    except ValueError:
        raise InvalidDetails({"action": N_("Not one of the allowed values.")}) from None
    if ctx.actor_role not in WRITERS:
        raise NotPermitted(action=str(action), role=str(ctx.actor_role), roles=sorted(r.value for r in WRITERS))
    if snapshot.exists == (action is OffcutAction.CREATE):
        raise LotActionNotPossible(action=str(action), lot=snapshot.code)
    if not isinstance(details, Mapping):
        raise InvalidDetails({"details": N_("Some details are missing or wrong.")})
    return _DECIDERS[action](snapshot, details, ctx)


def apply(snapshot: LotSnapshot, change: LotChange) -> LotSnapshot:
    """The snapshot after ``change``; refuses a change the rules could never have produced."""
    creating = change.action is OffcutAction.CREATE
    wrong_lot = not creating and change.lot != snapshot.code
    held = dict(snapshot.consumed_by)
    if change.consumer is not None:
        held[change.consumer] = held.get(change.consumer, 0) + change.consumed_g
    after = replace(
        snapshot, code=change.lot, version=snapshot.version + 1, location=change.location,
        weight_in_g=snapshot.weight_in_g + change.weight_in_g,
        split_out_g=snapshot.split_out_g + change.split_out_g,
        consumed_g=snapshot.consumed_g + change.consumed_g, waste_g=snapshot.waste_g + change.waste_g,
        remaining_g=snapshot.remaining_g + change.remaining_delta_g,
        consumed_by=MappingProxyType({k: v for k, v in held.items() if v}))
    if snapshot.exists == creating or wrong_lot or not after.is_balanced or min(held.values(), default=0) < 0:
        raise LotActionNotPossible(action=str(change.action), lot=snapshot.code)
    return after


def replay(changes: Iterable[LotChange]) -> LotSnapshot:
    """Rebuild a lot's snapshot from its ledger, oldest first."""
    snapshot = LotSnapshot()
    for change in changes:
        snapshot = apply(snapshot, change)
    return snapshot


def split_children(change: LotChange, *, codes: list[str], material: Mapping[str, Any]) -> list[LotChange]:
    """The ``create`` changes of the new lots a split makes, one per part, in order.

    ``codes`` are the new lots' codes (allocated by the caller); ``material`` the parent's
    material, colour and composition, which the parts keep. Their source names the parent lot.
    """
    parts = list(change.details["parts_g"])
    if change.action is not OffcutAction.SPLIT or len(codes) != len(parts) or not all(map(is_lot_code, codes)):
        raise ValueError("one valid new lot code per part of a split")
    keep = {k: material[k] for k in ("material", "colour", "composition") if k in material}
    return [LotChange(OffcutAction.CREATE, code, change.location,
                      {"weight_g": grams, "location": change.location, **keep,
                       "source": {"split_from": change.lot}}, weight_in_g=grams)
            for code, grams in zip(codes, parts)]
