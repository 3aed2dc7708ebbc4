"""Drops the test databases a test process made, from a process of its own that the test run
does not wait for (``drop_detached``).

Why not in the run: PostgreSQL's ``DROP DATABASE`` waits for an immediate checkpoint, and a
checkpoint on this machine syncs every file written since the last one (55,000-105,000 files
per checkpoint in the measured run, where many databases are made). One drop took 30 s
wall-clock on its own; in a full run the drops took 460 s of summed test time (the OTOBO
fixtures' teardowns, 28-117 s each) and 37-39 s at each worker's end (``Databases.drop_all``),
time in which the test process only waited. The databases are still dropped, seconds after the
run instead of inside it.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import asyncmy
import asyncpg

PROJECT = Path(__file__).resolve().parents[1]


def drop_detached(
    pg_admin_dsn: str, postgresql: list[str], mariadb_admin: str, mariadb: list[str]
) -> None:
    """Start the process that drops these databases (``pg_admin_dsn``: asyncpg's DSN of the
    ``postgres`` database; ``mariadb_admin``: a URL of the MariaDB server); do not wait."""
    if not postgresql and not mariadb:
        return
    names = json.dumps(
        {
            "pg": pg_admin_dsn,
            "postgresql": postgresql,
            "mariadb_admin": mariadb_admin,
            "mariadb": mariadb,
        }
    )
    # Through a shell that starts it in the background and ends: the dropper outlives the
    # test process without being its child (a child still running when its Popen is collected
    # is a ResourceWarning, an error in this suite).
    subprocess.run(  # noqa: S603 - this module, our own names
        ["/bin/sh", "-c", '"$@" &', "sh", sys.executable, "-m", "tests.drop_databases", names],
        cwd=PROJECT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not ended with the test process or its process group
        check=True,
    )


async def _drop_mariadb(admin: str, names: list[str]) -> None:
    url = urlsplit(admin)
    conn = await asyncmy.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 3306,
        user=unquote(url.username or "root"),
        password=unquote(url.password or ""),
    )
    try:
        async with conn.cursor() as cursor:
            for name in names:
                await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        await conn.ensure_closed()


async def _drop_pg(dsn: str, name: str, slots: asyncio.Semaphore) -> None:
    async with slots:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def _drop(given: dict[str, str | list[str]]) -> None:
    pg, mariadb_admin = str(given["pg"]), str(given["mariadb_admin"])
    jobs = []
    if given["mariadb"]:
        jobs.append(_drop_mariadb(mariadb_admin, list(given["mariadb"])))
    # All at once: one at a time, 8 drops took 4.5 s; together 0.14 s (one checkpoint). Eight
    # connections, well below PostgreSQL's max_connections.
    slots = asyncio.Semaphore(8)
    jobs += [_drop_pg(pg, name, slots) for name in given["postgresql"]]
    await asyncio.gather(*jobs)


if __name__ == "__main__":
    asyncio.run(_drop(json.loads(sys.argv[1])))
