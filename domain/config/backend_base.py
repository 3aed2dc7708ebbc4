"""What every customer-user backend's configuration has, database or LDAP: OTOBO's common keys
and its ``Map``, with the checks that keep a Map from breaking the GraphQL schema.

The database and LDAP backends (``db_backend``, ``ldap_backend``) subclass
:class:`BackendConfigBase` and add their own keys and checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.config.strict_model import StrictModel
from domain.dynamic_fields import ValueType
from domain.field_map import (
    CUSTOMER_ID,
    FIXED_ATTRIBUTE_NAMES,
    LOGIN,
    RESERVED_GRAPHQL_NAMES,
    VALID_ID,
    DynamicFieldMapRow,
    FieldType,
    MapField,
    default_db_map,
    derive_graphql_name,
    duplicate_attributes_problem,
    graphql_names_problem,
)

StorageField = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=63)]
"""A SQL column or an LDAP attribute name: never taken from a request, only from here."""


FIELD_LIST_KEYS = ("search_fields", "list_fields", "name_fields", "postmaster_search_fields")


class MapRow(StrictModel):
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

    def to_map_field(self, derive: Callable[[str], str] = derive_graphql_name) -> MapField:
        """The row as a :class:`MapField`; ``derive`` names it when ``graphql_name`` is not
        set (a company Map strips ``CustomerCompany`` where a customer-user one strips
        ``User``)."""
        return MapField(
            attribute=self.attribute,
            label=self.label,
            column=self.field,
            graphql_name=self.graphql_name or derive(self.attribute),
            show=self.show,
            required=self.required,
            type=self.type,
            readonly=self.readonly,
            http_link=self.http_link,
            link_target=self.link_target,
            link_class=self.link_class,
        )


DF_PREFIX = "DynamicField_"
"""OTOBO's key prefix of a dynamic field's Map row: ``DynamicField_Region`` is ``region``."""


class DynamicFieldCapableRow(MapRow):
    """A Map row that may be OTOBO's ``dynamic_field`` row (the 6th column ``'dynamic_field'``,
    ``Defaults.pm``'s ``DynamicField_Name_X`` example): ``field`` is then the dynamic field's
    name (OTOBO's column 3) and ``dynamic_field_type`` the field's type, which the schema
    needs before any database is read (a field whose stored type differs is refused at write
    and read as null). Both Maps have such rows: a customer user's values are stored by
    login, a customer's by CustomerID."""

    type: FieldType | Literal["dynamic_field"] = "var"  # type: ignore[assignment]
    dynamic_field_type: ValueType | None = None

    @model_validator(mode="after")
    def _check_dynamic_field(self) -> Self:
        if (self.type == "dynamic_field") != (self.dynamic_field_type is not None):
            raise ValueError(
                f"map: {self.attribute}: dynamic_field_type is set exactly on the rows of "
                'type "dynamic_field"'
            )
        return self

    @property
    def is_dynamic_field(self) -> bool:
        return self.type == "dynamic_field"

    def to_dynamic_field_row(self) -> DynamicFieldMapRow:
        return DynamicFieldMapRow(
            attribute=self.attribute,
            name=self.field,
            label=self.label,
            graphql_name=self.graphql_name
            or derive_graphql_name(self.attribute.removeprefix(DF_PREFIX)),
            value_type=self.dynamic_field_type or "Text",
            required=self.required,
        )


class CustomerUserMapRow(DynamicFieldCapableRow):
    """A customer-user Map row (:class:`DynamicFieldCapableRow`)."""


class BackendConfigBase(StrictModel):
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
    map: list[CustomerUserMapRow] | None = None

    def default_map(self) -> list[MapField]:
        return default_db_map()

    def map_fields(self) -> list[MapField]:
        """The Map in force: the configured rows, or the module's default Map."""
        if self.map is None:
            return self.default_map()
        return [row.to_map_field() for row in self.map if not row.is_dynamic_field]

    def dynamic_field_rows(self) -> list[DynamicFieldMapRow]:
        """The Map's ``dynamic_field`` rows: values kept in OTOBO's dynamic-field tables, not
        in the backend (``domain.dynamic_fields``)."""
        return [row.to_dynamic_field_row() for row in self.map or () if row.is_dynamic_field]

    def _storage_fields(self) -> set[str]:
        return {f.column for f in self.map_fields()}

    @model_validator(mode="after")
    def _check_map(self) -> Self:
        fields = self.map_fields()
        named = [*fields, *(r.as_map_field() for r in self.dynamic_field_rows())]
        if problem := duplicate_attributes_problem(named):
            raise ValueError(problem)
        attributes = [f.attribute for f in fields]
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
        if problem := graphql_names_problem(
            named, reserved=RESERVED_GRAPHQL_NAMES, fixed=FIXED_ATTRIBUTE_NAMES
        ):
            raise ValueError(problem)
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


def union_dynamic_field_rows(backends: list[BackendConfigBase]) -> list[DynamicFieldMapRow]:
    """The ``dynamic_field`` Map rows of every backend, each attribute once (first seen):
    OTOBO keeps these values by login, whichever backend holds the user."""
    rows: dict[str, DynamicFieldMapRow] = {}
    for backend in backends:
        for row in backend.dynamic_field_rows():
            rows.setdefault(row.attribute, row)
    return list(rows.values())
