"""Loading the TOML configuration (``app.settings.load_config``): the file, ``ROSTER_CONFIG``,
the defaults and OTOBO's default Map. Pure: no database."""

from __future__ import annotations

from typing import Any

from app.settings import load_config
from domain.config import CustomerUserBackendConfig, RosterConfig
from tests.toml_helpers import backend_toml, default_map_rows

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
