"""The benchmark on MariaDB (``bench.run --db mariadb``): its database, made as OTOBO's
installer makes one and migrated by ``roster db upgrade``, the generated data loaded with
multi-row INSERTs, and the raw-SQL floors through asyncmy, the driver Roster uses there.

The floors ask what Roster's statements ask, in MariaDB's spelling: ``lower(x)`` is
``LOWER(x COLLATE utf8mb4_nopad_bin)`` (case folded, accents kept, as on PostgreSQL; the
column's own ``utf8mb4_…_ci`` collation would also ignore accents), a case-insensitive key
lookup also asks ``x = value`` so the column's case-insensitive index finds the candidates
(``datasources/db/dialect.py``), and lists sort by code point (``COLLATE utf8mb4_nopad_bin``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncmy
from sqlalchemy.engine import URL, make_url

from app.migrate import upgrade
from bench.generate import DataSet, table_rows

ADMIN_URL = make_url(os.environ.get("ROSTER_BENCH_MARIADB", "mysql+asyncmy://root@127.0.0.1:3306"))
DB_NAME = "roster_bench"
DATABASE_OPTIONS = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
"""As OTOBO's installer creates its database (and tests/conftest.py does)."""

BIN = "utf8mb4_nopad_bin"
SEARCH_COLUMNS = ("login", "first_name", "last_name", "customer_id")  # the backend's default
MATCHES = " OR ".join(f"LOWER({c} COLLATE {BIN}) LIKE %(1)s" for c in SEARCH_COLUMNS)
SEARCH_FLOOR = f"""SELECT login, first_name, last_name, email, customer_id FROM customer_user
WHERE valid_id = 1 AND ({MATCHES}) ORDER BY login COLLATE {BIN} LIMIT 1001"""
PAGE_FLOOR = f"""SELECT p.login, c.name FROM (SELECT login, customer_id FROM customer_user
  WHERE valid_id = 1 ORDER BY login COLLATE {BIN} LIMIT 1001) p
LEFT JOIN customer_company c ON c.customer_id = p.customer_id
  AND LOWER(c.customer_id COLLATE {BIN}) = LOWER(p.customer_id COLLATE {BIN})
ORDER BY p.login COLLATE {BIN}"""
"""The page first, then its customers: MariaDB joins before it sorts and cuts, so the plain
join (PostgreSQL's floor) took half as long again here (36 against 24 ms)."""
ONE_FLOOR = f"""SELECT login, first_name, last_name, email, customer_id FROM customer_user
WHERE login = %(1)s AND LOWER(login COLLATE {BIN}) = LOWER(%(1)s COLLATE {BIN})"""
FLOORS = {"(1)": SEARCH_FLOOR, "(2)": PAGE_FLOOR, "(3)": ONE_FLOOR}
"""The floors of the scenarios MariaDB runs, by scenario number."""


def database_url() -> str:
    """The SQLAlchemy URL of the benchmark database (what the server's config gets)."""
    url = ADMIN_URL.set(database=DB_NAME, query={"charset": "utf8mb4"})
    return url.render_as_string(hide_password=False)


async def connect(url: URL, database: str | None = None) -> Any:
    """A plain asyncmy connection to the server of ``url``."""
    return await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        db=database,
        charset="utf8mb4",
    )


async def prepare(data: DataSet) -> tuple[str, str]:
    """A fresh, migrated, loaded benchmark database; returns its URL twice (the floors connect
    with it too), as ``bench.harness.prepare`` returns (floor DSN, SQLAlchemy URL)."""
    conn = await connect(ADMIN_URL)
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{DB_NAME}`")
            await cursor.execute(f"CREATE DATABASE `{DB_NAME}` {DATABASE_OPTIONS}")
    finally:
        await conn.ensure_closed()
    url = database_url()
    await asyncio.to_thread(upgrade, url)
    started = time.perf_counter()
    await load(data)
    print(f"loaded {data.users} users / {data.customers} customers "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)  # fmt: skip
    return url, url


async def load(data: DataSet) -> None:
    """The generated rows into the (migrated, empty) benchmark database, then ``ANALYZE``."""
    tables = table_rows(data)
    conn = await connect(ADMIN_URL, DB_NAME)
    try:
        async with conn.cursor() as cursor:
            # asyncmy turns executemany of an INSERT into multi-row INSERTs of up to ~1 MB.
            for table, rows, columns in tables:
                marks = ", ".join(["%s"] * len(columns))
                await cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    rows,
                )
            await conn.commit()
            await cursor.execute("ANALYZE TABLE " + ", ".join(t for t, _, _ in tables))
            await cursor.fetchall()
    finally:
        await conn.ensure_closed()


@contextlib.asynccontextmanager
async def floor_fetch(
    url: str, size: int
) -> AsyncIterator[Callable[[str, tuple[Any, ...]], Awaitable[None]]]:
    """A function running a floor's SQL (parameters ``%(1)s``, ``%(2)s``, … as PostgreSQL's
    ``$1``, ``$2``, …) on a pool of ``size`` asyncmy connections."""
    target = make_url(url)
    pool = await asyncmy.create_pool(
        minsize=size,
        maxsize=size,
        host=target.host or "127.0.0.1",
        port=target.port or 3306,
        user=target.username or "root",
        password=target.password or "",
        db=target.database,
        charset="utf8mb4",
        autocommit=True,
    )

    async def fetch(sql: str, params: tuple[Any, ...]) -> None:
        async with pool.acquire() as conn, conn.cursor() as cursor:
            await cursor.execute(sql, {str(n): v for n, v in enumerate(params, start=1)})
            await cursor.fetchall()

    try:
        yield fetch
    finally:
        pool.close()
        await pool.wait_closed()
