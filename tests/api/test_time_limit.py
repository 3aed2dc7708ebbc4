"""The per-request time limit: the server's deadline and PostgreSQL's statement_timeout (MariaDB's
max_statement_time) both answer ``TIMEOUT`` (``schema/time_limit.py``), and the app keeps
serving afterwards.

A read is made slow for real: a separate connection holds ``customer_user`` locked
(PostgreSQL: ``ACCESS EXCLUSIVE``, in an open transaction; MariaDB: ``LOCK TABLES … WRITE``), so
the database makes the read wait. SQLite has no such wait for reads (WAL) and no statement
timeout: these tests run on PostgreSQL and MariaDB. Each query is sent twice, through
Strawberry and then the direct path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import asyncmy
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Api, GraphQLResponse, MakeApi, base_config, open_api, unique
from tests.datasources.pg_faults import tables_locked
from tests.factories import USER_CREATE, new_customer, new_user, user_input

LISTING = "{ customerUsers(first: 5) { nodes { login } } }"
LOOKUP = "query($c: String!) { customer(customerId: $c) { customerId } }"


@pytest.fixture(autouse=True)
def not_on_sqlite(api: Api) -> None:
    if api.kind == "sqlite":
        pytest.skip("needs a lock that blocks reads, and a statement time limit")


def customer_user_locked(app: Api) -> contextlib.AbstractAsyncContextManager[object]:
    """``customer_user`` locked against reads by another connection until the block ends."""
    url = app.storage.config.database.url
    if app.kind == "mariadb":
        return mariadb_table_locked(url, "customer_user")
    return tables_locked(url, "customer_user")


@contextlib.asynccontextmanager
async def mariadb_table_locked(url: str, table: str) -> AsyncIterator[None]:
    parts = make_url(url)
    conn = await asyncmy.connect(
        host=parts.host, port=parts.port or 3306, user=parts.username, database=parts.database
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"LOCK TABLES {table} WRITE")
        try:
            yield
        finally:
            async with conn.cursor() as cursor:
                await cursor.execute("UNLOCK TABLES")
    finally:
        await conn.ensure_closed()


async def timed(app: Api, query: str) -> tuple[GraphQLResponse, float]:
    started = time.perf_counter()
    async with asyncio.timeout(15):  # without a time limit, this would wait for the lock
        r = await app.gql(query)
    return r, time.perf_counter() - started


@contextlib.asynccontextmanager
async def unlimited(app: Api) -> AsyncIterator[Api]:
    """A second app on ``app``'s database without its time limits, to seed data: a user create
    hashes a password (in niced threads) and can outlast a 1.5 s deadline or a 0.3 s statement
    timeout on a loaded machine, which is not what these tests are about."""
    async with open_api(app.kind, base_config(app.storage.config.database.url)) as other:
        yield other


async def seeded(app: Api) -> tuple[str, str]:
    """(customer ID, login) of a customer and its user, made before any lock is taken (by an
    app without the time limits: see ``unlimited``)."""
    async with unlimited(app) as other:
        customer_id = await new_customer(other)
        return customer_id, await new_user(other, customer_id)


async def assert_still_serving(app: Api, seed: tuple[str, str]) -> None:
    customer_id, login = seed
    r = await app.gql(LISTING)
    assert login in {n["login"] for n in r.data["customerUsers"]["nodes"]}
    r = await app.gql(LOOKUP, {"c": customer_id})
    assert r.data == {"customer": {"customerId": customer_id}}


async def test_a_request_past_the_deadline_is_answered_with_timeout(make_api: MakeApi) -> None:
    app = await make_api(
        server={"request_timeout_seconds": 1.5}, database={"statement_timeout_seconds": 0}
    )
    seed = await seeded(app)
    async with customer_user_locked(app):
        for _ in range(2):  # Strawberry's path, then the direct one
            r, elapsed = await timed(app, LISTING)
            assert r.status == 200
            assert r.body == {"data": None, "errors": r.errors}, r.body
            assert r.error_codes == ["TIMEOUT"]
            assert "1.5 s" in r.errors[0]["message"]
            # at the deadline, not when the lock goes (it stays until the block ends); the
            # upper bound leaves room for a loaded machine
            assert 1.5 <= elapsed < 10.0
        # A request that does not need the locked table is not held up.
        customer_id = unique("C")
        r = await app.gql(LOOKUP, {"c": customer_id})
        assert r.data == {"customer": None}
    await assert_still_serving(app, seed)


async def test_a_statement_past_statement_timeout_is_a_timeout_error(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    app = await make_api(
        server={"request_timeout_seconds": 20}, database={"statement_timeout_seconds": 0.3}
    )
    seed = await seeded(app)
    async with customer_user_locked(app):
        for _ in range(2):  # Strawberry's path, then the direct path
            caplog.clear()
            r, elapsed = await timed(app, LISTING)
            assert r.status == 200
            assert r.error_codes == ["TIMEOUT"], r.body
            assert r.errors[0]["path"] == ["customerUsers"]
            assert "statement" in r.errors[0]["message"]
            assert r.body["data"] is None  # customerUsers is non-null
            assert elapsed < 10.0  # the lock stays until the block ends: not waited for
            # a limit the request ran into, not a server fault: no ERROR line on either path
            assert [x.getMessage() for x in caplog.records if x.levelno >= logging.ERROR] == []
    await assert_still_serving(app, seed)


async def test_a_mutation_stopped_by_statement_timeout_writes_nothing(make_api: MakeApi) -> None:
    app = await make_api(database={"statement_timeout_seconds": 0.3})
    seed = await seeded(app)
    async with unlimited(app) as other:
        user = user_input(await new_customer(other))
    login = user["login"]
    async with customer_user_locked(app), asyncio.timeout(15):
        r = await app.gql(USER_CREATE, {"i": user})
        assert r.error_codes == ["TIMEOUT"], r.body
    r = await app.gql("query($l: String!) { customerUser(login: $l) { login } }", {"l": login})
    assert r.data == {"customerUser": None}
    await assert_still_serving(app, seed)
