"""The rules of a customer-user backend's Map and field lists, and of the backend list: each
broken rule is an error that names the backend and the key. Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest

from app.settings import load_config
from tests.toml_helpers import backend_toml, default_map_rows, load_error


def test_map_without_user_login(write: Any) -> None:
    rows = [r for r in default_map_rows() if r["attribute"] != "UserLogin"]
    message = load_error(write(backend_toml(map=rows)))
    assert "customer_user.backends[0]" in message
    assert "UserLogin" in message


def test_map_without_user_customer_id(write: Any) -> None:
    rows = [r for r in default_map_rows() if r["attribute"] != "UserCustomerID"]
    message = load_error(write(backend_toml(map=rows)))
    assert "customer_user.backends[0]" in message
    assert "UserCustomerID" in message


def test_map_attribute_listed_twice(write: Any) -> None:
    rows = [*default_map_rows(), {"attribute": "UserPhone", "label": "P2", "field": "phone2"}]
    message = load_error(write(backend_toml(map=rows)))
    assert "UserPhone" in message
    assert "twice" in message


def test_valid_id_row_must_be_int(write: Any) -> None:
    rows = [{**r, "type": "var"} if r["attribute"] == "ValidID" else r for r in default_map_rows()]
    message = load_error(write(backend_toml(map=rows)))
    assert "ValidID" in message


def test_customer_key_must_be_login_column(write: Any) -> None:
    message = load_error(write(backend_toml(customer_key="email")))
    assert "customer_key" in message


@pytest.mark.parametrize(
    "key", ["search_fields", "list_fields", "name_fields", "postmaster_search_fields"]
)
def test_field_lists_must_name_map_columns(write: Any, key: str) -> None:
    message = load_error(write(backend_toml(**{key: ["login", "room"]})))
    assert "customer_user.backends[0]" in message
    assert key in message
    assert "room" in message


def test_search_fields_may_name_custom_column(write: Any) -> None:
    room = {"attribute": "UserRoom", "label": "Room", "field": "room"}
    path = write(backend_toml(map=[*default_map_rows(), room], search_fields=["login", "room"]))
    config = load_config(path, environ={})
    assert config.customer_user.backends[0].search_fields == ["login", "room"]


def test_search_fields_must_be_sql_identifiers(write: Any) -> None:
    message = load_error(write(backend_toml(search_fields=["login; DROP TABLE x"])))
    assert "customer_user.backends[0].search_fields[0]" in message


def test_map_field_must_be_sql_identifier(write: Any) -> None:
    room = {"attribute": "UserRoom", "label": "Room", "field": "room number"}
    message = load_error(write(backend_toml(map=[*default_map_rows(), room])))
    assert "customer_user.backends[0].map[16].field" in message


def test_duplicate_backend_names(write: Any) -> None:
    path = write(backend_toml(name="CustomerUser") + backend_toml(name="CustomerUser"))
    message = load_error(path)
    assert "customer_user" in message
    assert "backends" in message
    assert "distinct name" in message


def test_empty_backend_list(write: Any) -> None:
    message = load_error(write("[customer_user]\nbackends = []\n"))
    assert "backends" in message
