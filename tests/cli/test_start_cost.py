"""A ``roster`` command loads only the libraries it uses: ``api-key`` reaches its database
without the GraphQL server's libraries, and ``--help`` loads no database library either. Why
it matters: every command used to import them all, 1.1 s of CPU per start (app/cli.py)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import python

HEAVY = ("strawberry", "graphql", "starlette", "uvicorn", "sqlalchemy")
ROSTER_THEN_LOADED = (
    "import sys\n"
    "from app.cli import main\n"
    "try:\n"
    "    sys.exit(main(sys.argv[1:]))\n"
    "finally:\n"
    f"    print('loaded:', *[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)\n"
)


def loaded(*args: str) -> list[str]:
    """Which of ``HEAVY`` ``roster *args`` imported (the command must succeed)."""
    result = python("-c", ROSTER_THEN_LOADED, *args)
    assert result.returncode == 0, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("loaded:"), result.stderr
    return last.split()[1:]


def test_api_key_commands_load_no_graphql_server_library(upgraded: Path) -> None:
    assert loaded("api-key", "list", "--config", str(upgraded)) == ["sqlalchemy"]


def test_help_loads_no_library_of_a_command() -> None:
    assert loaded("--help") == []
