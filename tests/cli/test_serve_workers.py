"""``roster serve`` with several worker processes (PostgreSQL): refused on SQLite, spreads
kept-alive connections, stops whole (also when the parent dies), and a key revoked by the CLI
stops working in every worker at once."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.cli.helpers import roster, serve_config, serve_refused
from tests.cli.servers import (
    _gone,
    _serving_process,
    _worker_processes,
    _workers_config,
    running_workers,
)

# ---- serve: several worker processes ---------------------------------------------------------


def test_serve_refuses_workers_on_sqlite(upgraded: Path, tmp_path: Path, db_path: Path) -> None:
    stderr = serve_refused(serve_config(tmp_path, db_path, server={"workers": 2}))
    assert "server.workers" in stderr
    assert "PostgreSQL" in stderr


@pytest.fixture
async def workers_config(databases: Any, tmp_path: Path) -> Path:
    return _workers_config(await databases.create("postgresql"), tmp_path)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """Where the server's stderr goes: its access log and warnings."""
    return tmp_path / "serve.log"


def kept_alive(base: str, count: int) -> list[http.client.HTTPConnection]:
    """``count`` connections to the server at ``base``, each kept alive between requests."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(count)]


# Plain (not async) tests: they block while the server runs (sleeps, synchronous HTTP), which
# an async test would do on the event loop; pytest-asyncio still runs their async fixture.


def test_serve_with_two_workers_spreads_kept_alive_connections_and_stops_whole(
    workers_config: Path, log: Path
) -> None:
    with running_workers(workers_config, log) as (process, base):
        workers = _worker_processes(process.pid)
        assert len(workers) == 2, log.read_text()
        create = """mutation { customerCreate(input: {customerId: "ACME", name: "Acme"}) {
            customer { customerId } userErrors { code } } }"""
        created = httpx.post(f"{base}/graphql", json={"query": create}, timeout=10).json()
        assert created["data"]["customerCreate"]["customer"] == {"customerId": "ACME"}
        # Six kept-alive connections, as a frontend's HTTP client holds them: three on each
        # worker, and each worker sees what the other wrote (one database, no per-process
        # state). Two requests per connection: the second reuses it.
        connections = kept_alive(base, 6)
        body = json.dumps({"query": '{ customer(customerId: "acme") { name } }'})
        for _ in range(2):
            for connection in connections:
                connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
                reply = connection.getresponse()
                assert reply.status == 200
                assert json.loads(reply.read())["data"] == {"customer": {"name": "Acme"}}
        served_by = [_serving_process(connection, workers) for connection in connections]
        assert sorted(served_by.count(pid) for pid in workers) == [3, 3], served_by
        for connection in connections:
            connection.close()
    assert all(_gone(worker) for worker in workers), "a worker outlived the server"
    # The access log: one line per request, from whichever worker served it.
    posts = log.read_text().count('"POST /graphql HTTP/1.1" 200 OK ')
    assert posts == 1 + 6 * 2, log.read_text()


def test_serve_with_workers_stops_whole_when_the_parent_dies(
    workers_config: Path, log: Path
) -> None:
    # A worker's death is survived (tests/test_worker_supervision.py); the parent's is not.
    # The parent killed (nobody left to forward a stop signal): the workers notice the closed
    # hand-over channel and stop instead of lingering as orphans holding database connections.
    with running_workers(workers_config, log) as (process, _base):
        workers = _worker_processes(process.pid)
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 20
        while not all(_gone(worker) for worker in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(worker) for worker in workers), "a worker outlived its parent"


# ---- serve: API keys revoked by the CLI ------------------------------------------------------

KEY_QUERY = json.dumps({"query": "{ customers(first: 1) { totalCount } }"})


def _statuses(connections: list[http.client.HTTPConnection], key: str) -> list[int]:
    statuses = []
    for connection in connections:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        connection.request("POST", "/graphql", KEY_QUERY, headers)
        reply = connection.getresponse()
        reply.read()
        statuses.append(reply.status)
    return statuses


def _refused_within(connections: list[http.client.HTTPConnection], key: str) -> float:
    """Seconds until every connection's request with ``key`` is refused (at most 10)."""
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if _statuses(connections, key) == [401] * len(connections):
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail("the revoked key still works after 10 s")


async def _listening_backends(url: str, terminate: bool = False) -> int:
    """The server connections that LISTEN for revocations (closed, with ``terminate``)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        query = "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = $1"
        pids = [row["pid"] for row in await connection.fetch(query, connection._params.database)]
        for pid in pids if terminate else []:
            await connection.execute("SELECT pg_terminate_backend($1)", pid)
        return len(pids)
    finally:
        await connection.close()


async def test_a_key_revoked_by_the_cli_stops_working_in_every_worker_at_once(
    databases: Any, tmp_path: Path, log: Path
) -> None:
    """Workers remember a key for 10 s; a revocation notifies them (PostgreSQL LISTEN/NOTIFY),
    also after their listening connection was cut and came back."""
    url = await databases.create("postgresql")
    config = _workers_config(url, tmp_path, anonymous=False)
    await asyncio.to_thread(check_revocations, config, url, log)


def check_revocations(config: Path, url: str, log: Path) -> None:
    with running_workers(config, log) as (_process, base):
        for name in ("first", "second"):
            if name == "second":
                # A real fault: the listening connections are cut. The workers reconnect
                # (within 5 s) and still hear the next revocation.
                assert asyncio.run(_listening_backends(url, terminate=True)) == 2
                deadline = time.monotonic() + 15
                while asyncio.run(_listening_backends(url)) < 2:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
                lost = "WARNING roster.notifications: lost the connection listening on"
                assert log.read_text().count(lost) == 2  # each worker says so, in Roster's format
            created = roster(
                "api-key", "create", "--config", str(config), "--name", name, "--scope", "read"
            )
            assert created.returncode == 0, created.stderr
            key = created.stdout.strip()
            # Four kept-alive connections, two per worker: both workers now remember the key.
            connections = kept_alive(base, 4)
            remembered = time.monotonic()  # the workers' cache entries expire 10 s after this
            assert _statuses(connections, key) == [200] * 4
            revoked = roster("api-key", "revoke", "--config", str(config), "--name", name)
            assert revoked.returncode == 0, revoked.stderr
            _refused_within(connections, key)
            # Refused before the cache could have forgotten the key: the notification did it.
            # Counted from before the key was remembered, so a slow `roster api-key revoke` on a
            # loaded machine does not count against the workers.
            assert time.monotonic() - remembered < 8
            for connection in connections:
                connection.close()
