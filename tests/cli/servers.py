"""A real ``roster serve`` for tests: started as a subprocess, waited on until it answers,
stopped at the end; and what its worker processes and sockets look like from /proc.

Used by the ``tests/cli`` serve tests, ``tests/test_worker_supervision.py`` and
``tests/test_password_scheme_start.py``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import PROJECT, clean_env


@contextlib.contextmanager
def running_server(
    config: Path, log: Path, *, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """``roster serve --config config`` (stderr to ``log``, ``env`` added to its environment),
    terminated when the block ends."""
    with log.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "app.cli", "serve", "--config", str(config)],
            cwd=PROJECT,
            env={**clean_env(), **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def wait_healthy(
    process: subprocess.Popen[bytes], base: str, log: Path, *, timeout: float = 60
) -> None:
    """Wait (at most ``timeout`` s) until ``base``/healthz answers; fail with the log if it
    does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"server not healthy after {timeout:g} s:\n{log.read_text()}")


def _worker_processes(parent: int) -> list[int]:
    """The worker processes ``serve`` started (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
            if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in cmdline:
                found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    """The process ``pid`` exited (or is a zombie)."""
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):
        return "zombie" in status.read_text()
    return True


def _announced_base(process: subprocess.Popen[bytes], log: Path) -> str:
    """The address ``serve`` prints (``server.port = 0`` takes any free port)."""
    deadline = time.monotonic() + 60  # a start on a loaded machine takes a while
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("Roster: http://"):
                return line.removeprefix("Roster: ").removesuffix("/graphql")
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"server printed no address:\n{log.read_text()}")


def _serving_process(connection: http.client.HTTPConnection, candidates: list[int]) -> int:
    """Which of ``candidates`` holds the server side of ``connection`` (what ``ss -tp`` shows)."""
    assert connection.sock is not None
    client_port = connection.sock.getsockname()[1]
    server_port = connection.sock.getpeername()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        remote_port = int(fields[2].rsplit(":", 1)[1], 16)
        if (local_port, remote_port) == (server_port, client_port):
            inodes.add(f"socket:[{fields[9]}]")
    holders = {pid for pid in candidates if inodes & _open_files(pid)}
    assert len(holders) == 1, (inodes, holders)
    return holders.pop()


def _open_files(pid: int) -> set[str]:
    """What the file descriptors of ``pid`` point at (``socket:[inode]`` for sockets)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed while we look
            found.add(os.readlink(fd))
    return found


def _workers_config(url: str, tmp_path: Path, *, anonymous: bool = True) -> Path:
    """A config for ``serve`` with two workers on ``url`` (PostgreSQL), on any free port."""
    config = tmp_path / "workers.toml"
    config.write_text(
        f"[database]\nurl = {json.dumps(url)}\n"
        '[server]\nhost = "127.0.0.1"\nport = 0\nworkers = 2\n'
        f"[auth]\nallow_anonymous = {str(anonymous).lower()}\n",
        encoding="utf-8",
    )
    return config


@contextlib.contextmanager
def running_workers(config: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``serve`` with several workers, once it answers: the process and its base URL."""
    with running_server(config, log) as process:
        base = _announced_base(process, log)
        wait_healthy(process, base, log)
        yield process, base
