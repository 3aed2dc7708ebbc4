"""The changes feed under concurrent writers on two real server processes (issue 18).

Two ``roster serve`` subprocesses on one database take customer-user updates at once, eight
in flight at a time, while a reader follows ``changes`` from a stored cursor, a small page at
a time, asking the two processes in turn. Every acknowledged write must reach the reader
exactly once, in commit order: none lost (a transaction that took its id first but committed
last is the classic way to lose one), none repeated. On every database kind the fixtures run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import load_config
from datasources.db.api_keys import Scope
from datasources.storage import open_storage
from tests.cli.helpers import free_port
from tests.cli.servers import _announced_base, running_server, wait_healthy
from tests.conftest import DB_KINDS, unique
from tests.factories import CUSTOMER_CREATE, USER_CREATE, user_input

USERS = 6
WRITES = 120
IN_FLIGHT = 8
UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " userErrors { code } } }"
)
CHANGES = (
    "query($after: String) { changes(after: $after, first: 5, types: [CUSTOMER_USER]) {"
    " nodes { position objectKey action fields { field after } } pageInfo { hasNextPage }"
    " cursor } }"
)


def _config(path: Path, url: str) -> Path:
    path.write_text(
        f"[database]\nurl = {json.dumps(url)}\n"
        f'[server]\nhost = "127.0.0.1"\nport = {free_port()}\n'
        "[passwords]\nbcrypt_cost = 4\n",
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def _two_servers(tmp_path: Path, url: str) -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack:
        bases = []
        for name in ("a", "b"):
            log = tmp_path / f"serve-{name}.log"
            process = stack.enter_context(
                running_server(_config(tmp_path / f"{name}.toml", url), log)
            )
            base = _announced_base(process, log)
            wait_healthy(process, base, log)
            bases.append(base)
        yield bases


async def _admin_key(url: str, tmp_path: Path) -> str:
    storage = await open_storage(load_config(_config(tmp_path / "prepare.toml", url)))
    try:
        secret, _ = await storage.api_keys.create(unique("feed-"), Scope.ADMIN)
    finally:
        await storage.close()
    return f"Bearer {secret}"


async def _post(client: httpx.AsyncClient, base: str, key: str, query: str, **v: Any) -> Any:
    r = await client.post(
        f"{base}/graphql", json={"query": query, "variables": v}, headers={"Authorization": key}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.mark.parametrize("kind", DB_KINDS)
async def test_two_processes_writing_at_once_lose_and_repeat_nothing(
    databases: Any, tmp_path: Path, kind: str
) -> None:
    url = str(await databases.create(kind))
    key = await _admin_key(url, tmp_path)
    await asyncio.to_thread(_with_two_servers, tmp_path, url, key)


def _with_two_servers(tmp_path: Path, url: str, key: str) -> None:
    with _two_servers(tmp_path, url) as servers:
        asyncio.run(_check(servers, key))


async def _check(servers: list[str], key: str) -> None:
    async with httpx.AsyncClient(timeout=120) as client:
        customer = unique("C")
        data = await _post(
            client, servers[0], key, CUSTOMER_CREATE, i={"customerId": customer, "name": customer}
        )
        assert data["customerCreate"]["userErrors"] == []
        logins = []
        for _ in range(USERS):
            value = user_input(customer)
            data = await _post(client, servers[1], key, USER_CREATE, i=value)
            assert data["customerUserCreate"]["userErrors"] == []
            logins.append(value["login"])
        start = (await _post(client, servers[0], key, "{ changesHead }"))["changesHead"]

        slots = asyncio.Semaphore(IN_FLIGHT)
        acknowledged: list[str] = []

        async def write(i: int) -> None:
            async with slots:
                city = f"city-{i}"
                values = {"login": logins[i % USERS], "city": city}
                data = await _post(client, servers[i % 2], key, UPDATE, i=values)
                assert data["customerUserUpdate"]["userErrors"] == [], data
                acknowledged.append(city)

        writers = asyncio.gather(*(write(i) for i in range(WRITES)))
        seen: list[dict[str, Any]] = []
        cursor, turn = start, 0
        while True:
            done = writers.done()
            page = (await _post(client, servers[turn % 2], key, CHANGES, after=cursor))["changes"]
            turn += 1
            seen += page["nodes"]
            cursor = page["cursor"]
            if done and not page["pageInfo"]["hasNextPage"] and not page["nodes"]:
                break
            if not page["nodes"]:
                await asyncio.sleep(0.01)
        await writers

    positions = [int(node["position"]) for node in seen]
    assert positions == sorted(positions), "out of commit order"
    assert len(positions) == len(set(positions)), "a change was repeated"
    cities = [f["after"] for node in seen for f in node["fields"] if f["field"] == "UserCity"]
    assert len(acknowledged) == WRITES
    assert sorted(cities) == sorted(acknowledged), "a change was lost or repeated"
