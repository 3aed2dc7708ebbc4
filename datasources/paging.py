"""One pagination mechanism for every list: keyset pages over a binary (code point) order.

Every list is ordered by a text key compared byte-wise (``COLLATE "C"`` on PostgreSQL, SQLite's
default BINARY), which is also Python's ``str`` order; so pages from several backends merge in
Python without disagreeing with any database's notion of "after".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from domain.pagination import Cursor

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


def binary_key(column: sa.ColumnElement[Any], dialect_name: str) -> sa.ColumnElement[Any]:
    """``column`` compared and sorted by code point on every database we support."""
    if dialect_name == "postgresql":
        return sa.collate(column, "C")
    return column


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page: each item with its cursor, plus whether more follow or precede it."""

    items: list[tuple[T, Cursor]]
    has_next_page: bool
    has_previous_page: bool


SortKey = tuple[Any, ...]


async def keyset_page(
    fetch: Callable[[SortKey | None, int], Awaitable[Sequence[T]]],
    key_of: Callable[[T], SortKey],
    *,
    first: int,
    after: Cursor | None,
    cap: int | None = None,
) -> Page[T]:
    """Fetch ``first`` items after ``after``; never past the ``cap``-th item of the result.

    ``fetch(after_key, limit)`` returns items in key order, strictly after ``after_key``.
    One extra item is asked for to learn whether a next page exists.
    """
    start = after.position if after else 0
    want = first if cap is None else max(0, min(first, cap - start))
    rows = list(await fetch(after.key if after else None, want + 1)) if want else []
    items = [(row, Cursor(key_of(row), start + i + 1)) for i, row in enumerate(rows[:want])]
    return Page(items=items, has_next_page=len(rows) > want, has_previous_page=start > 0)


def after_condition(
    columns: Sequence[sa.ColumnElement[Any]], key: SortKey, *, descending: bool
) -> sa.ColumnElement[bool]:
    """Rows strictly after ``key`` in the order of ``columns`` (a row-value comparison spelled
    out, so it works on every database and with mixed types)."""
    conditions = []
    for i, column in enumerate(columns):
        beyond = column < key[i] if descending else column > key[i]
        equal_before = [columns[j] == key[j] for j in range(i)]
        conditions.append(sa.and_(*equal_before, beyond))
    return sa.or_(*conditions)
