"""One clock: Brussels local dates and UTC conversion, defined once and used everywhere."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from cksloop.domain.clock import BRUSSELS, local_date, start_of_local_day, utc

PACKAGE = Path(__file__).resolve().parents[2] / "cksloop"


def test_a_late_evening_in_utc_is_already_the_next_day_in_brussels_in_winter_and_in_summer() -> None:
    assert local_date(dt.datetime(2026, 1, 15, 22, 59, tzinfo=dt.UTC)) == dt.date(2026, 1, 15)
    assert local_date(dt.datetime(2026, 1, 15, 23, 0, tzinfo=dt.UTC)) == dt.date(2026, 1, 16)
    assert local_date(dt.datetime(2026, 7, 15, 22, 0, tzinfo=dt.UTC)) == dt.date(2026, 7, 16)


def test_a_naive_time_as_sqlite_hands_it_back_is_read_as_utc() -> None:
    naive = dt.datetime(2026, 1, 15, 23, 30)
    assert utc(naive) == dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)
    assert local_date(naive) == dt.date(2026, 1, 16)


def test_an_aware_time_keeps_its_instant() -> None:
    brussels_noon = dt.datetime(2026, 5, 1, 12, 0, tzinfo=BRUSSELS)
    assert utc(brussels_noon) is brussels_noon


def test_a_shop_day_starts_at_midnight_in_brussels_and_the_summer_time_day_is_23_hours() -> None:
    assert start_of_local_day(dt.date(2026, 1, 15)) == dt.datetime(2026, 1, 14, 23, 0, tzinfo=dt.UTC)
    assert start_of_local_day(dt.date(2026, 7, 15)) == dt.datetime(2026, 7, 14, 22, 0, tzinfo=dt.UTC)
    spring_forward = start_of_local_day(dt.date(2026, 3, 30)) - start_of_local_day(dt.date(2026, 3, 29))
    assert spring_forward == dt.timedelta(hours=23)


def _python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_the_clock_names_the_brussels_time_zone() -> None:
    offenders = [str(p.relative_to(PACKAGE)) for p in _python_files()
                 if p.name != "clock.py" and "ZoneInfo(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_local_dates_and_garment_links_are_defined_once() -> None:
    defined: dict[str, list[str]] = {"local_date": [], "garment_url": [], "start_of_local_day": []}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in defined:
                defined[node.name].append(str(path.relative_to(PACKAGE)))
    assert defined == {"local_date": ["domain/clock.py"], "garment_url": ["web/garments/links.py"],
                       "start_of_local_day": ["domain/clock.py"]}


def test_reading_a_stored_time_as_utc_is_defined_once_in_the_clock() -> None:
    # SQLite hands back naive times; one ``utc()`` reads them, so no module keeps its own copy
    defined = [str(p.relative_to(PACKAGE)) for p in _python_files()
               for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in ("utc", "utcify", "as_utc")]
    copies = [str(p.relative_to(PACKAGE)) for p in _python_files()
              if p.name != "clock.py" and "replace(tzinfo=dt.UTC)" in p.read_text(encoding="utf-8")]
    assert defined == ["domain/clock.py"]
    assert copies == []
