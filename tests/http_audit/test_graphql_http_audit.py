"""The ``graphql-http`` audit suite (npm ``graphql-http``, its ``serverAudits``: the
GraphQL-over-HTTP specification's MUST, SHOULD and MAY checks) against a real ``roster serve``
process with an API key, as any client would call it. Every audit must pass, the MAY ones
included. ``scripts/test.sh`` installs the pinned package (``package-lock.json``) into
``tests/http_audit/node_modules`` when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(``/graphql``'s URL, an API key) of a running server on a fresh SQLite database."""
    tmp = tmp_path_factory.mktemp("http-audit")
    port = free_port()
    config = write_config(
        tmp / "roster.toml", tmp / "roster.db", server={"host": "127.0.0.1", "port": port}
    )
    upgraded = roster("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    created = roster(
        "api-key", "create", "--config", str(config), "--name", "audit", "--scope", "read"
    )
    assert created.returncode == 0, created.stderr
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    with running_server(config, log) as process:
        wait_healthy(process, base, log)
        yield f"{base}/graphql", created.stdout.strip()


def test_every_graphql_over_http_audit_passes(served: tuple[str, str]) -> None:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "graphql-http").is_dir():
        pytest.fail("node and tests/http_audit/node_modules are needed (scripts/test.sh)")
    url, key = served
    env = {**os.environ, "ROSTER_AUDIT_KEY": key}
    ran = subprocess.run(  # noqa: S603 - our own script
        [node, str(HERE / "audit.mjs"), url],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert len(results) >= 61  # graphql-http 1.23.1 has 61
    failed = [r for r in results if r["status"] != "ok"]
    assert failed == [], json.dumps(failed, indent=1)
