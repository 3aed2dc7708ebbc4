"""asyncmy's driver path for prepared reads (``datasources/db/prepared.py``,
``prepared_drivers.py``): the same rows as SQLAlchemy, through server-side prepared statements
(prepared once per connection), no transaction left open (so no ROLLBACK on check-in), and
SQLAlchemy's units of work still transactional on the connections those reads used, also when
the server dropped such a connection while it was idle. Also the canary of the private
SQLAlchemy APIs that path uses (``SQLCompiler._bind_processors``, ``_result_columns``,
``TypeEngine._cached_result_processor``, ``_ConnectionFairy._close_special``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.engine import create_engine, read_only_view
from datasources.db.prepared import PreparedRead
from datasources.db.tables import customer_user
from domain.config.server import DatabaseConfig
from tests.conftest import DB_KINDS, Databases, mariadb_admin_connection, run_sql

pytestmark = pytest.mark.skipif("mariadb" not in DB_KINDS, reason="MariaDB is not tested")

SEED = (
    "INSERT INTO customer_user (login, email, customer_id, first_name, last_name, valid_id,"
    " create_time, create_by, change_time, change_by)"
    " SELECT CONCAT('p', seq), CONCAT('p', seq, '@example.com'), 'co', 'Pré', 'Ünïcode 😀',"
    " 1, NOW(), 1, NOW(), 1 FROM seq_1_to_5"
)


@pytest.fixture
async def engine(databases: Databases) -> AsyncIterator[AsyncEngine]:
    url = await databases.create("mariadb")
    await run_sql(url, [SEED])
    engine = create_engine(DatabaseConfig(url=url, pool_size=2))
    yield engine
    await engine.dispose()


def idle_drivers(engine: AsyncEngine) -> list[Any]:
    pool: Any = engine.sync_engine.pool
    return [record.dbapi_connection.driver_connection for record in pool._pool._queue._queue]


async def rollbacks(engine: AsyncEngine) -> int:
    """ROLLBACK statements the idle connections have run (``Com_rollback``)."""
    total = 0
    for driver in idle_drivers(engine):
        cursor = driver.cursor()
        await cursor.execute("SHOW SESSION STATUS LIKE 'Com_rollback'")
        total += int((await cursor.fetchall())[0][1])
        await cursor.close()
    return total


async def test_driver_reads_match_sqlalchemy_and_leave_no_transaction(engine: AsyncEngine) -> None:
    reader = read_only_view(engine)
    statement = sa.select(customer_user).where(customer_user.c.login == sa.bindparam("login"))
    read = PreparedRead(reader, statement)
    through_sqlalchemy = await read.fetch_all({"login": "p3"})  # connects: dialect known after
    assert read._driver_read is None
    on_driver = await read.fetch_all({"login": "p3"})
    assert read._driver_read is not None
    assert not read._driver_read.expands
    assert [dict(r) for r in on_driver] == [dict(r) for r in through_sqlalchemy]
    assert on_driver[0]["last_name"] == "Ünïcode 😀"
    positional = await read.fetch_positional({"login": "p3"})
    assert tuple(positional[0]) == tuple(through_sqlalchemy[0].values())
    # Checked in with autocommit on and, as the server's last reply says, no transaction.
    for driver in idle_drivers(engine):
        assert not driver.get_transaction_status()
    assert any(driver.get_autocommit() for driver in idle_drivers(engine))
    # Once in autocommit mode, reads check in without a ROLLBACK (the private
    # ``_ConnectionFairy._close_special(transaction_reset=True)`` skips the pool's reset).
    await read.fetch_all({"login": "p3"})
    before = await rollbacks(engine)
    for _ in range(4):
        await read.fetch_all({"login": "p1"})
    assert await rollbacks(engine) == before


async def session_status(engine: AsyncEngine, name: str) -> list[int]:
    """``SHOW SESSION STATUS`` counter ``name`` of each idle connection."""
    values = []
    for driver in idle_drivers(engine):
        cursor = driver.cursor()
        await cursor.execute(f"SHOW SESSION STATUS LIKE '{name}'")
        values.append(int((await cursor.fetchall())[0][1]))
        await cursor.close()
    return values


async def test_driver_reads_are_prepared_once_per_connection(engine: AsyncEngine) -> None:
    reader = read_only_view(engine)
    statement = sa.select(customer_user).where(customer_user.c.login == sa.bindparam("login"))
    read = PreparedRead(reader, statement)
    await read.fetch_all({"login": "p1"})  # through SQLAlchemy: the dialect learns the server
    for login in ("p1", "p2", "p3", "p4", "p5", "nobody"):
        rows = await read.fetch_all({"login": login})
        assert [r["login"] for r in rows] == ([] if login == "nobody" else [login])
        assert all(r["last_name"] == "Ünïcode 😀" for r in rows)
    # One connection did the reads (each went back before the next): one COM_STMT_PREPARE,
    # then one COM_STMT_EXECUTE per read.
    prepared = await session_status(engine, "Com_stmt_prepare")
    executed = await session_status(engine, "Com_stmt_execute")
    assert sorted(prepared)[-1] == 1
    assert sorted(executed)[-1] == 6


async def test_quoted_literals_are_prepared_unless_they_hold_a_percent_sign(
    engine: AsyncEngine,
) -> None:
    """The planner spells JSON keys as quoted literals (``nested_reads``): such a read is a
    prepared statement too; a literal with a ``%`` (ambiguous beside asyncmy's ``%s``
    markers) is sent as text, with the same answer."""
    reader = read_only_view(engine)
    login = customer_user.c.login
    keyed = sa.select(sa.func.json_object(sa.literal_column("'who'"), login).label("v")).where(
        login == sa.bindparam("login")
    )
    percent = sa.select(login.label("v")).where(
        login == sa.bindparam("login"), login.not_like(sa.literal_column("'%x%'"))
    )
    read, text_read = PreparedRead(reader, keyed), PreparedRead(reader, percent)
    await read.fetch_all({"login": "p1"})  # through SQLAlchemy: the dialect learns the server
    await text_read.fetch_all({"login": "p1"})
    for name in ("p1", "p2", "nobody"):
        rows = await read.fetch_all({"login": name})
        assert [r["v"] for r in rows] == ([] if name == "nobody" else [f'{{"who": "{name}"}}'])
        rows = await text_read.fetch_all({"login": name})
        assert [r["v"] for r in rows] == ([] if name == "nobody" else [name])
    prepared = await session_status(engine, "Com_stmt_prepare")
    executed = await session_status(engine, "Com_stmt_execute")
    assert sorted(prepared)[-1] == 1  # the JSON read only
    assert sorted(executed)[-1] == 3


async def connection_ids(url: str) -> list[int]:
    conn = await mariadb_admin_connection()
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(
                "SELECT id FROM information_schema.PROCESSLIST WHERE db = %s",
                (engine_database(url),),
            )
            return [int(row[0]) for row in await cursor.fetchall()]
    finally:
        await conn.ensure_closed()


def engine_database(url: str) -> str:
    return str(sa.make_url(url).database)


async def test_a_connection_dropped_after_driver_reads_is_replaced_at_checkout(
    databases: Databases,
) -> None:
    """The switch back to transactions is the first round trip of a SQLAlchemy checkout after
    driver reads: when the server killed the connection meanwhile, the pool replaces it
    (``DisconnectionError``) and the unit of work runs, instead of failing on it."""
    url = await databases.create("mariadb")
    await run_sql(url, [SEED])
    engine = create_engine(DatabaseConfig(url=url, pool_size=2))
    try:
        read = PreparedRead(read_only_view(engine), sa.select(sa.func.sleep(sa.bindparam("s"))))
        await read.fetch_all({"s": 0})  # through SQLAlchemy: the dialect learns the server
        await asyncio.gather(read.fetch_all({"s": 0.2}), read.fetch_all({"s": 0.2}))
        assert len(idle_drivers(engine)) == 2
        assert all(driver.get_autocommit() for driver in idle_drivers(engine))
        killer = await mariadb_admin_connection()
        try:
            async with killer.cursor() as cursor:
                for connection_id in await connection_ids(url):
                    await cursor.execute(f"KILL CONNECTION {connection_id}")
        finally:
            await killer.ensure_closed()
        async with engine.begin() as conn:
            assert not await conn.scalar(sa.text("SELECT @@autocommit"))
            await conn.execute(sa.delete(customer_user).where(customer_user.c.login == "p1"))
        async with engine.connect() as conn:
            assert await conn.scalar(sa.select(sa.func.count()).select_from(customer_user)) == 4
    finally:
        await engine.dispose()


async def test_units_of_work_stay_transactional_after_driver_reads(engine: AsyncEngine) -> None:
    read = PreparedRead(
        read_only_view(engine), sa.select(sa.func.count()).select_from(customer_user)
    )
    for _ in range(3):
        await read.fetch_all({})
    assert any(driver.get_autocommit() for driver in idle_drivers(engine))

    async with engine.connect() as conn:
        await conn.execute(sa.delete(customer_user))
        # closing without commit rolls the delete back
    assert (await read.fetch_positional({}))[0][0] == 5
    async with engine.begin() as conn:
        assert not await conn.scalar(sa.text("SELECT @@autocommit"))


async def test_a_cancelled_driver_read_leaves_no_half_read_connection(engine: AsyncEngine) -> None:
    read = PreparedRead(read_only_view(engine), sa.select(sa.func.sleep(sa.bindparam("pause"))))
    await read.fetch_all({"pause": 0})  # through SQLAlchemy: the dialect learns the server
    pool: Any = engine.sync_engine.pool
    slow = asyncio.ensure_future(read.fetch_positional({"pause": 2}))
    await asyncio.sleep(0.3)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert pool.checkedout() == 0
    rows = await asyncio.gather(*(read.fetch_positional({"pause": 0}) for _ in range(4)))
    assert [r[0][0] for r in rows] == [0] * 4
    assert pool.checkedout() == 0
