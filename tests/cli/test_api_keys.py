"""``roster api-key create|list|revoke``, run for real against a SQLite file: a key is printed
once and only its hash is stored, names are unique, a listing never prints a key."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.cli.helpers import roster, rows

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


def test_api_key_create_with_the_authenticate_scope(upgraded: Path, db_path: Path) -> None:
    result = roster(
        "api-key", "create", "--config", str(upgraded), "--name", "portal", "--scope",
        "authenticate",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "scope authenticate" in result.stderr
    assert rows(db_path, "SELECT name, scope FROM roster_api_key") == [("portal", "authenticate")]
