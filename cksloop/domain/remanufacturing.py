"""Remanufacturing projects: offcut lots sent to a partner, and the unique products they return (issue 15).

The report's example is CKS x Rebelle Antwerp (winter 2024): leftovers turned into unique blazers.
Sending lots is the lot ledger's ``consume`` by the project; each product returned becomes a garment
of a remanufactured style whose "made from" record (lots, materials, partner) its public page shows.
Which lot went into which piece is not known, so every product names all lots the project used.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .errors import DomainError, InvalidDetails
from .lifecycle import LocationKind, Place
from .messages import N_
from .offcut_details import raise_errors, read_lot_lines, read_text
from .offcuts import LotContext, LotSnapshot, LotSteps, OffcutAction, apply, decide

#: The highest price a returned product may carry (EUR 100,000 in cents): more is a typing mistake.
MAX_PRICE_CENTS = 10_000_000


class ProjectStatus(StrEnum):
    SENT = "sent"  # lots are at the partner
    IN_PRODUCTION = "in_production"
    FINISHED = "finished"  # no more products will come back

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ProjectStatus.SENT: N_("offcuts sent to the partner"),
    ProjectStatus.IN_PRODUCTION: N_("in production"),
    ProjectStatus.FINISHED: N_("finished"),
}
#: Where a project's status may go next; products come back until it is finished.
NEXT_STATUSES: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.SENT: frozenset({ProjectStatus.IN_PRODUCTION, ProjectStatus.FINISHED}),
    ProjectStatus.IN_PRODUCTION: frozenset({ProjectStatus.FINISHED}),
    ProjectStatus.FINISHED: frozenset(),
}


class ProjectNotOpen(DomainError):
    """The project's status does not allow this (a finished project takes no more products)."""

    code = "not_allowed_now"

    def __init__(self, *, status: ProjectStatus, allowed: list[str]):
        super().__init__(N_("Not possible while the project is %(status)s."),
                         details={"status": status.value, "allowed_statuses": allowed}, status=status.label)


@dataclass(frozen=True)
class LotFacts:
    """What a lot is made of, as its public "made from" record names it."""

    code: str
    material: str
    colour: str
    composition: tuple[tuple[str, int], ...]  # (fibre, pct)


@dataclass(frozen=True)
class Project:
    """A remanufacturing project as the rules see it; ``lots_g`` the net grams each lot gave it."""

    id: int
    name: str
    partner_location: str
    partner_name: str
    status: ProjectStatus
    lots_g: Mapping[str, int]


@dataclass(frozen=True)
class ProjectStart:
    """A project to store, and the lots' ``consume`` changes, written in one transaction."""

    project: Project
    lot_steps: tuple[LotSteps, ...]


def start_project(*, project_id: int, name: Any, partner_location: Any, partner_name: str, lots: Any,
                  snapshots: Mapping[str, LotSnapshot], places: Mapping[str, Place],
                  ctx: LotContext) -> ProjectStart:
    """Send ``lots`` ([{code, grams}]) to a remanufacturing partner under a new project.

    ``project_id`` is the id the service gave the new project; ``places`` the open locations.
    Raises InvalidDetails, InsufficientOffcut (a lot holds less) or NotPermitted.
    """
    errors: dict[str, str] = {}
    title = read_text({"name": name}, "name", errors, required=True, max_len=120)
    place = places.get(partner_location) if isinstance(partner_location, str) else None
    if place is None or place.kind is not LocationKind.PARTNER:
        errors["partner_location"] = N_("Choose the partner's location.")
    sent = read_lot_lines(lots, "lots", errors, required=True)
    for code, grams in sent.items():
        if grams is None:
            errors[f"lots.{code}"] = N_("Weigh what is sent: how many grams of this lot?")
        elif code not in snapshots or not snapshots[code].exists:
            errors[f"lots.{code}"] = N_("No such offcut lot.")
    raise_errors(errors)
    ctx = replace(ctx, projects=ctx.projects | {project_id})
    steps = []
    for code, grams in sent.items():
        lot = snapshots[code]
        change = decide(lot, OffcutAction.CONSUME, {"grams": grams, "project_id": project_id}, ctx)
        apply(lot, change)  # proves the change keeps the lot balanced before anything is written
        steps.append(LotSteps(code, lot.version, (change,)))
    project = Project(project_id, title or "", partner_location, partner_name, ProjectStatus.SENT,
                      {code: grams or 0 for code, grams in sent.items()})
    return ProjectStart(project, tuple(steps))


def change_status(project: Project, to: Any) -> ProjectStatus:
    """The project's next status; ProjectNotOpen when the move is not allowed."""
    try:
        status = ProjectStatus(to)
    except ValueError:
        raise InvalidDetails({"status": N_("Not one of the allowed values.")}) from None
    if status not in NEXT_STATUSES[project.status]:
        raise ProjectNotOpen(status=project.status, allowed=sorted(s.value for s in NEXT_STATUSES[project.status]))
    return status


@dataclass(frozen=True)
class MadeFrom:
    """What a remanufactured garment was made from: public, with no price, person or stock."""

    project_id: int
    project_name: str
    partner_location: str
    partner_name: str
    lots: tuple[tuple[str, int], ...]  # (lot code, grams the project used), by code
    materials: tuple[str, ...]  # the lots' materials, each once, sorted
    fibres: tuple[str, ...]  # every fibre in the lots' compositions, each once, sorted

    def as_dict(self) -> dict[str, Any]:
        """The record as stored with the garment's ``receive`` event and shown on its pages."""
        return {"project_id": self.project_id, "project": self.project_name,
                "partner_location": self.partner_location, "partner": self.partner_name,
                "lots": [{"code": code, "grams": grams} for code, grams in self.lots],
                "materials": list(self.materials), "fibres": list(self.fibres)}


@dataclass(frozen=True)
class ReturnedProduct:
    """A product back from the partner, checked: the service receives it as a new garment."""

    style_number: str
    size: str
    price_cents: int
    made_from: MadeFrom


def made_from(project: Project, lot_facts: Mapping[str, LotFacts]) -> MadeFrom:
    """The "made from" record of every product of ``project``: the lots it still holds grams of."""
    lots = tuple(sorted((code, grams) for code, grams in project.lots_g.items() if grams > 0))
    facts = [lot_facts[code] for code, _ in lots if code in lot_facts]
    return MadeFrom(project.id, project.name, project.partner_location, project.partner_name, lots,
                    tuple(sorted({f.material for f in facts})),
                    tuple(sorted({fibre for f in facts for fibre, _ in f.composition})))


def return_product(*, project: Project, style_number: Any, size: Any, price_cents: Any,
                   remanufactured_styles: Mapping[str, frozenset[str]],
                   lot_facts: Mapping[str, LotFacts]) -> ReturnedProduct:
    """Check a product a partner returns; it must be of a remanufactured style and one of its sizes.

    ``remanufactured_styles`` maps each remanufactured style number to its sizes; ``lot_facts``
    the project's lots. Raises ProjectNotOpen (finished) or InvalidDetails.
    """
    if project.status is ProjectStatus.FINISHED:
        raise ProjectNotOpen(status=project.status, allowed=[])
    errors: dict[str, str] = {}
    sizes = remanufactured_styles.get(style_number) if isinstance(style_number, str) else None
    if sizes is None:
        errors["style_number"] = N_("Not a remanufactured style: create the style for this line first.")
    elif size not in sizes:
        errors["size"] = N_("This style has no such size.")
    if isinstance(price_cents, bool) or not isinstance(price_cents, int) or not 1 <= price_cents <= MAX_PRICE_CENTS:
        errors["price_cents"] = N_("The price is a whole number of cents above 0.")
    if not any(grams > 0 for grams in project.lots_g.values()):
        errors["project"] = N_("This project holds no offcuts: a product must be made from its lots.")
    raise_errors(errors)
    return ReturnedProduct(style_number, size, price_cents, made_from(project, lot_facts))
