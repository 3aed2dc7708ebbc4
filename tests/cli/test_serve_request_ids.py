"""What uvicorn itself logs about a request carries the request's id, as Roster's own records
do (``app/logs.py``): a real ``roster serve`` whose ``/metrics`` fails with an exception that
escapes the app, in text and in JSON log format, and never a secret of the request in those
lines.

The fault is a real one: a corrupt value file in the metrics directory (what a crashed
process can leave), which makes prometheus_client raise ``RuntimeError`` while a scrape is
answered. ``PROMETHEUS_MULTIPROC_DIR`` is the operator's variable to set it (``app/metrics.py``).
"""

from __future__ import annotations

import json
import re
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import free_port, roster, write_config
from tests.cli.servers import running_server, wait_healthy

KEY = "rk_Never-Log-This-Key-4711"
TOKEN = "hush-hush-0815"
FAULT = "RuntimeError: Read beyond file size detected, file is corrupted."


@dataclass
class FailingServer:
    base: str
    log: Path
    log_format: str


@pytest.fixture(scope="module", params=["text", "json"])
def failing_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FailingServer]:
    """``roster serve`` (SQLite, one process, ``server.log_format`` = the param) whose metrics
    directory holds a corrupt file: every scrape of ``/metrics`` raises."""
    tmp = tmp_path_factory.mktemp(f"ids-{request.param}")
    port = free_port()
    config = write_config(
        tmp / "serve.toml",
        tmp / "roster.db",
        server={"host": "127.0.0.1", "port": port, "log_format": request.param},
    )
    upgraded = roster("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    metrics = tmp / "metrics"
    metrics.mkdir()
    # Says 64 bytes are used, then an entry claiming a 65535-byte key: past the end.
    (metrics / "counter_1.db").write_bytes(struct.pack("<iiI", 64, 0, 0xFFFF) + b"garbage")
    base = f"http://127.0.0.1:{port}"
    log = tmp / "serve.log"
    with running_server(config, log, env={"PROMETHEUS_MULTIPROC_DIR": str(metrics)}) as process:
        wait_healthy(process, base, log)
        yield FailingServer(base=base, log=log, log_format=request.param)


def _scrape(server: FailingServer, headers: dict[str, str]) -> str:
    """A failing scrape (with a secret key and a secret in the query string); what the server
    logged for it (once both its access line and uvicorn's error are written)."""
    before = server.log.read_text()
    response = httpx.get(
        f"{server.base}/metrics?token={TOKEN}",
        headers={"Authorization": f"Bearer {KEY}", **headers},
        timeout=10,
    )
    assert response.status_code == 500
    # GraphQL-shaped, naming the request, nothing of the exception (app/request_errors.py)
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "errors": [
            {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    request_id = response.headers["x-request-id"]
    if "X-Request-Id" in headers:
        assert request_id == headers["X-Request-Id"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        written = server.log.read_text()[len(before) :]
        # The access line itself (the traceback names app/metrics.py: "/metrics" alone may be
        # the error's), written at the end of the event-loop turn, maybe after the response.
        access = '"GET /metrics' in written or '"path":"/metrics"' in written
        done = access and "Exception in ASGI application" in written
        if done and written.endswith("\n"):
            assert request_id in written  # the id the client got is the one logged
            return written
        time.sleep(0.05)
    pytest.fail(f"no access line for the scrape:\n{server.log.read_text()}")


def _text_id(access_line: str) -> str:
    return access_line.split(" id=", 1)[1].split(" ", 1)[0]


def test_uvicorn_logs_an_escaping_exception_with_the_request_id(
    failing_server: FailingServer,
) -> None:
    given = _scrape(failing_server, {"X-Request-Id": "scrape-7.a"})
    made_up = _scrape(failing_server, {})  # an id the server made up, for the second
    for written, expected in ((given, "scrape-7.a"), (made_up, None)):
        lines = written.splitlines()
        if failing_server.log_format == "json":
            records = [json.loads(line) for line in lines]
            access = [
                r for r in records if r["logger"] == "roster.access" and r["path"] == "/metrics"
            ]  # a health check's line may land here too: it is written after its response
            assert len(access) == 1, records
            request_id = expected or access[0]["request_id"]
            assert access[0]["request_id"] == request_id
            errors = [r for r in records if r["logger"] == "uvicorn.error"]
            assert len(errors) == 1, records
            error = errors[0]
            assert sorted(error) == [
                "exception", "level", "logger", "message", "request_id", "time"
            ]  # fmt: skip
            assert error["level"] == "ERROR"
            assert error["message"] == "Exception in ASGI application"
            assert error["request_id"] == request_id
            assert error["exception"].startswith("Traceback (most recent call last):\n")
            assert error["exception"].endswith(f"\n{FAULT}")
        else:
            access_lines = [line for line in lines if '"GET /metrics' in line]
            assert len(access_lines) == 1, written
            request_id = expected or _text_id(access_lines[0])
            assert _text_id(access_lines[0]) == request_id
            # The message's line ends in the id; the traceback follows, unchanged.
            at = lines.index(f"ERROR:    Exception in ASGI application id={request_id}")
            assert lines[at + 1] == "Traceback (most recent call last):"
            assert FAULT in lines[at + 2 : lines.index(access_lines[0])]
        if expected is None:
            assert re.fullmatch(r"[0-9a-f]{16}", request_id), request_id
        assert KEY not in written
        assert TOKEN not in written


def test_uvicorn_lines_outside_a_request_carry_no_id(failing_server: FailingServer) -> None:
    log = failing_server.log.read_text()
    if failing_server.log_format == "json":
        records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        started = [r for r in records if r.get("message") == "Application startup complete."]
        assert len(started) == 1, records
        assert "request_id" not in started[0]
    else:
        assert "INFO:     Application startup complete." in log.splitlines()
