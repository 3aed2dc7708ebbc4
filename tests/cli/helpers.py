"""Running the ``roster`` command line in tests: as a subprocess, with a config file written
for the test, against SQLite files in tmp_path.

The CLI tests were one 850-line ``tests/test_cli.py``; they are now the modules of this folder,
split by command. ``tests/test_worker_supervision.py`` and
``tests/test_password_scheme_start.py`` use these too. Starting a real server is
``tests.cli.servers``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from domain.field_map import default_db_map

PROJECT = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    """This process's environment without any ROSTER_* override that could leak in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_")}


def roster(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``roster *args`` run to its end, its output captured."""
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "app.cli", *args],
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A loopback port free right now (bound and released again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def map_with_room(*, required: bool = True) -> list[dict[str, Any]]:
    """The default Map plus a custom ``UserRoom`` row on a ``room`` column."""
    rows: list[dict[str, Any]] = [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": f.column,
            "show": f.show,
            "required": f.required,
            "type": f.type,
            "readonly": f.readonly,
        }
        for f in default_db_map()
    ]
    rows.append(
        {
            "attribute": "UserRoom",
            "label": "Room",
            "field": "room",
            "show": 1,
            "required": required,
            "type": "var",
        }
    )
    return rows


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
    if backend:
        lines.append("[[customer_user.backends]]")
        for key, value in backend.items():
            if key == "map":
                lines.append("map = [")
                lines += [f"  {toml_value(row)}," for row in value]
                lines.append("]")
            else:
                lines.append(f"{key} = {toml_value(value)}")
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
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
