"""``roster serve`` refuses to start, with one clear ``roster:`` message, on an unknown config
key, anonymous access on a public host, an LDAP backend without its client library, a Map
column missing from the table, or a database without tables."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from tests.cli.helpers import assert_refused, python, roster, serve_config, serve_refused
from tests.toml_helpers import map_with_room

ROOM_ALTER = "ALTER TABLE customer_user ADD COLUMN room VARCHAR(250);"


def test_serve_refuses_unknown_key(upgraded: Path, tmp_path: Path, db_path: Path) -> None:
    stderr = serve_refused(serve_config(tmp_path, db_path, backend={"serch_list_limit": 10}))
    assert "customer_user.backends[0].serch_list_limit" in stderr
    assert "unknown key" in stderr


def test_serve_refuses_anonymous_on_public_host(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    host = "0.0.0.0"  # noqa: S104 - the point of the test
    config = serve_config(tmp_path, db_path, server={"host": host}, auth={"allow_anonymous": True})
    stderr = serve_refused(config)
    assert "allow_anonymous" in stderr
    assert "0.0.0.0" in stderr  # noqa: S104 - a string in a message


def test_serve_refuses_anonymous_with_public_host_flag(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    host = "127.0.0.1"
    config = serve_config(tmp_path, db_path, server={"host": host}, auth={"allow_anonymous": True})
    stderr = serve_refused(config, "--host", "0.0.0.0")  # noqa: S104
    assert "allow_anonymous" in stderr


def test_serve_without_the_ldap_extra_names_the_missing_client(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    """A deployment with an LDAP backend but without the optional bonsai client is refused at
    start with the install hint. bonsai is installed for the suite, so its absence is the one
    thing faked here: ``sys.modules['bonsai'] = None`` makes Python treat it as not installed."""
    config = serve_config(
        tmp_path,
        db_path,
        backend={"name": "CustomerUser", "module": "db"},
        extra='[[customer_user.backends]]\nname = "Directory"\nmodule = "ldap"\n'
        'url = "ldap://127.0.0.1:1"\nbase_dn = "dc=example,dc=org"\n',
    )
    script = (
        "import sys; sys.modules['bonsai'] = None; from app.cli import main; "
        f"sys.exit(main(['serve', '--config', {str(config)!r}]))"
    )
    result = python("-c", script)
    assert_refused(result)
    assert "'Directory' is LDAP" in result.stderr
    assert ".[ldap]" in result.stderr


def test_serve_refuses_map_column_missing_from_table(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    config = serve_config(tmp_path, db_path, backend={"map": map_with_room()})
    stderr = serve_refused(config)
    assert "room" in stderr
    assert ROOM_ALTER in stderr
    # the statement really is the fix: after running it the check passes
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute(ROOM_ALTER)
        conn.commit()
    exported = roster("export-schema", "--config", str(config))
    assert exported.returncode == 0


def test_serve_refuses_database_without_tables(tmp_path: Path, db_path: Path) -> None:
    stderr = serve_refused(serve_config(tmp_path, db_path))
    assert "customer_user" in stderr
    assert "roster db upgrade" in stderr


def test_serve_refuses_a_bad_trusted_documents_manifest(
    upgraded: Path, tmp_path: Path, db_path: Path
) -> None:
    """The manifest is read relative to the config file, and a bad one is one line."""
    (tmp_path / "manifest.json").write_text('{"' + "0" * 64 + '": "{ __typename }"}')
    config = serve_config(tmp_path, db_path, server={"trusted_documents": "manifest.json"})
    stderr = serve_refused(config)
    assert stderr.strip().count("\n") == 0, stderr
    assert (
        f"{tmp_path / 'manifest.json'}: 0000000000000000… is not the sha256 of its body" in stderr
    )
    missing = serve_config(tmp_path, db_path, server={"trusted_documents": "nope.json"})
    assert f"{tmp_path / 'nope.json'} does not exist" in serve_refused(missing)
