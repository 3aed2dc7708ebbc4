"""A database Roster cannot use stops ``roster serve`` and ``roster db upgrade`` with one line
on stderr (what is wrong, where, which setting), never a traceback: against the real servers,
a closed port, a database that does not exist, a wrong password, and SQLite paths that cannot
be written. The messages are asserted whole: they are what an operator reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.startup_errors import database_problem
from tests.cli.helpers import free_port, roster
from tests.conftest import MARIADB_ADMIN, PG_ADMIN_DSN

PG = make_url(PG_ADMIN_DSN)
PG_SERVER = f"{PG.host}:{PG.port or 5432}"
MARIADB_SERVER = f"{MARIADB_ADMIN.host}:{MARIADB_ADMIN.port or 3306}"
COMMANDS = [("serve",), ("db", "upgrade")]


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "roster.toml"
    path.write_text(f'[database]\nurl = "{url}"\nconnect_timeout_seconds = 5\n', "utf-8")
    return path


def _one_line(tmp_path: Path, url: str, command: tuple[str, ...]) -> str:
    """What ``roster <command>`` printed when it refused ``url``: exactly one line."""
    result = roster(*command, "--config", str(_config(tmp_path, url)))
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def _refused(server: str, port: int) -> str:
    return (
        f"roster: cannot connect to {server} at 127.0.0.1:{port}: connection refused (is the "
        "server running, on that host and port? check database.url)\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_refusing_connections(tmp_path: Path, command: tuple[str, ...]) -> None:
    port = free_port()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/roster"
    assert _one_line(tmp_path, url, command) == _refused("PostgreSQL", port)


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_database_that_does_not_exist(tmp_path: Path, command: tuple[str, ...]) -> None:
    url = f"postgresql+asyncpg://{PG.username}@{PG_SERVER}/roster_no_such_database"
    assert _one_line(tmp_path, url, command) == (
        'roster: the database "roster_no_such_database" does not exist on PostgreSQL at '
        f"{PG_SERVER}: create it (createdb roster_no_such_database) or fix database.url\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_role_that_does_not_exist(tmp_path: Path, command: tuple[str, ...]) -> None:
    url = f"postgresql+asyncpg://roster_no_such_role@{PG_SERVER}/postgres"
    assert _one_line(tmp_path, url, command) == (
        f'roster: PostgreSQL at {PG_SERVER} refused the user "roster_no_such_role": role '
        '"roster_no_such_role" does not exist (check database.url)\n'
    )


def _pg_binary(name: str) -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} is needed (scripts/test.sh installs it)")
    return found[-1]


def _as_postgres(*args: str) -> list[str]:
    """``args`` run as the postgres user when we are root (PostgreSQL refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@pytest.fixture(scope="module")
def password_postgres() -> Iterator[int]:
    """A PostgreSQL server of its own that checks passwords (scram-sha-256; the shared test
    server trusts every local connection, so no password can be wrong there), on a free
    port, its superuser's password ``right``; removed at the end. Its port."""
    # Directly under /tmp: pytest's own folders are root's alone, closed to postgres.
    folder = Path(tempfile.mkdtemp(prefix="roster-pg-password-"))
    password_file = folder / "password"
    password_file.write_text("right\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(password_file, "postgres")
    data = folder / "data"
    init = [str(_pg_binary("initdb")), "-D", str(data), "-U", "postgres", "-E", "UTF8"]
    init += ["--auth=scram-sha-256", f"--pwfile={password_file}"]
    pg_ctl = str(_pg_binary("pg_ctl"))
    port = free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    try:
        subprocess.run(_as_postgres(*init), check=True, capture_output=True, timeout=120)  # noqa: S603
        subprocess.run(  # noqa: S603
            # -l: the server's output to a file, not to pipes this run would wait on
            _as_postgres(
                pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        yield port
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603
                _as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "stop"),
                check=False,
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_wrong_password(
    tmp_path: Path, command: tuple[str, ...], password_postgres: int
) -> None:
    url = f"postgresql+asyncpg://postgres:wrong@127.0.0.1:{password_postgres}/postgres"
    stderr = _one_line(tmp_path, url, command)
    assert stderr == (
        f'roster: PostgreSQL at 127.0.0.1:{password_postgres} refused the user "postgres": '
        "wrong password (check database.url)\n"
    )
    assert "wrong@" not in stderr


def test_postgresql_right_password_is_accepted(tmp_path: Path, password_postgres: int) -> None:
    """The server above does let the right password in: the refusal was the password's."""
    url = f"postgresql+asyncpg://postgres:right@127.0.0.1:{password_postgres}/postgres"
    result = roster("db", "upgrade", "--config", str(_config(tmp_path, url)))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_mariadb_unreachable(tmp_path: Path, command: tuple[str, ...]) -> None:
    port = free_port()
    url = f"mysql+asyncmy://root@127.0.0.1:{port}/roster"
    assert _one_line(tmp_path, url, command) == _refused("MariaDB/MySQL", port)


@pytest.mark.parametrize("command", COMMANDS)
def test_mariadb_wrong_password(tmp_path: Path, command: tuple[str, ...]) -> None:
    """root on the test server has no password: any password is the wrong one."""
    url = f"mysql+asyncmy://{MARIADB_ADMIN.username}:wrong@{MARIADB_SERVER}/mysql"
    stderr = _one_line(tmp_path, url, command)
    assert stderr == (
        f'roster: MariaDB/MySQL at {MARIADB_SERVER} refused the user "{MARIADB_ADMIN.username}": '
        "access denied, wrong password or no such user for this host (check database.url)\n"
    )
    assert "wrong@" not in stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_mariadb_database_that_does_not_exist(tmp_path: Path, command: tuple[str, ...]) -> None:
    url = f"mysql+asyncmy://{MARIADB_ADMIN.username}@{MARIADB_SERVER}/roster_no_such_database"
    assert _one_line(tmp_path, url, command) == (
        'roster: the database "roster_no_such_database" does not exist on MariaDB/MySQL at '
        f"{MARIADB_SERVER}: create it (CREATE DATABASE roster_no_such_database CHARACTER SET "
        "utf8mb4) or fix database.url\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_sqlite_path_under_a_file(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    db = tmp_path / "notes.txt" / "roster.db"
    assert _one_line(tmp_path, f"sqlite+aiosqlite:///{db}", command) == (
        f"roster: cannot use the SQLite database {db} (database.url): {tmp_path / 'notes.txt'} "
        "is not a folder\n"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_sqlite_path_that_is_a_folder(tmp_path: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "roster.db"
    db.mkdir()
    assert _one_line(tmp_path, f"sqlite+aiosqlite:///{db}", command) == (
        f"roster: cannot use the SQLite database {db} (database.url): it is a folder\n"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only folder")
@pytest.mark.parametrize("command", COMMANDS)
def test_sqlite_folder_not_writable(tmp_path: Path, command: tuple[str, ...]) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        db = folder / "roster.db"
        assert _one_line(tmp_path, f"sqlite+aiosqlite:///{db}", command) == (
            f"roster: cannot use the SQLite database {db} (database.url): cannot create it, "
            f"{folder} is not writable\n"
        )
    finally:
        folder.chmod(0o700)


def test_serve_before_db_upgrade_on_a_new_sqlite_folder(tmp_path: Path) -> None:
    db = tmp_path / "var" / "roster.db"
    assert _one_line(tmp_path, f"sqlite+aiosqlite:///{db}", ("serve",)) == (
        f"roster: the SQLite database {db} does not exist (database.url): create it with "
        "roster db upgrade\n"
    )


def test_unexpected_errors_keep_their_traceback(tmp_path: Path) -> None:
    """Only known connection failures are shortened: a bug still shows where it is."""
    assert database_problem(ValueError("a bug"), "postgresql+asyncpg://h/db", 5) is None
    assert database_problem(OSError(5, "I/O error"), "mysql+asyncmy://h/db", 5) is None
