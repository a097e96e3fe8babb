"""Country groups as dated data, and country codes checked against a list passed in from the edge."""
from __future__ import annotations

import datetime as dt

import pytest

from cksloop.domain.country_groups import (DEFAULT_GROUPS, CountryGroup, GroupTable, UnknownCountry,
                                           check_country_code)
from cksloop.domain.destinations import EU_EEA, OTHER_OECD

D = dt.date.fromisoformat
G = CountryGroup
TODAY = D("2026-12-04")


@pytest.mark.parametrize(("country", "day", "groups"), [
    ("GB", "1972-12-31", {G.OECD}),
    ("GB", "1973-01-01", {G.EU, G.OECD}),
    ("GB", "2020-01-31", {G.EU, G.EEA, G.OECD}),
    ("GB", "2020-02-01", {G.OECD}),
    ("HR", "2013-06-30", set()),
    ("HR", "2013-07-01", {G.EU, G.EEA}),
    ("NO", "1993-12-31", {G.OECD}),
    ("NO", "1994-01-01", {G.EEA, G.OECD}),
    ("LI", "1995-05-01", {G.EEA}),
    ("CR", "2021-05-24", set()),
    ("CR", "2021-05-25", {G.OECD}),
    ("BE", "2026-12-04", {G.EU, G.EEA, G.OECD}),
    ("GH", "2026-12-04", set()),
])
def test_a_country_belongs_to_the_groups_whose_membership_holds_that_day(country, day, groups):
    assert DEFAULT_GROUPS.groups_of(country, on=D(day)) == groups


def test_todays_groups_have_the_known_sizes():
    assert len(DEFAULT_GROUPS.members(G.EU, on=TODAY)) == 27
    assert len(DEFAULT_GROUPS.members(G.EEA, on=TODAY)) == 30
    assert len(DEFAULT_GROUPS.members(G.OECD, on=TODAY)) == 38


def test_the_dated_table_agrees_with_the_sets_the_single_garment_form_uses_today():
    eu_eea = DEFAULT_GROUPS.members(G.EU, on=TODAY) | DEFAULT_GROUPS.members(G.EEA, on=TODAY)
    assert eu_eea == EU_EEA
    assert DEFAULT_GROUPS.members(G.OECD, on=TODAY) - eu_eea == OTHER_OECD


def test_a_table_is_built_from_stored_rows():
    table = GroupTable.from_rows([("EU", "XK", D("2030-01-01"), None),
                                  ("OECD", "XK", D("2031-01-01"), D("2031-12-31"))])
    assert table.groups_of("XK", on=D("2031-06-01")) == {G.EU, G.OECD}
    assert table.groups_of("XK", on=D("2032-01-01")) == {G.EU}


KNOWN = frozenset({"BE", "NL", "GB", "GH"})


@pytest.mark.parametrize(("typed", "normal"), [("be", "BE"), (" NL ", "NL"), ("GH", "GH")])
def test_a_known_country_code_is_accepted_upper_cased(typed, normal):
    assert check_country_code(typed, known_codes=KNOWN) == normal


@pytest.mark.parametrize("typed", ["", "B", "BEL", "UK", "EL", "12", None])
def test_an_unknown_country_code_is_refused_naming_it(typed):
    with pytest.raises(UnknownCountry) as refused:
        check_country_code(typed, known_codes=KNOWN)
    assert refused.value.code == "unknown_country"
    assert refused.value.params == {"code": typed}
