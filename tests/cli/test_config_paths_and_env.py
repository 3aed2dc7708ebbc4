"""Where a relative SQLite path points (the config file's folder, not the current one), which
``ROSTER_*`` variables are configuration (only ``ROSTER_<SECTION>__…``), and
``roster --version``: through the real command line."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import httpx

from app.settings import sqlite_url_relative_to
from tests.cli.helpers import clean_env, free_port, rows
from tests.cli.servers import wait_healthy


def _roster_in(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``roster *args`` run from the folder ``cwd`` (not the project), ``env`` added."""
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_relative_sqlite_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    """``roster … --config elsewhere/roster.toml`` from another folder uses
    ``elsewhere/data/roster.db``, for every command, ``serve`` included."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    (elsewhere / "roster.toml").write_text(
        '[database]\nurl = "sqlite+aiosqlite:///data/roster.db"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\n',
        encoding="utf-8",
    )
    somewhere = tmp_path / "somewhere"
    somewhere.mkdir()
    config = "../elsewhere/roster.toml"

    upgraded = _roster_in(somewhere, "db", "upgrade", "--config", config)
    assert upgraded.returncode == 0, upgraded.stderr
    database = elsewhere / "data" / "roster.db"
    assert database.is_file()
    assert not (somewhere / "data").exists()

    created = _roster_in(
        somewhere, "api-key", "create", "--config", config, "--name", "ops", "--scope", "read"
    )
    assert created.returncode == 0, created.stderr
    assert rows(database, "SELECT name FROM roster_api_key") == [("ops",)]

    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "app.cli", "serve", "--config", config],
            cwd=somewhere,
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(process, base, log)
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": "{ customerUsers(first: 1) { totalCount } }"},
            headers={"Authorization": f"Bearer {created.stdout.strip()}"},
            timeout=10,
        )
        assert answer.json()["data"] == {"customerUsers": {"totalCount": 0}}
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert not (somewhere / "data").exists()


def test_absolute_sqlite_path_is_kept(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    database = tmp_path / "db" / "roster.db"
    (tmp_path / "conf" / "roster.toml").write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{database}"\n', encoding="utf-8"
    )
    result = _roster_in(tmp_path, "db", "upgrade", "--config", "conf/roster.toml")
    assert result.returncode == 0, result.stderr
    assert database.is_file()


def test_the_projects_own_roster_variables_break_nothing(tmp_path: Path) -> None:
    """The scripts' and the tests' variables are not configuration keys."""
    env = {
        "ROSTER_EXTRAS": "dev,ldap",
        "ROSTER_TEST_PG": "postgresql://postgres@127.0.0.1:5432/postgres",
        "ROSTER_TEST_MARIADB": "mysql+asyncmy://root@127.0.0.1:3306",
        "ROSTER_TEST_DB_KINDS": "sqlite,postgresql",
        "ROSTER_TEST_WORKERS": "0",
        "ROSTER_SOMETHING_ELSE": "x",
    }
    (tmp_path / "roster.toml").write_text(
        '[database]\nurl = "sqlite+aiosqlite:///roster.db"\n', encoding="utf-8"
    )
    exported = _roster_in(tmp_path, "export-schema", "--config", "roster.toml", env=env)
    assert exported.returncode == 0, exported.stderr
    assert "type Query" in exported.stdout
    upgraded = _roster_in(tmp_path, "db", "upgrade", "--config", "roster.toml", env=env)
    assert upgraded.returncode == 0, upgraded.stderr


def test_roster_config_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "roster.toml").write_text(
        '[database]\nurl = "sqlite+aiosqlite:///roster.db"\n', encoding="utf-8"
    )
    env = {"ROSTER_CONFIG": str(tmp_path / "conf" / "roster.toml")}
    result = _roster_in(tmp_path, "db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "conf" / "roster.db").is_file()


def _refused(tmp_path: Path, env: dict[str, str]) -> str:
    result = _roster_in(tmp_path, "export-schema", env=env)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    return result.stderr


def test_misspelt_section_is_an_error_naming_the_variable(tmp_path: Path) -> None:
    assert _refused(tmp_path, {"ROSTER_DATABSE__URL": "sqlite+aiosqlite:///x.db"}) == (
        "roster: ROSTER_DATABSE__URL: no configuration section 'databse' "
        "(ROSTER_<SECTION>__<KEY> overrides a key; the sections are audit, auth, "
        "customer_auth, customer_company, customer_group, customer_user, database, demo, "
        "dynamic_field_from_customer_user, email, live, passwords, server, services, "
        "tickets)\n"
    )


def test_unknown_key_of_a_known_section_names_the_variable(tmp_path: Path) -> None:
    assert _refused(tmp_path, {"ROSTER_SERVER__PROT": "8001"}) == (
        "roster: invalid configuration:\n"
        "  server.prot: unknown key (check its spelling and section) (from ROSTER_SERVER__PROT)\n"
    )


def test_wrong_value_names_the_variable(tmp_path: Path) -> None:
    stderr = _refused(tmp_path, {"ROSTER_SERVER__PORT": "high"})
    assert stderr.startswith("roster: invalid configuration:\n  server.port: ")
    assert stderr.endswith(" (from ROSTER_SERVER__PORT)\n")


def test_a_whole_section_from_one_variable_is_refused(tmp_path: Path) -> None:
    assert _refused(tmp_path, {"ROSTER_SERVER": "x"}) == (
        "roster: ROSTER_SERVER: sets the whole [server] section; override one key of it, "
        "e.g. ROSTER_SERVER__<KEY>\n"
    )


def test_version(tmp_path: Path) -> None:
    result = _roster_in(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"roster {version('roster')}\n"
    assert version("roster") == "0.1.0"  # pyproject.toml's


def test_only_relative_sqlite_paths_are_rebased() -> None:
    base = Path("/etc/roster")
    assert sqlite_url_relative_to("sqlite+aiosqlite:///var/r.db", base) == (
        "sqlite+aiosqlite:////etc/roster/var/r.db"
    )
    assert sqlite_url_relative_to("sqlite+aiosqlite:///r.db?timeout=5", base) == (
        "sqlite+aiosqlite:////etc/roster/r.db?timeout=5"
    )
    for kept in (
        "sqlite+aiosqlite:////srv/r.db",
        "sqlite+aiosqlite:///:memory:",
        "postgresql+asyncpg://u@h/db",
        "mysql+asyncmy://u@h/relative",
    ):
        assert sqlite_url_relative_to(kept, base) == kept
