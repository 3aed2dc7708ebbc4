"""The benchmark's PostgreSQL database and server: a fresh ``roster_bench`` database, migrated
and loaded with the generated data set, an API key in it, and ``roster serve`` started as users
run it on a free loopback port. ``bench.run`` and ``bench.soak`` share these.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from app.migrate import upgrade
from bench.generate import DataSet, load

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DSN = os.environ.get("ROSTER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "roster_bench")
"""The benchmark database (dropped and rebuilt each run); ``BENCH_DB_NAME`` names another,
e.g. when several checkouts benchmark on one PostgreSQL server."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(data: DataSet) -> tuple[str, str]:
    """A fresh, migrated, loaded benchmark database; returns (asyncpg DSN, SQLAlchemy URL)."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await conn.close()
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{DB_NAME}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    await asyncio.to_thread(upgrade, url)
    started = time.perf_counter()
    await load(dsn, data)
    print(f"loaded {data.users} users / {data.customers} customers "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)  # fmt: skip
    return dsn, url


async def api_key(url: str, scope: str = "read") -> str:
    """A new API key of ``scope`` (``read``, ``admin`` or ``authenticate``) in the database at
    ``url``, named after this process and the scope."""
    from datasources.db.api_keys import ApiKeyStore, Scope
    from datasources.db.engine import create_engine
    from domain.config import DatabaseConfig

    engine = create_engine(DatabaseConfig(url=url))
    try:
        secret, _ = await ApiKeyStore(engine).create(f"bench-{os.getpid()}-{scope}", Scope(scope))
        return secret
    finally:
        await engine.dispose()


def start_server(
    config: Path,
    log: Path | None = None,
    *,
    module: str = "app.cli",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``roster serve`` as users run it, in its own process (its output into ``log``);
    ``module`` another entry point that runs it (``bench.live_probe``), with ``env`` added."""
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", module, "serve", "--config", str(config)],
        cwd=ROOT,
        stdout=output,
        stderr=output,
        env=None if env is None else {**os.environ, **env},
    )


async def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            if process.poll() is not None:
                raise SystemExit("the server exited during start-up")
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not become healthy")


def server_toml(url: str, port: int, *, pool_size: int, workers: int) -> str:
    """The ``[database]`` and ``[server]`` sections every benchmark server starts with; a
    caller may add ``[server]`` keys right after them, then sections of its own."""
    return (
        f'[database]\nurl = "{url}"\npool_size = {pool_size}\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ngraphiql = false\n'
        f"statement_count_header = true\nworkers = {workers}\n"
    )
