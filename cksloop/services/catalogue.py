"""The catalogue: locations, styles, rental partners, and receiving new garments into the ledger."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, Location, RentalPartner, Style, StyleMaterial, StyleSize, User
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.labels import format_garment_code, gtin14, is_garment_code, is_valid_gtin
from cksloop.domain.lifecycle import Action, LocationKind
from cksloop.domain.messages import N_
from cksloop.services import ledger, streams
from cksloop.services.garments import build_context, decision_for, load_locations, snapshot_of


def create_location(session: Session, *, code: str, name: str, kind: LocationKind | str,
                    city: str) -> Location:
    location = Location(code=code, name=name, kind=LocationKind(kind), city=city)
    session.add(location)
    session.flush()
    return location


def create_style(session: Session, *, style_number: str, name: str, season: str, category: str,
                 colour: str, sizes: Sequence[str], country_of_manufacture: str, supplier: str,
                 retail_price_cents: int, materials: Sequence[tuple[str, int, bool, str]],
                 gtins: dict[str, str] | None = None, care: str = "", cn_code: str | None = None,
                 unit_weight_g: int | None = None) -> Style:
    """Add a style; ``materials`` are (fibre, percent, sustainable, certification) summing to 100.

    ``cn_code`` and ``unit_weight_g`` are the style's category and weight in the unsold-goods disclosure."""
    errors: dict[str, str] = {}
    if sum(p for _, p, _, _ in materials) != 100:
        errors["materials"] = N_("The composition must add up to 100%.")
    for size, gtin in (gtins or {}).items():
        if not is_valid_gtin(gtin):
            errors[f"gtin.{size}"] = N_("Not a valid GTIN (check digit).")
    if errors:
        raise InvalidDetails(errors)
    style = Style(style_number=style_number, name=name, season=season, category=category,
                  colour=colour, size_run=",".join(sizes),
                  country_of_manufacture=country_of_manufacture, supplier=supplier,
                  retail_price_cents=retail_price_cents, care=care, cn_code=cn_code, unit_weight_g=unit_weight_g)
    style.sizes = [StyleSize(size=s, gtin=gtin14(gtins[s]) if gtins and gtins.get(s) else None)
                   for s in sizes]
    style.materials = [StyleMaterial(fibre=f, percent=p, sustainable=sus, certification=cert)
                       for f, p, sus, cert in materials]
    session.add(style)
    session.flush()
    return style


def set_disclosure_facts(session: Session, *, style_number: str, cn_code: str, unit_weight_g: int) -> None:
    """Give a style its CN code and unit weight (the unsold-goods disclosure's category and kg); commits."""
    begin_write(session)
    digits = cn_code.replace(" ", "").replace(".", "")
    errors: dict[str, str] = {}
    if not (digits.isascii() and digits.isdigit() and 2 <= len(digits) <= 10):
        errors["cn_code"] = N_("A CN code has at least 2 digits.")
    if not 0 < unit_weight_g <= 50_000:
        errors["unit_weight_g"] = N_("Give the weight of one garment in grams.")
    style = session.scalar(select(Style).where(Style.style_number == style_number))
    if style is None:
        errors["style_number"] = N_("No such style.")
    if errors:
        raise InvalidDetails(errors)
    assert style is not None
    style.cn_code, style.unit_weight_g = digits, unit_weight_g
    session.commit()


def create_rental_partner(session: Session, *, name: str, location_code: str | None = None,
                          contact_email: str = "", default_rental_days: int = 10,
                          terms: str = "") -> RentalPartner:
    location_id = None
    if location_code:
        location_id = session.scalar(select(Location.id).where(Location.code == location_code))
    partner = RentalPartner(name=name, contact_email=contact_email,
                            default_rental_days=default_rental_days, terms=terms,
                            location_id=location_id)
    session.add(partner)
    session.flush()
    return partner


def next_garment_code(session: Session) -> str:
    highest = session.scalar(select(func.max(Garment.id))) or 0
    return format_garment_code(highest + 1)


def receive_garment(session: Session, *, style: Style, size: str, location_code: str, actor: User,
                    now: dt.datetime, code: str | None = None, price_cents: int | None = None,
                    commit: bool = True) -> Garment:
    """Create a garment and record its first event (``receive``) in the ledger, in the caller's
    write transaction (``begin_write``: an import, a remanufactured piece; the demo's and the tests'
    plain sessions), committed with ``commit``."""
    if size not in style.size_list:
        raise InvalidDetails({"size": N_("This style has no such size.")})
    code = code or next_garment_code(session)
    if not is_garment_code(code):
        raise InvalidDetails({"code": N_("A garment code looks like CKS-00123.")})
    if session.scalar(select(Garment.id).where(Garment.code == code)):
        raise InvalidDetails({"code": N_("A garment with this code already exists.")})
    garment = Garment(code=code, style=style, size=size, state=None, version=0, received_on=local_date(now))
    session.add(garment)
    session.flush()
    places, location_ids = load_locations(session)
    ctx = build_context(session, actor=actor, now=now, places=places)
    change = lifecycle.decide(snapshot_of(garment), Action.RECEIVE, {
        "location": location_code,
        "price_cents": price_cents if price_cents is not None else style.retail_price_cents,
    }, ctx)
    # the garment row is new in this transaction: no plain read to decide on, nobody to race
    ledger.record(session, stream=streams.GARMENTS, actor_id=actor.id, now=now,
                  decisions=[decision_for(garment, change, actor_id=actor.id, now=now, location_ids=location_ids)])
    session.expire(garment, ["state", "location_id", "price_cents", "care_return_state", "version", "location"])
    if commit:
        ledger.before_commit(session, streams.GARMENTS)
        session.commit()
    return garment


def get_style(session: Session, style_number: str) -> Style:
    style = session.scalar(select(Style).where(Style.style_number == style_number))
    if style is None:
        raise NotFound(N_("No style with number %(number)s."), number=style_number)
    return style
