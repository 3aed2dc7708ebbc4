"""Fixed-shape reads built once and run many times: the DataLoaders' batch lookups.

Why this exists: building a SQLAlchemy statement, computing its cache key and running it
through the async adaptation layer (greenlet, result wrappers) cost about 1.3 ms of CPU for a
one-row lookup that PostgreSQL answers in a tenth of that (bench scenario (3), one user by
login). A statement built once keeps its memoized cache key; on asyncpg its compiled text is
also handed straight to the driver, on a connection checked out of the same SQLAlchemy pool
(asyncpg prepares it once per connection and caches it), which brings the lookup to about
0.17 ms. Inside a caller's transaction, on SQLite, or with ``database.echo`` on (so the SQL is
logged), the statement runs through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.engine import tally_statement
from datasources.paging import KeyList


class Row(Protocol):
    """A result row read by column name: SQLAlchemy's ``RowMapping`` or asyncpg's ``Record``."""

    def __getitem__(self, key: str, /) -> Any: ...


class PositionalRow(Protocol):
    """A result row read by column position: SQLAlchemy's ``Row`` or asyncpg's ``Record``."""

    def __getitem__(self, index: int, /) -> Any: ...


class PreparedRead:
    """``statement`` (with named bind parameters) on ``reader``, ready to run repeatedly.

    ``fetch_all`` rows are read by column name, ``fetch_positional`` rows by position (cheaper,
    for reads of many rows)."""

    def __init__(self, reader: AsyncEngine, statement: sa.Select[Any]) -> None:
        self._reader = reader
        self._statement = statement
        self._driver_sql: str | None = None
        self._parameter_order: tuple[str, ...] = ()
        self._fixed_values: dict[str, Any] = {}
        if reader.dialect.driver == "asyncpg" and not reader.echo:
            compiled = statement.compile(dialect=reader.dialect)
            self._driver_sql = str(compiled)
            self._parameter_order = tuple(compiled.positiontup or ())
            # Values written into the statement itself (``permission_value = 1``).
            self._fixed_values = dict(compiled.params)

    async def fetch_all(
        self, parameters: Mapping[str, Any], conn: AsyncConnection | None = None
    ) -> Sequence[Row]:
        """The rows for ``parameters``; on ``conn`` (and inside its transaction) when given."""
        rows: Sequence[Row] = await self._fetch(parameters, conn, positional=False)
        return rows

    async def fetch_positional(
        self, parameters: Mapping[str, Any], conn: AsyncConnection | None = None
    ) -> Sequence[PositionalRow]:
        """Like ``fetch_all``, with rows read by column position."""
        rows: Sequence[PositionalRow] = await self._fetch(parameters, conn, positional=True)
        return rows

    async def _fetch(
        self, parameters: Mapping[str, Any], conn: AsyncConnection | None, *, positional: bool
    ) -> Sequence[Any]:
        if conn is not None:
            return await self._fetch_with_sqlalchemy(conn, parameters, positional)
        if self._driver_sql is None:
            async with self._reader.connect() as own:
                return await self._fetch_with_sqlalchemy(own, parameters, positional)
        return await self._fetch_on_driver(self._driver_sql, parameters)

    async def _fetch_with_sqlalchemy(
        self, conn: AsyncConnection, parameters: Mapping[str, Any], positional: bool
    ) -> Sequence[Any]:
        result = await conn.execute(self._statement, dict(parameters))
        rows: Sequence[Any] = result.all() if positional else result.mappings().all()
        return rows

    async def _fetch_on_driver(self, sql: str, parameters: Mapping[str, Any]) -> Sequence[Any]:
        given = self._fixed_values | dict(parameters)
        values = [given[name] for name in self._parameter_order]
        # An idle pooled connection is taken directly: SQLAlchemy's async checkout runs the
        # pool in a new greenlet each time (with a 16 KB frame stack mapped and unmapped),
        # which was 12 % of a one-user lookup. Checking out an idle connection awaits nothing
        # (no pre-ping, no recycling: datasources/db/engine.py); opening one does.
        pool: Any = self._reader.sync_engine.pool
        if pool.checkedin():
            pooled = pool.connect()
        else:
            pooled = await self._reader.raw_connection()
        try:
            tally_statement()
            driver: Any = pooled.driver_connection
            rows: Sequence[Any] = await driver.fetch(sql, *values)
        except BaseException:
            # The connection may be mid-protocol (a cancelled request, a lost server): it is
            # closed rather than handed to the next request.
            pooled.invalidate()
            raise
        finally:
            pooled.close()
        return rows


class KeyedRead:
    """``select`` restricted to the rows whose ``column`` is one of a list of keys (compared
    as :class:`~datasources.paging.KeyList` does): one prepared statement for a single key,
    the common DataLoader batch, and one for any longer list."""

    def __init__(
        self,
        reader: AsyncEngine,
        select: sa.Select[Any],
        column: sa.ColumnElement[Any],
        *,
        integers: bool = False,
    ) -> None:
        self._keys = KeyList(column, reader.dialect.name, integers=integers)
        self._one = PreparedRead(reader, select.where(self._keys.single_condition()))
        self._many = PreparedRead(reader, select.where(self._keys.condition))

    async def fetch_all(
        self, values: Sequence[Any], conn: AsyncConnection | None = None
    ) -> Sequence[Row]:
        """The rows for ``values``, read by column name."""
        read, parameters = self._statement(values)
        return await read.fetch_all(parameters, conn)

    async def fetch_positional(
        self, values: Sequence[Any], conn: AsyncConnection | None = None
    ) -> Sequence[PositionalRow]:
        """The rows for ``values``, read by column position."""
        read, parameters = self._statement(values)
        return await read.fetch_positional(parameters, conn)

    def _statement(self, values: Sequence[Any]) -> tuple[PreparedRead, dict[str, Any]]:
        keys = self._keys.distinct(values)
        if len(keys) == 1:
            return self._one, {"key": keys[0]}
        return self._many, self._keys.bind(keys)
