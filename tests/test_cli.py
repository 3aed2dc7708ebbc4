"""The ``roster`` command line, run for real as a subprocess against SQLite files in tmp_path."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from domain.field_map import default_db_map
from tests.conftest import DB_KINDS, mariadb_admin_connection, mariadb_database

PROJECT = Path(__file__).resolve().parent.parent
ROOM_ALTER = "ALTER TABLE customer_user ADD COLUMN room VARCHAR(250);"


def clean_env() -> dict[str, str]:
    """This process's environment without any ROSTER_* override that could leak in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_")}


def roster(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "roster.db"


@pytest.fixture
def config(tmp_path: Path, db_path: Path) -> Path:
    return write_config(tmp_path / "roster.toml", db_path)


@pytest.fixture
def upgraded(config: Path) -> Path:
    result = roster("db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return config


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(query).fetchall())


# ---- db upgrade ----------------------------------------------------------------------------


def test_db_upgrade_creates_tables(config: Path, db_path: Path) -> None:
    result = roster("db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stderr
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"customer_user", "customer_company", "roster_api_key", "valid"} <= tables
    assert "customer_user_customer" in tables
    assert [r[0] for r in rows(db_path, "SELECT id FROM valid ORDER BY id")] == [1, 2, 3]
    columns = {r[1] for r in rows(db_path, "PRAGMA table_info(customer_user)")}
    assert {"login", "email", "customer_id", "pw", "first_name", "last_name", "valid_id"} <= columns
    assert {"create_time", "create_by", "change_time", "change_by"} <= columns


def test_db_upgrade_is_idempotent(upgraded: Path, db_path: Path) -> None:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute(
            "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
            " change_time, change_by) VALUES ('KEEP', 'Keep me', 1, '2024-01-01', 1,"
            " '2024-01-01', 1)"
        )
        conn.commit()
    again = roster("db", "upgrade", "--config", str(upgraded))
    assert again.returncode == 0, again.stderr
    assert [r[0] for r in rows(db_path, "SELECT id FROM valid ORDER BY id")] == [1, 2, 3]
    assert rows(db_path, "SELECT customer_id FROM customer_company") == [("KEEP",)]


def test_db_upgrade_creates_missing_directory(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "dir" / "roster.db"
    config = write_config(tmp_path / "c.toml", db)
    result = roster("db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_bad_config_fails_before_doing_anything(tmp_path: Path, db_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", db_path, extra="[server]\nprot = 1\n")
    result = roster("db", "upgrade", "--config", str(config))
    assert result.returncode != 0
    assert "server.prot" in result.stderr
    assert "unknown key" in result.stderr
    assert not db_path.exists()


def test_missing_config_file(tmp_path: Path) -> None:
    result = roster("db", "upgrade", "--config", str(tmp_path / "absent.toml"))
    assert result.returncode != 0
    assert "absent.toml" in result.stderr
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


# ---- api-key -------------------------------------------------------------------------------


def test_api_key_create_prints_key_once_and_stores_only_its_hash(
    upgraded: Path, db_path: Path
) -> None:
    result = roster(
        "api-key", "create", "--config", str(upgraded), "--name", "ci", "--scope", "admin"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    key = lines[0]
    assert key.startswith("rst_")
    assert len(key) >= 40
    assert result.stdout.count(key) == 1
    assert key not in result.stderr
    assert "shown only now" in result.stderr

    stored = rows(db_path, "SELECT * FROM roster_api_key")
    assert len(stored) == 1
    values = [str(v) for v in stored[0]]
    assert all(key not in v for v in values), "the clear key must not be stored"
    assert hashlib.sha256(key.encode()).hexdigest() in values
    [(name, scope, key_hash)] = rows(db_path, "SELECT name, scope, key_hash FROM roster_api_key")
    assert (name, scope) == ("ci", "admin")
    assert key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_api_keys_are_different_each_time(upgraded: Path) -> None:
    first = roster("api-key", "create", "--config", str(upgraded), "--name", "a", "--scope", "read")
    second = roster(
        "api-key", "create", "--config", str(upgraded), "--name", "b", "--scope", "read"
    )
    assert first.returncode == second.returncode == 0
    assert first.stdout.strip() != second.stdout.strip()


def test_api_key_duplicate_name_fails_clearly(upgraded: Path, db_path: Path) -> None:
    args = ("api-key", "create", "--config", str(upgraded), "--name", "dup", "--scope", "admin")
    assert roster(*args).returncode == 0
    again = roster(*args)
    assert again.returncode != 0
    assert "'dup'" in again.stderr
    assert "exists already" in again.stderr
    assert "Traceback" not in again.stderr
    assert "rst_" not in again.stdout
    assert rows(db_path, "SELECT count(*) FROM roster_api_key") == [(1,)]


def test_api_key_bad_scope_is_rejected(upgraded: Path) -> None:
    result = roster(
        "api-key", "create", "--config", str(upgraded), "--name", "x", "--scope", "root"
    )
    assert result.returncode != 0
    assert "scope" in result.stderr


def test_api_key_list_never_prints_the_key(upgraded: Path) -> None:
    keys = {}
    for name, scope in (("admin-key", "admin"), ("read-key", "read")):
        created = roster(
            "api-key", "create", "--config", str(upgraded), "--name", name, "--scope", scope
        )
        assert created.returncode == 0, created.stderr
        keys[name] = created.stdout.strip()
    listed = roster("api-key", "list", "--config", str(upgraded))
    assert listed.returncode == 0, listed.stderr
    for key in keys.values():
        assert key not in listed.stdout
        assert key not in listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    by_name = {line.split("\t")[1]: line.split("\t") for line in lines}
    assert by_name["admin-key"][2] == "admin"
    assert by_name["read-key"][2] == "read"
    assert by_name["admin-key"][-1] == "active"
    # only a short prefix, to recognise a key, is shown
    prefix = by_name["admin-key"][3].rstrip("…")
    assert keys["admin-key"].startswith(prefix)
    assert len(prefix) < len(keys["admin-key"]) // 2


def test_api_key_revoke(upgraded: Path, db_path: Path) -> None:
    created = roster(
        "api-key", "create", "--config", str(upgraded), "--name", "old", "--scope", "read"
    )
    assert created.returncode == 0
    revoked = roster("api-key", "revoke", "--config", str(upgraded), "--name", "old")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stderr
    listed = roster("api-key", "list", "--config", str(upgraded))
    [line] = listed.stdout.splitlines()
    assert line.split("\t")[1] == "old"
    assert line.endswith("revoked")
    [(revoke_time,)] = rows(db_path, "SELECT revoke_time FROM roster_api_key WHERE name = 'old'")
    assert revoke_time is not None
    again = roster("api-key", "revoke", "--config", str(upgraded), "--name", "old")
    assert again.returncode != 0
    assert "'old'" in again.stderr


def test_api_key_revoke_unknown_name(upgraded: Path) -> None:
    result = roster("api-key", "revoke", "--config", str(upgraded), "--name", "ghost")
    assert result.returncode != 0
    assert "no active API key named 'ghost'" in result.stderr


# ---- export-schema -------------------------------------------------------------------------


def sdl_block(sdl: str, header: str) -> list[str]:
    start = sdl.index(header + " {")
    body = sdl[start : sdl.index("\n}", start)]
    return [line.strip() for line in body.splitlines()[1:]]


def test_export_schema_prints_sdl(config: Path) -> None:
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "type CustomerUser implements Node {" in result.stdout
    assert "type Query {" in result.stdout
    assert "type Mutation {" in result.stdout
    assert "room" not in result.stdout


def test_export_schema_needs_no_database(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", tmp_path / "never-created.db")
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "type CustomerUser" in result.stdout
    assert not (tmp_path / "never-created.db").exists()


def test_export_schema_to_file_matches_stdout(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    to_file = roster("export-schema", "--config", str(config), "-o", str(out))
    assert to_file.returncode == 0, to_file.stderr
    assert to_file.stdout == ""
    printed = roster("export-schema", "--config", str(config))
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_export_schema_with_custom_map_row(tmp_path: Path, db_path: Path) -> None:
    config = write_config(tmp_path / "room.toml", db_path, backend={"map": map_with_room()})
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    sdl = result.stdout
    customer_user = sdl_block(sdl, "type CustomerUser implements Node")
    # Only OTOBO's NOT NULL base attributes are non-null in output. A required custom field is
    # nullable there (rows from before its column was added have no value); it is still
    # required on writes, where an empty value is a REQUIRED user error.
    assert "room: String" in customer_user
    assert "room: String!" not in customer_user
    for base in ("firstName", "lastName", "email", "customerId"):
        assert f"{base}: String!" in customer_user
    assert "room: String = null" in sdl_block(sdl, "input CustomerUserCreateInput")
    assert "room: String" in sdl_block(sdl, "input CustomerUserUpdateInput")


def test_export_schema_optional_custom_row_is_nullable(tmp_path: Path, db_path: Path) -> None:
    config = write_config(
        tmp_path / "room.toml", db_path, backend={"map": map_with_room(required=False)}
    )
    result = roster("export-schema", "--config", str(config))
    assert result.returncode == 0, result.stderr
    customer_user = sdl_block(result.stdout, "type CustomerUser implements Node")
    assert "room: String" in customer_user
    assert "room: String!" not in customer_user


# ---- serve: refusing to start --------------------------------------------------------------


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stderr
    assert result.stderr.startswith("roster: ") or "\nroster: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "Uvicorn running" not in result.stderr


def test_serve_refuses_unknown_key(upgraded: Path, tmp_path: Path, db_path: Path) -> None:
    config = write_config(
        tmp_path / "typo.toml",
        db_path,
        server={"port": free_port()},
        backend={"serch_list_limit": 10},
    )
    result = roster("serve", "--config", str(config))
    assert_refused(result)
    assert "customer_user.backends[0].serch_list_limit" in result.stderr
    assert "unknown key" in result.stderr


def test_serve_refuses_anonymous_on_public_host(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    config = write_config(
        tmp_path / "anon.toml",
        db_path,
        server={"host": "0.0.0.0", "port": free_port()},  # noqa: S104 - the point of the test
        auth={"allow_anonymous": True},
    )
    result = roster("serve", "--config", str(config))
    assert_refused(result)
    assert "allow_anonymous" in result.stderr
    assert "0.0.0.0" in result.stderr  # noqa: S104 - a string in a message


def test_serve_refuses_anonymous_with_public_host_flag(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    config = write_config(
        tmp_path / "anon.toml",
        db_path,
        server={"host": "127.0.0.1", "port": free_port()},
        auth={"allow_anonymous": True},
    )
    result = roster("serve", "--config", str(config), "--host", "0.0.0.0")  # noqa: S104
    assert_refused(result)
    assert "allow_anonymous" in result.stderr


def test_serve_without_the_ldap_extra_names_the_missing_client(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    """A deployment with an LDAP backend but without the optional bonsai client is refused at
    start with the install hint. bonsai is installed for the suite, so its absence is the one
    thing faked here: ``sys.modules['bonsai'] = None`` makes Python treat it as not installed."""
    config = write_config(
        tmp_path / "ldap.toml",
        db_path,
        server={"port": free_port()},
        backend={"name": "CustomerUser", "module": "db"},
        extra='[[customer_user.backends]]\nname = "Directory"\nmodule = "ldap"\n'
        'url = "ldap://127.0.0.1:1"\nbase_dn = "dc=example,dc=org"\n',
    )
    script = (
        "import sys; sys.modules['bonsai'] = None; from app.cli import main; "
        f"sys.exit(main(['serve', '--config', {str(config)!r}]))"
    )
    result = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_refused(result)
    assert "'Directory' is LDAP" in result.stderr
    assert ".[ldap]" in result.stderr


def test_serve_refuses_map_column_missing_from_table(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    config = write_config(
        tmp_path / "room.toml",
        db_path,
        server={"port": free_port()},
        backend={"map": map_with_room()},
    )
    result = roster("serve", "--config", str(config))
    assert_refused(result)
    assert "room" in result.stderr
    assert ROOM_ALTER in result.stderr
    # the statement really is the fix: after running it the check passes
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute(ROOM_ALTER)
        conn.commit()
    exported = roster("export-schema", "--config", str(config))
    assert exported.returncode == 0


def test_serve_refuses_database_without_tables(tmp_path: Path, db_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", db_path, server={"port": free_port()})
    result = roster("serve", "--config", str(config))
    assert_refused(result)
    assert "customer_user" in result.stderr
    assert "roster db upgrade" in result.stderr


# ---- serve: a real server ------------------------------------------------------------------


@contextlib.contextmanager
def running_server(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "app.cli", "serve", "--config", str(config)],
            cwd=PROJECT,
            env=clean_env(),
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


def wait_healthy(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"server not healthy after 20 s:\n{log.read_text()}")


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


# ---- serve: several worker processes ---------------------------------------------------------


def test_serve_refuses_workers_on_sqlite(upgraded: Path, tmp_path: Path, db_path: Path) -> None:
    config = write_config(tmp_path / "w.toml", db_path, server={"port": free_port(), "workers": 2})
    result = roster("serve", "--config", str(config))
    assert_refused(result)
    assert "server.workers" in result.stderr
    assert "PostgreSQL" in result.stderr


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
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):
        return "zombie" in status.read_text()
    return True


def _announced_base(process: subprocess.Popen[bytes], log: Path) -> str:
    """The address ``serve`` prints (``server.port = 0`` takes any free port)."""
    deadline = time.monotonic() + 20
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
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed while we look
            found.add(os.readlink(fd))
    return found


def _workers_config(url: str, tmp_path: Path, *, anonymous: bool = True) -> Path:
    config = tmp_path / "workers.toml"
    config.write_text(
        f"[database]\nurl = {json.dumps(url)}\n"
        '[server]\nhost = "127.0.0.1"\nport = 0\nworkers = 2\n'
        f"[auth]\nallow_anonymous = {str(anonymous).lower()}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture
async def workers_config(databases: Any, tmp_path: Path) -> Path:
    return _workers_config(await databases.create("postgresql"), tmp_path)


@contextlib.contextmanager
def running_workers(config: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``serve`` with several workers, once it answers: the process and its base URL."""
    with running_server(config, log) as process:
        base = _announced_base(process, log)
        wait_healthy(process, base, log)
        yield process, base


async def test_serve_with_two_workers_spreads_kept_alive_connections_and_stops_whole(
    workers_config: Path, tmp_path: Path
) -> None:
    await asyncio.to_thread(check_two_workers, workers_config, tmp_path)


def check_two_workers(config: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with running_workers(config, log) as (process, base):
        workers = _worker_processes(process.pid)
        assert len(workers) == 2, log.read_text()
        create = """mutation { customerCreate(input: {customerId: "ACME", name: "Acme"}) {
            customer { customerId } userErrors { code } } }"""
        created = httpx.post(f"{base}/graphql", json={"query": create}, timeout=10).json()
        assert created["data"]["customerCreate"]["customer"] == {"customerId": "ACME"}
        # Six kept-alive connections, as a frontend's HTTP client holds them: three on each
        # worker, and each worker sees what the other wrote (one database, no per-process
        # state). Two requests per connection: the second reuses it.
        host, port = base.removeprefix("http://").rsplit(":", 1)
        connections = [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(6)]
        body = json.dumps({"query": '{ customer(customerId: "acme") { name } }'})
        for _ in range(2):
            for connection in connections:
                connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
                reply = connection.getresponse()
                assert reply.status == 200
                assert json.loads(reply.read())["data"] == {"customer": {"name": "Acme"}}
        served_by = [_serving_process(connection, workers) for connection in connections]
        assert sorted(served_by.count(pid) for pid in workers) == [3, 3], served_by
        for connection in connections:
            connection.close()
    assert all(_gone(worker) for worker in workers), "a worker outlived the server"
    # The access log: one line per request, from whichever worker served it.
    posts = log.read_text().count('"POST /graphql HTTP/1.1" 200 OK\n')
    assert posts == 1 + 6 * 2, log.read_text()


async def test_serve_with_workers_stops_whole_when_the_parent_dies(
    workers_config: Path, tmp_path: Path
) -> None:
    await asyncio.to_thread(check_parent_death, workers_config, tmp_path)


def check_parent_death(config: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    # A worker's death is survived (tests/test_worker_supervision.py); the parent's is not.
    # The parent killed (nobody left to forward a stop signal): the workers notice the closed
    # hand-over channel and stop instead of lingering as orphans holding database connections.
    with running_workers(config, log) as (process, _base):
        workers = _worker_processes(process.pid)
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 20
        while not all(_gone(worker) for worker in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(worker) for worker in workers), "a worker outlived its parent"


# ---- serve: API keys revoked by the CLI ------------------------------------------------------

KEY_QUERY = json.dumps({"query": "{ customers(first: 1) { totalCount } }"})


def _statuses(connections: list[http.client.HTTPConnection], key: str) -> list[int]:
    statuses = []
    for connection in connections:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        connection.request("POST", "/graphql", KEY_QUERY, headers)
        reply = connection.getresponse()
        reply.read()
        statuses.append(reply.status)
    return statuses


def _refused_within(connections: list[http.client.HTTPConnection], key: str) -> float:
    """Seconds until every connection's request with ``key`` is refused (at most 8)."""
    started = time.monotonic()
    while time.monotonic() - started < 8:
        if _statuses(connections, key) == [401] * len(connections):
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail("the revoked key still works after 8 s")


async def _listening_backends(url: str, terminate: bool = False) -> int:
    """The server connections that LISTEN for revocations (closed, with ``terminate``)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        query = "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = $1"
        pids = [row["pid"] for row in await connection.fetch(query, connection._params.database)]
        for pid in pids if terminate else []:
            await connection.execute("SELECT pg_terminate_backend($1)", pid)
        return len(pids)
    finally:
        await connection.close()


async def test_a_key_revoked_by_the_cli_stops_working_in_every_worker_at_once(
    databases: Any, tmp_path: Path
) -> None:
    """Workers remember a key for 10 s; a revocation notifies them (PostgreSQL LISTEN/NOTIFY),
    also after their listening connection was cut and came back."""
    url = await databases.create("postgresql")
    config = _workers_config(url, tmp_path, anonymous=False)
    await asyncio.to_thread(check_revocations, config, url, tmp_path)


def check_revocations(config: Path, url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with running_workers(config, log) as (_process, base):
        host, port = base.removeprefix("http://").rsplit(":", 1)
        for name in ("first", "second"):
            if name == "second":
                # A real fault: the listening connections are cut. The workers reconnect
                # (within 5 s) and still hear the next revocation.
                assert asyncio.run(_listening_backends(url, terminate=True)) == 2
                deadline = time.monotonic() + 15
                while asyncio.run(_listening_backends(url)) < 2:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
                lost = "WARNING roster.notifications: lost the connection listening on"
                assert log.read_text().count(lost) == 2  # each worker says so, in Roster's format
            created = roster(
                "api-key", "create", "--config", str(config), "--name", name, "--scope", "read"
            )
            assert created.returncode == 0, created.stderr
            key = created.stdout.strip()
            # Four kept-alive connections, two per worker: both workers now remember the key.
            connections = [
                http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(4)
            ]
            assert _statuses(connections, key) == [200] * 4
            revoked = roster("api-key", "revoke", "--config", str(config), "--name", name)
            assert revoked.returncode == 0, revoked.stderr
            assert _refused_within(connections, key) < 2  # not the 10 s the cache would take
            for connection in connections:
                connection.close()


# ---- MariaDB -------------------------------------------------------------------------------


@pytest.mark.skipif("mariadb" not in DB_KINDS, reason="MariaDB is not tested")
async def test_db_upgrade_on_mariadb_makes_utf8mb4_tables_and_the_cli_uses_them(
    tmp_path: Path,
) -> None:
    async with mariadb_database() as url:
        config = tmp_path / "roster.toml"
        config.write_text(f"[database]\nurl = {toml_value(url)}\n", encoding="utf-8")
        for _ in range(2):  # the second run finds everything in place
            result = await asyncio.to_thread(roster, "db", "upgrade", "--config", str(config))
            assert result.returncode == 0, result.stderr
        conn = await mariadb_admin_connection()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(
                    "SELECT table_name, table_collation FROM information_schema.tables"
                    " WHERE table_schema = %s AND table_name <> 'alembic_version'",
                    (make_url(url).database,),
                )
                collations = dict(await cursor.fetchall())
        finally:
            await conn.ensure_closed()
        own = {name for name in collations if name.startswith("roster_")}
        assert own == {"roster_api_key", "roster_commit", "roster_lock"}
        assert {collations[name] for name in own} == {"utf8mb4_nopad_bin"}
        otobo = set(collations) - own
        assert {"customer_user", "customer_company", "groups_table", "service"} <= otobo
        assert {collations[name] for name in otobo} == {"utf8mb4_uca1400_nopad_as_ci"}
        created = await asyncio.to_thread(
            roster, "api-key", "create", "--config", str(config), "--name", "ops", "--scope", "read"
        )
        assert created.returncode == 0, created.stderr
        listed = await asyncio.to_thread(roster, "api-key", "list", "--config", str(config))
        assert "ops" in listed.stdout
