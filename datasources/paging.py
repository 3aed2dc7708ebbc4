"""One pagination mechanism for every list: keyset pages over a binary (code point) order.

Every list is ordered by a text key compared byte-wise (``COLLATE "C"`` on PostgreSQL, SQLite's
default BINARY, ``utf8mb4_nopad_bin``/``utf8mb4_0900_bin`` on MariaDB/MySQL), which is also
Python's ``str`` order; so pages from several backends merge in Python without disagreeing with
any database's notion of "after".
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from datasources.db.dialect import exactly, is_mysql
from domain.pagination import Cursor

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


def binary_key(column: sa.ColumnElement[Any], dialect_name: str) -> sa.ColumnElement[Any]:
    """``column`` compared and sorted by code point on every database we support."""
    if dialect_name == "postgresql":
        return sa.collate(column, "C")
    if is_mysql(dialect_name):
        return exactly(column)
    return column


MAX_KEY_LENGTH = 1000
"""Longer than any text column of OTOBO's tables: a longer key cannot exist."""

INT_RANGE = range(-(2**31), 2**31)
"""The ids a 32-bit id column can hold: asking for any other is a database error."""


def existing_ids(values: Iterable[int]) -> list[int]:
    """Distinct ids that can exist, in order."""
    return sorted({int(v) for v in values if int(v) in INT_RANGE})


def lower_in(
    column: sa.ColumnElement[Any], values: Sequence[str], dialect_name: str
) -> sa.ColumnElement[bool]:
    """``lower(column)`` equals ``lower(v)`` for one of ``values`` (a one-off statement; a
    statement built once for many lists uses :class:`KeyList`)."""
    return KeyList(column, dialect_name).condition_with(values)


class KeyList:
    """``column`` is one of a list of keys bound when the statement runs. Text keys compare
    case-insensitively, with the database's ``lower()`` on both sides (Python's differs for a
    few letters, e.g. ``İ``); integer keys (``integers=True``) compare as they are.

    One statement text serves every list length, so one prepared statement serves every
    DataLoader batch. Text keys are ``IN (SELECT lower(v) FROM unnest(:keys) v)`` on
    PostgreSQL and ``IN (SELECT lower(value) FROM json_each(:keys))`` on SQLite: a semi-join,
    which PostgreSQL runs as index lookups per distinct key (or a hash join for many keys).
    ``= ANY(ARRAY(SELECT ...))`` was used before; when the planner chose a sequential scan
    (statistics not yet gathered after a bulk load) it compared every row with every key
    linearly: 10,000 logins against 10,000 rows took over a minute.

    MariaDB/MySQL have no ``lower()`` index (OTOBO's case-insensitive collation does that job),
    so there the keys come twice: ``column IN (:k1, :k2, …)`` finds the candidates through the
    column's own index (its collation ignores case, and OTOBO's also accents), and
    ``lower(column) IN (lower(:k1), lower(:k2), …)`` keeps exactly the rows PostgreSQL would
    return. No statement is prepared there, so a varying text costs nothing. A list of
    constants is what MariaDB plans well: under 1,000 keys a binary search per row, from 1,000
    on a table of values it materialises with a unique key. The exact test was a semi-join
    with ``JSON_TABLE`` before, which MariaDB 10.11 always estimates at 40 rows and so joined
    row by row: 10,000 logins against 10,000 users took 6.3 s (now 0.16 s), and the same test
    in a ``DELETE`` ran past the 25 s statement limit.
    """

    def __init__(
        self,
        column: sa.ColumnElement[Any],
        dialect_name: str,
        *,
        integers: bool = False,
        name: str = "keys",
    ) -> None:
        self._column = column
        self._postgresql = dialect_name == "postgresql"
        self._mysql = is_mysql(dialect_name)
        self._integers = integers
        self.name = name
        if self._mysql:
            self.condition = self._mysql_condition(
                sa.bindparam(f"{name}_each", expanding=True),
                sa.bindparam(f"{name}_lower", type_=_Lowered(), expanding=True),
            )
        else:
            self.condition = self._condition(sa.bindparam(name, type_=self._type()))

    def bind(self, values: Sequence[Any]) -> dict[str, Any]:
        """The parameters for ``values``."""
        if self._mysql:
            keys = self.distinct(values)
            if self._integers:
                return {f"{self.name}_each": keys}
            return {f"{self.name}_each": keys, f"{self.name}_lower": keys}
        return {self.name: self._value(values)}

    def single_condition(self) -> sa.ColumnElement[bool]:
        """The same test for exactly one key, bound as ``:key``: a plain (index) equality,
        cheaper for PostgreSQL to run than a semi-join with a one-element list."""
        if self._integers:
            return self._column == sa.bindparam("key", type_=sa.Integer())
        key = sa.bindparam("key", type_=sa.String())
        return sa.func.lower(self._column) == sa.func.lower(key)

    def distinct(self, values: Sequence[Any]) -> list[Any]:
        """The keys that can match, each once."""
        if self._integers:
            return existing_ids(values)
        # No stored key holds NUL (writes refuse it); PostgreSQL rejects it in a parameter.
        # None is longer than the longest text column.
        # Each text made once and tested once (a bulk import's batch binds thousands).
        texts = {v if type(v) is str else str(v) for v in values}
        return sorted(t for t in texts if "\x00" not in t and len(t) <= MAX_KEY_LENGTH)

    def condition_with(self, values: Sequence[Any]) -> sa.ColumnElement[bool]:
        """The condition with ``values`` bound into it."""
        if self._mysql:
            keys = self.distinct(values)
            return self._mysql_condition(
                sa.bindparam(None, keys, expanding=True),
                sa.bindparam(None, keys, type_=_Lowered(), expanding=True),
            )
        return self._condition(sa.bindparam(None, self._value(values), type_=self._type()))

    def _type(self) -> sa.types.TypeEngine[Any]:
        if not self._postgresql:
            return sa.String()
        return ARRAY(sa.Integer() if self._integers else sa.String())

    def _value(self, values: Sequence[Any]) -> list[Any] | str:
        cleaned = self.distinct(values)  # an id beyond the 32-bit columns cannot exist
        return cleaned if self._postgresql else json.dumps(cleaned)

    def _mysql_condition(
        self, each: sa.BindParameter[Any], each_lowered: sa.BindParameter[Any]
    ) -> sa.ColumnElement[bool]:
        """MariaDB/MySQL: ``each`` and ``each_lowered``, the keys one by one, as they are and
        lower-cased by the database."""
        if self._integers:
            return self._column.in_(each)
        return sa.and_(self._column.in_(each), sa.func.lower(self._column).in_(each_lowered))

    def _condition(self, parameter: sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
        """PostgreSQL and SQLite: ``parameter``, the whole list (an array, a JSON text)."""
        if self._integers:
            if self._postgresql:
                return self._column == sa.any_(parameter)
            listed = sa.func.json_each(parameter).table_valued("value")
            return self._column.in_(sa.select(listed.c.value))
        lowered = sa.func.lower(self._column)
        if self._postgresql:
            given = sa.func.unnest(parameter).alias("v")
            return lowered.in_(sa.select(sa.func.lower(given.column)))
        listed = sa.func.json_each(parameter).table_valued("value")
        return lowered.in_(sa.select(sa.func.lower(listed.c.value)))


class _Lowered(sa.types.TypeDecorator[str]):
    """A text parameter lower-cased by the database: an expanding list of it renders each key
    as ``lower(%s)`` (``LOWER(%s COLLATE <binary>)`` on MariaDB/MySQL, as the column's side)."""

    impl = sa.String
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return sa.func.lower(bindvalue)


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
