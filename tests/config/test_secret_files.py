"""``ROSTER_<SECTION>__<KEY>_FILE``: a key's value from a file (container secrets), read as a
string; ``ca_file`` keeps its meaning; clear errors that never show the file's content."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import ConfigError, load_config

URL = "postgresql+asyncpg://roster:s3cret@db/roster"


def test_a_key_is_read_from_its_file(tmp_path: Path) -> None:
    secret = tmp_path / "url"
    secret.write_text(URL + "\n", encoding="utf-8")  # as `echo … > file` writes it
    config = load_config(None, environ={"ROSTER_DATABASE__URL_FILE": str(secret)})
    assert config.database.url == URL


def test_a_file_of_digits_is_still_a_string(tmp_path: Path) -> None:
    backend = tmp_path / "password"
    backend.write_text("12345", encoding="utf-8")
    environ = {
        "ROSTER_CUSTOMER_USER__BACKENDS__0__MODULE": "ldap",
        "ROSTER_CUSTOMER_USER__BACKENDS__0__NAME": "Directory",
        "ROSTER_CUSTOMER_USER__BACKENDS__0__URL": "ldap://127.0.0.1:1",
        "ROSTER_CUSTOMER_USER__BACKENDS__0__BASE_DN": "dc=example",
        "ROSTER_CUSTOMER_USER__BACKENDS__0__BIND_DN": "cn=reader,dc=example",
        "ROSTER_CUSTOMER_USER__BACKENDS__0__BIND_PASSWORD_FILE": str(backend),
    }
    config = load_config(None, environ=environ)
    assert config.customer_user.backends[0].bind_password == "12345"  # type: ignore[union-attr]


def test_a_key_named_file_keeps_its_meaning() -> None:
    from app.settings import FILE_KEYS, config_path

    assert "ca_file" in FILE_KEYS
    assert config_path("ROSTER_CUSTOMER_USER__BACKENDS__0__CA_FILE")[-1] == "ca_file"  # type: ignore[index]


def test_an_unreadable_file_names_the_variable_not_the_content(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(None, environ={"ROSTER_DATABASE__URL_FILE": str(tmp_path / "missing")})
    assert str(raised.value).startswith("ROSTER_DATABASE__URL_FILE: cannot read ")


def test_a_key_and_its_file_together_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "url"
    secret.write_text(URL, encoding="utf-8")
    environ = {"ROSTER_DATABASE__URL": URL, "ROSTER_DATABASE__URL_FILE": str(secret)}
    with pytest.raises(ConfigError, match="sets the same key"):
        load_config(None, environ=environ)
