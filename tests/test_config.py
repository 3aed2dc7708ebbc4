"""Loading the TOML configuration (``app.settings.load_config``): defaults, ``ROSTER_*``
environment overrides, and errors that name the offending key. Pure: no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import ConfigError, load_config
from domain.config import CustomerUserBackendConfig, RosterConfig
from domain.field_map import RESERVED_GRAPHQL_NAMES, default_db_map

# OTOBO's default DB Map (reference §2.2): attribute, label, column, shown, required, type.
OTOBO_DEFAULT_MAP = [
    ("UserTitle", "Title or salutation", "title", 1, False, "var"),
    ("UserFirstname", "Firstname", "first_name", 1, True, "var"),
    ("UserLastname", "Lastname", "last_name", 1, True, "var"),
    ("UserLogin", "Username", "login", 1, True, "var"),
    ("UserPassword", "Password", "pw", 0, False, "var"),
    ("UserEmail", "Email", "email", 1, True, "var"),
    ("UserCustomerID", "CustomerID", "customer_id", 0, True, "var"),
    ("UserPhone", "Phone", "phone", 1, False, "var"),
    ("UserFax", "Fax", "fax", 1, False, "var"),
    ("UserMobile", "Mobile", "mobile", 1, False, "var"),
    ("UserStreet", "Street", "street", 1, False, "var"),
    ("UserZip", "Zip", "zip", 1, False, "var"),
    ("UserCity", "City", "city", 1, False, "var"),
    ("UserCountry", "Country", "country", 1, False, "var"),
    ("UserComment", "Comment", "comments", 1, False, "var"),
    ("ValidID", "Valid", "valid_id", 0, True, "int"),
]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def default_map_rows() -> list[dict[str, Any]]:
    return [
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


def backend_toml(**keys: Any) -> str:
    """One ``[[customer_user.backends]]`` table; ``map`` is written as an array of inline tables."""
    lines = ["[[customer_user.backends]]"]
    for key, value in keys.items():
        if key == "map":
            lines.append("map = [")
            lines += [f"  {toml_value(row)}," for row in value]
            lines.append("]")
        else:
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def write(tmp_path: Path) -> Any:
    def _write(text: str, name: str = "roster.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def load_error(path: Path | None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ=environ or {})
    return str(excinfo.value)


# ---- loading and defaults ------------------------------------------------------------------


def test_load_from_toml_file(write: Any) -> None:
    path = write(
        """
[database]
url = "postgresql+asyncpg://roster@db.internal/roster"
pool_size = 7

[server]
host = "127.0.0.1"
port = 8123

[[customer_user.backends]]
name = "CustomerUser"
search_list_limit = 250
read_only = true
"""
    )
    config = load_config(path, environ={})
    assert config.database.url == "postgresql+asyncpg://roster@db.internal/roster"
    assert config.database.pool_size == 7
    assert config.server.port == 8123
    [backend] = config.customer_user.backends
    assert backend.search_list_limit == 250
    assert backend.read_only is True


def test_config_path_from_roster_config_env(write: Any) -> None:
    path = write("[server]\nport = 9001\n")
    config = load_config(None, environ={"ROSTER_CONFIG": str(path)})
    assert config.server.port == 9001


def test_no_file_gives_the_defaults() -> None:
    assert load_config(None, environ={}) == RosterConfig()


def test_defaults(write: Any) -> None:
    config = load_config(write(""), environ={})
    [backend] = config.customer_user.backends
    assert backend.name == "CustomerUser"
    assert backend.read_only is False
    assert backend.search_list_limit == 1000
    assert backend.search_prefix == "*"
    assert backend.search_suffix == "*"
    assert backend.search_case_sensitive is False
    assert backend.search_fields == ["login", "first_name", "last_name", "customer_id"]
    assert backend.list_fields == ["first_name", "last_name", "email"]
    assert backend.name_fields == ["title", "first_name", "last_name"]
    assert backend.customer_key == "login"
    assert backend.customer_id == "customer_id"
    assert backend.customer_valid == "valid_id"
    assert backend.map is None
    assert config.customer_company.search_list_limit == 1000
    assert config.customer_company.search_prefix == "*"
    assert config.customer_company.search_suffix == "*"
    assert config.auth.allow_anonymous is False
    assert config.server.host == "127.0.0.1"
    assert config.demo.load_data is False


def test_default_map_is_otobos_16_rows() -> None:
    fields = CustomerUserBackendConfig().map_fields()
    assert len(fields) == 16
    got = [(f.attribute, f.label, f.column, f.show, f.required, f.type) for f in fields]
    assert got == OTOBO_DEFAULT_MAP
    assert not any(f.readonly for f in fields)
    required = {f.attribute for f in fields if f.required}
    assert required == {
        "UserFirstname",
        "UserLastname",
        "UserLogin",
        "UserEmail",
        "UserCustomerID",
        "ValidID",
    }
    names = {f.attribute: f.graphql_name for f in fields}
    assert names["UserLogin"] == "login"
    assert names["UserCustomerID"] == "customerId"
    assert names["UserFirstname"] == "firstName"
    assert names["UserComment"] == "comment"


def test_custom_map_row_gets_derived_graphql_name(write: Any) -> None:
    room = {"attribute": "UserRoom", "label": "Room", "field": "room", "required": True}
    config = load_config(write(backend_toml(map=[*default_map_rows(), room])), environ={})
    fields = {f.attribute: f for f in config.customer_user.backends[0].map_fields()}
    assert len(fields) == 17
    assert fields["UserRoom"].graphql_name == "room"
    assert fields["UserRoom"].column == "room"
    assert fields["UserRoom"].required is True
    assert fields["UserRoom"].type == "var"


# ---- environment overrides -----------------------------------------------------------------


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
    config = load_config(write(""), environ={"PATH": "/bin", "OTHER__THING": "x"})
    assert config == RosterConfig()


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


# ---- errors that name the key --------------------------------------------------------------


def test_unknown_key_is_named(write: Any) -> None:
    message = load_error(write(backend_toml(serch_list_limit=500)))
    assert "customer_user.backends[0].serch_list_limit" in message
    assert "unknown key" in message


def test_unknown_top_level_section_is_named(write: Any) -> None:
    message = load_error(write("[databse]\nurl = 'x'\n"))
    assert "databse" in message
    assert "unknown key" in message


def test_unknown_key_from_env_is_named(write: Any) -> None:
    message = load_error(write(""), {"ROSTER_SERVER__PROT": "8000"})
    assert "server.prot" in message
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


# ---- GraphQL names of Map rows -------------------------------------------------------------


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
