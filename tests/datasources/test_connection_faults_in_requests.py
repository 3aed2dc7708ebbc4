"""Lost and cancelled database connections under whole requests (PostgreSQL): the pool heals
and requests succeed.

The faults are real: the server's connections are killed with ``pg_terminate_backend`` from a
separate connection (idle, overflow, or with statements in flight), a request is cancelled
mid-fetch by a sibling field's error, and an API-key store points at a port nobody listens on.
What is checked is what a client sees (every later lookup answers, a GraphQL-shaped error when
the database is really gone) and that SQLAlchemy's pool logged no failed close of a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from datasources.db.api_keys import ApiKeyStore, Scope
from datasources.db.engine import create_engine
from domain.config import DatabaseConfig
from tests.conftest import Api, base_config, open_api, unique
from tests.datasources.pg_faults import kill_connections, tables_locked

pytestmark = pytest.mark.postgres

LOOKUP = "query($l: String!) { customerUser(login: $l) { login } }"
# The request: ``first: 1001`` is over the page limit (BAD_USER_INPUT), and that error
# cancels the sibling field while it is fetching its 1000 users.
CANCELLING = (
    "{ b: customerUsers(first: 1000) { nodes { login } }"
    " a: customerUsers(first: 1001) { totalCount } }"
)


@pytest.fixture
async def app(pg_url: str) -> AsyncIterator[Api]:
    """The real app on ``pg_url`` (its own pool of 5 + 5 connections)."""
    async with open_api("postgresql", base_config(pg_url)) as api:
        yield api


async def lookup(api: Api, login: str, key: str = "admin") -> dict[str, Any]:
    r = await api.gql(LOOKUP, {"l": login}, key=key)
    assert r.status == 200, r.body
    assert r.errors == [], r.errors
    data: dict[str, Any] = r.data["customerUser"]
    return data


async def lookups(api: Api, count: int, *, concurrently: bool) -> None:
    logins = [f"fault{1 + i % 1500}" for i in range(count)]
    if concurrently:
        found = await asyncio.gather(*(lookup(api, login) for login in logins))
    else:
        found = [await lookup(api, login) for login in logins]
    assert [f["login"] for f in found] == logins


# ---- (a) the server drops every connection ---------------------------------------------------


async def test_the_first_lookup_after_all_connections_were_killed_succeeds(
    app: Api, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    await lookups(app, 20, concurrently=True)  # the pool holds idle connections
    assert await kill_connections(pg_url) >= 1
    assert (await lookup(app, "fault7"))["login"] == "fault7"
    await lookups(app, 50, concurrently=False)
    await lookups(app, 50, concurrently=True)
    assert pool_errors == []


async def test_lookups_after_killing_overflow_connections_succeed(
    app: Api, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    # More concurrent requests than the pool holds: overflow connections are opened, and
    # closed again when the queue of idle ones is full.
    await lookups(app, 60, concurrently=True)
    await lookups(app, 60, concurrently=True)
    assert await kill_connections(pg_url) >= 1
    assert (await lookup(app, "fault9"))["login"] == "fault9"
    await lookups(app, 60, concurrently=True)
    await lookups(app, 50, concurrently=False)
    assert await kill_connections(pg_url) >= 1
    await lookups(app, 60, concurrently=True)
    assert pool_errors == []


async def test_lookups_running_while_the_connections_are_killed_succeed(
    app: Api, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    """The kill lands while a burst of lookups holds the pool and its overflow connections;
    a lookup whose connection dies under it runs again on a new one."""
    await lookups(app, 30, concurrently=True)
    burst = asyncio.ensure_future(lookups(app, 400, concurrently=True))
    await asyncio.sleep(0.05)
    assert not burst.done()
    assert await kill_connections(pg_url) >= 1
    await burst
    await lookups(app, 20, concurrently=False)
    assert pool_errors == []


PAGE = "{ customerUsers(first: 50) { nodes { login } } }"
SEARCH = '{ customerUsers(search: "fault1*", first: 20) { nodes { login } } }'
CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
  customer { customerId } userErrors { code } } }"""


async def answered(app: Api, query: str, variables: dict[str, Any] | None = None) -> Any:
    r = await app.gql(query, variables)
    assert r.status == 200, r.body
    assert r.errors == [], r.errors
    return r.data


async def test_pages_searches_and_writes_after_all_connections_were_killed_succeed(
    app: Api, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    """Reads through SQLAlchemy (pages, searches) and writes: a pooled connection the server
    closed is replaced at checkout, so the first request after the kill already succeeds."""
    for _ in range(3):
        await asyncio.gather(answered(app, PAGE), answered(app, SEARCH))
    await answered(app, CREATE, {"i": {"customerId": unique("K"), "name": "Warm"}})
    assert await kill_connections(pg_url) >= 1
    assert len((await answered(app, PAGE))["customerUsers"]["nodes"]) == 50
    assert (await answered(app, SEARCH))["customerUsers"]["nodes"]
    created = await answered(app, CREATE, {"i": {"customerId": unique("K"), "name": "After"}})
    assert created["customerCreate"]["userErrors"] == []
    assert pool_errors == []


async def waiting_on_the_lock(admin: asyncpg.Connection, count: int) -> None:
    for _ in range(250):
        # Inside the lock's transaction, statistics are a snapshot: take a new one each time.
        await admin.execute("SELECT pg_stat_clear_snapshot()")
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'roster'"
            " AND datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"fewer than {count} of the server's statements wait on the lock")


async def test_a_read_and_a_write_in_flight_when_their_connections_die_run_again(
    app: Api, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    """The statements are on the database when their connections are killed: the page is
    read again, and the create, which had not reached its commit, is written once."""
    customer_id = unique("K")
    async with tables_locked(pg_url, "customer_user", "customer_company") as admin:
        page = asyncio.ensure_future(app.gql(PAGE))
        create = asyncio.ensure_future(
            app.gql(CREATE, {"i": {"customerId": customer_id, "name": "In flight"}})
        )
        await waiting_on_the_lock(admin, 2)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'roster' AND datname = current_database()"
        )
        assert killed >= 2
        await waiting_on_the_lock(admin, 2)  # both run again, and wait again
    read, written = await page, await create
    assert read.errors == [], read.body
    assert len(read.data["customerUsers"]["nodes"]) == 50
    assert written.errors == [], written.body
    assert written.data["customerCreate"]["userErrors"] == []
    stored = await answered(
        app, "query($c: String!) { customer(customerId: $c) { name } }", {"c": customer_id}
    )
    assert stored["customer"] == {"name": "In flight"}
    assert pool_errors == []


# ---- (b) a request cancelled mid-fetch ---------------------------------------------------------


async def test_a_request_cancelled_mid_fetch_leaves_no_broken_connection(
    app: Api, pool_errors: list[logging.LogRecord]
) -> None:
    await lookups(app, 20, concurrently=True)
    for _ in range(3):
        r = await app.gql(CANCELLING, key="read")
        assert r.status == 200
        assert "BAD_USER_INPUT" in r.error_codes, r.body
    for _ in range(4):
        await lookups(app, 25, concurrently=False)
        await lookups(app, 25, concurrently=True)
    assert pool_errors == []


# ---- (d) the API-key lookup --------------------------------------------------------------------


async def test_an_api_key_lookup_on_a_killed_connection_is_retried(
    app: Api, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    await lookups(app, 20, concurrently=True)
    fresh_keys = [
        (await app.storage.api_keys.create(unique("fault-"), Scope.READ))[0] for _ in range(3)
    ]
    await kill_connections(pg_url)  # the keys above were never looked up: not cached
    r = await app.gql(LOOKUP, {"l": "fault3"}, key=f"Bearer {fresh_keys[0]}")
    assert r.status == 200, r.body
    assert r.data["customerUser"]["login"] == "fault3"
    found = await asyncio.gather(
        *(app.gql(LOOKUP, {"l": "fault4"}, key=f"Bearer {k}") for k in fresh_keys[1:])
    )
    assert [f.data["customerUser"]["login"] for f in found] == ["fault4", "fault4"]
    assert pool_errors == []


def closed_port() -> int:
    """A loopback port that nothing listens on (bound and released again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.asynccontextmanager
async def keys_on_a_dead_database(app: Api) -> AsyncIterator[None]:
    """The app's API keys looked up in a database that does not answer (a real engine on a
    closed port, put in the place of the store the app opened)."""
    original = app.storage.api_keys
    dead = create_engine(
        DatabaseConfig(
            url=f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/roster",
            connect_timeout_seconds=2,
        )
    )
    app.storage.api_keys = ApiKeyStore(dead)
    try:
        yield
    finally:
        app.storage.api_keys = original
        await dead.dispose()


async def test_an_unreachable_key_store_answers_a_graphql_shaped_503(app: Api) -> None:
    async with keys_on_a_dead_database(app):
        response = await app.client.post(
            "/graphql",
            json={"query": LOOKUP, "variables": {"l": "fault1"}},
            headers={"Authorization": f"Bearer {app.read_key}"},
        )
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert app.read_key not in response.text
    # The database is back: the same key works.
    assert (await lookup(app, "fault1", key="read"))["login"] == "fault1"
