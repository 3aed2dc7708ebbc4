"""Running the ``roster`` command line in tests: as a subprocess, with a config file written
for the test, against SQLite files in tmp_path.

The CLI tests were one 850-line ``tests/test_cli.py``; they are now the modules of this folder,
split by command. ``tests/test_worker_supervision.py`` and
``tests/test_password_scheme_start.py`` use these too. Starting a real server is
``tests.cli.servers``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.toml_helpers import backend_toml, toml_value

PROJECT = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    """This process's environment without any ROSTER_* override that could leak in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_")}


def python(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python *args`` run in the project to its end, its output captured."""
    return subprocess.run(  # noqa: S603 - our own code, fixed arguments
        [sys.executable, *args],
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def roster(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``roster *args`` run to its end, its output captured."""
    return python("-m", "app.cli", *args, timeout=timeout)


def free_port() -> int:
    """A loopback port free right now (bound and released again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    path: Path,
    db: Path,
    *,
    server: dict[str, Any] | None = None,
    auth: dict[str, Any] | None = None,
    demo: dict[str, Any] | None = None,
    backend: dict[str, Any] | None = None,
    extra: str = "",
) -> Path:
    """A TOML config at ``path`` for the SQLite file ``db``, with the given sections."""
    lines = ["[database]", f"url = {toml_value(f'sqlite+aiosqlite:///{db}')}"]
    for section, values in (("server", server), ("auth", auth), ("demo", demo)):
        if values:
            lines.append(f"[{section}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    text = "\n".join(lines) + "\n"
    if backend:
        text += backend_toml(**backend)
    path.write_text(text + extra, encoding="utf-8")
    return path


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    """The rows ``query`` returns from the SQLite file ``db``."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(query).fetchall())


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    """The command refused to start, with one ``roster:`` message and no traceback."""
    assert result.returncode != 0, result.stderr
    assert result.stderr.startswith("roster: ") or "\nroster: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "Uvicorn running" not in result.stderr


def serve_config(
    tmp_path: Path, db: Path, *, server: dict[str, Any] | None = None, **sections: Any
) -> Path:
    """A config for ``roster serve`` on the SQLite file ``db``: the sections ``write_config``
    takes, the server on a free port unless ``server`` names one."""
    server = {"port": free_port(), **(server or {})}
    return write_config(tmp_path / "serve.toml", db, server=server, **sections)


def serve_refused(config: Path, *flags: str) -> str:
    """``roster serve --config config *flags`` refused to start (see ``assert_refused``); what
    it said on stderr."""
    result = roster("serve", "--config", str(config), *flags)
    assert_refused(result)
    return result.stderr
