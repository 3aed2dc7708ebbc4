"""``roster serve`` keeps serving when a worker dies or hangs, and closes idle connections.

Run for real: ``roster serve --workers 2`` on PostgreSQL as a subprocess (``app/workers.py``);
the faults are real signals to a worker process (SIGKILL: it dies; SIGSTOP: its event loop
stops, as in a hung call) and real sockets that never finish a request.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.helpers import free_port
from tests.cli.servers import (
    _announced_base,
    _gone,
    _serving_process,
    _worker_processes,
    running_server,
    running_workers,
    wait_healthy,
)

QUERY = json.dumps({"query": "{ customers(first: 1) { totalCount } }"})


def _config(tmp_path: Path, url: str, workers: int, **server: Any) -> Path:
    config = tmp_path / "supervised.toml"
    server.setdefault("port", 0)
    settings = "".join(f"{key} = {json.dumps(value)}\n" for key, value in server.items())
    config.write_text(
        f"[database]\nurl = {json.dumps(url)}\n"
        f'[server]\nhost = "127.0.0.1"\nworkers = {workers}\n{settings}'
        "[auth]\nallow_anonymous = true\n",
        encoding="utf-8",
    )
    return config


def _split(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _query_on_a_new_connection(base: str) -> str | None:
    """One GraphQL request on a connection of its own: None, or what went wrong."""
    host, port = _split(base)
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("POST", "/graphql", QUERY, {"Content-Type": "application/json"})
        reply = connection.getresponse()
        body = reply.read()
        if reply.status != 200 or b"totalCount" not in body:
            return f"{reply.status} {body!r}"
        return None
    except OSError as exc:
        return repr(exc)
    finally:
        connection.close()


def _queries_until(base: str, seconds: float, at_least: int) -> tuple[int, list[str]]:
    """Requests one after another, each on a new connection, for ``seconds`` and at least
    ``at_least`` of them (a loaded machine serves fewer per second): how many, and the
    failures."""
    sent, failures = 0, []
    deadline = time.monotonic() + seconds
    while sent < at_least or time.monotonic() < deadline:
        sent += 1
        failure = _query_on_a_new_connection(base)
        if failure is not None:
            failures.append(failure)
    return sent, failures


def _both_serving(base: str, workers: list[int], log: Path) -> None:
    """Waits until each of ``workers`` has served a connection. ``running_workers`` returns
    once one of them answers; the other may still be starting, and a worker that is still
    starting has no heartbeat yet (it gets ``STARTUP_TIMEOUT``, not the heartbeat timeout)."""
    for pid in workers:
        _served_by(base, pid, workers, log)


class _GoneWatch:
    """Notes when process ``pid`` is gone, watched from a thread of its own, so the time does
    not depend on how long the test's own requests take."""

    def __init__(self, pid: int, started: float, within: float = 60) -> None:
        self.gone_after: float | None = None
        self._pid, self._started, self._within = pid, started, within
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while time.monotonic() < self._started + self._within:
            if _gone(self._pid):
                self.gone_after = time.monotonic() - self._started
                return
            time.sleep(0.01)

    def watching(self) -> bool:
        return self._thread.is_alive()

    def wait(self) -> float | None:
        """Seconds from ``started`` until the process was gone (None: not within ``within``)."""
        self._thread.join()
        return self.gone_after


def _new_worker(parent: int, known: set[int], log: Path, within: float = 60) -> int:
    """The pid of a worker of ``parent`` that is not in ``known`` (a replacement)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        new = set(_worker_processes(parent)) - known
        if new:
            return new.pop()
        time.sleep(0.02)
    pytest.fail(f"no replacement worker after {within} s:\n{log.read_text()}")


def _served_by(base: str, pid: int, workers: list[int], log: Path) -> None:
    """Waits until a new connection is served by worker ``pid`` (it serves once it is up)."""
    host, port = _split(base)
    deadline = time.monotonic() + 60  # a worker starting on a loaded machine takes a while
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("POST", "/graphql", QUERY, {"Content-Type": "application/json"})
        reply = connection.getresponse()
        assert reply.status == 200
        reply.read()
        serving = _serving_process(connection, workers)
        connection.close()
        if serving == pid:
            return
        time.sleep(0.05)
    pytest.fail(f"worker {pid} serves no connection:\n{log.read_text()}")


@pytest.fixture
async def postgres_url(databases: Any) -> str:
    return str(await databases.create("postgresql"))


# ---- a worker dies: the others serve on, a replacement starts -------------------------------


async def test_a_killed_worker_is_replaced_and_no_request_fails_meanwhile(
    postgres_url: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, postgres_url, 2)
    await asyncio.to_thread(check_killed_worker, config, tmp_path / "serve.log")


def check_killed_worker(config: Path, log: Path) -> None:
    with running_workers(config, log) as (process, base):
        first, second = _worker_processes(process.pid)
        _both_serving(base, [first, second], log)
        os.kill(first, signal.SIGKILL)
        # Connections go on to be made at once and all through the death (and the replacement's
        # back-off): none is refused, none is lost (the dead worker served none of them).
        _sent, failures = _queries_until(base, 2.0, at_least=20)
        assert failures == [], (failures, log.read_text())
        assert process.poll() is None
        replacement = _new_worker(process.pid, {first, second}, log)
        _served_by(base, replacement, [second, replacement], log)
        _sent, failures = _queries_until(base, 0.5, at_least=5)
        assert failures == []
        assert sorted(_worker_processes(process.pid)) == sorted([second, replacement])
        text = log.read_text()
        assert f"WARNING roster.workers: worker 1 (pid {first}) was killed by SIGKILL" in text
        assert f"worker 1 restarted (pid {replacement})" in text
    assert process.returncode == 0  # stopped by the test's SIGTERM, not by the death


# ---- a worker keeps dying: the server gives up ----------------------------------------------


async def test_a_worker_that_keeps_dying_stops_the_server_after_the_restart_limit(
    postgres_url: str, tmp_path: Path
) -> None:
    config = _config(
        tmp_path, postgres_url, 2, worker_restart_limit=2, worker_restart_window_seconds=60
    )
    await asyncio.to_thread(check_restart_limit, config, tmp_path / "serve.log")


def check_restart_limit(config: Path, log: Path) -> None:
    with running_server(config, log) as process:
        # The first death comes while the worker is still starting, before it ever served.
        deadline = time.monotonic() + 20
        while len(workers := _worker_processes(process.pid)) < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.01)
        first, other = workers
        known = {first, other}
        victim = first
        for _ in range(2):  # two restarts are allowed...
            os.kill(victim, signal.SIGKILL)
            victim = _new_worker(process.pid, known, log)
            known.add(victim)
        os.kill(victim, signal.SIGKILL)  # ...the third death is one too many
        assert process.wait(timeout=20) == 1, log.read_text()
        text = log.read_text()
        assert text.count("WARNING roster.workers: worker 1 restarted") == 2, text
        assert (
            f"ERROR roster.workers: worker 1 (pid {victim}) was killed by SIGKILL; that is 3 "
            "deaths within 60 s, more than server.worker_restart_limit = 2: giving up, "
            "stopping the server"
        ) in text
        assert _gone(other), "the other worker outlived the server"


# ---- a worker hangs: the heartbeat finds it ------------------------------------------------


# The timeout a test can afford, with room for a healthy worker on a loaded machine: its loop
# beats every 0.5 s (a quarter of it) and must not be held up for 2 s by a starved CPU.
HEARTBEAT_TIMEOUT = 2.0


async def test_a_hung_worker_is_killed_after_the_heartbeat_timeout_and_replaced(
    postgres_url: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, postgres_url, 2, worker_heartbeat_timeout_seconds=HEARTBEAT_TIMEOUT)
    await asyncio.to_thread(check_hung_worker, config, tmp_path / "serve.log")


def check_hung_worker(config: Path, log: Path) -> None:
    with running_workers(config, log) as (process, base):
        first, second = _worker_processes(process.pid)
        _both_serving(base, [first, second], log)  # both beat: the stopped one has a last beat
        os.kill(first, signal.SIGSTOP)  # its event loop stops, as in a call that never returns
        gone = _GoneWatch(first, time.monotonic())
        # Requests go on: the one handed to the stopped worker waits until the parent kills it,
        # then another worker serves it. They go on until the hung worker is gone.
        _sent, failures = _queries_until(base, HEARTBEAT_TIMEOUT + 0.5, at_least=10)
        while gone.watching():
            failures += _queries_until(base, 0, at_least=1)[1]
        assert failures == [], (failures, log.read_text())
        gone_after = gone.wait()
        assert gone_after is not None, f"the hung worker is still there:\n{log.read_text()}"
        # Killed once its last beat (at most a beat interval before the stop) is older than the
        # timeout, and soon after (the parent checks every 0.2 s; the rest is room for load).
        interval = HEARTBEAT_TIMEOUT / 4
        assert HEARTBEAT_TIMEOUT - interval < gone_after < HEARTBEAT_TIMEOUT + 4, gone_after
        replacement = _new_worker(process.pid, {first, second}, log)
        _served_by(base, replacement, [second, replacement], log)
        text = log.read_text()
        assert (
            f"WARNING roster.workers: worker 1 (pid {first}): its event loop has not run for "
        ) in text
        assert "(server.worker_heartbeat_timeout_seconds = 2); killing it" in text
        assert f"worker 1 (pid {first}) hung and was killed; restarting it" in text
        assert "worker 2" not in text, text  # the healthy worker kept its beat
        assert process.poll() is None


# ---- idle connections are closed -----------------------------------------------------------

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"


def _closed_after(sock: socket.socket, started: float, limit: float = 10) -> float:
    """Seconds from ``started`` until the server closed ``sock`` (fails after ``limit``)."""
    sock.settimeout(max(0.1, started + limit - time.monotonic()))
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {limit} s")
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def check_idle_connections(base: str) -> None:
    """Each clock starts before what starts the server's timer (the connection, the request,
    the next request's first byte), so a stalled test thread cannot make a close look early;
    the upper bounds leave room for a loaded machine."""
    host, port = _split(base)
    opened = time.monotonic()
    silent = socket.create_connection((host, port))
    partial = socket.create_connection((host, port))
    partial.sendall(b"GET /healthz HT")  # an unfinished request line
    slow_headers = socket.create_connection((host, port))
    slow_headers.sendall(REQUEST)  # headers without their final empty line
    kept_alive = http.client.HTTPConnection(host, port, timeout=10)
    asked = time.monotonic()
    kept_alive.request("GET", "/healthz")
    kept_alive.getresponse().read()
    assert kept_alive.sock is not None
    partial_next = http.client.HTTPConnection(host, port, timeout=10)
    partial_next.request("GET", "/healthz")
    partial_next.getresponse().read()
    assert partial_next.sock is not None
    next_started = time.monotonic()
    partial_next.sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # the next request never ends
    slow_body = socket.create_connection((host, port))
    slow_body.sendall(  # complete headers; the body comes only after the header timeout
        b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(QUERY)}\r\n\r\n".encode()
    )

    # server.header_timeout_seconds = 1.5: the headers of a new connection's first request...
    for sock in (silent, partial, slow_headers):
        with sock:
            assert 1.4 < _closed_after(sock, opened) < 7
    # ...and those of a kept-alive connection's next request.
    assert 1.4 < _closed_after(partial_next.sock, next_started) < 7
    # server.keep_alive_timeout_seconds = 1: idle after a response.
    assert 0.9 < _closed_after(kept_alive.sock, asked) < 6
    kept_alive.close()
    partial_next.close()
    # A request whose headers are complete has no deadline here, however slow its body.
    assert time.monotonic() - opened > 1.5
    with slow_body:
        slow_body.sendall(QUERY.encode())
        slow_body.settimeout(10)
        assert slow_body.recv(4096).startswith(b"HTTP/1.1 200 OK\r\n")


async def test_idle_and_unfinished_connections_are_closed_with_workers(
    postgres_url: str, tmp_path: Path
) -> None:
    config = _config(
        tmp_path, postgres_url, 2, header_timeout_seconds=1.5, keep_alive_timeout_seconds=1
    )
    await asyncio.to_thread(check_idle_with_workers, config, tmp_path / "serve.log")


def check_idle_with_workers(config: Path, log: Path) -> None:
    with running_workers(config, log) as (_process, base):
        check_idle_connections(base)


async def test_idle_and_unfinished_connections_are_closed_in_one_process(
    databases: Any, tmp_path: Path
) -> None:
    url = await databases.create("sqlite")
    config = _config(  # one process announces the port it was given: not 0
        tmp_path, url, 1, port=free_port(), header_timeout_seconds=1.5, keep_alive_timeout_seconds=1
    )
    await asyncio.to_thread(check_idle_in_one_process, config, tmp_path / "serve.log")


def check_idle_in_one_process(config: Path, log: Path) -> None:
    with running_server(config, log) as process:
        base = _announced_base(process, log)
        wait_healthy(process, base, log)
        check_idle_connections(base)
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
