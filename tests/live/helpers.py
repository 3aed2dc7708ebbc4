"""A real ``roster serve`` for the live-update tests, its API keys, and clients: WebSocket
(``graphql-transport-ws`` with the ``websockets`` package) and Server-Sent Events (httpx)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from datasources.db.api_keys import Scope
from datasources.storage import open_storage
from domain.config import RosterConfig
from tests.cli.helpers import free_port
from tests.cli.servers import _announced_base, running_server, wait_healthy

PROTOCOL = "graphql-transport-ws"
CHANGES = (
    "subscription($t: [ChangeObjectType!]) {"
    " changes(types: $t) { type id key action at previousKey } }"
)
USER_CHANGED = (
    "subscription($l: String!) { customerUserChanged(login: $l) {"
    " change { action key previousKey } customerUser { login email } } }"
)
CREATE_USER = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {"
    " customerUser { login } userErrors { code message } } }"
)
UPDATE_USER = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser { login } userErrors { code message } } }"
)
CREATE_CUSTOMER = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {"
    " customer { customerId } userErrors { code message } } }"
)
HEAD = "{ changesHead }"


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class Keys:
    admin: str
    read: str
    authenticate: str
    read_id: int

    def bearer(self, which: str) -> str:
        return f"Bearer {getattr(self, which)}"


async def create_keys(url: str) -> Keys:
    storage = await open_storage(RosterConfig.model_validate({"database": {"url": url}}))
    try:
        admin, _ = await storage.api_keys.create(unique("admin-"), Scope.ADMIN)
        read, read_key = await storage.api_keys.create(unique("read-"), Scope.READ)
        auth, _ = await storage.api_keys.create(unique("portal-"), Scope.AUTHENTICATE)
    finally:
        await storage.close()
    return Keys(admin, read, auth, read_key.id)


def write_config(
    path: Path, url: str, *, workers: int = 1, live: dict[str, Any] | None = None, **server: Any
) -> Path:
    lines = [
        f"[database]\nurl = {json.dumps(url)}",
        "[server]",
        'host = "127.0.0.1"',
        # One process announces the port it was given (0 would not tell which it took).
        f"port = {free_port() if workers == 1 else 0}",
        f"workers = {workers}",
        *(f"{key} = {json.dumps(value)}" for key, value in server.items()),
        "[live]",
        *(f"{key} = {json.dumps(value)}" for key, value in (live or {}).items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def serving(config: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``roster serve`` (one process or several workers) once it answers: (process, base)."""
    with running_server(config, log) as process:
        base = _announced_base(process, log)
        wait_healthy(process, base, log)
        yield process, base


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


@contextlib.asynccontextmanager
async def socket(
    base: str, *, headers: dict[str, str] | None = None, init: dict[str, Any] | None = None
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, acknowledged (``init``: the connection_init payload;
    None sends no connection_init)."""
    async with connect(
        ws_url(base),
        subprotocols=[Subprotocol(PROTOCOL)],
        additional_headers=headers,
        open_timeout=20,
    ) as ws:
        if init is not None:
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            ack = json.loads(await recv(ws))
            assert ack["type"] == "connection_ack", ack
        yield ws


async def recv(ws: ClientConnection, wait: float = 20) -> str:
    """The next message, which must be a text frame: browsers' clients (graphql-ws) cannot
    read a binary one (app/live_transport.TextFrames)."""
    import asyncio

    message = await asyncio.wait_for(ws.recv(), wait)
    assert isinstance(message, str), f"a binary frame: {message!r}"
    return message


async def subscribe(
    ws: ClientConnection, id: str, query: str, variables: dict[str, Any] | None = None
) -> None:
    payload = {"query": query, "variables": variables or {}}
    await ws.send(json.dumps({"id": id, "type": "subscribe", "payload": payload}))


async def next_message(ws: ClientConnection, wait: float = 20) -> dict[str, Any]:
    """The next message that is not a ping/pong."""
    while True:
        message: dict[str, Any] = json.loads(await recv(ws, wait))
        if message["type"] not in ("ping", "pong"):
            return message


async def gql(
    base: str, query: str, variables: dict[str, Any] | None = None, *, key: str
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": key},
        )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    return body


async def mutate(base: str, query: str, value: dict[str, Any], *, key: str) -> dict[str, Any]:
    """The payload of the mutation ``query`` with ``value`` as its ``input``, which must have
    succeeded (no GraphQL error, no ``userErrors``)."""
    body = await gql(base, query, {"i": value}, key=key)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    assert payload["userErrors"] == [], body
    return payload


def user_input(login: str, customer_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "login": login,
        "firstName": "Live",
        "lastName": "Test",
        "email": f"{login}@acme.test",
        "customerId": customer_id,
        **extra,
    }


async def new_customer_and_user(base: str, *, key: str, **extra: Any) -> tuple[str, str]:
    """(customer ID, login) of a new customer and a new user of it, ``extra`` its fields."""
    customer = unique("c")
    await mutate(base, CREATE_CUSTOMER, {"customerId": customer, "name": customer}, key=key)
    login = unique("u")
    await mutate(base, CREATE_USER, user_input(login, customer, **extra), key=key)
    return customer, login


def serving_worker(ws: ClientConnection, workers: list[int]) -> int:
    """Which worker process holds the server side of the WebSocket ``ws`` (from /proc)."""
    from tests.cli.servers import _open_files

    client_port = ws.local_address[1]
    server_port = ws.remote_address[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local = int(fields[1].rsplit(":", 1)[1], 16)
        remote = int(fields[2].rsplit(":", 1)[1], 16)
        if (local, remote) == (server_port, client_port):
            inodes.add(f"socket:[{fields[9]}]")
    holders = {pid for pid in workers if inodes & _open_files(pid)}
    assert len(holders) == 1, (inodes, holders)
    return holders.pop()
