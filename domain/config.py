"""The configuration model: OTOBO's ``$Self->{CustomerUser}`` blocks as typed, validated data.

It lives in ``domain`` because every layer reads it and it does no I/O: loading the TOML file
and the ``ROSTER_*`` environment overrides is ``app.settings``' job. Every model forbids
unknown keys, so a typo in the file is an error that names the key instead of a silent default.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from domain.email import EmailPolicy
from domain.field_map import (
    CUSTOMER_ID,
    FIXED_ATTRIBUTE_NAMES,
    LOGIN,
    PASSWORD,
    RESERVED_GRAPHQL_NAMES,
    VALID_ID,
    FieldType,
    MapField,
    default_db_map,
    default_ldap_map,
    derive_graphql_name,
    is_valid_graphql_name,
)
from domain.passwords import (
    DEFAULT_BCRYPT_COST,
    MAX_BCRYPT_COST,
    MAX_PASSWORD_LENGTH,
    PasswordScheme,
)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LDAP_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
"""An LDAP attribute description without options (RFC 4512 ``keystring``)."""
SqlIdentifier = Annotated[str, Field(pattern=_IDENTIFIER.pattern, max_length=63)]
StorageField = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=63)]
"""A SQL column or an LDAP attribute name: never taken from a request, only from here."""


FIELD_LIST_KEYS = ("search_fields", "list_fields", "name_fields", "postmaster_search_fields")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MapRow(_Strict):
    """One row of OTOBO's Map; ``field`` is the SQL column (OTOBO's index 2)."""

    attribute: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=100)]
    label: str
    field: StorageField
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


class BackendConfigBase(_Strict):
    """What every customer-user source has, database or LDAP (OTOBO's common keys)."""

    name: Annotated[str, Field(min_length=1, max_length=100)] = "CustomerUser"
    label: str = "Database Backend"
    read_only: bool = False
    cache_ttl: Annotated[int, Field(ge=0)] = 0
    customer_key: StorageField = "login"
    customer_id: StorageField = "customer_id"
    search_fields: list[StorageField] = Field(
        default_factory=lambda: ["login", "first_name", "last_name", "customer_id"]
    )
    search_prefix: Literal["", "*"] = "*"
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 1000
    search_case_sensitive: bool = False
    list_fields: list[StorageField] = Field(
        default_factory=lambda: ["first_name", "last_name", "email"]
    )
    name_fields: list[StorageField] = Field(
        default_factory=lambda: ["title", "first_name", "last_name"]
    )
    name_fields_join: str = " "
    postmaster_search_fields: list[StorageField] = Field(default_factory=lambda: ["email"])
    email_uniq_check: bool = True
    exclude_primary_customer_id: bool = False
    customer_company_support: bool = True
    map: list[MapRow] | None = None

    def default_map(self) -> list[MapField]:
        return default_db_map()

    def map_fields(self) -> list[MapField]:
        """The Map in force: the configured rows, or the module's default Map."""
        if self.map is None:
            return self.default_map()
        return [row.to_map_field() for row in self.map]

    def _storage_fields(self) -> set[str]:
        return {f.column for f in self.map_fields()}

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
        if self._fields_must_be_mapped():
            columns = self._storage_fields()
            for key in FIELD_LIST_KEYS:
                unknown = [c for c in getattr(self, key) if c not in columns]
                if unknown:
                    raise ValueError(f"{key}: column(s) not in the map: {', '.join(unknown)}")
            if self.customer_id not in columns:
                raise ValueError(f"customer_id: column {self.customer_id!r} is not in the map")
        return self

    def _fields_must_be_mapped(self) -> bool:
        """Whether search/list/name fields and customer_id must be Map columns: a table has
        only those columns, a directory entry has any attribute of its object classes."""
        return True


class CustomerUserBackendConfig(BackendConfigBase):
    """A database source on OTOBO's ``customer_user`` table (``CustomerUser::DB``)."""

    module: Literal["db"] = "db"
    table: SqlIdentifier = "customer_user"
    customer_valid: SqlIdentifier | None = "valid_id"

    @model_validator(mode="after")
    def _check_columns(self) -> Self:
        bad = sorted(c for c in self._storage_fields() if not _IDENTIFIER.match(c))
        if bad:
            raise ValueError(f"map: not SQL column names: {', '.join(bad)}")
        if self.customer_valid is not None and self.customer_valid not in self._storage_fields():
            raise ValueError(f"customer_valid: column {self.customer_valid!r} is not in the map")
        return self


class LdapBackendConfig(BackendConfigBase):
    """A read-only LDAP source (``CustomerUser::LDAP``), read live.

    Defaults follow OTOBO's LDAP sample: ``uid`` is the login, ``mail`` the customer ID, a
    search word is a prefix match (prefix ``''``, suffix ``*``) and the list limit is 200.
    """

    module: Literal["ldap"]
    label: str = "LDAP Backend"
    read_only: Literal[True] = True
    url: Annotated[str, Field(pattern=r"^ldaps?://[^/?#\s]+/?$")]
    base_dn: str
    scope: Literal["one", "sub"] = "sub"
    bind_dn: str = ""
    bind_password: str = Field(default="", repr=False)
    always_filter: str = ""
    valid_filter: str = ""
    """OTOBO's CustomerUserValidFilter, e.g. ``(!(description=locked))``: users it does not
    match are INVALID."""
    start_tls: bool = False
    ca_file: str | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 5.0
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 3.0
    page_size: Annotated[int, Field(ge=1, le=10_000)] = 100
    pool_size: Annotated[int, Field(ge=1, le=50)] = 4
    breaker_failures: Annotated[int, Field(ge=1)] = 3
    breaker_reset_seconds: Annotated[float, Field(gt=0)] = 30.0
    customer_key: StorageField = "uid"
    customer_id: StorageField = "mail"
    search_fields: list[StorageField] = Field(default_factory=lambda: ["uid", "cn", "mail"])
    search_prefix: Literal["", "*"] = ""
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 200
    list_fields: list[StorageField] = Field(default_factory=lambda: ["cn", "mail"])
    name_fields: list[StorageField] = Field(default_factory=lambda: ["givenName", "sn"])
    postmaster_search_fields: list[StorageField] = Field(default_factory=lambda: ["mail"])
    email_uniq_check: bool = False

    def default_map(self) -> list[MapField]:
        return default_ldap_map()

    def _fields_must_be_mapped(self) -> bool:
        # OTOBO's LDAP sample searches and lists ``cn``, which its Map does not have.
        return False

    @property
    def uses_tls(self) -> bool:
        return self.start_tls or self.url.startswith("ldaps://")

    @model_validator(mode="after")
    def _check_ldap(self) -> Self:
        """Catch at start what would otherwise fail (or silently mislead) on every request."""
        names = self._storage_fields() | {self.customer_key, self.customer_id}
        names.update(name for key in FIELD_LIST_KEYS for name in getattr(self, key))
        bad = sorted(n for n in names if not _LDAP_ATTRIBUTE.match(n))
        if bad:
            raise ValueError(f"not LDAP attribute names: {', '.join(bad)}")
        attributes = {f.attribute for f in self.map_fields()}
        if VALID_ID in attributes:
            raise ValueError("map: an LDAP backend has no ValidID row; validity is valid_filter")
        if PASSWORD in attributes:
            raise ValueError("map: an LDAP backend has no UserPassword row; it never reads one")
        for key in ("always_filter", "valid_filter"):
            problem = filter_syntax_problem(getattr(self, key))
            if problem:
                raise ValueError(f"{key}: {problem}")
        if self.start_tls and self.url.startswith("ldaps://"):
            raise ValueError("start_tls: an ldaps:// url is TLS already; use ldap:// with it")
        if self.ca_file is not None and not self.uses_tls:
            raise ValueError("ca_file: only used with an ldaps:// url or start_tls = true")
        try:
            port = urlsplit(self.url).port
        except ValueError as exc:
            raise ValueError(f"url: {exc}") from exc
        if port == 0:
            raise ValueError("url: port 0 is not a port")
        return self


def filter_syntax_problem(text: str) -> str | None:
    """Why ``text`` is not one parenthesized LDAP filter (``None`` when it looks like one).

    A shallow check, enough to catch a typo at start: the server parses the filter for real.
    Parentheses inside values must be escaped (``\\28``, ``\\29``), so counting them is exact.
    """
    if not text:
        return None
    if not (text.startswith("(") and text.endswith(")")):
        return "must be one filter in parentheses, e.g. (objectClass=inetOrgPerson)"
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        return "contains a control character"
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0 or (depth == 0 and index != len(text) - 1):
                return "parentheses do not pair up into one filter"
    if depth != 0:
        return "parentheses do not pair up into one filter"
    return None


def _module_of(value: Any) -> str:
    """The backend kind; a backend without ``module`` is a database one (OTOBO's default)."""
    if isinstance(value, dict):
        return str(value.get("module", "db"))
    return str(getattr(value, "module", "db"))


BackendConfig = Annotated[
    Annotated[CustomerUserBackendConfig, Tag("db")] | Annotated[LdapBackendConfig, Tag("ldap")],
    Discriminator(_module_of),
]


def _default_backends() -> list[CustomerUserBackendConfig | LdapBackendConfig]:
    return [CustomerUserBackendConfig()]


class CustomerUserConfig(_Strict):
    backends: list[BackendConfig] = Field(default_factory=_default_backends)

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


DATABASE_URL_PREFIXES = (
    "sqlite+aiosqlite://",
    "postgresql+asyncpg://",
    "mysql+asyncmy://",
    "mariadb+asyncmy://",
)


class DatabaseConfig(_Strict):
    url: str = "sqlite+aiosqlite:///var/roster.db"
    pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    statement_timeout_seconds: Annotated[float, Field(ge=0, le=3600)] = 25.0
    """PostgreSQL's ``statement_timeout`` for Roster's connections (0: none), a bit below
    ``server.request_timeout_seconds`` so the database stops with the request; MariaDB's
    ``max_statement_time``, MySQL's ``max_execution_time`` (reads only). SQLite has no such
    setting."""
    echo: bool = False

    @model_validator(mode="after")
    def _check_url(self) -> Self:
        if not self.url.startswith(DATABASE_URL_PREFIXES):
            raise ValueError(
                "url: must start with sqlite+aiosqlite://, postgresql+asyncpg://, "
                f"mysql+asyncmy:// or mariadb+asyncmy:// (got {self.url.split(':', 1)[0]!r})"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    graphiql: bool = True
    introspection: bool = True
    max_body_bytes: Annotated[int, Field(ge=1024)] = 4 * 1024 * 1024
    max_query_depth: Annotated[int, Field(ge=2, le=100)] = 12
    max_aliases: Annotated[int, Field(ge=1, le=1000)] = 30
    max_tokens: Annotated[int, Field(ge=100)] = 5000
    max_query_cost: Annotated[int, Field(ge=1)] = 1_000_000
    """A query asking for more (fields times page sizes, ``schema/query_cost.py``) is refused with
    ``QUERY_TOO_COSTLY`` before it runs; a page of 1000 users with a few fields costs ~5000."""
    assumed_list_size: Annotated[int, Field(ge=1, le=1000)] = 10
    """The size the cost assumes for a list that has no ``first`` (a user's groups, services…)."""
    request_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """A request still executing after this long is stopped and answered with ``TIMEOUT``."""
    statement_count_header: bool = False
    """Add ``X-Roster-SQL-Statements`` to each response (benchmarks and tests read it)."""
    access_log: bool = True
    """One line per request on standard error (``app/access_log.py``); off where a reverse
    proxy logs them."""
    direct_execution: bool = True
    """A diagnostic switch: false sends every request through Strawberry's full execution,
    not only the first of each query text (``schema/direct_execution.py``). The answers are
    the same either way; off costs CPU time per request."""
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    """Server processes sharing the port (one per CPU core serves the most requests; each has
    its own database pool of ``database.pool_size``). PostgreSQL only: with SQLite, one
    process serializes its writes itself."""
    worker_restart_limit: Annotated[int, Field(ge=0, le=1000)] = 5
    """A worker that dies or hangs is replaced; more restarts than this within
    ``worker_restart_window_seconds`` stop the server (exit 1): a crash loop is not hidden
    (0: the first death stops it)."""
    worker_restart_window_seconds: Annotated[float, Field(gt=0, le=86400)] = 60.0
    worker_heartbeat_timeout_seconds: Annotated[float, Field(ge=0.5, le=3600)] = 30.0
    """A worker whose event loop has not run for this long (blocked, stopped) is killed and
    replaced."""
    header_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    """A connection must complete its request's headers this long after it opened (or after
    the request's first byte), or it is closed (``app/connection_timeouts.py``)."""
    keep_alive_timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    """An idle kept-alive connection is closed after this long (uvicorn's timeout_keep_alive)."""
    limit_concurrency: Annotated[int, Field(ge=1)] | None = None
    """Per server process: past this many connections or running requests, answer 503 at once
    (uvicorn's limit_concurrency). Unset: no limit."""

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
    max_length: Annotated[int, Field(ge=8, le=MAX_PASSWORD_LENGTH)] = 1024
    scheme: PasswordScheme = "bcrypt"
    """What new passwords are stored as (domain/passwords.py): ``bcrypt`` in OTOBO's own
    ``BCRYPT:`` form (OTOBO verifies it), ``argon2id`` (OTOBO cannot), or OTOBO's unsalted legacy
    ``sha2``/``sha512`` (a warning at start). Every format is still recognised when verifying."""
    bcrypt_cost: Annotated[int, Field(ge=4, le=MAX_BCRYPT_COST)] = DEFAULT_BCRYPT_COST
    """OTOBO's ``Customer::AuthModule::DB::bcryptCost`` (OTOBO itself writes at least 9)."""


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
