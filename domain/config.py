"""The configuration model: OTOBO's ``$Self->{CustomerUser}`` blocks as typed, validated data.

It lives in ``domain`` because every layer reads it and it does no I/O: loading the TOML file
and the ``ROSTER_*`` environment overrides is ``app.settings``' job. Every model forbids
unknown keys, so a typo in the file is an error that names the key instead of a silent default.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.email import EmailPolicy
from domain.field_map import (
    CUSTOMER_ID,
    FIXED_ATTRIBUTE_NAMES,
    LOGIN,
    RESERVED_GRAPHQL_NAMES,
    VALID_ID,
    FieldType,
    MapField,
    default_db_map,
    derive_graphql_name,
    is_valid_graphql_name,
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SqlIdentifier = Annotated[str, Field(pattern=_IDENTIFIER.pattern, max_length=63)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MapRow(_Strict):
    """One row of OTOBO's Map; ``field`` is the SQL column (OTOBO's index 2)."""

    attribute: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=100)]
    label: str
    field: SqlIdentifier
    show: Literal[0, 1, 2] = 1
    required: bool = False
    type: FieldType = "var"
    readonly: bool = False
    http_link: str = ""
    link_target: str | None = None
    link_class: str | None = None
    graphql_name: str | None = None

    def to_map_field(self) -> MapField:
        return MapField(
            attribute=self.attribute,
            label=self.label,
            column=self.field,
            graphql_name=self.graphql_name or derive_graphql_name(self.attribute),
            show=self.show,
            required=self.required,
            type=self.type,
            readonly=self.readonly,
            http_link=self.http_link,
            link_target=self.link_target,
            link_class=self.link_class,
        )


class CustomerUserBackendConfig(_Strict):
    """One customer-user source (``CustomerUser``, ``CustomerUser1``, …)."""

    name: Annotated[str, Field(min_length=1, max_length=100)] = "CustomerUser"
    module: Literal["db"] = "db"
    label: str = "Database Backend"
    read_only: bool = False
    cache_ttl: Annotated[int, Field(ge=0)] = 0
    table: SqlIdentifier = "customer_user"
    customer_key: SqlIdentifier = "login"
    customer_id: SqlIdentifier = "customer_id"
    customer_valid: SqlIdentifier | None = "valid_id"
    search_fields: list[SqlIdentifier] = Field(
        default_factory=lambda: ["login", "first_name", "last_name", "customer_id"]
    )
    search_prefix: Literal["", "*"] = "*"
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 1000
    search_case_sensitive: bool = False
    list_fields: list[SqlIdentifier] = Field(
        default_factory=lambda: ["first_name", "last_name", "email"]
    )
    name_fields: list[SqlIdentifier] = Field(
        default_factory=lambda: ["title", "first_name", "last_name"]
    )
    name_fields_join: str = " "
    postmaster_search_fields: list[SqlIdentifier] = Field(default_factory=lambda: ["email"])
    email_uniq_check: bool = True
    exclude_primary_customer_id: bool = False
    customer_company_support: bool = True
    map: list[MapRow] | None = None

    def map_fields(self) -> list[MapField]:
        """The Map in force: the configured rows, or OTOBO's default DB Map."""
        if self.map is None:
            return default_db_map()
        return [row.to_map_field() for row in self.map]

    @model_validator(mode="after")
    def _check_map(self) -> Self:
        fields = self.map_fields()
        attributes = [f.attribute for f in fields]
        duplicates = {a for a in attributes if attributes.count(a) > 1}
        if duplicates:
            raise ValueError(f"map: attribute(s) listed twice: {', '.join(sorted(duplicates))}")
        for needed in (LOGIN, CUSTOMER_ID):
            if needed not in attributes:
                raise ValueError(f"map: a row for {needed} is required")
        by_attribute = {f.attribute: f for f in fields}
        if by_attribute[LOGIN].column != self.customer_key:
            raise ValueError(
                f"customer_key {self.customer_key!r} must be the column of the UserLogin row "
                f"({by_attribute[LOGIN].column!r})"
            )
        if VALID_ID in by_attribute and by_attribute[VALID_ID].type != "int":
            raise ValueError("map: the ValidID row must have type 'int'")
        names = [f.graphql_name for f in fields]
        for field in fields:
            if not is_valid_graphql_name(field.graphql_name):
                raise ValueError(
                    f"map: {field.attribute}: GraphQL name {field.graphql_name!r} is not a "
                    "lowerCamelCase identifier; set graphql_name"
                )
            owner = FIXED_ATTRIBUTE_NAMES.get(field.graphql_name)
            if field.graphql_name in RESERVED_GRAPHQL_NAMES or owner not in (None, field.attribute):
                raise ValueError(
                    f"map: {field.attribute}: GraphQL name {field.graphql_name!r} is reserved"
                )
            if names.count(field.graphql_name) > 1:
                raise ValueError(f"map: GraphQL name {field.graphql_name!r} is used twice")
        columns = {f.column for f in fields}
        for key in ("search_fields", "list_fields", "name_fields", "postmaster_search_fields"):
            unknown = [c for c in getattr(self, key) if c not in columns]
            if unknown:
                raise ValueError(f"{key}: column(s) not in the map: {', '.join(unknown)}")
        if self.customer_id not in columns:
            raise ValueError(f"customer_id: column {self.customer_id!r} is not in the map")
        if self.customer_valid is not None and self.customer_valid not in columns:
            raise ValueError(f"customer_valid: column {self.customer_valid!r} is not in the map")
        return self


class CustomerUserConfig(_Strict):
    backends: list[CustomerUserBackendConfig] = Field(
        default_factory=lambda: [CustomerUserBackendConfig()]
    )

    @model_validator(mode="after")
    def _check_backends(self) -> Self:
        if not self.backends:
            raise ValueError("backends: at least one backend is required")
        if len(self.backends) > 11:
            raise ValueError("backends: at most 11 (CustomerUser, CustomerUser1 … CustomerUser10)")
        names = [b.name for b in self.backends]
        if len(set(names)) != len(names):
            raise ValueError("backends: every backend needs a distinct name")
        return self


CompanyColumn = Literal[
    "customer_id", "name", "street", "zip", "city", "country", "url", "comments"
]


def _default_company_search_fields() -> list[CompanyColumn]:
    return ["customer_id", "name"]


class CustomerCompanyConfig(_Strict):
    """OTOBO's ``CustomerCompany`` block (the company backend is always the database)."""

    search_fields: list[CompanyColumn] = Field(default_factory=_default_company_search_fields)
    search_prefix: Literal["", "*"] = "*"
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 1000
    search_case_sensitive: bool = False


PermissionContextName = Literal["Same", "Other"]


def _default_contexts() -> list[PermissionContextName]:
    return ["Same"]


class CustomerGroupConfig(_Strict):
    """OTOBO's CustomerGroupSupport, CustomerGroupAlwaysGroups, CustomerGroupCompanyAlwaysGroups,
    System::Customer::Permission and CustomerGroupPermissionContext."""

    support: bool = False
    always_groups: list[str] = Field(default_factory=lambda: ["users"])
    company_always_groups: list[str] = Field(default_factory=lambda: ["users"])
    permission_types: list[Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,19}$")]] = Field(
        default_factory=lambda: ["ro", "rw"]
    )
    contexts: list[PermissionContextName] = Field(default_factory=_default_contexts)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if "rw" not in self.permission_types:
            raise ValueError("permission_types: must include 'rw' (it implies every type)")
        if len(set(self.permission_types)) != len(self.permission_types):
            raise ValueError("permission_types: a type is listed twice")
        if "Same" not in self.contexts:
            raise ValueError("contexts: 'Same' (OTOBO's default context) is required")
        return self


class DatabaseConfig(_Strict):
    url: str = "sqlite+aiosqlite:///var/roster.db"
    pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    echo: bool = False

    @model_validator(mode="after")
    def _check_url(self) -> Self:
        if not self.url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "url: must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got {self.url.split(':', 1)[0]!r})"
            )
        return self


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    graphiql: bool = True
    introspection: bool = True
    max_body_bytes: Annotated[int, Field(ge=1024)] = 4 * 1024 * 1024
    max_query_depth: Annotated[int, Field(ge=2, le=100)] = 12
    max_aliases: Annotated[int, Field(ge=1, le=1000)] = 30
    max_tokens: Annotated[int, Field(ge=100)] = 5000
    statement_count_header: bool = False
    """Add ``X-Roster-SQL-Statements`` to each response (benchmarks and tests read it)."""

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


class AuthConfig(_Strict):
    allow_anonymous: bool = False
    """Demo only: requests without a key act as an admin. Refused unless bound to loopback."""


class EmailConfig(_Strict):
    check: bool = True
    valid_address_pattern: str = r"^(root@localhost|admin@localhost)$"
    invalid_address_pattern: str = r"@(example)\.(..|...)$"

    @model_validator(mode="after")
    def _check_patterns(self) -> Self:
        for key in ("valid_address_pattern", "invalid_address_pattern"):
            try:
                re.compile(getattr(self, key))
            except re.error as exc:
                raise ValueError(f"{key}: not a valid regular expression ({exc})") from exc
        return self

    def policy(self) -> EmailPolicy:
        return EmailPolicy(self.check, self.valid_address_pattern, self.invalid_address_pattern)


class PasswordConfig(_Strict):
    min_length: Annotated[int, Field(ge=1, le=128)] = 8
    max_length: Annotated[int, Field(ge=8, le=4096)] = 1024


class ServicesConfig(_Strict):
    """OTOBO's ``Ticket::Service`` settings that decide which services a customer user gets."""

    keep_children: bool = False
    """``Ticket::Service::KeepChildren``: a valid child of an invalid service stays valid."""


class DemoConfig(_Strict):
    load_data: bool = False


class RosterConfig(_Strict):
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    passwords: PasswordConfig = Field(default_factory=PasswordConfig)
    customer_user: CustomerUserConfig = Field(default_factory=CustomerUserConfig)
    customer_company: CustomerCompanyConfig = Field(default_factory=CustomerCompanyConfig)
    customer_group: CustomerGroupConfig = Field(default_factory=CustomerGroupConfig)
    services: ServicesConfig = Field(default_factory=ServicesConfig)
    demo: DemoConfig = Field(default_factory=DemoConfig)
