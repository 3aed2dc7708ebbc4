"""Real PostgreSQL faults for the ``test_connection_faults*`` modules: the seed of 1500 users
those tests look up, every connection killed as a restart would, a wait until statements are
inside ``pg_sleep`` on the server, and tables locked so that statements wait on the database
(also used by ``tests/api/test_time_limit.py``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

SEED_USERS = (
    "INSERT INTO customer_user (login, email, customer_id, first_name, last_name, valid_id,"
    " create_time, create_by, change_time, change_by)"
    " SELECT 'fault' || g, 'fault' || g || '@example.com', 'fault-co', 'Fault', 'User' || g, 1,"
    " now(), 1, now(), 1 FROM generate_series(1, {count}) AS g"
)


async def kill_connections(url: str) -> int:
    """Terminate every other connection to ``url``'s database (as a restart or an
    administrator would); waits until they are gone. Returns how many there were."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return int(killed)


async def sleeping_on_the_server(url: str, count: int) -> None:
    """Wait until ``count`` statements on ``url``'s database are inside ``pg_sleep``."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        for _ in range(200):
            sleeping = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
            )
            if sleeping >= count:
                return
            await asyncio.sleep(0.02)
    finally:
        await admin.close()
    raise AssertionError(f"fewer than {count} statements reached pg_sleep")


@contextlib.asynccontextmanager
async def tables_locked(url: str, *tables: str) -> AsyncIterator[asyncpg.Connection]:
    """``tables`` of ``url``'s database locked against any access (``ACCESS EXCLUSIVE``, in an
    open transaction of a connection of their own) until the block ends, so the server's
    statements on them wait, in flight, on the database. Yields that connection; its
    transaction, which only locked, is rolled back at the end."""
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        transaction = admin.transaction()
        await transaction.start()
        await admin.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        try:
            yield admin
        finally:
            await transaction.rollback()
    finally:
        await admin.close()
