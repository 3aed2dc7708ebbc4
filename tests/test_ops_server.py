"""The operator's view of a real ``roster serve`` (a subprocess on PostgreSQL): ``/metrics``
adds up every worker's requests, every log line is JSON with ``log_format = "json"``, and
SIGTERM stops within ``server.shutdown_timeout_seconds`` even while a request is still in
flight."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.metrics import FLUSH_SECONDS
from tests.cli.helpers import free_port
from tests.cli.servers import (
    _announced_base,
    _serving_process,
    _worker_processes,
    _workers_config,
    running_server,
    running_workers,
    wait_healthy,
)
from tests.metrics_helpers import value

QUERY = json.dumps({"query": "query Ops { customers(first: 1) { totalCount } }"})
REQUESTS = 12


@pytest.fixture
async def pg_url(databases: Any) -> str:
    return str(await databases.create("postgresql"))


def test_metrics_add_up_the_requests_of_every_worker(pg_url: str, tmp_path: Path) -> None:
    config = _workers_config(pg_url, tmp_path)
    config.write_text(config.read_text().replace("[server]\n", '[server]\nlog_format = "json"\n'))
    log = tmp_path / "serve.log"
    with running_workers(config, log) as (process, base):
        workers = _worker_processes(process.pid)
        assert len(workers) == 2
        served = set()
        host, port = base.removeprefix("http://").rsplit(":", 1)
        for _ in range(REQUESTS):
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request("POST", "/graphql", QUERY, {"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200
            response.read()
            served.add(_serving_process(connection, workers))
            connection.close()
        assert served == set(workers)  # both workers served some

        def counted() -> float:
            scrape = httpx.get(f"{base}/metrics", timeout=5)
            assert scrape.status_code == 200
            assert value(scrape.text, "roster_db_pool_connections", state="size") == 2 * 10
            return value(scrape.text, "roster_requests_total", operation="Ops", outcome="ok")

        # Each worker publishes its counts within FLUSH_SECONDS (app/metrics.RequestTally).
        deadline = time.monotonic() + 5 * FLUSH_SECONDS
        while counted() < REQUESTS and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(4):  # whichever worker answers the scrape, it counts them all
            assert counted() == REQUESTS
    # Every line the server and its workers wrote is JSON (but the address it announces).
    lines = [line for line in log.read_text().splitlines() if not line.startswith("Roster: ")]
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r["logger"] == "roster.access" and r["path"] == "/graphql"]
    assert len(access) == REQUESTS
    assert {r["operation"] for r in access} == {"Ops"}
    assert any(r["logger"].startswith("uvicorn") for r in records)


def test_sigterm_stops_within_the_shutdown_timeout(pg_url: str, tmp_path: Path) -> None:
    config = tmp_path / "one.toml"
    config.write_text(
        f"[database]\nurl = {json.dumps(pg_url)}\n"
        f'[server]\nhost = "127.0.0.1"\nport = {free_port()}\nshutdown_timeout_seconds = 1\n'
        "[auth]\nallow_anonymous = true\n",
        encoding="utf-8",
    )
    log = tmp_path / "serve.log"
    with running_server(config, log) as process:
        base = _announced_base(process, log)
        wait_healthy(process, base, log)
        host, port = base.removeprefix("http://").rsplit(":", 1)
        # A request whose body never completes: in flight until the deadline ends it.
        hanging = socket.create_connection((host, int(port)))
        hanging.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        # Synchronised by a request, not a sleep: the server accepts connections in order, so
        # once a later one is answered, the hanging one is in flight.
        assert httpx.get(f"{base}/livez", timeout=10).status_code == 200
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)  # without the deadline it would wait for the body for ever
        elapsed = time.monotonic() - started
        hanging.close()
    assert 0.9 <= elapsed < 10, elapsed  # the upper bound leaves room for a loaded machine
    # uvicorn ends by raising the signal again once it has shut down.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "timeout graceful shutdown exceeded" in log.read_text()
