"""``ROSTER_*`` environment overrides of the configuration: values, list items, and errors
that name the variable. Pure: no database."""

from __future__ import annotations

from typing import Any

from app.settings import ConfigError, load_config
from domain.config import CustomerUserBackendConfig
from tests.toml_helpers import backend_toml, load_error


def test_env_overrides_database_url(write: Any) -> None:
    path = write('[database]\nurl = "sqlite+aiosqlite:///var/file.db"\n')
    config = load_config(
        path, environ={"ROSTER_DATABASE__URL": "postgresql+asyncpg://u:secret@db/roster"}
    )
    assert config.database.url == "postgresql+asyncpg://u:secret@db/roster"


def test_env_override_without_file() -> None:
    config = load_config(None, environ={"ROSTER_SERVER__PORT": "9100"})
    assert config.server.port == 9100


def test_env_overrides_list_item(write: Any) -> None:
    path = write(backend_toml(name="CustomerUser") + backend_toml(name="CustomerUser1"))
    config = load_config(
        path,
        environ={
            "ROSTER_CUSTOMER_USER__BACKENDS__0__READ_ONLY": "true",
            "ROSTER_CUSTOMER_USER__BACKENDS__1__SEARCH_LIST_LIMIT": "50",
        },
    )
    first, second = config.customer_user.backends
    assert first.read_only is True
    assert second.read_only is False
    assert second.search_list_limit == 50


def test_env_override_values_are_json_else_strings(write: Any) -> None:
    config = load_config(
        write(""),
        environ={
            "ROSTER_AUTH__ALLOW_ANONYMOUS": "false",
            "ROSTER_SERVER__HOST": "localhost",
            "ROSTER_DATABASE__POOL_SIZE": "3",
        },
    )
    assert config.auth.allow_anonymous is False
    assert config.server.host == "localhost"
    assert config.database.pool_size == 3


def test_unrelated_env_variables_are_ignored(write: Any) -> None:
    path = write("")
    config = load_config(path, environ={"PATH": "/bin", "OTHER__THING": "x"})
    assert config == load_config(path, environ={})


def test_env_override_of_missing_list_item_names_the_variable(write: Any) -> None:
    path = write(backend_toml(name="CustomerUser"))
    message = load_error(path, {"ROSTER_CUSTOMER_USER__BACKENDS__3__READ_ONLY": "true"})
    assert "ROSTER_CUSTOMER_USER__BACKENDS__3__READ_ONLY" in message


def test_env_override_of_default_backend_works_or_names_the_variable(write: Any) -> None:
    env = {"ROSTER_CUSTOMER_USER__BACKENDS__0__READ_ONLY": "true"}
    try:
        config = load_config(write(""), environ=env)
    except ConfigError as exc:
        message = str(exc)
    else:
        message = ""
        assert config.customer_user.backends[0].read_only is True
    if message:
        assert "ROSTER_CUSTOMER_USER__BACKENDS__0__READ_ONLY" in message


def test_env_override_of_default_backend_keeps_its_defaults(write: Any) -> None:
    env = {"ROSTER_CUSTOMER_USER__BACKENDS__0__READ_ONLY": "true"}
    config = load_config(write(""), environ=env)
    assert config.customer_user.backends == [CustomerUserBackendConfig(read_only=True)]


def test_env_override_of_a_second_default_backend_names_the_variable(write: Any) -> None:
    message = load_error(write(""), {"ROSTER_CUSTOMER_USER__BACKENDS__1__READ_ONLY": "true"})
    assert "ROSTER_CUSTOMER_USER__BACKENDS__1__READ_ONLY" in message
