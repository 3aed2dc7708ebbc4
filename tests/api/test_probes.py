"""``/livez`` and ``/readyz`` (``app/probes.py``): no key needed, JSON bodies, 503 when the
database is down or its migrations are not at head."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from app.probes import migration_heads
from app.server import create_app
from tests.conftest import PG_ADMIN_DSN, Api, MakeApi, base_config, run_sql


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


async def test_readyz_is_503_when_the_database_is_down(make_api: MakeApi, api: Api) -> None:
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
