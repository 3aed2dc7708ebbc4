"""``roster import`` publishes live updates: a subscriber of a running server sees the users
a command-line import creates or updates, as it sees the API's writes, through the Redis or
the PostgreSQL broker; one broker message per committed batch. With the local broker the
import cannot reach the server: it says so, and the changes feed has the rows."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from domain.live import decode
from tests.cli.helpers import roster
from tests.live.helpers import (
    CHANGES,
    USER_CHANGED,
    create_keys,
    gql,
    next_message,
    serving,
    socket,
    subscribe,
    unique,
    write_config,
)

REDIS = "redis://127.0.0.1:6379/0"
HEADER = (
    "type,CustomerID,CustomerCompanyName,UserLogin,UserFirstname,UserLastname,UserEmail,"
    "UserCustomerID\n"
)


def _file(path: Path, customer: str, logins: list[str], last_name: str = "Tester") -> Path:
    lines = [HEADER, f"customer,{customer},{customer} Ltd,,,,,\n"]
    lines += [
        f"customer_user,,,{login},Ann,{last_name},{login}@imp.test,{customer}\n" for login in logins
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


async def _import(config: Path, path: Path, *extra: str) -> str:
    result = await asyncio.to_thread(
        roster, "import", str(path), "--config", str(config), *extra, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@contextlib.asynccontextmanager
async def _channel_messages(channel: str) -> Any:
    """Every message published on the Redis ``channel`` while inside (a list, filled)."""
    client = Redis.from_url(REDIS)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)
    heard: list[bytes] = []

    async def listen() -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                heard.append(message["data"])

    task = asyncio.create_task(listen())
    try:
        yield heard
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await pubsub.aclose()
        await client.aclose()


@pytest.mark.parametrize(
    ("kind", "broker"), [("sqlite", REDIS), ("postgresql", REDIS), ("postgresql", "postgres")]
)
async def test_a_cli_import_reaches_subscribers_of_a_running_server(
    databases: Any, tmp_path: Path, kind: str, broker: str
) -> None:
    url = await databases.create(kind)
    keys = await create_keys(url)
    channel = unique("roster_test_")
    config = write_config(tmp_path / "live.toml", url, live={"broker": broker, "channel": channel})
    customer, logins = unique("C"), [unique("imp") for _ in range(5)]
    with serving(config, tmp_path / "serve.log") as (_, base):
        read = {"Authorization": keys.bearer("read")}
        async with socket(base, init=read) as ws, _channel_messages(channel) as heard:
            await subscribe(ws, "users", CHANGES, {"t": ["CUSTOMER_USER"]})
            await subscribe(ws, "third", USER_CHANGED, {"l": logins[2].upper()})
            await asyncio.sleep(1)  # subscribed
            path = _file(tmp_path / "users.csv", customer, logins)
            await _import(config, path, "--batch-size", "2")
            seen = [await next_message(ws) for _ in range(6)]
            changes = [m["payload"]["data"]["changes"] for m in seen if m["id"] == "users"]
            assert sorted((c["key"], c["action"]) for c in changes) == sorted(
                (login, "CREATED") for login in logins
            )
            third = [m["payload"]["data"] for m in seen if m["id"] == "third"]
            assert third == [
                {
                    "customerUserChanged": {
                        "change": {"action": "CREATED", "key": logins[2], "previousKey": None},
                        "customerUser": {"login": logins[2], "email": f"{logins[2]}@imp.test"},
                    }
                }
            ]
            # Again with one user changed: only that one is published, as UPDATED.
            changed = _file(tmp_path / "again.csv", customer, [logins[2]], "Renamed")
            await _import(config, changed)
            message = await next_message(ws)
            assert message["id"] == "users"
            update = message["payload"]["data"]["changes"]
            assert (update["key"], update["action"]) == (logins[2], "UPDATED")
            message = await next_message(ws)
            assert message["payload"]["data"]["customerUserChanged"]["change"]["action"] == (
                "UPDATED"
            )
            if broker == REDIS:
                await asyncio.sleep(0.5)
                # One message per committed batch: the customer's, three of users (2+2+1),
                # then the re-import's one user (its customer row is unchanged: no batch
                # commits anything for it).
                batches = [decode(raw) for raw in heard]
                assert [sorted(n.key for n in b) for b in batches] == [
                    [customer],
                    sorted(logins[:2]),
                    sorted(logins[2:4]),
                    [logins[4]],
                    [logins[2]],
                ]


async def test_with_the_local_broker_the_import_says_subscribers_learn_from_the_feed(
    databases: Any, tmp_path: Path
) -> None:
    url = await databases.create("sqlite")
    keys = await create_keys(url)
    config = write_config(tmp_path / "local.toml", url, live={"broker": "local"})
    customer, login = unique("C"), unique("imp")
    path = _file(tmp_path / "users.csv", customer, [login])
    stderr = await _import(config, path)
    assert "live.broker is local" in stderr
    assert "changes feed" in stderr
    dry = await _import(config, path, "--dry-run")
    assert "live.broker is local" not in dry  # a dry run writes, and publishes, nothing
    with serving(config, tmp_path / "serve.log") as (_, base):
        body = await gql(
            base,
            "{ changes(types: [CUSTOMER_USER], first: 10) { nodes { objectKey action } } }",
            key=keys.bearer("read"),
        )
    assert body["data"]["changes"]["nodes"] == [{"objectKey": login, "action": "CREATED"}]
