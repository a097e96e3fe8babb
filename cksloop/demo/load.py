"""Writes the demo chain through the services: catalogue, users, then every planned step via the ledger."""
from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, RentalPartner, Style, User
from cksloop.demo.buyers import load_buyers
from cksloop.demo.chain import (DEFAULT_GARMENTS, DEFAULT_SEED, LOCATIONS, PARTNER_NAME, PARTNER_TERMS, STYLES,
                                USERS, demo_gtins)
from cksloop.demo.overstock import load_overstock_demo
from cksloop.demo import buyer_proof
from cksloop.demo.offcuts import load_offcut_lots
from cksloop.demo.charter import ensure_material_targets
from cksloop.demo.plans import Plan
from cksloop.demo.stories import plan_garments
from cksloop.demo.workshops import load_workshops
from cksloop.domain.lifecycle import LocationKind
from cksloop.domain.store_scope import SCOPED_ROLES
from cksloop.services import accounts, catalogue, garments

def generate_password() -> str:
    """A fresh random password (about 96 bits), never a fixed default."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class CreatedUser:
    email: str
    role: str
    location: str | None
    password: str  # shown once by the caller, never stored in clear


@dataclass
class DemoResult:
    """What ``load_demo_data`` did; ``created_users`` carry the only copy of their passwords."""

    created_users: list[CreatedUser] = field(default_factory=list)
    existing_users: list[str] = field(default_factory=list)
    locations: int = 0
    styles: int = 0
    garments: int = 0
    events: int = 0
    states: dict[str, int] = field(default_factory=dict)


def database_ready(session: Session) -> bool:
    """Whether the schema exists (``cksloop db upgrade`` has run)."""
    return inspect(session.connection()).has_table("garment_events")


def garment_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Garment)) or 0


def ensure_users(session: Session, result: DemoResult) -> dict[str, User]:
    """One user per role with a generated password; existing users keep theirs."""
    users: dict[str, User] = {}
    for key, email, name, role, home in USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            password = generate_password()
            # the demo's one clerk and one organiser play every shop's staff in the histories, and
            # store scope lets people act only at their own stores
            stores = [code for code, _, kind, _ in LOCATIONS if kind in (LocationKind.STORE, LocationKind.OUTLET)
                      and code != home] if role in SCOPED_ROLES else []
            user = accounts.create_user(session, email=email, name=name, role=role, password=password,
                                        home_location=home, stores=stores)
            result.created_users.append(CreatedUser(email, role.value, home, password))
        else:
            result.existing_users.append(email)
        users[key] = user
    return users


def ensure_catalogue(session: Session, result: DemoResult) -> int:
    """Locations, the rental partner and the styles (reusing any that exist); the partner's id."""
    existing = set(session.scalars(select(Location.code)))
    for code, name, kind, city in LOCATIONS:
        if code not in existing:
            catalogue.create_location(session, code=code, name=name, kind=kind, city=city)
            result.locations += 1
    partner = session.scalar(select(RentalPartner).where(RentalPartner.name == PARTNER_NAME))
    if partner is None:
        partner = catalogue.create_rental_partner(
            session, name=PARTNER_NAME, location_code="DRESSR-ANT", contact_email="ops@dressr.example",
            default_rental_days=10, terms=PARTNER_TERMS)
    numbers = set(session.scalars(select(Style.style_number)))
    for index, style in enumerate(STYLES):
        if style.number in numbers:
            continue
        catalogue.create_style(
            session, style_number=style.number, name=style.name, season=style.season,
            category=style.category, colour=style.colour, sizes=style.sizes,
            country_of_manufacture=style.country, supplier=style.supplier,
            retail_price_cents=style.price_cents, materials=style.materials,
            gtins=demo_gtins(index, style), care=style.care)
        result.styles += 1
    session.commit()
    return partner.id


def load_demo_data(session: Session, *, now: dt.datetime, seed: int = DEFAULT_SEED,
                   count: int = DEFAULT_GARMENTS) -> DemoResult:
    """Fill the database with the demo chain; every garment change goes through the ledger.

    Receipts are written in one transaction (``receive_garment(commit=False)``); every later
    change is one ``garments.act`` call, which commits per action as in the shop.
    """
    result = DemoResult()
    partner_id = ensure_catalogue(session, result)
    users = ensure_users(session, result)  # after the locations: users have a home location
    styles = {s.style_number: s for s in session.scalars(select(Style))}
    plans = plan_garments(count=count, rng=random.Random(seed), now=now,
                          partner_id=partner_id)
    received: list[tuple[str, Plan]] = []
    for plan in plans:
        garment = catalogue.receive_garment(
            session, style=styles[plan.style.number], size=plan.size, location_code=plan.location,
            actor=users["merchandiser"], now=plan.received_at, commit=False)
        received.append((garment.code, plan))
    session.commit()
    for code, plan in received:
        for step in plan.steps:
            garments.act(session, code=code, action=step.action, details=step.details,
                         actor=users[step.actor], now=step.at)
    load_buyers(session, merchandiser=users["merchandiser"], now=now)  # issue 14: buyers and their lots
    load_offcut_lots(session, users=users, now=now, rng=random.Random(seed))  # before anything uses lots
    ensure_material_targets(session, now=now)
    result.garments = len(received)
    result.events = session.scalar(select(func.count()).select_from(GarmentEvent)) or 0
    result.states = {state.value: n for state, n in session.execute(
        select(Garment.state, func.count()).group_by(Garment.state)).all() if state is not None}
    load_overstock_demo(session, now=now, actor=users["admin"], merchandiser=users["merchandiser"])  # after the counts: they describe the chain
    buyer_proof.load(session, now=now, actor=users["merchandiser"])  # issue 14: discards, proof
    load_workshops(session, users=users, now=now)  # issue 15: after the garments and any offcut lots
    return result
