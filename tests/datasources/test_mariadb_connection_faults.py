"""Lost database connections on MariaDB: the pool heals, requests succeed.

The MariaDB twin of ``test_connection_faults.py`` (PostgreSQL), for what exists on both: the
server's connections are killed (``KILL CONNECTION``, as a restart or an administrator would),
idle or in the middle of a statement, and every later request answers; a key store that cannot
be reached answers a GraphQL-shaped 503. (The PostgreSQL module also covers the prepared reads'
pool handling, which asyncmy's driver path shares; ``test_mariadb_prepared_reads.py`` covers
what is asyncmy's own.)

MariaDB has no cheap way to notice an idle connection the server closed (asyncpg does), so the
first statement on it fails; SQLAlchemy then marks every older pooled connection stale, and
the request's root field runs once more (``schema.retries``) on a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from datasources.db.api_keys import ApiKeyStore
from datasources.db.engine import create_engine
from domain.config import DatabaseConfig
from tests.conftest import (
    DB_KINDS,
    Api,
    Databases,
    base_config,
    mariadb_admin_connection,
    open_api,
    run_sql,
    unique,
)

pytestmark = pytest.mark.skipif("mariadb" not in DB_KINDS, reason="MariaDB is not tested")

LOOKUP = "query($l: String!) { customerUser(login: $l) { login } }"
PAGE = "{ customerUsers(first: 50) { nodes { login customer { name } } } }"
SEARCH = '{ customerUsers(first: 20, search: "fault1*") { nodes { login } } }'
CREATE = """mutation($i: CustomerCreateInput!) { customerCreate(input: $i) {
  customer { customerId } userErrors { code } } }"""
SEED_USERS = (
    "INSERT INTO customer_user (login, email, customer_id, first_name, last_name, valid_id,"
    " create_time, create_by, change_time, change_by)"
    " SELECT CONCAT('fault', seq), CONCAT('fault', seq, '@example.com'), 'fault-co', 'Fault',"
    " CONCAT('User', seq), 1, NOW(), 1, NOW(), 1 FROM seq_1_to_300"
)


@pytest.fixture
async def maria_url(databases: Databases) -> str:
    url = await databases.create("mariadb")
    await run_sql(url, [SEED_USERS])
    return url


@pytest.fixture
async def app(maria_url: str) -> AsyncIterator[Api]:
    async with open_api("mariadb", base_config(maria_url)) as api:
        yield api


async def admin_query(statement: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = await mariadb_admin_connection()
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(statement, args or None)
            return list(await cursor.fetchall())
    finally:
        await conn.ensure_closed()


async def connection_ids(url: str, *, waiting: bool = False) -> list[int]:
    """The server's connections to ``url``'s database (only those waiting for a table lock)."""
    database = make_url(url).database
    condition = " AND state LIKE 'Waiting for table%%'" if waiting else ""
    rows = await admin_query(
        f"SELECT id FROM information_schema.PROCESSLIST WHERE db = %s{condition}", database
    )
    return [int(row[0]) for row in rows]


async def kill(ids: list[int]) -> None:
    for connection_id in ids:
        with contextlib.suppress(Exception):  # gone already
            await admin_query(f"KILL CONNECTION {int(connection_id)}")


async def answered(api: Api, query: str, variables: dict[str, Any] | None = None) -> Any:
    r = await api.gql(query, variables)
    assert r.status == 200, r.body
    assert r.errors == [], r.body
    return r.data


async def test_lookups_after_all_connections_were_killed_succeed(app: Api, maria_url: str) -> None:
    logins = [f"fault{i}" for i in range(1, 21)]
    found = await asyncio.gather(*(answered(app, LOOKUP, {"l": login}) for login in logins))
    assert [f["customerUser"]["login"] for f in found] == logins
    ids = await connection_ids(maria_url)
    assert ids  # the pool holds idle connections
    await kill(ids)
    found = await asyncio.gather(*(answered(app, LOOKUP, {"l": login}) for login in logins))
    assert [f["customerUser"]["login"] for f in found] == logins


async def test_pages_searches_and_writes_after_all_connections_were_killed_succeed(
    app: Api, maria_url: str
) -> None:
    for _ in range(3):
        await asyncio.gather(answered(app, PAGE), answered(app, SEARCH))
    await answered(app, CREATE, {"i": {"customerId": unique("K"), "name": "Warm"}})
    await kill(await connection_ids(maria_url))
    assert len((await answered(app, PAGE))["customerUsers"]["nodes"]) == 50
    assert (await answered(app, SEARCH))["customerUsers"]["nodes"]
    created = await answered(app, CREATE, {"i": {"customerId": unique("K"), "name": "After"}})
    assert created["customerCreate"]["userErrors"] == []


@contextlib.asynccontextmanager
async def customer_tables_locked(url: str) -> AsyncIterator[None]:
    """The customer tables locked for writing by another connection until the block ends: the
    server's statements on them wait, in flight, on the database."""
    parts = make_url(url)
    conn = await mariadb_admin_connection()
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"USE `{parts.database}`")
            await cursor.execute("LOCK TABLES customer_user WRITE, customer_company WRITE")
        try:
            yield
        finally:
            async with conn.cursor() as cursor:
                await cursor.execute("UNLOCK TABLES")
    finally:
        await conn.ensure_closed()


async def waiting_on_the_lock(url: str, count: int) -> list[int]:
    for _ in range(250):
        ids = await connection_ids(url, waiting=True)
        if len(ids) >= count:
            return ids
        await asyncio.sleep(0.02)
    rows = await admin_query(
        "SELECT id, state, info FROM information_schema.PROCESSLIST WHERE db = %s",
        make_url(url).database,
    )
    raise AssertionError(f"fewer than {count} of the server's statements wait on the lock: {rows}")


async def test_a_read_and_a_write_in_flight_when_their_connections_die_run_again(
    app: Api, maria_url: str
) -> None:
    """The statements are on the database when their connections are killed: the page is read
    again, and the create, which had not reached its commit, is written once."""
    customer_id = unique("K")
    async with customer_tables_locked(maria_url):
        page = asyncio.ensure_future(app.gql(PAGE))
        create = asyncio.ensure_future(
            app.gql(CREATE, {"i": {"customerId": customer_id, "name": "In flight"}})
        )
        await kill(await waiting_on_the_lock(maria_url, 2))
        await waiting_on_the_lock(maria_url, 2)  # both run again, and wait again
    read, written = await page, await create
    assert read.errors == [], read.body
    assert len(read.data["customerUsers"]["nodes"]) == 50
    assert written.errors == [], written.body
    assert written.data["customerCreate"]["userErrors"] == []
    stored = await answered(
        app, "query($c: String!) { customer(customerId: $c) { name } }", {"c": customer_id}
    )
    assert stored["customer"] == {"name": "In flight"}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_unreachable_key_store_answers_a_graphql_shaped_503(app: Api) -> None:
    original = app.storage.api_keys
    dead = create_engine(
        DatabaseConfig(
            url=f"mysql+asyncmy://root@127.0.0.1:{closed_port()}/roster",
            connect_timeout_seconds=2,
        )
    )
    app.storage.api_keys = ApiKeyStore(dead)
    try:
        response = await app.client.post(
            "/graphql",
            json={"query": LOOKUP, "variables": {"l": "fault1"}},
            headers={"Authorization": f"Bearer {app.read_key}"},
        )
    finally:
        app.storage.api_keys = original
        await dead.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert app.read_key not in response.text
    assert (await answered(app, LOOKUP, {"l": "fault1"}))["customerUser"] == {"login": "fault1"}


async def test_a_new_connection_forgets_commit_marks_older_than_a_day(maria_url: str) -> None:
    """``roster_commit`` (the marks lost commits are looked up by) keeps one row per connection
    that wrote; rows a day old are deleted when a connection opens."""
    await run_sql(
        maria_url,
        [
            "INSERT INTO roster_commit (connection_id, token, written_at) VALUES"
            " (4000000001, 'old', UTC_TIMESTAMP() - INTERVAL 2 DAY),"
            " (4000000002, 'recent', UTC_TIMESTAMP() - INTERVAL 1 HOUR)"
        ],
    )
    engine = create_engine(DatabaseConfig(url=maria_url))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text("SELECT token FROM roster_commit WHERE connection_id > 4000000000")
            )
            assert [row.token for row in rows] == ["recent"]
    finally:
        await engine.dispose()
