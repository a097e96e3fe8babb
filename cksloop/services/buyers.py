"""Bulk buyers and their versioned contracts: create, amend, read (the rules are buyer_contracts')."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import pycountry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Buyer, BuyerContract
from cksloop.db.session import begin_write
from cksloop.domain import buyer_contracts as rules
from cksloop.domain.buyer_contracts import ContractVersion, OnwardSale, ProofKind, Restrictions
from cksloop.domain.country_groups import CountryGroup, UnknownCountry, check_country_code
from cksloop.domain.destinations import EndUse
from cksloop.domain.errors import InvalidDetails, NotFound, VersionConflict
from cksloop.domain.messages import N_


@lru_cache(maxsize=1)
def known_country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code, from pycountry (a maintained data package, not a typed list)."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def create_buyer(session: Session, *, name: str, vat_number: str, country: str, contact_email: str,
                 now: dt.datetime) -> Buyer:
    """Store a new buyer; InvalidDetails naming each wrong field, nothing written."""
    begin_write(session)
    checked = rules.check_buyer(name=name, vat_number=vat_number, country=country,
                                contact_email=contact_email, known_codes=known_country_codes())
    buyer = Buyer(name=checked.name, vat_number=checked.vat_number, country=checked.country,
                  contact_email=checked.contact_email, created_at=now)
    session.add(buyer)
    session.commit()
    return buyer


def list_buyers(session: Session) -> list[Buyer]:
    return list(session.scalars(select(Buyer).order_by(Buyer.name, Buyer.id)))


def get_buyer(session: Session, buyer_id: int) -> Buyer:
    buyer = session.get(Buyer, buyer_id)
    if buyer is None:
        raise NotFound(N_("No buyer with number %(id)s."), id=buyer_id)
    return buyer


def contract_rows(session: Session, buyer_id: int) -> list[BuyerContract]:
    return list(session.scalars(select(BuyerContract).where(BuyerContract.buyer_id == buyer_id)
                                .order_by(BuyerContract.version)))


def versions_of(rows: list[BuyerContract]) -> list[ContractVersion]:
    """The stored rows as the domain's contract versions."""
    return [ContractVersion(contract_id=row.id, version=row.version, valid_from=row.valid_from,
                            valid_to=row.valid_to, restrictions=restrictions_of(row.restrictions))
            for row in rows]


def restrictions_of(data: dict[str, Any]) -> Restrictions:
    return Restrictions(
        allowed_countries=frozenset(data["allowed_countries"]),
        allowed_groups=frozenset(CountryGroup(g) for g in data["allowed_groups"]),
        forbidden_countries=frozenset(data["forbidden_countries"]),
        allowed_end_uses=frozenset(EndUse(u) for u in data["allowed_end_uses"]),
        exclude_home_market=data["exclude_home_market"], labels_removed=data["labels_removed"],
        onward_sale=OnwardSale(data["onward_sale"]), sub_buyers=tuple(data["sub_buyers"]),
        proof=frozenset(ProofKind(p) for p in data["proof"]), proof_days=data["proof_days"])


def restrictions_json(terms: Restrictions) -> dict[str, Any]:
    return {
        "allowed_countries": sorted(terms.allowed_countries),
        "allowed_groups": sorted(g.value for g in terms.allowed_groups),
        "forbidden_countries": sorted(terms.forbidden_countries),
        "allowed_end_uses": sorted(u.value for u in terms.allowed_end_uses),
        "exclude_home_market": terms.exclude_home_market, "labels_removed": terms.labels_removed,
        "onward_sale": terms.onward_sale.value, "sub_buyers": list(terms.sub_buyers),
        "proof": sorted(p.value for p in terms.proof), "proof_days": terms.proof_days,
    }


def _codes(value: Any, name: str, errors: dict[str, str]) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or len(value) > 300 or not all(isinstance(v, str) for v in value):
        errors[name] = N_("Give a list of ISO 3166-1 country codes.")
        return frozenset()
    try:
        return frozenset(check_country_code(v, known_codes=known_country_codes()) for v in value)
    except UnknownCountry:
        errors[name] = N_("Choose a country by its ISO 3166-1 code.")
        return frozenset()


def _choices(value: Any, name: str, kind: Any, errors: dict[str, str], default: frozenset[Any]) -> frozenset[Any]:
    if value is None:
        return default
    try:
        if not isinstance(value, list) or len(value) > 20:
            raise ValueError
        return frozenset(kind(v) for v in value)
    except (ValueError, TypeError):
        errors[name] = N_("Choose from the listed values.")
        return default


def parse_restrictions(data: dict[str, Any]) -> Restrictions:
    """A contract body's restrictions with DOMAIN.md §5's defaults for what it leaves out."""
    base = Restrictions()
    errors: dict[str, str] = {}
    allowed = _codes(data.get("allowed_countries"), "allowed_countries", errors)
    forbidden = _codes(data.get("forbidden_countries"), "forbidden_countries", errors)
    groups = _choices(data.get("allowed_groups"), "allowed_groups", CountryGroup, errors,
                      base.allowed_groups if "allowed_countries" not in data else frozenset())
    uses = _choices(data.get("allowed_end_uses"), "allowed_end_uses", EndUse, errors, base.allowed_end_uses)
    proof = _choices(data.get("proof"), "proof", ProofKind, errors, base.proof)
    flags: dict[str, bool] = {}
    for name in ("exclude_home_market", "labels_removed"):
        value = data.get(name, getattr(base, name))
        if not isinstance(value, bool):
            errors[name] = N_("Answer true or false.")
        flags[name] = bool(value)
    days = data.get("proof_days", base.proof_days)
    if not isinstance(days, int) or isinstance(days, bool):
        errors["proof_days"] = N_("The proof deadline must be between 1 and 365 days.")
        days = base.proof_days
    onward = base.onward_sale
    try:
        onward = OnwardSale(data.get("onward_sale", base.onward_sale.value))
    except ValueError:
        errors["onward_sale"] = N_("Choose from the listed values.")
    subs = data.get("sub_buyers", [])
    if not isinstance(subs, list) or len(subs) > 50 or not all(isinstance(s, str) and 0 < len(s) <= 200 for s in subs):
        errors["sub_buyers"] = N_("Name each sub-buyer (at most 200 characters).")
        subs = []
    if errors:
        raise InvalidDetails(errors)
    return Restrictions(allowed_countries=allowed, allowed_groups=groups, forbidden_countries=forbidden,
                        allowed_end_uses=uses, exclude_home_market=flags["exclude_home_market"],
                        labels_removed=flags["labels_removed"], onward_sale=onward, sub_buyers=tuple(subs),
                        proof=proof, proof_days=days)


def add_contract(session: Session, *, buyer_id: int, valid_from: dt.date, valid_to: dt.date | None,
                 restrictions: Restrictions, actor_id: int | None, now: dt.datetime) -> BuyerContract:
    """Store the buyer's next contract version; InvalidContract naming each rule broken, nothing written.

    Two amendments at once: the unique (buyer, version) lets one win; the other gets a conflict."""
    begin_write(session)
    get_buyer(session, buyer_id)
    terms = rules.validate_contract(valid_from=valid_from, valid_to=valid_to, restrictions=restrictions)
    version = rules.next_version(versions_of(contract_rows(session, buyer_id)))
    row = BuyerContract(buyer_id=buyer_id, version=version, valid_from=valid_from, valid_to=valid_to,
                        restrictions=restrictions_json(terms), created_at=now, created_by=actor_id)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise VersionConflict(expected=version, current=version, state="", allowed=[]) from None
    return row
