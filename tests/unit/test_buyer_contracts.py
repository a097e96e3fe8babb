"""Buyer contracts: validation of a new version, and declarations checked over contracts × countries × uses × dates."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain.buyer_contracts import (EXPORT_PROOF, Buyer, ContractRule, ContractVersion, ContractViolation,
                                            InvalidContract, ProofKind, Restrictions, check_declaration,
                                            check_buyer, next_version, validate_contract, version_on)
from cksloop.domain.country_groups import DEFAULT_GROUPS, CountryGroup, GroupTable, Membership
from cksloop.domain.destinations import CONTRACTABLE_USES, NEVER_ALLOWED_USES, EndUse
from cksloop.domain.errors import InvalidDetails

D = dt.date.fromisoformat
G = CountryGroup
U = EndUse

DEFAULTS = [ContractVersion(10, 1, D("2010-01-01"), None)]
NARROW = [ContractVersion(20, 1, D("2026-01-01"), D("2026-12-31"),
                          Restrictions(allowed_countries=frozenset({"NL", "FR"}), allowed_groups=frozenset(),
                                       allowed_end_uses=frozenset({U.REUSE})))]
WIDE = [ContractVersion(40, 1, D("2026-01-01"), None,
                        Restrictions(allowed_groups=frozenset({G.EU, G.OECD}), forbidden_countries=frozenset({"TR"}),
                                     exclude_home_market=True, allowed_end_uses=CONTRACTABLE_USES))]
# version 2 amends version 1 from 1 September 2026: GB no longer listed, reuse only
AMENDED = [
    ContractVersion(30, 1, D("2026-01-01"), D("2027-12-31"),
                    Restrictions(allowed_countries=frozenset({"GB"}),
                                 allowed_end_uses=frozenset({U.REUSE, U.LICENSED_RECYCLING}))),
    ContractVersion(31, 2, D("2026-09-01"), None, Restrictions(allowed_end_uses=frozenset({U.REUSE}))),
]
CONTRACTS = {"defaults": DEFAULTS, "narrow": NARROW, "wide": WIDE, "amended": AMENDED}

# contract, country, use, planned ship date → (contract id, version) or the rule broken
TABLE = [
    ("defaults", "NL", U.REUSE, "2026-05-01", (10, 1)),
    ("defaults", "BE", U.LICENSED_SORTING, "2026-05-01", (10, 1)),
    ("defaults", "NO", U.LICENSED_RECYCLING, "2026-05-01", (10, 1)),          # EEA
    ("defaults", "US", U.REUSE, "2026-05-01", ContractRule.COUNTRY_NOT_ALLOWED),  # OECD, not listed
    ("defaults", "GH", U.REUSE, "2026-05-01", ContractRule.OUTSIDE_OECD),
    ("defaults", "NL", U.REMANUFACTURING, "2026-05-01", ContractRule.USE_NOT_ALLOWED),
    ("defaults", "NL", U.LANDFILL, "2026-05-01", ContractRule.USE_NEVER_ALLOWED),
    ("defaults", "NL", U.INCINERATION, "2026-05-01", ContractRule.USE_NEVER_ALLOWED),
    ("defaults", "NL", U.ENERGY_RECOVERY, "2026-05-01", ContractRule.USE_NEVER_ALLOWED),
    ("defaults", "NL", U.DESTRUCTION, "2026-05-01", ContractRule.USE_NEVER_ALLOWED),
    ("defaults", "NL", U.REUSE, "2009-12-31", ContractRule.NO_VALID_CONTRACT),
    # a country leaving a group: GB in the EU up to and including 31 January 2020
    ("defaults", "GB", U.REUSE, "2020-01-31", (10, 1)),
    ("defaults", "GB", U.REUSE, "2020-02-01", ContractRule.COUNTRY_NOT_ALLOWED),
    # a country joining: Croatia (never OECD) is allowed from its EU accession
    ("defaults", "HR", U.REUSE, "2013-06-30", ContractRule.OUTSIDE_OECD),
    ("defaults", "HR", U.REUSE, "2013-07-01", (10, 1)),
    ("narrow", "NL", U.REUSE, "2026-03-01", (20, 1)),
    ("narrow", "FR", U.REUSE, "2026-12-31", (20, 1)),
    ("narrow", "FR", U.REUSE, "2027-01-01", ContractRule.NO_VALID_CONTRACT),
    ("narrow", "DE", U.REUSE, "2026-03-01", ContractRule.COUNTRY_NOT_ALLOWED),
    ("narrow", "NL", U.LICENSED_SORTING, "2026-03-01", ContractRule.USE_NOT_ALLOWED),
    ("wide", "US", U.REMANUFACTURING, "2026-03-01", (40, 1)),
    ("wide", "JP", U.REUSE, "2026-03-01", (40, 1)),
    ("wide", "TR", U.REUSE, "2026-03-01", ContractRule.COUNTRY_FORBIDDEN),
    ("wide", "BE", U.REUSE, "2026-03-01", ContractRule.HOME_MARKET_EXCLUDED),
    ("wide", "IS", U.REUSE, "2026-03-01", (40, 1)),                          # OECD, though not EU
    ("wide", "CN", U.REUSE, "2026-03-01", ContractRule.OUTSIDE_OECD),
    ("wide", "NL", U.LANDFILL, "2026-03-01", ContractRule.USE_NEVER_ALLOWED),
    # an amended contract: the version valid on the shipping date decides
    ("amended", "GB", U.REUSE, "2026-08-31", (30, 1)),
    ("amended", "GB", U.REUSE, "2026-09-01", ContractRule.COUNTRY_NOT_ALLOWED),
    ("amended", "DE", U.LICENSED_RECYCLING, "2026-08-31", (30, 1)),
    ("amended", "DE", U.LICENSED_RECYCLING, "2026-09-01", ContractRule.USE_NOT_ALLOWED),
    ("amended", "DE", U.REUSE, "2028-06-01", (31, 2)),
]


@pytest.mark.parametrize(("contract", "country", "use", "day", "expected"), TABLE,
                         ids=[f"{c}-{k}-{u.value}-{d}" for c, k, u, d, _ in TABLE])
def test_a_declaration_is_allowed_or_refused_by_the_version_valid_on_the_shipping_date(
        contract, country, use, day, expected):
    versions = CONTRACTS[contract]
    if isinstance(expected, ContractRule):
        with pytest.raises(ContractViolation) as refused:
            check_declaration(versions=versions, destination_country=country, end_use=use, planned_ship_on=D(day))
        assert refused.value.rule is expected
        assert refused.value.details["rule"] == expected.value
        governing = version_on(versions, D(day))
        if expected in (ContractRule.USE_NEVER_ALLOWED, ContractRule.NO_VALID_CONTRACT):
            assert refused.value.details["contract_id"] is None
        else:
            assert governing is not None
            assert (refused.value.details["contract_id"], refused.value.details["contract_version"]) == (
                governing.contract_id, governing.version)
    else:
        verdict = check_declaration(versions=versions, destination_country=country, end_use=use,
                                    planned_ship_on=D(day))
        assert (verdict.contract_id, verdict.contract_version) == expected


def test_a_refusal_names_the_contract_version_and_the_country_in_its_message():
    with pytest.raises(ContractViolation) as refused:
        check_declaration(versions=AMENDED, destination_country="gb", end_use=U.REUSE, planned_ship_on=D("2026-10-01"))
    assert str(refused.value) == "Contract version 2 does not allow GB."
    assert refused.value.code == "contract_violation"


def test_a_lot_leaving_the_eu_owes_the_export_proof_on_top_of_the_contracts():
    export = check_declaration(versions=WIDE, destination_country="US", end_use=U.REUSE,
                               planned_ship_on=D("2026-03-01"))
    inside = check_declaration(versions=WIDE, destination_country="NL", end_use=U.REUSE,
                               planned_ship_on=D("2026-03-01"))
    assert export.is_export and not inside.is_export
    assert export.proof_owed == Restrictions().proof | EXPORT_PROOF
    assert inside.proof_owed == {ProofKind.DESTINATION_DECLARATION, ProofKind.TRANSPORT_DOCUMENT}


def test_shipping_to_britain_became_an_export_when_it_left_the_eu():
    versions = [ContractVersion(1, 1, D("2019-01-01"), None, Restrictions(allowed_groups=frozenset({G.OECD})))]
    before = check_declaration(versions=versions, destination_country="GB", end_use=U.REUSE,
                               planned_ship_on=D("2020-01-31"))
    after = check_declaration(versions=versions, destination_country="GB", end_use=U.REUSE,
                              planned_ship_on=D("2020-02-01"))
    assert (before.is_export, after.is_export) == (False, True)


def test_a_newer_membership_table_passed_in_changes_the_answer_without_code():
    # should a member leave the OECD, the table says so with an end date; nothing else changes
    table = GroupTable(tuple(m if m.country != "US" or m.group is not G.OECD
                             else Membership(G.OECD, "US", m.since, D("2026-12-31"))
                             for m in DEFAULT_GROUPS.memberships))
    with pytest.raises(ContractViolation) as refused:
        check_declaration(versions=WIDE, destination_country="US", end_use=U.REUSE,
                          planned_ship_on=D("2027-01-01"), groups=table)
    assert refused.value.rule is ContractRule.OUTSIDE_OECD


# --- validation of a new version ---------------------------------------------------------------

VALIDATION = [
    ({"valid_to": D("2025-12-31")}, {"valid_to": ContractRule.VALIDITY_REVERSED}),
    ({"restrictions": Restrictions(allowed_countries=frozenset({"GH"}))},
     {"allowed_countries": ContractRule.OUTSIDE_OECD}),
    ({"restrictions": Restrictions(allowed_end_uses=frozenset({U.REUSE, U.INCINERATION}))},
     {"allowed_end_uses": ContractRule.USE_NEVER_ALLOWED}),
    ({"restrictions": Restrictions(allowed_end_uses=frozenset())}, {"allowed_end_uses": ContractRule.NO_END_USE}),
    ({"restrictions": Restrictions(allowed_groups=frozenset())}, {"allowed_countries": ContractRule.NO_DESTINATION}),
    ({"restrictions": Restrictions(allowed_countries=frozenset({"US"}), forbidden_countries=frozenset({"US"}))},
     {"forbidden_countries": ContractRule.COUNTRY_BOTH_ALLOWED_AND_FORBIDDEN}),
    ({"restrictions": Restrictions(proof_days=0)}, {"proof_days": ContractRule.PROOF_DAYS_OUT_OF_RANGE}),
    ({"restrictions": Restrictions(proof_days=366)}, {"proof_days": ContractRule.PROOF_DAYS_OUT_OF_RANGE}),
    ({"valid_to": D("2025-01-01"), "restrictions": Restrictions(allowed_countries=frozenset({"NG"}),
                                                                allowed_end_uses=frozenset({U.LANDFILL}))},
     {"valid_to": ContractRule.VALIDITY_REVERSED, "allowed_countries": ContractRule.OUTSIDE_OECD,
      "allowed_end_uses": ContractRule.USE_NEVER_ALLOWED}),
]


@pytest.mark.parametrize(("change", "rules"), VALIDATION, ids=[str(sorted(r.values())) for _, r in VALIDATION])
def test_a_new_contract_breaking_a_rule_is_refused_naming_each_field_and_rule(change, rules):
    args = {"valid_from": D("2026-01-01"), "valid_to": D("2026-12-31"), "restrictions": Restrictions(), **change}
    with pytest.raises(InvalidContract) as refused:
        validate_contract(**args)
    assert refused.value.rules == rules
    assert set(refused.value.field_errors) == set(rules)
    assert refused.value.details["rules"] == {k: v.value for k, v in rules.items()}


def test_a_contract_with_the_defaults_is_valid_and_allows_only_eu_eea_reuse_and_licensed_routes():
    restrictions = validate_contract(valid_from=D("2026-01-01"), valid_to=None, restrictions=Restrictions())
    assert restrictions.allowed_groups == {G.EU, G.EEA}
    assert restrictions.allowed_end_uses == {U.REUSE, U.LICENSED_SORTING, U.LICENSED_RECYCLING}
    assert restrictions.proof_days == 60 and restrictions.labels_removed


def test_a_listed_country_is_judged_by_its_memberships_on_the_day_the_version_starts():
    croatia_in_2019 = validate_contract(valid_from=D("2019-06-01"), valid_to=None,
                                   restrictions=Restrictions(allowed_countries=frozenset({"HR"})))
    assert croatia_in_2019.allowed_countries == {"HR"}
    with pytest.raises(InvalidContract):
        validate_contract(valid_from=D("2013-06-30"), valid_to=None,
                          restrictions=Restrictions(allowed_countries=frozenset({"HR"})))


@given(use=st.sampled_from(sorted(NEVER_ALLOWED_USES)), country=st.sampled_from(["NL", "BE", "US", "GH"]),
       day=st.dates(min_value=D("2000-01-01"), max_value=D("2040-12-31")))
def test_a_use_never_allowed_is_refused_whatever_the_contract_says(use, country, day):
    # even a contract stored with every use listed (as an old row might hold) cannot allow it
    lax = [ContractVersion(1, 1, D("2000-01-01"), None, Restrictions(allowed_end_uses=frozenset(EndUse)))]
    with pytest.raises(ContractViolation) as refused:
        check_declaration(versions=lax, destination_country=country, end_use=use, planned_ship_on=day)
    assert refused.value.rule is ContractRule.USE_NEVER_ALLOWED


@given(country=st.sampled_from(sorted({m.country for m in DEFAULT_GROUPS.memberships} | {"GH", "CN", "IN"})),
       day=st.dates(min_value=D("1990-01-01"), max_value=D("2040-12-31")))
def test_an_allowed_declaration_never_goes_outside_the_oecd_eu_and_eea_that_day(country, day):
    versions = [ContractVersion(1, 1, D("1990-01-01"), None,
                                Restrictions(allowed_groups=frozenset(CountryGroup)))]
    try:
        check_declaration(versions=versions, destination_country=country, end_use=U.REUSE, planned_ship_on=day)
    except ContractViolation as refused:
        assert refused.rule is ContractRule.OUTSIDE_OECD
        assert not DEFAULT_GROUPS.groups_of(country, on=day)
    else:
        assert DEFAULT_GROUPS.groups_of(country, on=day)


# --- the buyer ---------------------------------------------------------------------------------

ISO = frozenset({"BE", "NL", "DE", "GB", "US"})


def test_a_buyer_is_normalised_with_its_vat_number_as_vies_writes_it():
    buyer = check_buyer(name=" Textiel Recup NV ", vat_number="0403.019.261", country="be",
                        contact_email="inkoop@recup.example", known_codes=ISO)
    assert buyer == Buyer("Textiel Recup NV", "BE0403019261", "BE", "inkoop@recup.example")


@pytest.mark.parametrize(("change", "fields"), [
    ({"vat_number": "BE0403019262"}, {"vat_number"}),
    ({"country": "XX"}, {"country"}),
    ({"country": "NL"}, {"vat_number"}),          # a Belgian number for a Dutch buyer
    ({"name": " "}, {"name"}),
    ({"contact_email": "inkoop"}, {"contact_email"}),
    ({"name": "", "contact_email": ""}, {"name", "contact_email"}),
])
def test_a_buyer_with_a_wrong_field_is_refused_naming_it(change, fields):
    args = {"name": "Textiel Recup NV", "vat_number": "BE0403019261", "country": "BE",
            "contact_email": "inkoop@recup.example", **change}
    with pytest.raises(InvalidDetails) as refused:
        check_buyer(**args, known_codes=ISO)
    assert set(refused.value.field_errors) == fields


def test_an_amendment_gets_the_next_version_number():
    assert next_version([]) == 1
    assert next_version(AMENDED) == 3
