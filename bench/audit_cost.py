"""What the audit trail adds to ``customerUserUpdate`` (issue 18: at most 15 %).

Runs the mutation through the app in this process (ASGI, no HTTP) against a fresh database,
one request at a time, alternating requests with the audit write on and off (off: the one
place use cases hand their events over, ``resolvers.use_cases.audit_trail.record``, replaced
by a no-op for that request), and reports each kind's median and p90 latency, CPU per request
and statements per request. Interleaving single requests on one database keeps the drift of
a shared machine's load out of the comparison as far as possible.

    .venv/bin/python -m bench.audit_cost                  # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python -m bench.audit_cost --db sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrate import upgrade
from app.server import create_app
from datasources.db.api_keys import Scope
from datasources.storage import open_storage
from domain.config import RosterConfig
from resolvers.use_cases import audit_trail

UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser { login city } userErrors { code } } }"
)
CREATE_CUSTOMER = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { userErrors { code } } }"
)
CREATE_USER = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {"
    " userErrors { code } } }"
)
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def _database(kind: str) -> tuple[str, Any]:
    """A fresh, migrated database: (its URL, how to drop it)."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp()) / "audit.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(upgrade, url)

        async def forget() -> None:
            path.unlink(missing_ok=True)

        return url, forget
    name = f"roster_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    await asyncio.to_thread(upgrade, url)

    async def drop() -> None:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return url, drop


@contextmanager
def _audit_off() -> Iterator[None]:
    original = audit_trail.record
    audit_trail.record = lambda conn, actor, events: None
    try:
        yield
    finally:
        audit_trail.record = original


async def _gql(client: httpx.AsyncClient, headers: Any, query: str, value: Any) -> httpx.Response:
    response = await client.post(
        "/graphql", json={"query": query, "variables": {"i": value}}, headers=headers
    )
    body = response.json()
    payload = next(iter(body["data"].values()))
    assert payload["userErrors"] == [], body
    return response


async def run(args: argparse.Namespace) -> None:
    url, drop = await _database(args.db)
    config = RosterConfig.model_validate(
        {"database": {"url": url}, "server": {"statement_count_header": True}}
    )
    storage = await open_storage(config)
    try:
        key, _ = await storage.api_keys.create("bench-audit", Scope.ADMIN)
        headers = {"Authorization": f"Bearer {key}"}
        transport = httpx.ASGITransport(app=create_app(config, storage=storage))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await _gql(client, headers, CREATE_CUSTOMER, {"customerId": "bench", "name": "B"})
            logins = [f"bench-{i}" for i in range(args.users)]
            for login in logins:
                value = {
                    "login": login,
                    "firstName": "A",
                    "lastName": "B",
                    "email": f"{login}@bench.test",
                    "customerId": "bench",
                    "password": "Bench-Password-1",
                }
                await _gql(client, headers, CREATE_USER, value)
            times: dict[str, list[float]] = {"on": [], "off": []}
            cpu_times: dict[str, list[float]] = {"on": [], "off": []}
            statements: dict[str, set[str]] = {"on": set(), "off": set()}
            counter = 0

            async def one(mode: str) -> None:
                nonlocal counter
                counter += 1
                value = {"login": logins[counter % len(logins)], "city": f"c{counter}"}
                wall, cpu = time.perf_counter(), time.process_time()
                response = await _gql(client, headers, UPDATE, value)
                times[mode].append((time.perf_counter() - wall) * 1000)
                cpu_times[mode].append((time.process_time() - cpu) * 1000)
                statements[mode].add(response.headers.get("x-roster-sql-statements", "?"))

            for i in range(args.warm + args.n):
                if i == args.warm:
                    times, cpu_times = {"on": [], "off": []}, {"on": [], "off": []}
                for mode in ("on", "off") if i % 2 else ("off", "on"):
                    if mode == "off":
                        with _audit_off():
                            await one(mode)
                    else:
                        await one(mode)
        for mode in ("off", "on"):
            wall = sorted(times[mode])
            print(
                f"audit {mode:>3}: median {statistics.median(wall):.2f} ms, "
                f"p90 {wall[int(len(wall) * 0.9)]:.2f} ms, mean CPU "
                f"{statistics.mean(cpu_times[mode]):.2f} ms (this process) per request "
                f"({len(wall)} requests), statements {sorted(statements[mode])}"
            )
        off, on = statistics.median(times["off"]), statistics.median(times["on"])
        print(f"the audit write adds {(on / off - 1) * 100:+.1f} % (median latency)")
    finally:
        await storage.close()
        await drop()


def main() -> None:
    logging.disable(logging.INFO)  # no access line per request
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("-n", type=int, default=500, help="updates of each kind measured")
    parser.add_argument("--warm", type=int, default=50, help="updates of each kind first")
    parser.add_argument("--users", type=int, default=50)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
