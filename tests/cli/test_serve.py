"""``roster serve`` for real: the demo-like config (demo data, GraphiQL, anonymous on loopback,
with a warning) and a server that requires an API key made with the CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy


@dataclass
class DemoServer:
    base: str
    log: Path
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``roster serve`` with the demo-like config: SQLite, demo data, anonymous on loopback."""
    tmp = tmp_path_factory.mktemp("demo-serve")
    port = free_port()
    config = write_config(
        tmp / "demo.toml",
        tmp / "demo.db",
        server={"host": "127.0.0.1", "port": port, "graphiql": True},
        auth={"allow_anonymous": True},
        demo={"load_data": True},
    )
    upgraded = roster("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    with running_server(config, log) as process:
        wait_healthy(process, base, log)
        yield DemoServer(base=base, log=log, process=process)


def test_serve_demo_healthz(demo_server: DemoServer) -> None:
    health = httpx.get(f"{demo_server.base}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}


def test_serve_demo_answers_queries_without_key(demo_server: DemoServer) -> None:
    response = httpx.post(
        f"{demo_server.base}/graphql",
        json={"query": "{ customerUsers(first: 10) { nodes { login } } }"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    logins = {n["login"] for n in body["data"]["customerUsers"]["nodes"]}
    assert {"jdoe", "rroe", "kmueller", "hsimpson"} <= logins
    assert "old.account" not in logins  # INVALID users are not listed by default
    # No "server: uvicorn" (app/uvicorn_settings.py); the date HTTP/1.1 asks for is there.
    assert "server" not in response.headers
    assert "date" in response.headers


def test_serve_demo_serves_graphiql(demo_server: DemoServer) -> None:
    page = httpx.get(f"{demo_server.base}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()
    assert "graphiql" in page.text.lower()


def test_serve_demo_warns_about_anonymous_access(demo_server: DemoServer) -> None:
    stderr = demo_server.log.read_text()
    warning = [line for line in stderr.splitlines() if "allow_anonymous is on" in line]
    assert len(warning) == 1, stderr
    assert warning[0].startswith("WARNING")
    assert "127.0.0.1" in warning[0]
    assert demo_server.process.poll() is None


def test_serve_requires_api_key_from_cli(upgraded: Path, tmp_path: Path, db_path: Path) -> None:
    created = roster(
        "api-key", "create", "--config", str(upgraded), "--name", "srv", "--scope", "read"
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    port = free_port()
    config = write_config(tmp_path / "keyed.toml", db_path, server={"port": port})
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    query = {"query": "{ customerUsers(first: 5) { totalCount nodes { login } } }"}
    with running_server(config, log) as process:
        wait_healthy(process, base, log)
        anonymous = httpx.post(f"{base}/graphql", json=query, timeout=10)
        assert anonymous.status_code == 401
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        wrong = httpx.post(
            f"{base}/graphql", json=query, headers={"Authorization": "Bearer rst_nope"}, timeout=10
        )
        assert wrong.status_code == 401
        ok = httpx.post(
            f"{base}/graphql", json=query, headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["data"]["customerUsers"] == {"totalCount": 0, "nodes": []}
    stderr = log.read_text()
    assert "allow_anonymous is on" not in stderr
    assert key not in stderr
