"""Lost and cancelled database connections (PostgreSQL): the pool heals, requests succeed.

The faults are real: the server's connections are killed with ``pg_terminate_backend`` from a
separate connection, a request is cancelled mid-fetch by a sibling field's error (or a read is
cancelled while PostgreSQL sleeps), and an API-key store points at a port nobody listens on.
What is checked is what a client sees (every later lookup answers, a GraphQL-shaped error when
the database is really gone) and that SQLAlchemy's pool logged no failed close of a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.api_keys import ApiKeyStore, Scope
from datasources.db.engine import count_statements, create_engine, read_only_view
from datasources.db.prepared import PreparedRead, _PoolAccess, _WouldConnect
from domain.config import DatabaseConfig
from tests.conftest import Api, Databases, base_config, open_api, run_sql, unique

pytestmark = pytest.mark.postgres

POOL_SIZE = 5  # base_config's; max_overflow is the same again
LOOKUP = "query($l: String!) { customerUser(login: $l) { login } }"
# The request: ``first: 1001`` is over the page limit (BAD_USER_INPUT), and that error
# cancels the sibling field while it is fetching its 1000 users.
CANCELLING = (
    "{ b: customerUsers(first: 1000) { nodes { login } }"
    " a: customerUsers(first: 1001) { totalCount } }"
)
SEED_USERS = (
    "INSERT INTO customer_user (login, email, customer_id, first_name, last_name, valid_id,"
    " create_time, create_by, change_time, change_by)"
    " SELECT 'fault' || g, 'fault' || g || '@example.com', 'fault-co', 'Fault', 'User' || g, 1,"
    " now(), 1, now(), 1 FROM generate_series(1, {count}) AS g"
)


@pytest.fixture
async def pg_url(databases: Databases) -> str:
    """A fresh, migrated PostgreSQL database with 1500 customer users."""
    url = await databases.create("postgresql")
    await run_sql(url, [SEED_USERS.format(count=1500)])
    return url


@pytest.fixture
async def app(pg_url: str) -> AsyncIterator[Api]:
    """The real app on ``pg_url`` (its own pool of 5 + 5 connections)."""
    async with open_api("postgresql", base_config(pg_url)) as api:
        yield api


@pytest.fixture
def pool_errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Warnings and errors that SQLAlchemy logs (a failed close: "Exception closing
    connection … MissingGreenlet"); the test asserts the list is empty at its end."""
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    records: list[logging.LogRecord] = []
    yield records
    records.extend(r for r in caplog.records if r.name.startswith("sqlalchemy") and r.levelno >= 30)
    assert "MissingGreenlet" not in caplog.text


async def kill_connections(url: str) -> int:
    """Terminate every other connection to ``url``'s database (as a restart or an
    administrator would); waits until they are gone. Returns how many there were."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return int(killed)


async def sleeping_on_the_server(url: str, count: int) -> None:
    """Wait until ``count`` statements on ``url``'s database are inside ``pg_sleep``."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        for _ in range(200):
            sleeping = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
            )
            if sleeping >= count:
                return
            await asyncio.sleep(0.02)
    finally:
        await admin.close()
    raise AssertionError(f"fewer than {count} statements reached pg_sleep")


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


@contextlib.asynccontextmanager
async def customer_tables_locked(url: str) -> AsyncIterator[asyncpg.Connection]:
    """Hold an exclusive lock on the customer tables (released when the block ends), so the
    server's statements on them wait, in flight, on the database."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        transaction = admin.transaction()
        await transaction.start()
        await admin.execute("LOCK TABLE customer_user, customer_company IN ACCESS EXCLUSIVE MODE")
        try:
            yield admin
        finally:
            await transaction.commit()
    finally:
        await admin.close()


async def waiting_on_the_lock(admin: asyncpg.Connection, count: int) -> None:
    for _ in range(250):
        # Inside the lock's transaction, statistics are a snapshot: take a new one each time.
        await admin.execute("SELECT pg_stat_clear_snapshot()")
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'roster'"
            " AND wait_event_type = 'Lock'"
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
    async with customer_tables_locked(pg_url) as admin:
        page = asyncio.ensure_future(app.gql(PAGE))
        create = asyncio.ensure_future(
            app.gql(CREATE, {"i": {"customerId": customer_id, "name": "In flight"}})
        )
        await waiting_on_the_lock(admin, 2)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'roster'"
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


@pytest.fixture
async def reader(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseConfig(url=pg_url, pool_size=POOL_SIZE))
    try:
        yield read_only_view(engine)
    finally:
        await engine.dispose()


def backend_pid_after(seconds_param: str = "pause") -> sa.Select[Any]:
    """The serving connection's pid, after sleeping ``pause`` seconds."""
    pause = sa.bindparam(seconds_param, type_=sa.Float)
    return sa.select(
        sa.func.pg_backend_pid().label("pid"),
        sa.func.pg_sleep(pause).label("slept"),
    )


async def test_a_read_cancelled_while_the_server_works_breaks_no_later_read(
    reader: AsyncEngine, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    read = PreparedRead(reader, backend_pid_after())
    await asyncio.gather(*(read.fetch_all({"pause": 0.05}) for _ in range(2 * POOL_SIZE)))
    for _ in range(3):
        slow = [asyncio.ensure_future(read.fetch_all({"pause": 5})) for _ in range(POOL_SIZE)]
        await sleeping_on_the_server(pg_url, POOL_SIZE)
        for task in slow:
            task.cancel()
        results = await asyncio.gather(*slow, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        for _ in range(4 * POOL_SIZE):
            rows = await read.fetch_all({"pause": 0})
            assert rows[0]["pid"] > 0
        await asyncio.gather(*(read.fetch_all({"pause": 0}) for _ in range(3 * POOL_SIZE)))
    assert pool_errors == []


async def test_a_query_error_is_not_retried_and_keeps_the_connection(
    reader: AsyncEngine, pool_errors: list[logging.LogRecord]
) -> None:
    """A bad value is the query's fault: it fails once, and the connection stays in use."""
    read = PreparedRead(
        reader,
        sa.select(sa.func.pg_backend_pid().label("pid")).where(
            sa.bindparam("text", type_=sa.String) != ""
        ),
    )
    first = (await read.fetch_all({"text": "x"}))[0]["pid"]
    with count_statements() as tally, pytest.raises(asyncpg.PostgresError):
        await read.fetch_all({"text": "nul \x00 byte"})
    assert tally.count == 1
    assert (await read.fetch_all({"text": "x"}))[0]["pid"] == first


async def test_a_read_on_a_killed_connection_is_retried_once_on_a_new_one(
    reader: AsyncEngine, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    read = PreparedRead(reader, backend_pid_after())
    before = {
        r[0]["pid"]
        for r in await asyncio.gather(*(read.fetch_all({"pause": 0.05}) for _ in range(POOL_SIZE)))
    }
    await kill_connections(pg_url)
    with count_statements() as tally:
        pid = (await read.fetch_all({"pause": 0}))[0]["pid"]
    assert pid not in before
    assert tally.count <= 2  # at most the one retry
    assert pool_errors == []


async def test_reads_in_flight_on_killed_connections_overflow_included_run_again(
    reader: AsyncEngine, pg_url: str, pool_errors: list[logging.LogRecord]
) -> None:
    read = PreparedRead(reader, backend_pid_after())
    pool: Any = reader.sync_engine.pool
    slow = [asyncio.ensure_future(read.fetch_all({"pause": 1.0})) for _ in range(2 * POOL_SIZE)]
    await sleeping_on_the_server(pg_url, 2 * POOL_SIZE)  # half of them on overflow
    assert pool.checkedout() == 2 * POOL_SIZE
    assert await kill_connections(pg_url) == 2 * POOL_SIZE
    rows = await asyncio.gather(*slow)  # each ran once more, on a new connection
    assert len({r[0]["pid"] for r in rows}) == 2 * POOL_SIZE
    for _ in range(3 * POOL_SIZE):
        await read.fetch_all({"pause": 0})
    await asyncio.gather(*(read.fetch_all({"pause": 0}) for _ in range(3 * POOL_SIZE)))
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


# ---- canary: the SQLAlchemy pool behaviour the prepared reads lean on --------------------------


async def test_canary_the_pool_behaviour_prepared_reads_rely_on(reader: AsyncEngine) -> None:
    """``datasources/db/prepared.py`` checks idle connections out synchronously, refuses a
    synchronous reconnect in a ``do_connect`` listener, and calls the private
    ``Pool._invalidate``. If a SQLAlchemy upgrade changes any of that, this fails first."""
    read = PreparedRead(reader, backend_pid_after())  # registers the do_connect listener
    await asyncio.gather(*(read.fetch_all({"pause": 0.05}) for _ in range(POOL_SIZE)))
    pool: Any = reader.sync_engine.pool
    idle = pool.checkedin()
    assert idle == POOL_SIZE

    # An idle connection is checked out, and in again, without a greenlet.
    pooled = pool.connect()
    assert not pooled.driver_connection.is_closed()
    pooled.close()
    assert pool.checkedin() == idle

    # Pool._invalidate closes the connection and marks every older one stale ...
    pooled = pool.connect()
    pool._invalidate(pooled, None)
    assert pool.checkedin() == idle
    # ... so a synchronous checkout now needs to connect: refused before anything is
    # created, with the slot back in the pool.
    access = _PoolAccess.of(reader)
    access._synchronous = True
    try:
        with pytest.raises(_WouldConnect):
            pool.connect()
    finally:
        access._synchronous = False
    assert pool.checkedin() == idle
    # The reads reconnect through SQLAlchemy's async checkout.
    for _ in range(2 * POOL_SIZE):
        assert (await read.fetch_all({"pause": 0}))[0]["pid"] > 0
