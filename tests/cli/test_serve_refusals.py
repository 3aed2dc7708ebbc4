"""``roster serve`` refuses to start, with one clear ``roster:`` message, on an unknown config
key, anonymous access on a public host, an LDAP backend without its client library, a Map
column missing from the table, or a database without tables."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.cli.helpers import (
    PROJECT,
    assert_refused,
    clean_env,
    free_port,
    map_with_room,
    roster,
    write_config,
)

ROOM_ALTER = "ALTER TABLE customer_user ADD COLUMN room VARCHAR(250);"


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
