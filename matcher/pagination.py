"""One page of a long list: its rows, which page it is and how many rows there are in all."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")

PER_PAGE = 50


@dataclass(frozen=True)
class Page(Sequence[T]):
    """Rows ``first``…``last`` of ``total``; a sequence of its items, so callers iterate it."""

    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        """The 1-based position of the first item shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.number, self.size, self.total)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: Any) -> Any:
        return self.items[index]


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` rows fill; an empty list still has its one (empty) page."""
    return max(1, -(-total // size))


def clamp_page(number: int | None, total: int, size: int) -> int:
    """A page that exists: missing, zero or negative is the first, past the end the last."""
    return min(max(number or 1, 1), page_count(total, size))


def fetch_page(session: Session, query: Select, number: int | None, size: int | None) -> Page:
    """The rows of one page of an ordered query (all of them when ``size`` is None)."""
    if size is None:
        rows = list(session.execute(query).all())
        return Page(rows, 1, max(len(rows), 1), len(rows))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = clamp_page(number, total, size)
    rows = list(session.execute(query.limit(size).offset((number - 1) * size)).all())
    return Page(rows, number, size, total)
