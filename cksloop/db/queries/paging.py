"""Pages of a list, and counts capped where a person only needs "more than ten thousand"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50
#: counting stops here: "more than 10,000" is all a person needs, and it keeps counts cheap
COUNT_CAP = 10_000
#: the deepest page a list offers (five million garments at 50 a page)
MAX_PAGE = 100_000

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; ``total`` is exact unless ``total_capped`` (then "more than total")."""

    items: list[T]
    page: int
    per_page: int
    has_next: bool
    total: int
    total_capped: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def capped_count(session: Session, query: Select[Any]) -> tuple[int, bool]:
    counted = session.scalar(select(func.count()).select_from(query.limit(COUNT_CAP + 1).subquery())) or 0
    return min(counted, COUNT_CAP), counted > COUNT_CAP
