"""Lost and cancelled database connections under the prepared reads (PostgreSQL): a read
cancelled while the server works, or whose connection was killed (overflow included), runs
again on a new connection; a query error is not retried; and a canary for the SQLAlchemy pool
behaviour ``datasources/db/prepared.py`` leans on.

The faults are real (``pg_terminate_backend`` from a separate connection, reads cancelled while
PostgreSQL sleeps). What is checked is what a caller sees and that SQLAlchemy's pool logged no
failed close of a connection (``pool_errors``, ``tests/datasources/conftest.py``). The same
faults under whole requests are ``test_connection_faults_in_requests.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.engine import count_statements, create_engine, read_only_view
from datasources.db.prepared import PreparedRead, _PoolAccess, _WouldConnect
from domain.config import DatabaseConfig
from tests.datasources.pg_faults import kill_connections, sleeping_on_the_server

pytestmark = pytest.mark.postgres

POOL_SIZE = 5  # base_config's; max_overflow is the same again


@pytest.fixture
async def reader(pg_url: str) -> AsyncIterator[AsyncEngine]:
    """The read-only engine the prepared reads use, on ``pg_url``, with a pool of its own."""
    engine = create_engine(DatabaseConfig(url=pg_url, pool_size=POOL_SIZE))
    try:
        yield read_only_view(engine)
    finally:
        await engine.dispose()


def backend_pid_after(seconds_param: str = "pause") -> sa.Select[Any]:
    """The serving connection's pid, after sleeping ``pause`` seconds."""
    pause = sa.bindparam(seconds_param, type_=sa.Float)
    return sa.select(
        sa.func.pg_backend_pid().label("pid"),
        sa.func.pg_sleep(pause).label("slept"),
    )


async def test_a_read_cancelled_while_the_server_works_breaks_no_later_read(
    reader: AsyncEngine, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    read = PreparedRead(reader, backend_pid_after())
    await asyncio.gather(*(read.fetch_all({"pause": 0.05}) for _ in range(2 * POOL_SIZE)))
    for _ in range(3):
        slow = [asyncio.ensure_future(read.fetch_all({"pause": 5})) for _ in range(POOL_SIZE)]
        await sleeping_on_the_server(pg_url, POOL_SIZE)
        for task in slow:
            task.cancel()
        results = await asyncio.gather(*slow, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        for _ in range(4 * POOL_SIZE):
            rows = await read.fetch_all({"pause": 0})
            assert rows[0]["pid"] > 0
        await asyncio.gather(*(read.fetch_all({"pause": 0}) for _ in range(3 * POOL_SIZE)))
    assert pool_errors == []


async def test_a_query_error_is_not_retried_and_keeps_the_connection(
    reader: AsyncEngine, pool_errors: list[logging.LogRecord]
) -> None:
    """A bad value is the query's fault: it fails once, and the connection stays in use."""
    read = PreparedRead(
        reader,
        sa.select(sa.func.pg_backend_pid().label("pid")).where(
            sa.bindparam("text", type_=sa.String) != ""
        ),
    )
    first = (await read.fetch_all({"text": "x"}))[0]["pid"]
    with count_statements() as tally, pytest.raises(asyncpg.PostgresError):
        await read.fetch_all({"text": "nul \x00 byte"})
    assert tally.count == 1
    assert (await read.fetch_all({"text": "x"}))[0]["pid"] == first


async def test_a_read_on_a_killed_connection_is_retried_once_on_a_new_one(
    reader: AsyncEngine, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    read = PreparedRead(reader, backend_pid_after())
    before = {
        r[0]["pid"]
        for r in await asyncio.gather(*(read.fetch_all({"pause": 0.05}) for _ in range(POOL_SIZE)))
    }
    await kill_connections(pg_url)
    with count_statements() as tally:
        pid = (await read.fetch_all({"pause": 0}))[0]["pid"]
    assert pid not in before
    assert tally.count <= 2  # at most the one retry
    assert pool_errors == []


async def test_reads_in_flight_on_killed_connections_overflow_included_run_again(
    reader: AsyncEngine, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    read = PreparedRead(reader, backend_pid_after())
    pool: Any = reader.sync_engine.pool
    slow = [asyncio.ensure_future(read.fetch_all({"pause": 1.0})) for _ in range(2 * POOL_SIZE)]
    await sleeping_on_the_server(pg_url, 2 * POOL_SIZE)  # half of them on overflow
    assert pool.checkedout() == 2 * POOL_SIZE
    assert await kill_connections(pg_url) == 2 * POOL_SIZE
    rows = await asyncio.gather(*slow)  # each ran once more, on a new connection
    assert len({r[0]["pid"] for r in rows}) == 2 * POOL_SIZE
    for _ in range(3 * POOL_SIZE):
        await read.fetch_all({"pause": 0})
    await asyncio.gather(*(read.fetch_all({"pause": 0}) for _ in range(3 * POOL_SIZE)))
    assert pool_errors == []


# ---- canary: the SQLAlchemy pool behaviour the prepared reads lean on --------------------------


async def test_canary_the_pool_behaviour_prepared_reads_rely_on(reader: AsyncEngine) -> None:
    """``datasources/db/prepared.py`` checks idle connections out synchronously, refuses a
    synchronous reconnect in a ``do_connect`` listener, and calls the private
    ``Pool._invalidate``. If a SQLAlchemy upgrade changes any of that, this fails first."""
    read = PreparedRead(reader, backend_pid_after())  # registers the do_connect listener
    await asyncio.gather(*(read.fetch_all({"pause": 0.05}) for _ in range(POOL_SIZE)))
    pool: Any = reader.sync_engine.pool
    idle = pool.checkedin()
    assert idle == POOL_SIZE

    # An idle connection is checked out, and in again, without a greenlet.
    pooled = pool.connect()
    assert not pooled.driver_connection.is_closed()
    pooled.close()
    assert pool.checkedin() == idle

    # Pool._invalidate closes the connection and marks every older one stale ...
    pooled = pool.connect()
    pool._invalidate(pooled, None)
    assert pool.checkedin() == idle
    # ... so a synchronous checkout now needs to connect: refused before anything is
    # created, with the slot back in the pool.
    access = _PoolAccess.of(reader)
    access._synchronous = True
    try:
        with pytest.raises(_WouldConnect):
            pool.connect()
    finally:
        access._synchronous = False
    assert pool.checkedin() == idle
    # The reads reconnect through SQLAlchemy's async checkout.
    for _ in range(2 * POOL_SIZE):
        assert (await read.fetch_all({"pause": 0}))[0]["pid"] > 0
