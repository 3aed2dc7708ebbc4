"""A live change carries the changes feed's cursor after it: ``changes(after: cursor)`` from a
notice returns exactly the changes committed after it, so a client that reconnects resumes
the feed where its subscription left off. An import through the API is published as well.
Against a real ``roster serve`` (SQLite and PostgreSQL: their audit writes differ)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.helpers import (
    CREATE_CUSTOMER,
    CREATE_USER,
    UPDATE_USER,
    Keys,
    create_keys,
    gql,
    next_message,
    serving,
    socket,
    subscribe,
    unique,
    user_input,
    write_config,
)

CHANGES = "subscription($t: [ChangeObjectType!]) { changes(types: $t) { type key action cursor } }"
FEED = (
    "query($after: String) { changes(after: $after, first: 1000) {"
    " nodes { position objectType objectKey action } cursor } }"
)
IMPORT = (
    "mutation($i: CustomerUsersImportInput!) { customerUsersImport(input: $i) {"
    " created userErrors { code } } }"
)


class Server:
    def __init__(self, base: str, keys: Keys, customer: str) -> None:
        self.base, self.keys, self.customer = base, keys, customer

    async def call(self, query: str, value: dict[str, Any]) -> dict[str, Any]:
        body = await gql(self.base, query, {"i": value}, key=self.keys.bearer("admin"))
        assert "errors" not in body, body
        return body

    async def feed(self, after: str) -> dict[str, Any]:
        body = await gql(self.base, FEED, {"after": after}, key=self.keys.bearer("read"))
        feed: dict[str, Any] = body["data"]["changes"]
        return feed


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def server(
    request: pytest.FixtureRequest, databases: Any, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    files: Path = tmp_path_factory.mktemp("live-cursors")
    url = await databases.create(request.param)
    keys = await create_keys(url)
    config = write_config(files / "live.toml", url)
    with serving(config, files / "serve.log") as (_process, base):
        customer = unique("c")
        found = Server(base, keys, customer)
        await found.call(CREATE_CUSTOMER, {"customerId": customer, "name": customer})
        yield found


async def _changes(ws: Any, count: int) -> list[dict[str, Any]]:
    found = []
    for _ in range(count):
        message = await next_message(ws)
        assert message["type"] == "next", message
        found.append(message["payload"]["data"]["changes"])
    return found


async def test_a_live_changes_cursor_resumes_the_feed_exactly_after_it(server: Server) -> None:
    first, second = unique("u"), unique("u")
    async with socket(server.base, init={"Authorization": server.keys.bearer("read")}) as ws:
        await subscribe(ws, "1", CHANGES, {"t": ["CUSTOMER_USER"]})
        await next_message_ready(server)
        await server.call(CREATE_USER, user_input(first, server.customer))
        [created] = await _changes(ws, 1)
        assert (created["key"], created["action"]) == (first, "CREATED")
        assert created["cursor"]

        await server.call(CREATE_USER, user_input(second, server.customer))
        await server.call(UPDATE_USER, {"login": first, "lastName": "Later"})
        later = await _changes(ws, 2)

    feed = await server.feed(created["cursor"])
    assert [(n["objectType"], n["objectKey"], n["action"]) for n in feed["nodes"]] == [
        ("CUSTOMER_USER", second, "CREATED"),
        ("CUSTOMER_USER", first, "UPDATED"),
    ]
    assert [(c["key"], c["action"]) for c in later] == [(second, "CREATED"), (first, "UPDATED")]
    # the last notice's cursor is where the feed stands: nothing after it yet
    assert later[-1]["cursor"] == feed["cursor"]
    assert (await server.feed(later[-1]["cursor"]))["nodes"] == []


async def next_message_ready(server: Server) -> None:
    """Give the server a moment to register the subscription (a write before it would be
    missed, as designed: the feed is for catching up)."""
    import asyncio

    await asyncio.sleep(0.5)


async def test_an_import_through_the_api_is_published_with_cursors(server: Server) -> None:
    logins = [unique("i"), unique("i")]
    rows = [
        {
            "UserLogin": login,
            "UserFirstname": "Imported",
            "UserLastname": "User",
            "UserEmail": f"{login}@example.test",
            "UserCustomerID": server.customer,
        }
        for login in logins
    ]
    async with socket(server.base, init={"Authorization": server.keys.bearer("read")}) as ws:
        await subscribe(ws, "1", CHANGES, {"t": ["CUSTOMER_USER"]})
        await next_message_ready(server)
        dry = await server.call(IMPORT, {"rows": rows, "dryRun": True})
        assert dry["data"]["customerUsersImport"]["created"] == 2
        body = await server.call(IMPORT, {"rows": rows})
        assert body["data"]["customerUsersImport"]["created"] == 2, body
        heard = await _changes(ws, 2)  # the dry run published nothing: these are the import's
    assert [(c["type"], c["key"], c["action"]) for c in heard] == [
        ("CUSTOMER_USER", login, "CREATED") for login in logins
    ]
    feed = await server.feed(heard[0]["cursor"])
    assert [(n["objectKey"], n["action"]) for n in feed["nodes"]] == [(logins[1], "CREATED")]
