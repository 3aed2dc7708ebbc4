"""``roster db upgrade``, run for real as a subprocess against SQLite files in tmp_path: it makes
the tables, is idempotent, makes a missing directory, and refuses a bad or missing config
before doing anything."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from tests.cli.helpers import roster, rows, write_config

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
