"""Sign-in limits shared by two real server processes on one PostgreSQL database (issue 14).

Two ``roster serve`` subprocesses, each with its own port, count into the same
``roster_sign_in_attempt`` rows: failures of one login sent alternately to both lock it at
exactly ``max_login_failed``, a client's attempts sent at once to both get exactly the allowed
number through, and OTOBO's ``UserLoginFailed`` counts every failure of both.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from app.settings import load_config
from datasources.db.api_keys import Scope
from datasources.db.tables import customer_preferences
from datasources.storage import open_storage
from tests.cli.helpers import free_port
from tests.cli.servers import _announced_base, running_server, wait_healthy
from tests.conftest import unique
from tests.factories import CUSTOMER_CREATE, USER_CREATE, user_input

PASSWORD = "Correct-Horse-7"
WRONG = "Wrong-Horse-7"
MAX_FAILED = 50
THROTTLE = 40
SIGN_IN = (
    "mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {"
    " success retryAt userErrors { code } } }"
)


def _config(path: Path, url: str) -> Path:
    path.write_text(
        f"[database]\nurl = {json.dumps(url)}\n"
        f'[server]\nhost = "127.0.0.1"\nport = {free_port()}\n'
        "[passwords]\nbcrypt_cost = 4\n"
        f"[customer_auth.limits]\nmax_login_failed = {MAX_FAILED}\nlock_minutes = 10\n"
        f"[customer_auth.limits.throttle]\nattempts = {THROTTLE}\nwindow_seconds = 300\n",
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def two_servers(tmp_path: Path, url: str) -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack:
        bases = []
        for name in ("a", "b"):
            log = tmp_path / f"serve-{name}.log"
            config = _config(tmp_path / f"{name}.toml", url)
            process = stack.enter_context(running_server(config, log))
            base = _announced_base(process, log)
            wait_healthy(process, base, log)
            bases.append(base)
        yield bases


async def _prepare(config: Path) -> tuple[str, str, str]:
    """An admin key, and two users made through the storage Roster itself uses."""
    storage = await open_storage(load_config(config))
    try:
        secret, _ = await storage.api_keys.create(unique("two-"), Scope.ADMIN)
    finally:
        await storage.close()
    return f"Bearer {secret}", unique("ada"), unique("bob")


async def _create_user(client: httpx.AsyncClient, base: str, key: str, login: str) -> None:
    customer = unique("C")
    for query, values in [
        (CUSTOMER_CREATE, {"customerId": customer, "name": customer}),
        (USER_CREATE, user_input(customer, login, password=PASSWORD)),
    ]:
        r = await client.post(
            f"{base}/graphql",
            json={"query": query, "variables": {"i": values}},
            headers={"Authorization": key},
        )
        assert r.status_code == 200, r.text
        assert "errors" not in r.json(), r.text
        payload = next(iter(r.json()["data"].values()))
        assert payload["userErrors"] == [], r.text


async def _sign_in(
    client: httpx.AsyncClient, base: str, key: str, login: str, password: str, address: str
) -> Any:
    values = {"login": login, "password": password, "clientAddress": address}
    r = await client.post(
        f"{base}/graphql",
        json={"query": SIGN_IN, "variables": {"i": values}},
        headers={"Authorization": key},
    )
    assert r.status_code == 200, r.text
    payload = r.json()["data"]["customerUserAuthenticate"]
    return payload["userErrors"][0]["code"] if payload["userErrors"] else None


async def _login_failed(url: str, login: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            value = await conn.scalar(
                sa.select(customer_preferences.c.preferences_value).where(
                    customer_preferences.c.user_id == login,
                    customer_preferences.c.preferences_key == "UserLoginFailed",
                )
            )
    finally:
        await engine.dispose()
    return None if value is None else str(value)


async def test_two_server_processes_share_the_lockout_and_the_throttle(
    databases: Any, tmp_path: Path
) -> None:
    url = str(await databases.create("postgresql"))
    key, ada, bob = await _prepare(_config(tmp_path / "prepare.toml", url))
    await asyncio.to_thread(_with_two_servers, tmp_path, url, key, ada, bob)


def _with_two_servers(tmp_path: Path, url: str, key: str, ada: str, bob: str) -> None:
    with two_servers(tmp_path, url) as servers:
        asyncio.run(_check(url, servers, key, ada, bob))


async def _check(url: str, servers: list[str], key: str, ada: str, bob: str) -> None:
    a, b = servers
    async with httpx.AsyncClient(timeout=60) as client:
        await _create_user(client, a, key, ada)
        await _create_user(client, b, key, bob)

        # One login's failures, alternately on each process (each from its own address, so
        # the throttle stays out of it): held at exactly MAX_FAILED, on both.
        answers = [
            await _sign_in(client, servers[i % 2], key, ada, WRONG, f"198.51.100.{i % 250}")
            for i in range(MAX_FAILED + 2)
        ]
        assert answers == ["INVALID_CREDENTIALS"] * MAX_FAILED + ["LOCKED"] * 2
        for base in servers:
            assert await _sign_in(client, base, key, ada, PASSWORD, "192.0.2.1") == "LOCKED"
        assert await _login_failed(url, ada) == str(MAX_FAILED)

        # Failures of one login at once on both processes: UserLoginFailed counts each.
        at_once = await asyncio.gather(
            *(
                _sign_in(client, servers[i % 2], key, bob, WRONG, f"203.0.113.{i}")
                for i in range(30)
            )
        )
        assert at_once == ["INVALID_CREDENTIALS"] * 30
        assert await _login_failed(url, bob) == "30"

        # One client's attempts at once on both processes: exactly THROTTLE get through.
        spray = await asyncio.gather(
            *(
                _sign_in(client, servers[i % 2], key, unique("u"), PASSWORD, "192.0.2.77")
                for i in range(100)
            )
        )
        assert sorted(spray) == ["INVALID_CREDENTIALS"] * THROTTLE + ["TOO_MANY_ATTEMPTS"] * (
            100 - THROTTLE
        )
        assert await _sign_in(client, a, key, bob, PASSWORD, "192.0.2.78") is None
