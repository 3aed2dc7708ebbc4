"""The GraphQL names of Map rows: derived or configured, never reserved, never a fixed field's,
never used twice, always lowerCamelCase. Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from domain.config import CustomerUserBackendConfig
from domain.field_map import RESERVED_GRAPHQL_NAMES
from tests.toml_helpers import backend_toml, default_map_rows, load_error


@pytest.mark.parametrize("name", sorted(RESERVED_GRAPHQL_NAMES - {"__typename"}))
def test_graphql_name_may_not_be_reserved(write: Any, name: str) -> None:
    row = {"attribute": "UserExtra", "label": "Extra", "field": "extra", "graphql_name": name}
    message = load_error(write(backend_toml(map=[*default_map_rows(), row])))
    assert "customer_user.backends[0]" in message
    assert "UserExtra" in message
    assert repr(name) in message
    assert "reserved" in message


def test_graphql_name_id(write: Any) -> None:
    row = {"attribute": "UserRoom", "label": "Room", "field": "room", "graphql_name": "id"}
    message = load_error(write(backend_toml(map=[*default_map_rows(), row])))
    assert "UserRoom" in message
    assert "'id' is reserved" in message


@pytest.mark.parametrize(
    ("attribute", "derived"),
    [("UserId", "id"), ("UserSource", "source"), ("UserCustomer", "customer")],
)
def test_derived_graphql_name_may_not_be_reserved(write: Any, attribute: str, derived: str) -> None:
    row = {"attribute": attribute, "label": "X", "field": "extra"}
    message = load_error(write(backend_toml(map=[*default_map_rows(), row])))
    assert attribute in message
    assert repr(derived) in message


def test_graphql_name_used_twice(write: Any) -> None:
    rows = [
        *default_map_rows(),
        {"attribute": "UserRoom", "label": "Room", "field": "room"},
        {"attribute": "UserOffice", "label": "Office", "field": "office", "graphql_name": "room"},
    ]
    message = load_error(write(backend_toml(map=rows)))
    assert "'room' is used twice" in message


def test_graphql_name_of_a_map_field_may_not_repeat_login(write: Any) -> None:
    row = {"attribute": "UserAlias", "label": "Alias", "field": "alias", "graphql_name": "login"}
    message = load_error(write(backend_toml(map=[*default_map_rows(), row])))
    assert "'login'" in message


@pytest.mark.parametrize("name", ["Room", "room_number", "2room", "room-no"])
def test_graphql_name_must_be_lower_camel_case(write: Any, name: str) -> None:
    row = {"attribute": "UserRoom", "label": "Room", "field": "room", "graphql_name": name}
    message = load_error(write(backend_toml(map=[*default_map_rows(), row])))
    assert "UserRoom" in message
    assert "lowerCamelCase" in message


# The CustomerUser type and its inputs always have login, password (inputs), validity and
# newLogin (update input), whatever the Map says. A Map row that takes one of these names
# (possible when the Map has no UserPassword or ValidID row, or for newLogin always) makes
# the schema silently drop one of the two fields. It must be a configuration error.
FIXED_NAME_CASES = [
    pytest.param(
        "newLogin",
        (),
        {},
        id="newLogin",
    ),
    pytest.param(
        "validity",
        ("ValidID",),
        {"customer_valid": None},
        id="validity",
    ),
    pytest.param(
        "password",
        ("UserPassword",),
        {},
        id="password",
    ),
]


@pytest.mark.parametrize(("name", "drop", "extra_keys"), FIXED_NAME_CASES)
def test_graphql_name_may_not_take_a_fixed_field(
    write: Any, name: str, drop: tuple[str, ...], extra_keys: dict[str, Any]
) -> None:
    rows = [r for r in default_map_rows() if r["attribute"] not in drop]
    rows.append(
        {"attribute": "UserExtra", "label": "Extra", "field": "extra", "graphql_name": name}
    )
    if None in extra_keys.values():
        # TOML has no null, so a backend without customer_valid (needed once the ValidID row
        # is gone) can only be built in Python; the model runs the same check.
        with pytest.raises(ValidationError) as excinfo:
            CustomerUserBackendConfig.model_validate({"map": rows, **extra_keys})
        message = str(excinfo.value)
    else:
        message = load_error(write(backend_toml(map=rows, **extra_keys)))
    assert "UserExtra" in message
    assert repr(name) in message
