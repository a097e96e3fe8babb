"""SQL functions that each database spells its own way, compiled per dialect (SQLite, PostgreSQL)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class days_between(FunctionElement[float]):  # noqa: N801 (reads like the SQL function it is)
    """(end - start) in days, as a float."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
            " / 86400.0)")


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


class day_ordinal(FunctionElement[int]):  # noqa: N801 (reads like the SQL function it is)
    """A date as ``date.toordinal`` numbers it (1 January of year 1 is 1), so days add up in SQL."""

    type = Integer()
    name = "day_ordinal"
    inherit_cache = True


@compiles(day_ordinal)
def _day_ordinal_default(element: day_ordinal, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"({compiler.process(day, **kw)} - DATE '0001-01-01' + 1)"


@compiles(day_ordinal, "sqlite")
def _day_ordinal_sqlite(element: day_ordinal, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(julianday({compiler.process(day, **kw)}) - 1721424.5 AS INTEGER)"
