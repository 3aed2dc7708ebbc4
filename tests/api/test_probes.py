"""``/livez`` and ``/readyz`` (``app/probes.py``): no key needed, JSON bodies, 503 when the
database is down or its migrations are not at head."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event

from app.probes import PROBE_TIMEOUT, migration_heads
from app.server import create_app
from tests.conftest import PG_ADMIN_DSN, Api, MakeApi, base_config, run_sql
from tests.datasources.pg_faults import tables_locked
from tests.timing import no_collection


async def test_livez_answers_without_a_key(api: Api) -> None:
    response = await api.client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


async def test_readyz_names_each_check_when_ready(api: Api) -> None:
    response = await api.client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"]["status"] == "up"
    assert body["database"]["latency_ms"] >= 0
    assert body["migrations"] == {
        "status": "at_head",
        "database": sorted(migration_heads()),
        "code": sorted(migration_heads()),
    }
    assert [(b["name"], b["kind"], b["status"]) for b in body["backends"]] == [
        ("CustomerUser", "db", "up")
    ]
    # the sign-in backends ([[customer_auth.backends]]; the default: the database's)
    assert [(b["name"], b["kind"], b["status"]) for b in body["customer_auth_backends"]] == [
        ("db", "db", "up")
    ]


async def test_readyz_is_503_when_migrations_are_behind(make_api: MakeApi) -> None:
    behind = await make_api()
    await run_sql(
        behind.storage.config.database.url, ["UPDATE alembic_version SET version_num = '0001'"]
    )
    response = await behind.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["migrations"]["status"] == "behind"
    assert body["migrations"]["database"] == ["0001"]


async def test_readyz_is_503_when_the_database_is_down(
    make_api: MakeApi, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The body (no key needed) names the failed check and the error's class; the server's
    words, which name the database, go to the log."""
    if api.kind != "postgresql":
        pytest.skip("a database that stops answering: PostgreSQL's connections are refused")
    app = await make_api()
    name = app.storage.config.database.url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        response = await app.client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not_ready"
        assert body["database"]["status"] == "down"
        assert body["database"]["error"]
        assert name not in response.text
        assert f'database "{name}" is not currently accepting connections' in caplog.text
        live = await app.client.get("/livez")  # no I/O: still alive
        assert live.status_code == 200
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


async def test_readyz_is_503_until_storage_is_open(api: Api) -> None:
    # An app whose lifespan has not run yet (the test transport runs none): still starting.
    starting = create_app(base_config(api.storage.config.database.url))
    transport = httpx.ASGITransport(app=starting)
    async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {"status": "not_ready", "reason": "starting"}
        assert (await client.get("/livez")).status_code == 200


async def test_readyz_is_ready_when_the_process_stands_still_past_the_probe_timeout(
    make_api: MakeApi, api: Api
) -> None:
    """A full garbage collection or a throttled CPU stops this process's event loop while the
    database's answer is on its way; that is not a database that does not answer. (Measured:
    full collections of a test process's heap took up to 3.4 s of wall clock on the loaded
    2-core machine, and ``/readyz`` answered 503 "database: no answer within 2 s".)"""
    if api.kind != "postgresql":
        pytest.skip("the event loop stands still alike on every database: PostgreSQL shows it")
    app = await make_api()
    loop = asyncio.get_running_loop()
    stalls: list[float] = []

    def stand_still() -> None:
        started = time.monotonic()
        time.sleep(PROBE_TIMEOUT + 0.5)  # the whole loop stops, as in a garbage collection
        stalls.append(time.monotonic() - started)

    def with_the_query_out(*_: Any) -> None:
        loop.call_soon(stand_still)  # runs once the statement is sent

    event.listen(
        app.storage.engine.sync_engine, "before_cursor_execute", with_the_query_out, once=True
    )
    response = await app.client.get("/readyz")
    assert len(stalls) == 1
    assert stalls[0] > PROBE_TIMEOUT  # the loop did stand still past the timeout
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"]["status"] == "up"


async def test_readyz_is_503_when_the_database_does_not_answer_in_time(
    make_api: MakeApi, api: Api
) -> None:
    """Counting only the time the loop runs still bounds a database that does not answer."""
    if api.kind != "postgresql":
        pytest.skip("a statement held up by a lock: PostgreSQL shows it")
    app = await make_api()
    dsn = app.storage.config.database.url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    try:
        async with admin.transaction():
            await admin.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
            with no_collection():
                started = time.monotonic()
                response = await app.client.get("/readyz")
                elapsed = time.monotonic() - started
    finally:
        await admin.close()
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["database"] == {"status": "down", "error": f"no answer within {PROBE_TIMEOUT:g} s"}
    # The other checks do not read that table: they answer, and the body says which failed.
    assert [(b["name"], b["status"]) for b in body["backends"]] == [("CustomerUser", "up")]
    # Waited out the timeout, and not much longer (room for a loaded machine).
    assert PROBE_TIMEOUT <= elapsed < 3 * PROBE_TIMEOUT


async def test_readyz_is_ready_when_its_statement_loses_its_connection(
    make_api: MakeApi, api: Api
) -> None:
    """A connection killed while the probe's statement is out (a restart, a failover, an
    administrator's ``pg_terminate_backend``): the statement runs once more on a fresh one, as a
    request's does, and the database that answers it is up."""
    if api.kind != "postgresql":
        pytest.skip("pg_terminate_backend: PostgreSQL's")
    app = await make_api()
    url = app.storage.config.database.url
    async with tables_locked(url, "alembic_version") as admin:
        probe = asyncio.ensure_future(app.client.get("/readyz"))
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = 'roster' AND wait_event_type = 'Lock'"
        )
        for _ in range(100):
            await admin.execute("SELECT pg_stat_clear_snapshot()")
            if waiting := await admin.fetch(query):
                break
            await asyncio.sleep(0.01)
        assert len(waiting) == 1, "the probe's statement never waited on the lock"
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", waiting[0]["pid"])
    response = await probe
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    assert response.json()["database"]["status"] == "up"
