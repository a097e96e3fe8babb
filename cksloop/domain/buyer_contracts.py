"""Buyer contracts: versioned restrictions on a lot's destination and use, and the check of its declaration.

Sources: DOMAIN.md §5 and issue 14.

What a careful retailer writes into a bulk buyer's contract (Directive (EU) 2025/1892, Waste Shipment
Regulation (EU) 2024/1157): an allow-list of countries and groups, non-OECD destinations blocked,
named exclusions, the home market optionally excluded, allowed end uses, labels removed, onward sale
only under the same clauses, and the proof owed per lot with its deadline.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .country_groups import DEFAULT_GROUPS, CountryGroup, GroupTable, UnknownCountry, check_country_code
from .destinations import CONTRACTABLE_USES, NEVER_ALLOWED_USES, EndUse
from .errors import DomainError, InvalidDetails
from .messages import N_
from .vat import InvalidVatNumber, normalise_vat_number

#: Belgium: the market a contract may protect by excluding it (brand protection, DOMAIN.md §5.2).
HOME_MARKET = "BE"
#: Proof deadline bounds in days after shipping.
PROOF_DAYS_MIN, PROOF_DAYS_MAX = 1, 365
MAX_NAME = 200


class ProofKind(StrEnum):
    DESTINATION_DECLARATION = "destination_declaration"
    TRANSPORT_DOCUMENT = "transport_document"
    REUSE_INVOICE = "reuse_invoice"
    SORTING_RECORD = "sorting_record"
    NO_WASTE_DECLARATION = "no_waste_declaration"

    @property
    def label(self) -> str:
        return _PROOF_LABELS[self]


_PROOF_LABELS: dict[ProofKind, str] = {
    ProofKind.DESTINATION_DECLARATION: N_("destination declaration"),
    ProofKind.TRANSPORT_DOCUMENT: N_("transport or export document"),
    ProofKind.REUSE_INVOICE: N_("invoice and contract stating “fit for direct re-use”"),
    ProofKind.SORTING_RECORD: N_("sorting record naming the final sorter"),
    ProofKind.NO_WASTE_DECLARATION: N_("declaration that the consignment holds no waste"),
}

#: Owed for every lot leaving the EU, whatever the contract lists (DOMAIN.md §5.4: used textiles
#: fit for direct re-use are not waste, and these documents are what shows it).
EXPORT_PROOF = frozenset({ProofKind.REUSE_INVOICE, ProofKind.SORTING_RECORD, ProofKind.NO_WASTE_DECLARATION})


class OnwardSale(StrEnum):
    NOT_ALLOWED = "not_allowed"
    SAME_CLAUSES = "same_clauses"  # only to the named sub-buyers, under the same clauses (flow-down)

    @property
    def label(self) -> str:
        return {OnwardSale.NOT_ALLOWED: N_("no onward sale"),
                OnwardSale.SAME_CLAUSES: N_("onward sale only under the same clauses, to named sub-buyers")}[self]


class ContractRule(StrEnum):
    """The rule a refused contract or declaration breaks; its label is the message shown."""

    NO_VALID_CONTRACT = "no_valid_contract"
    USE_NEVER_ALLOWED = "use_never_allowed"
    USE_NOT_ALLOWED = "use_not_allowed"
    COUNTRY_FORBIDDEN = "country_forbidden"
    HOME_MARKET_EXCLUDED = "home_market_excluded"
    OUTSIDE_OECD = "outside_oecd"
    COUNTRY_NOT_ALLOWED = "country_not_allowed"
    VALIDITY_REVERSED = "validity_ends_before_start"
    NO_DESTINATION = "no_destination"
    NO_END_USE = "no_end_use"
    COUNTRY_BOTH_ALLOWED_AND_FORBIDDEN = "country_both_allowed_and_forbidden"
    PROOF_DAYS_OUT_OF_RANGE = "proof_days_out_of_range"

    @property
    def label(self) -> str:
        """The rule in a sentence without placeholders (a form field's message, a list of rules)."""
        return _RULE_LABELS[self]


_RULE_LABELS: dict[ContractRule, str] = {
    ContractRule.NO_VALID_CONTRACT: N_("The buyer has no contract valid on the shipping date."),
    ContractRule.USE_NEVER_ALLOWED: N_("Landfill, incineration, energy recovery and destruction are never allowed."),
    ContractRule.USE_NOT_ALLOWED: N_("The contract does not allow this end use."),
    ContractRule.COUNTRY_FORBIDDEN: N_("The contract forbids this country."),
    ContractRule.HOME_MARKET_EXCLUDED: N_("The contract excludes the home market."),
    ContractRule.OUTSIDE_OECD: N_("Countries outside the OECD, the EU and the EEA are never allowed."),
    ContractRule.COUNTRY_NOT_ALLOWED: N_("The contract does not allow this country."),
    ContractRule.VALIDITY_REVERSED: N_("The validity ends before it starts."),
    ContractRule.NO_DESTINATION: N_("Name at least one allowed country or group."),
    ContractRule.NO_END_USE: N_("Name at least one allowed end use."),
    ContractRule.COUNTRY_BOTH_ALLOWED_AND_FORBIDDEN: N_("A country cannot be both allowed and forbidden."),
    ContractRule.PROOF_DAYS_OUT_OF_RANGE: N_("The proof deadline must be between 1 and 365 days."),
}

#: A refused declaration's message, naming what was declared and the contract version.
_VIOLATION_MESSAGES: dict[ContractRule, str] = {
    ContractRule.NO_VALID_CONTRACT: N_("The buyer has no contract valid on %(day)s."),
    ContractRule.USE_NEVER_ALLOWED: N_("“%(use)s” is never allowed, whatever a contract says."),
    ContractRule.USE_NOT_ALLOWED: N_("Contract version %(version)s does not allow the end use “%(use)s”."),
    ContractRule.COUNTRY_FORBIDDEN: N_("Contract version %(version)s forbids shipping to %(country)s."),
    ContractRule.HOME_MARKET_EXCLUDED: N_("Contract version %(version)s excludes the home market (%(country)s)."),
    ContractRule.OUTSIDE_OECD: N_("Goods may not go to %(country)s: it is outside the OECD, the EU and the EEA."),
    ContractRule.COUNTRY_NOT_ALLOWED: N_("Contract version %(version)s does not allow %(country)s."),
}


@dataclass(frozen=True)
class Restrictions:
    """What a contract version allows; the defaults are those of DOMAIN.md §5."""

    allowed_countries: frozenset[str] = frozenset()
    allowed_groups: frozenset[CountryGroup] = frozenset({CountryGroup.EU, CountryGroup.EEA})
    forbidden_countries: frozenset[str] = frozenset()
    allowed_end_uses: frozenset[EndUse] = frozenset({EndUse.REUSE, EndUse.LICENSED_SORTING,
                                                     EndUse.LICENSED_RECYCLING})
    exclude_home_market: bool = False
    labels_removed: bool = True
    onward_sale: OnwardSale = OnwardSale.SAME_CLAUSES
    sub_buyers: tuple[str, ...] = ()
    proof: frozenset[ProofKind] = frozenset({ProofKind.DESTINATION_DECLARATION, ProofKind.TRANSPORT_DOCUMENT})
    proof_days: int = 60


@dataclass(frozen=True)
class ContractVersion:
    """One version of a buyer's contract: its row id, its number (1, 2 … per buyer) and validity.

    ``valid_to`` is the last day it applies (None: open-ended)."""

    contract_id: int
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    restrictions: Restrictions = field(default_factory=Restrictions)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class InvalidContract(InvalidDetails):
    """A new contract version breaks a rule; ``details["rules"]`` maps each field to the rule broken."""

    code = "invalid_contract"

    def __init__(self, field_errors: dict[str, str], rules: dict[str, ContractRule], *,
                 countries: list[str]):
        super().__init__(field_errors)
        self.rules = rules
        self.details["rules"] = {name: rule.value for name, rule in rules.items()}
        self.details["countries"] = countries


class ContractViolation(DomainError):
    """A lot's declaration breaks its buyer's contract (or a rule no contract can lift)."""

    code = "contract_violation"

    def __init__(self, rule: ContractRule, *, contract: ContractVersion | None, **params: object):
        self.rule = rule
        self.contract = contract
        if contract is not None:
            params["version"] = contract.version
        super().__init__(_VIOLATION_MESSAGES[rule], details={
            "rule": rule.value,
            "contract_id": contract.contract_id if contract else None,
            "contract_version": contract.version if contract else None,
        }, **params)


def validate_contract(*, valid_from: dt.date, valid_to: dt.date | None, restrictions: Restrictions,
                      groups: GroupTable = DEFAULT_GROUPS) -> Restrictions:
    """The restrictions when a new version may be stored; raises ``InvalidContract`` naming every rule broken.

    Country codes must already be valid ISO codes (country_groups.check_country_code at the edge).
    A listed country must be in the OECD, the EU or the EEA on the day the version starts.
    """
    errors: dict[str, str] = {}
    rules: dict[str, ContractRule] = {}
    countries: list[str] = []  # the listed countries refused, for the details

    def refuse(name: str, rule: ContractRule, country: str | None = None) -> None:
        errors.setdefault(name, rule.label)
        rules.setdefault(name, rule)
        if country:
            countries.append(country)

    if valid_to is not None and valid_to < valid_from:
        refuse("valid_to", ContractRule.VALIDITY_REVERSED)
    if not restrictions.allowed_countries and not restrictions.allowed_groups:
        refuse("allowed_countries", ContractRule.NO_DESTINATION)
    for country in sorted(restrictions.allowed_countries):
        if not groups.in_oecd_area(country, on=valid_from):
            refuse("allowed_countries", ContractRule.OUTSIDE_OECD, country)
        elif country in restrictions.forbidden_countries:
            refuse("forbidden_countries", ContractRule.COUNTRY_BOTH_ALLOWED_AND_FORBIDDEN, country)
    if not restrictions.allowed_end_uses:
        refuse("allowed_end_uses", ContractRule.NO_END_USE)
    if restrictions.allowed_end_uses & NEVER_ALLOWED_USES:
        refuse("allowed_end_uses", ContractRule.USE_NEVER_ALLOWED)
    if not PROOF_DAYS_MIN <= restrictions.proof_days <= PROOF_DAYS_MAX:
        refuse("proof_days", ContractRule.PROOF_DAYS_OUT_OF_RANGE)
    if errors:
        raise InvalidContract(errors, rules, countries=countries)
    return restrictions


def version_on(versions: Iterable[ContractVersion], day: dt.date) -> ContractVersion | None:
    """The version that governs ``day``: among those valid then, the latest amendment."""
    valid = [v for v in versions if v.is_valid_on(day)]
    return max(valid, key=lambda v: v.version) if valid else None


def next_version(versions: Iterable[ContractVersion]) -> int:
    """The number an amendment gets: one more than the buyer's latest version (1 for the first)."""
    return max((v.version for v in versions), default=0) + 1


@dataclass(frozen=True)
class Verdict:
    """A declaration that passed: the version it was checked against (kept with the lot) and what it owes."""

    contract_id: int
    contract_version: int
    is_export: bool
    proof_owed: frozenset[ProofKind]
    proof_days: int
    labels_removed: bool


def check_declaration(*, versions: Sequence[ContractVersion], destination_country: str, end_use: EndUse,
                      planned_ship_on: dt.date, groups: GroupTable = DEFAULT_GROUPS) -> Verdict:
    """Check a lot's declaration against the buyer's contract valid on the planned shipping date.

    ``versions`` are all the buyer's contract versions. Returns the ``Verdict``; raises
    ``ContractViolation`` naming the rule and the contract version (none for a use never allowed
    or when no version is valid). Rules are checked in a fixed order, so the first broken one is named.
    """
    country = destination_country.upper()
    if end_use in NEVER_ALLOWED_USES:
        raise ContractViolation(ContractRule.USE_NEVER_ALLOWED, contract=None, use=end_use.value)
    contract = version_on(versions, planned_ship_on)
    if contract is None:
        raise ContractViolation(ContractRule.NO_VALID_CONTRACT, contract=None, day=planned_ship_on.isoformat())
    terms = contract.restrictions
    if end_use not in terms.allowed_end_uses or end_use not in CONTRACTABLE_USES:
        raise ContractViolation(ContractRule.USE_NOT_ALLOWED, contract=contract, use=end_use.value)
    if country in terms.forbidden_countries:
        raise ContractViolation(ContractRule.COUNTRY_FORBIDDEN, contract=contract, country=country)
    if terms.exclude_home_market and country == HOME_MARKET:
        raise ContractViolation(ContractRule.HOME_MARKET_EXCLUDED, contract=contract, country=country)
    if not groups.in_oecd_area(country, on=planned_ship_on):
        raise ContractViolation(ContractRule.OUTSIDE_OECD, contract=contract, country=country)
    in_group = groups.groups_of(country, on=planned_ship_on) & terms.allowed_groups
    if country not in terms.allowed_countries and not in_group:
        raise ContractViolation(ContractRule.COUNTRY_NOT_ALLOWED, contract=contract, country=country)
    is_export = not groups.is_in(country, CountryGroup.EU, on=planned_ship_on)
    return Verdict(contract_id=contract.contract_id, contract_version=contract.version, is_export=is_export,
                   proof_owed=terms.proof | (EXPORT_PROOF if is_export else frozenset()),
                   proof_days=terms.proof_days, labels_removed=terms.labels_removed)


# --- the buyer ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Buyer:
    """A bulk buyer's identity as stored: country upper-cased, VAT number as VIES writes it."""

    name: str
    vat_number: str
    country: str
    contact_email: str


def check_buyer(*, name: str, vat_number: str, country: str, contact_email: str,
                known_codes: frozenset[str]) -> Buyer:
    """The buyer, normalised; raises ``InvalidDetails`` naming each wrong field (422 at the edge).

    ``known_codes`` are the valid ISO 3166-1 alpha-2 codes (pycountry, passed by the service).
    """
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        errors["name"] = N_("Give the company name (at most 200 characters).")
    code = ""
    try:
        code = check_country_code(country, known_codes=known_codes)
    except UnknownCountry:
        errors["country"] = N_("Choose a country by its ISO 3166-1 code.")
    vat = ""
    if code:
        try:
            vat = normalise_vat_number(country=code, number=vat_number)
        except InvalidVatNumber:
            errors["vat_number"] = N_("This VAT number does not pass the check of the buyer's country.")
    email = (contact_email or "").strip()
    if not _EMAIL.match(email) or len(email) > MAX_NAME:
        errors["contact_email"] = N_("Give a contact e-mail address.")
    if errors:
        raise InvalidDetails(errors)
    return Buyer(name=name, vat_number=vat, country=code, contact_email=email)
