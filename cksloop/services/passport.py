"""The public product passport of a scanned garment: public facts and its life in counts, nothing private."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import GarmentEvent, Location
from cksloop.domain.labels import usable_gtin
from cksloop.domain.lifecycle import GarmentState, LocationKind
from cksloop.domain.passport import LifeCounts, check_public, count_life, recycled_percent
from cksloop.services.labels import resolve_label


@dataclass(frozen=True)
class PassportMaterial:
    fibre: str  # the catalogue's key; the page shows the regulation's name for it
    percent: int
    sustainable: bool
    certification: str


@dataclass(frozen=True)
class Passport:
    """Everything the passport may show, and nothing else: no price, customer, partner, note,
    person, or where the garment is (DOMAIN.md §6: no personal data in a product passport)."""

    code: str
    gtin: str | None
    style_name: str
    category: str
    colour: str
    size: str
    materials: tuple[PassportMaterial, ...]
    care: str
    country_of_manufacture: str  # ISO 3166-1 alpha-2
    life: LifeCounts
    #: the cities with a CKS store that takes repairs (a place to go, never who works there)
    repair_cities: tuple[str, ...]

    @property
    def sustainable_percent(self) -> int:
        return sum(m.percent for m in self.materials if m.sustainable)

    @property
    def recycled_percent(self) -> int:
        return recycled_percent((m.fibre, m.percent, m.sustainable, m.certification) for m in self.materials)


def passport(session: Session, *, code: str, gtin: str | None = None) -> Passport:
    """The passport of the garment a label names (``/g/{code}`` or ``/01/{gtin}/21/{code}``).

    Raises NotFound like ``labels.resolve_label``, and GarmentGone for a garment retired or
    written off (its label may still be scanned; the page says what became of it).
    """
    garment = resolve_label(session, code=code, gtin=gtin)
    events = session.execute(
        select(GarmentEvent.action, GarmentEvent.details, GarmentEvent.to_state)
        .where(GarmentEvent.garment_id == garment.id).order_by(GarmentEvent.seq)).all()
    if garment.state in (GarmentState.RETIRED, GarmentState.WRITTEN_OFF):
        last = (events[-1].details or {}) if events else {}
        check_public(code=garment.code, state=garment.state,
                     retire_route=last.get("route") or last.get("retire_route"))
    style = garment.style
    cities = session.scalars(
        select(Location.city).where(Location.kind == LocationKind.STORE, Location.active.is_(True))
        .distinct().order_by(Location.city).limit(30))
    return Passport(
        code=garment.code,
        gtin=usable_gtin(style.gtin_for(garment.size)),
        style_name=style.name,
        category=style.category,
        colour=style.colour,
        size=garment.size,
        materials=tuple(PassportMaterial(m.fibre, m.percent, m.sustainable, m.certification)
                        for m in style.materials),
        care=style.care,
        country_of_manufacture=style.country_of_manufacture,
        life=count_life(((e.action, e.details, e.to_state) for e in events), garment.state),
        repair_cities=tuple(c for c in cities if c),
    )
