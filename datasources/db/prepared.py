"""Fixed-shape reads built once and run many times: the DataLoaders' batch lookups.

Why this exists: building a SQLAlchemy statement, computing its cache key and running it
through the async adaptation layer (greenlet, result wrappers) cost about 1.3 ms of CPU for a
one-row lookup that PostgreSQL answers in a tenth of that (bench scenario (3), one user by
login). A statement built once keeps its memoized cache key; on asyncpg its compiled text is
also handed straight to the driver, on a connection checked out of the same SQLAlchemy pool
(asyncpg prepares it once per connection and caches it), which brings the lookup to about
0.17 ms. On asyncmy (MariaDB/MySQL) likewise, compiled once the first connection has told the
dialect which server it is, prepared on the server once per connection (the binary protocol,
as asyncpg's), and read in autocommit mode so that no transaction is left to roll back on
check-in (``prepared_drivers``). Inside a caller's transaction, on SQLite, with an IN
list sized per call, or with ``database.echo`` on (so the SQL is logged), the statement runs
through SQLAlchemy as usual.

The pool is SQLAlchemy's, and a pool does I/O at a few moments that need SQLAlchemy's greenlet:
(re)opening a slot's connection (after it was invalidated, or the pool was, as SQLAlchemy does on
any disconnect) and closing an overflow connection on check-in. ``_PoolAccess`` keeps the
greenlet-free checkout for the common case and hands exactly those moments to the async API:

- a synchronous checkout that would have to connect is refused (a ``do_connect`` listener
  raises before anything is awaited or created); SQLAlchemy returns the slot to the pool and
  the read checks out through ``await engine.raw_connection()``, which reconnects;
- a check-in that would close the connection (the idle queue is full) runs in a greenlet;
- a cancelled read terminates its connection synchronously (``invalidate()`` outside a greenlet
  aborts the socket; nothing is awaited), so no half-read connection goes back to the pool;
- a read whose connection was lost (the server restarted or killed it) marks the pool's older
  connections stale, as SQLAlchemy's own disconnect handling does, and runs once more on a
  newly opened connection; reads are idempotent. A statement the server refused (a bad value,
  a statement timeout) is not retried, and its connection, which is fine, is kept.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import Pool, PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn

from datasources import spans
from datasources.db.engine import statement_span, tally_statement
from datasources.db.prepared_drivers import (
    DriverRead,
    begin_read,
    closed_while_idle,
    end_transaction,
    is_lost,
    is_refusal,
    restore_transactions,
)
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
        self._driver_read: DriverRead | None = None
        self._access: _PoolAccess | None = None
        if reader.dialect.driver in DRIVERS and not reader.echo:
            self._access = _PoolAccess.of(reader)
            if reader.dialect.driver == "asyncpg":
                self._driver_read = DriverRead(statement, reader.dialect)
            # asyncmy: compiled once a connection has told the dialect which server it is
            # (MariaDB refuses MySQL's collation names), in ``_fetch``.

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
        read = self._driver_read
        if read is None and self._access is not None and self._reader.dialect.server_version_info:
            read = self._driver_read = DriverRead(self._statement, self._reader.dialect)
        if read is None or read.expands:
            async with self._reader.connect() as own:
                return await self._fetch_with_sqlalchemy(own, parameters, positional)
        return await self._fetch_on_driver(read, parameters, positional)

    async def _fetch_with_sqlalchemy(
        self, conn: AsyncConnection, parameters: Mapping[str, Any], positional: bool
    ) -> Sequence[Any]:
        result = await conn.execute(self._statement, dict(parameters))
        rows: Sequence[Any] = result.all() if positional else result.mappings().all()
        return rows

    async def _fetch_on_driver(
        self, read: DriverRead, parameters: Mapping[str, Any], positional: bool
    ) -> Sequence[Any]:
        values = read.values(dict(parameters))
        access = self._access
        assert access is not None  # set whenever there is a driver read
        rows = await access.fetch(self._reader, read, values, positional, retry_if_lost=True)
        if rows is None:
            # The connection was lost (and every older one marked stale): reads are
            # idempotent, so once more, on a connection opened since.
            rows = await access.fetch(self._reader, read, values, positional, retry_if_lost=False)
        assert rows is not None
        return rows


DRIVERS = ("asyncpg", "asyncmy")  # the drivers compiled SQL is handed to directly


class _WouldConnect(Exception):
    """A synchronous checkout reached a slot whose connection must be opened first."""


class _PoolAccess:
    """Driver-level reads on an engine's pooled connections, with the pool's I/O moments
    handed to SQLAlchemy's async API (see the module docstring). One per engine (its dialect:
    an engine's ``execution_options`` views share it and the pool)."""

    _by_dialect: weakref.WeakKeyDictionary[Dialect, _PoolAccess] = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, engine: AsyncEngine) -> _PoolAccess:
        dialect = engine.sync_engine.dialect
        access = cls._by_dialect.get(dialect)
        if access is None:
            access = cls._by_dialect[dialect] = cls(dialect)
            event.listen(engine.sync_engine, "do_connect", access._refuse_while_synchronous)
            if dialect.driver == "asyncmy":
                event.listen(engine.sync_engine.pool, "checkout", access._restore_transactions)
        return access

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = weakref.ref(dialect)  # the key of ``_by_dialect``: not kept alive
        self._synchronous = False  # set only while a checkout runs without awaiting
        self._detours = 0

    def _refuse_while_synchronous(self, *_args: Any) -> None:
        """``do_connect``: runs before a connection is opened. Inside a synchronous checkout
        that would await outside a greenlet (``MissingGreenlet``, and a coroutine never
        awaited); refusing it here, before anything is created, leaves the pool as it was."""
        if self._synchronous:
            raise _WouldConnect

    def _restore_transactions(self, dbapi_connection: Any, *_args: Any) -> None:
        """``checkout`` (asyncmy): a connection a driver read left in autocommit mode is
        switched back for SQLAlchemy (``prepared_drivers.restore_transactions``); not on this
        class's own synchronous checkout, which reads in autocommit and must not await."""
        dialect = self._dialect()
        if not self._synchronous and dialect is not None:
            restore_transactions(dbapi_connection, dialect)

    async def fetch(
        self,
        engine: AsyncEngine,
        read: DriverRead,
        values: Sequence[Any],
        positional: bool,
        *,
        retry_if_lost: bool,
    ) -> Sequence[Any] | None:
        """The rows of ``read``; None if ``retry_if_lost`` and the connection was lost."""
        pool = engine.sync_engine.pool
        dialect = engine.dialect
        pooled = self._take_idle(pool) if retry_if_lost else None
        if pooled is None:
            pooled = await engine.raw_connection()
        driver: Any = pooled.driver_connection
        if retry_if_lost and closed_while_idle(driver):
            # Lost while idle, and the driver saw the server's goodbye: nothing was sent.
            _invalidate_older(pool, pooled, None)
            return None
        try:
            await begin_read(driver)
            tally_statement()
            span = spans.opener  # traces (app/tracing.py): None unless switched on
            if span is None:
                rows = await read.run(driver, values, positional=positional)
            else:
                with span(*statement_span(engine.sync_engine, read.sql), client=True):
                    rows = await read.run(driver, values, positional=positional)
            await end_transaction(driver)
        except Exception as error:
            if is_lost(error, driver, dialect):
                _invalidate_older(pool, pooled, error)
                if retry_if_lost:
                    return None
                raise
            if is_refusal(error, dialect):
                await self._give_back(pool, pooled)  # the server refused the statement only
                raise
            pooled.invalidate(error)  # a driver failure: the protocol state is unknown
            raise
        except BaseException:
            # Cancelled mid-fetch: the connection is mid-protocol. Invalidating it outside a
            # greenlet terminates it at once (nothing awaited); its slot reconnects later.
            pooled.invalidate()
            raise
        await self._give_back(pool, pooled)
        return rows

    def _take_idle(self, pool: Pool) -> PoolProxiedConnection | None:
        """An idle connection, checked out without awaiting; None when that would need I/O
        (no idle connection, or the slot's connection must be reopened)."""
        if not isinstance(pool, QueuePool) or not pool.checkedin():
            return None
        if self._detours:
            self._detours -= 1
            return None
        self._synchronous = True
        try:
            return pool.connect()
        except _WouldConnect:
            # SQLAlchemy put the slot back at the end of the queue (FIFO). Checkouts take the
            # async path until they have come round to it, so that one reconnects it.
            self._detours = pool.checkedin()
            return None
        finally:
            self._synchronous = False

    @staticmethod
    async def _give_back(pool: Pool, pooled: PoolProxiedConnection) -> None:
        """Back into the pool, with no transaction open (asyncpg reads run outside one;
        asyncmy's was ended by ``end_transaction``, or is by the ROLLBACK below after a
        refused statement): the pool's rollback-on-return is skipped, it would be a round
        trip that needs a greenlet."""
        driver: Any = pooled.driver_connection
        try:
            await end_transaction(driver)
        except BaseException:
            pooled.invalidate()
            raise
        if isinstance(pool, QueuePool) and (pool.size() == 0 or pool.checkedin() < pool.size()):
            pooled._close_special(transaction_reset=True)  # into the idle queue: no I/O
            return
        # An overflow connection (the idle queue is full): the pool closes it, which awaits.
        # Shielded, so that a cancellation now does not cut the close short.
        await asyncio.shield(greenlet_spawn(pooled._close_special, transaction_reset=True))


def _invalidate_older(
    pool: Pool, pooled: PoolProxiedConnection, error: BaseException | None
) -> None:
    """Terminate ``pooled`` and mark every connection opened before it stale, so that their
    next checkout reconnects: the server that dropped one most likely dropped them all (a
    restart, ``pg_terminate_backend``). This is what SQLAlchemy does itself when a statement
    finds its connection gone (``invalidate_pool_on_disconnect``), through the same private
    ``Pool._invalidate`` (canary: tests/datasources/test_connection_faults.py)."""
    pool._invalidate(pooled, error)


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
