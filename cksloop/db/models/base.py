"""The declarative base every model shares, with the column conventions (enums as strings, UTC times)."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum
from sqlalchemy.orm import DeclarativeBase

def _enum(enum: type[StrEnum], length: int = 32) -> Enum:
    # stored as the enum's value in a plain string column: readable in SQL and portable
    return Enum(enum, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class Base(DeclarativeBase):
    type_annotation_map = {
        dict[str, Any]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
