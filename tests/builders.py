"""Test builders: plain functions with sensible defaults that go through the real services."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, Location, RentalPartner, Style, User
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import accounts, catalogue, garments

PASSWORD = "correct horse battery"
STORE, WAREHOUSE, OUTLET, OTHER_STORE = "ANT-MEIR", "WH-WOMMELGEM", "OUTLET-WOMMELGEM", "GENT-VELD"
_counter = itertools.count(1)


def seed_world(session: Session) -> dict[str, Any]:
    """Locations, a rental partner and two styles (one with GTINs); idempotent per database."""
    if session.scalar(select(Location.id).where(Location.code == STORE)) is None:
        catalogue.create_location(session, code=STORE, name="CKS Antwerpen Meir", kind="store", city="Antwerpen")
        catalogue.create_location(session, code=OTHER_STORE, name="CKS Gent Veldstraat", kind="store", city="Gent")
        catalogue.create_location(session, code=WAREHOUSE, name="CRG warehouse", kind="warehouse", city="Wommelgem")
        catalogue.create_location(session, code=OUTLET, name="CKS Outlet", kind="outlet", city="Wommelgem")
        catalogue.create_location(session, code="DRESSR-ANT", name="Dressr", kind="partner", city="Antwerpen")
        catalogue.create_rental_partner(session, name="Dressr", location_code="DRESSR-ANT",
                                        contact_email="ops@dressr.example", default_rental_days=10)
        catalogue.create_style(
            session, style_number="SS25-0101", name="Lisa", season="SS25", category="dress",
            colour="navy", sizes=["XS", "S", "M", "L"], country_of_manufacture="TR",
            supplier="Atelier Izmir", retail_price_cents=12995,
            materials=[("viscose", 100, True, "LENZING™ ECOVERO™")],
            gtins={"S": "5400000001017", "M": "5400000001024"}, care="30°C gentle, no tumble dry",
            cn_code="6104", unit_weight_g=350)
        catalogue.create_style(
            session, style_number="AW25-0202", name="Noor", season="AW25", category="blazer",
            colour="camel", sizes=["36", "38", "40"], country_of_manufacture="PT", supplier="Porto Tailoring",
            retail_price_cents=18995,
            materials=[("wool", 70, False, ""), ("polyester", 30, True, "recycled")], cn_code="6204",
            unit_weight_g=900)
        session.commit()
    return {
        "partner": session.scalar(select(RentalPartner).where(RentalPartner.name == "Dressr")),
        "dress": session.scalar(select(Style).where(Style.style_number == "SS25-0101")),
        "blazer": session.scalar(select(Style).where(Style.style_number == "AW25-0202")),
    }


def make_user(session: Session, role: Role | str = Role.STORE_STAFF, *, email: str | None = None,
              password: str = PASSWORD, home_location: str | None = STORE, name: str | None = None) -> User:
    seed_world(session)
    session.commit()  # what the test laid out by hand so far: create_user writes in a transaction of its own
    role = Role(role)
    email = email or f"{role.value}.{next(_counter)}@cks.example"
    return accounts.create_user(session, email=email, name=name or f"Test {role.value}", role=role,
                                password=password, home_location=home_location)


#: actions (with details) that lead from a fresh garment in stock to each state
PATHS: dict[GarmentState, list[tuple[Action, dict[str, Any]]]] = {
    GarmentState.IN_STOCK: [],
    GarmentState.IN_RENTAL_POOL: [(Action.ADD_TO_RENTAL_POOL, {})],
    GarmentState.RENTED_OUT: [(Action.ADD_TO_RENTAL_POOL, {}),
                              (Action.CHECK_OUT_RENTAL, {"partner": "$partner", "due_on": "$due"})],
    GarmentState.AWAITING_INSPECTION: [(Action.ADD_TO_RENTAL_POOL, {}),
                                       (Action.CHECK_OUT_RENTAL, {"partner": "$partner", "due_on": "$due"}),
                                       (Action.RECEIVE_RENTAL_RETURN, {})],
    GarmentState.IN_CARE: [(Action.START_CARE, {"care_kind": "repair"})],
    GarmentState.SOLD: [(Action.SELL, {})],
    GarmentState.RETIRED: [(Action.RETIRE, {"route": "offcuts"})],
    GarmentState.WRITTEN_OFF: [(Action.WRITE_OFF, {"reason": "stolen"})],
}


def make_garment(session: Session, *, state: GarmentState = GarmentState.IN_STOCK, style: Style | None = None,
                 size: str | None = None, location: str = STORE, now: dt.datetime | None = None,
                 actor: User | None = None) -> Garment:
    """A garment driven to ``state`` through real actions, so its ledger is genuine."""
    world = seed_world(session)
    now = now or dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    actor = actor or session.scalar(select(User).where(User.role == Role.ADMIN)) or \
        make_user(session, Role.ADMIN, home_location=location)
    style = style or world["dress"]
    garment = catalogue.receive_garment(session, style=style, size=size or style.size_list[1],
                                        location_code=location, actor=actor, now=now)
    due = (now + dt.timedelta(days=10)).date().isoformat()
    for action, details in PATHS[state]:
        filled = {k: (world["partner"].id if v == "$partner" else due if v == "$due" else v)
                  for k, v in details.items()}
        garments.act(session, code=garment.code, action=action, details=filled, actor=actor, now=now)
    session.refresh(garment)
    return garment


def migrated_again(session: Session, database_url: str, revision: str, read: Any) -> Any:
    """Close ``session``, take the database down to ``revision`` and up to head again (the migrations
    after it fill in what they add from the ledger), and return ``read(session)`` on a fresh session."""
    from alembic import command
    from sqlalchemy import create_engine

    from cksloop.db import migrate

    session.close()
    session.get_bind().dispose()
    try:
        command.downgrade(migrate.alembic_config(database_url), revision)
    finally:
        migrate.upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with Session(engine) as fresh:
            return read(fresh)
    finally:
        engine.dispose()
