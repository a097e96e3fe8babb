"""Country groups (EU, EEA, OECD) as dated data: who belongs on a given day (DOMAIN.md §5).

Sources: the EU accession treaties and Withdrawal Agreement, the EEA Agreement, oecd.org's member list.

Countries are ISO 3166-1 alpha-2 codes (Greece is GR here, not the VAT prefix EL). Whether a code
exists at all is not decided here: the service passes the set of valid codes from a maintained data
package (pycountry) to ``check_country_code``; the domain only keeps the memberships and their dates.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .errors import DomainError
from .messages import N_

_D = dt.date.fromisoformat
_CODE = re.compile(r"^[A-Z]{2}$")


class CountryGroup(StrEnum):
    EU = "EU"
    EEA = "EEA"
    OECD = "OECD"

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS: dict[CountryGroup, str] = {
    CountryGroup.EU: N_("European Union"),
    CountryGroup.EEA: N_("European Economic Area"),
    CountryGroup.OECD: N_("OECD"),
}


@dataclass(frozen=True)
class Membership:
    """``country`` belongs to ``group`` from ``since`` up to and including ``until`` (None: still)."""

    group: CountryGroup
    country: str
    since: dt.date
    until: dt.date | None = None

    def holds_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


class UnknownCountry(DomainError):
    """The code is not an ISO 3166-1 alpha-2 country code."""

    code = "unknown_country"


def _members(group: CountryGroup, rows: str) -> list[Membership]:
    """Rows of ``date code code …`` or ``date..until code`` into memberships."""
    out = []
    for row in rows.strip().splitlines():
        when, *codes = row.split()
        since, _, until = when.partition("..")
        out.extend(Membership(group, c, _D(since), _D(until) if until else None) for c in codes)
    return out


# EU: accession dates; the United Kingdom's membership ended with 31 January 2020 (Withdrawal
# Agreement, OJ L 29, 31.1.2020).
_EU = _members(CountryGroup.EU, """
1958-01-01 BE DE FR IT LU NL
1973-01-01 DK IE
1973-01-01..2020-01-31 GB
1981-01-01 GR
1986-01-01 ES PT
1995-01-01 AT FI SE
2004-05-01 CY CZ EE HU LV LT MT PL SK SI
2007-01-01 BG RO
2013-07-01 HR
""")

# EEA: the agreement applied from 1 January 1994 (Liechtenstein from 1 May 1995); EU members are
# counted from their EU accession (the enlargement agreements applied provisionally a little later).
_EEA = _members(CountryGroup.EEA, """
1994-01-01 BE DE FR IT LU NL DK IE GR ES PT AT FI SE IS NO
1994-01-01..2020-01-31 GB
1995-05-01 LI
2004-05-01 CY CZ EE HU LV LT MT PL SK SI
2007-01-01 BG RO
2013-07-01 HR
""")

# OECD: the date each member deposited its instrument (oecd.org, "Members and partners").
_OECD = _members(CountryGroup.OECD, """
1961-04-10 CA
1961-04-12 US
1961-05-02 GB
1961-05-30 DK
1961-06-05 IS
1961-07-04 NO
1961-08-02 TR
1961-08-03 ES
1961-08-04 PT
1961-08-07 FR
1961-08-17 IE
1961-09-13 BE
1961-09-27 DE GR
1961-09-28 SE CH
1961-09-29 AT
1961-11-13 NL
1961-12-07 LU
1962-03-29 IT
1964-04-28 JP
1969-01-28 FI
1971-06-07 AU
1973-05-29 NZ
1994-05-18 MX
1995-12-21 CZ
1996-05-07 HU
1996-11-22 PL
1996-12-12 KR
2000-12-14 SK
2010-05-07 CL
2010-07-21 SI
2010-09-07 IL
2010-12-09 EE
2016-07-01 LV
2018-07-05 LT
2020-04-28 CO
2021-05-25 CR
""")

#: The table cksloop ships with; a service may pass a newer one (it is data that changes, not code).
MEMBERSHIPS: tuple[Membership, ...] = tuple(_EU + _EEA + _OECD)


@dataclass(frozen=True)
class GroupTable:
    """Memberships indexed for lookup: ``members(group, on=day)`` and ``groups_of(country, on=day)``."""

    memberships: tuple[Membership, ...] = MEMBERSHIPS

    def members(self, group: CountryGroup, *, on: dt.date) -> frozenset[str]:
        return frozenset(m.country for m in self.memberships if m.group is group and m.holds_on(on))

    def groups_of(self, country: str, *, on: dt.date) -> frozenset[CountryGroup]:
        return frozenset(m.group for m in self.memberships if m.country == country and m.holds_on(on))

    def is_in(self, country: str, group: CountryGroup, *, on: dt.date) -> bool:
        return group in self.groups_of(country, on=on)

    def in_oecd_area(self, country: str, *, on: dt.date) -> bool:
        """OECD member or inside the EU/EEA: shipments there are not exports to a non-OECD country
        (Waste Shipment Regulation (EU) 2024/1157)."""
        return bool(self.groups_of(country, on=on))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, dt.date, dt.date | None]]) -> GroupTable:
        """Build from stored rows ``(group, country, since, until)`` when memberships are kept in the database."""
        return cls(tuple(Membership(CountryGroup(group), country, since, until)
                         for group, country, since, until in rows))


DEFAULT_GROUPS = GroupTable()


def check_country_code(code: str, *, known_codes: frozenset[str]) -> str:
    """The code upper-cased when it is a known ISO 3166-1 alpha-2 code; raises ``UnknownCountry``.

    ``known_codes`` comes from the edge (pycountry's ``countries``), so the list stays maintained
    without the domain importing a package.
    """
    normal = (code or "").strip().upper()
    if not _CODE.match(normal) or normal not in known_codes:
        raise UnknownCountry(N_("“%(code)s” is not an ISO 3166-1 country code."), code=code)
    return normal
