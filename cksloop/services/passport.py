"""The public product passport of a scanned garment: public facts and its life in counts, nothing private."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from cksloop.db import queries
from cksloop.db.models import Garment, GarmentEvent, RemanufacturedGarment, Style, StyleMaterial, StyleSize
from cksloop.domain.labels import is_garment_code, usable_gtin
from cksloop.domain.lifecycle import GarmentState, exit_route
from cksloop.domain.passport import LifeCounts, check_public, count_life, recycled_percent, repair_cities
from cksloop.services.labels import check_label_gtin, no_such_garment


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
    #: a remanufactured piece: what it was made from (lots, materials, partner; nothing private)
    made_from: dict[str, Any] | None = None

    @property
    def sustainable_percent(self) -> int:
        return sum(m.percent for m in self.materials if m.sustainable)

    @property
    def recycled_percent(self) -> int:
        return recycled_percent((m.fibre, m.percent, m.sustainable, m.certification) for m in self.materials)


#: the garment's public facts in one statement, built once: one row per fibre of its style (a
#: handful), each with the GTIN of its size and what the piece was remade from, if it was
_FACTS = (select(Garment.id, Garment.code, Garment.state, Garment.size, Style.name, Style.category, Style.colour,
                 Style.care, Style.country_of_manufacture, StyleSize.gtin, RemanufacturedGarment.made_from,
                 StyleMaterial.fibre, StyleMaterial.percent, StyleMaterial.sustainable, StyleMaterial.certification)
          .join(Style, Style.id == Garment.style_id)
          .outerjoin(StyleSize, and_(StyleSize.style_id == Garment.style_id, StyleSize.size == Garment.size))
          .outerjoin(StyleMaterial, StyleMaterial.style_id == Garment.style_id)
          .outerjoin(RemanufacturedGarment, RemanufacturedGarment.garment_id == Garment.id)
          .where(Garment.code == bindparam("code"))
          .order_by(StyleMaterial.percent.desc(), StyleMaterial.id))
_LIFE = (select(GarmentEvent.action, GarmentEvent.details, GarmentEvent.to_state)
         .where(GarmentEvent.garment_id == bindparam("garment_id")).order_by(GarmentEvent.seq))


def passport(session: Session, *, code: str, gtin: str | None = None,
             active_locations: Callable[[Session], Iterable[queries.LocationChoice]] = queries.active_locations,
             ) -> Passport:
    """The passport of the garment a label names (``/g/{code}`` or ``/01/{gtin}/21/{code}``).

    Raises NotFound like ``labels.resolve_label``, and GarmentGone for a garment retired or
    written off (its label may still be scanned; the page says what became of it). Two statements
    (facts, life): on PostgreSQL each is a round trip. The repair cities come from
    ``active_locations`` (the web passes the worker's memory of them; the default asks the database).
    """
    rows = session.execute(_FACTS, {"code": code}).all() if is_garment_code(code) else []
    if not rows:  # anything that is not a garment code cannot exist: never queried
        raise no_such_garment(code)
    garment = rows[0]
    check_label_gtin(code, gtin, garment.gtin)
    state = GarmentState(garment.state) if garment.state is not None else None
    events = session.execute(_LIFE, {"garment_id": garment.id}).all()
    if state in (GarmentState.RETIRED, GarmentState.WRITTEN_OFF):
        last = events[-1].details if events else None
        check_public(code=garment.code, state=state, retire_route=exit_route(last))
    return Passport(
        code=garment.code,
        gtin=usable_gtin(garment.gtin),
        style_name=garment.name,
        category=garment.category,
        colour=garment.colour,
        size=garment.size,
        materials=tuple(PassportMaterial(r.fibre, r.percent, r.sustainable, r.certification)
                        for r in rows if r.fibre is not None),
        care=garment.care,
        country_of_manufacture=garment.country_of_manufacture,
        life=count_life(((e.action, e.details, e.to_state) for e in events), state),
        repair_cities=repair_cities(active_locations(session)),
        made_from=dict(garment.made_from) if garment.made_from is not None else None,
    )
