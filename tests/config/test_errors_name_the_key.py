"""Configuration errors name the offending key: unknown keys, wrong types and ranges, a bad
database URL or regular expression, an unreadable file. Pure: no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.toml_helpers import backend_toml, load_error


@pytest.mark.parametrize(
    ("text", "environ", "key"),
    [
        (backend_toml(serch_list_limit=500), {}, "customer_user.backends[0].serch_list_limit"),
        ("[databse]\nurl = 'x'\n", {}, "databse"),
        ("", {"ROSTER_SERVER__PROT": "8000"}, "server.prot"),
    ],
    ids=["in-a-backend", "top-level-section", "from-env"],
)
def test_unknown_key_is_named(write: Any, text: str, environ: dict[str, str], key: str) -> None:
    message = load_error(write(text), environ)
    assert key in message
    assert "unknown key" in message


@pytest.mark.parametrize("value", [0, -1, 100_001])
def test_search_list_limit_out_of_range(write: Any, value: int) -> None:
    message = load_error(write(backend_toml(search_list_limit=value)))
    assert "customer_user.backends[0].search_list_limit" in message


def test_error_in_second_backend_names_its_index(write: Any) -> None:
    path = write(backend_toml(name="A") + backend_toml(name="B", search_list_limit=0))
    message = load_error(path)
    assert "customer_user.backends[1].search_list_limit" in message


def test_wrong_type_is_named(write: Any) -> None:
    message = load_error(write('[server]\nport = "eighty"\n'))
    assert "server.port" in message


@pytest.mark.parametrize(
    "url", ["mysql://roster@db/roster", "postgresql://u@h/db", "sqlite:///var/x.db", "nonsense"]
)
def test_bad_database_url_scheme(write: Any, url: str) -> None:
    message = load_error(write(f"[database]\nurl = {json.dumps(url)}\n"))
    assert "database" in message
    assert "url" in message
    assert "sqlite+aiosqlite://" in message
    assert "postgresql+asyncpg://" in message


def test_bad_database_url_from_env(write: Any) -> None:
    message = load_error(write(""), {"ROSTER_DATABASE__URL": "mysql://x@y/z"})
    assert "url" in message
    assert "mysql" in message


def test_invalid_toml(write: Any) -> None:
    path = write("[database\nurl = 'x'\n")
    message = load_error(path)
    assert "not valid TOML" in message
    assert str(path) in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    message = load_error(path)
    assert str(path) in message
    assert "does not exist" in message


def test_missing_file_from_roster_config_env(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    message = load_error(None, {"ROSTER_CONFIG": str(path)})
    assert str(path) in message


def test_bad_regular_expression(write: Any) -> None:
    message = load_error(write('[email]\nvalid_address_pattern = "("\n'))
    assert "valid_address_pattern" in message
