"""One clock: the Brussels zone the shops live in, their local dates, and UTC as the ledger stores it."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

#: every CKS shop, the warehouse and the outlet keep Belgian time; stored times are UTC
BRUSSELS = ZoneInfo("Europe/Brussels")


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as an aware time: SQLite hands back naive datetimes, and everything is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Brussels at ``moment`` (stored times are UTC, the shop lives in local time)."""
    return utc(moment).astimezone(BRUSSELS).date()


def start_of_local_day(day: dt.date) -> dt.datetime:
    """Midnight in Brussels at the start of ``day``, in UTC: the first instant of that shop day."""
    return dt.datetime.combine(day, dt.time(), BRUSSELS).astimezone(dt.UTC)
