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
from sqlalchemy.dialects.postgresql import ARRAY

from domain.pagination import Cursor

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


def binary_key(column: sa.ColumnElement[Any], dialect_name: str) -> sa.ColumnElement[Any]:
    """``column`` compared and sorted by code point on every database we support."""
    if dialect_name == "postgresql":
        return sa.collate(column, "C")
    return column


def lower_in(
    column: sa.ColumnElement[Any], values: Sequence[str], dialect_name: str
) -> sa.ColumnElement[bool]:
    """``lower(column)`` equals ``lower(v)`` for one of ``values``: case-insensitive, with the
    database's ``lower()`` on both sides (Python's differs for a few letters, e.g. ``İ``).

    On PostgreSQL this is ``= ANY(ARRAY(SELECT lower(v) FROM unnest(:values)))``: one statement
    text whatever the batch size, so one prepared statement serves every DataLoader batch, and
    the array is computed once, so the ``lower(column)`` B-tree index is used.
    """
    # No stored key contains NUL (writes refuse it), and PostgreSQL rejects it in a parameter.
    values = sorted({v for v in values if "\x00" not in v})
    lowered = sa.func.lower(column)
    if dialect_name == "postgresql":
        given = sa.func.unnest(sa.bindparam(None, values, type_=ARRAY(sa.String()))).alias("v")
        wanted = sa.select(sa.func.lower(given.column)).scalar_subquery()
        return lowered == sa.any_(sa.func.array(wanted))
    return lowered.in_([sa.func.lower(sa.literal(v, sa.String())) for v in values])


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
    ordering: str = "",
) -> Page[T]:
    """Fetch ``first`` items after ``after``; never past the ``cap``-th item of the result.

    ``fetch(after_key, limit)`` returns items in key order, strictly after ``after_key``.
    One extra item is asked for to learn whether a next page exists.
    """
    start = after.position if after else 0
    want = first if cap is None else max(0, min(first, cap - start))
    capped = cap is not None and start + want >= cap
    # One row more than asked tells whether a next page exists (also for first: 0).
    rows = [] if capped and want == 0 else list(await fetch(after.key if after else None, want + 1))
    items = [
        (row, Cursor(key_of(row), start + i + 1, ordering)) for i, row in enumerate(rows[:want])
    ]
    has_next = len(rows) > want and not capped
    return Page(items=items, has_next_page=has_next, has_previous_page=start > 0)


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
