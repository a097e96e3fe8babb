"""Rental partners (Dressr …): list, create, change, and the locations a partner can be tied to."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Location, RentalPartner
from cksloop.db.session import begin_write
from cksloop.domain import lifecycle
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.messages import N_

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")


def list_partners(session: Session) -> list[RentalPartner]:
    return list(session.scalars(select(RentalPartner).order_by(RentalPartner.name)))


def get_partner(session: Session, partner_id: int) -> RentalPartner:
    """The partner with ``partner_id``; NotFound otherwise."""
    partner = session.get(RentalPartner, partner_id)
    if partner is None:
        raise NotFound(N_("No rental partner with number %(id)s."), id=partner_id)
    return partner


def _clean_text(value: Any, name: str, errors: dict[str, str], *, required: bool = False,
                max_len: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors[name] = N_("This field is required.")
    elif len(text) > max_len:
        errors[name] = N_("Too long.")
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        errors[name] = N_("Contains control characters.")
    return text


def _partner_fields(session: Session, *, partner_id: int | None, name: Any, contact_email: Any,
                    default_rental_days: Any, terms: Any, location_code: Any) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean_name = _clean_text(name, "name", errors, required=True, max_len=120)
    email = _clean_text(contact_email, "contact_email", errors, max_len=254)
    if email and "contact_email" not in errors and not _EMAIL.match(email):
        errors["contact_email"] = N_("Not an email address.")
    clean_terms = _clean_text(terms, "terms", errors, max_len=5000)
    days = default_rental_days
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        errors["default_rental_days"] = N_("A whole number of days from 1 to 365.")
    location_id = None
    code = _clean_text(location_code, "location", errors, max_len=40)
    if code:
        location_id = session.scalar(select(Location.id).where(Location.code == code))
        if location_id is None:
            errors["location"] = N_("No such location.")
    if clean_name and "name" not in errors:
        clash = session.scalar(select(RentalPartner.id).where(
            func.lower(RentalPartner.name) == clean_name.lower()))
        if clash is not None and clash != partner_id:
            errors["name"] = N_("A rental partner with this name already exists.")
    if errors:
        raise InvalidDetails(errors)
    return {"name": clean_name, "contact_email": email, "default_rental_days": days,
            "terms": clean_terms, "location_id": location_id}


def create_partner(session: Session, *, name: str, contact_email: str = "", default_rental_days: Any = 10,
                   terms: str = "", location_code: str | None = None) -> RentalPartner:
    """Add a rental partner and commit. Raises InvalidDetails (field → reason)."""
    begin_write(session)
    try:
        fields = _partner_fields(session, partner_id=None, name=name, contact_email=contact_email,
                                 default_rental_days=default_rental_days, terms=terms,
                                 location_code=location_code)
        partner = RentalPartner(**fields)
        session.add(partner)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidDetails({"name": N_("A rental partner with this name already exists.")}) from None
    except BaseException:
        session.rollback()
        raise
    return partner


def update_partner(session: Session, *, partner_id: int, name: str, contact_email: str = "",
                   default_rental_days: Any = 10, terms: str = "",
                   location_code: str | None = None) -> RentalPartner:
    """Change a rental partner's details and commit. Raises NotFound, InvalidDetails."""
    begin_write(session)
    try:
        partner = get_partner(session, partner_id)
        fields = _partner_fields(session, partner_id=partner_id, name=name, contact_email=contact_email,
                                 default_rental_days=default_rental_days, terms=terms,
                                 location_code=location_code)
        for key, value in fields.items():
            setattr(partner, key, value)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidDetails({"name": N_("A rental partner with this name already exists.")}) from None
    except BaseException:
        session.rollback()
        raise
    return partner


def partner_locations(session: Session) -> list[Location]:
    """Locations a partner can be tied to (its own sites)."""
    return list(session.scalars(select(Location).where(Location.kind == lifecycle.LocationKind.PARTNER)
                                .order_by(Location.name)))
