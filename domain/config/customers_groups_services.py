"""OTOBO's settings for customers (``CustomerCompany``: its search settings and its Map, see
``domain.company_map``), customer groups (``CustomerGroup*``) and services
(``Ticket::Service``): the rules the directories apply, not where data lives."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.company_map import (
    NAME_OWNERS,
    RESERVED_GRAPHQL_NAMES,
    company_map_problem,
    default_company_map,
    derive_company_graphql_name,
)
from domain.config.backend_base import DynamicFieldCapableRow
from domain.config.db_backend import SqlIdentifier
from domain.config.strict_model import StrictModel
from domain.field_map import (
    DynamicFieldMapRow,
    MapField,
    duplicate_attributes_problem,
    graphql_names_problem,
)


def _default_company_search_fields() -> list[SqlIdentifier]:
    return ["customer_id", "name"]


class CompanyMapRow(DynamicFieldCapableRow):
    """One row of OTOBO's ``CustomerCompany`` Map; ``field`` is a ``customer_company``
    column, or on a ``dynamic_field`` row a CustomerCompany field's name (its values are kept
    by CustomerID, as OTOBO's ``CustomerCompanyGet`` reads them). ``readonly`` is accepted and
    ignored, as OTOBO's company backend ignores it."""

    field: SqlIdentifier


class CustomerCompanyConfig(StrictModel):
    """OTOBO's ``CustomerCompany`` block (the company backend is always the database)."""

    search_fields: list[SqlIdentifier] = Field(default_factory=_default_company_search_fields)
    search_prefix: Literal["", "*"] = "*"
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 1000
    search_case_sensitive: bool = False
    map: list[CompanyMapRow] | None = None
    """OTOBO's company Map; ``None``: its default 8 rows (and ValidID)."""

    def map_fields(self) -> list[MapField]:
        """The Map in force: the configured rows, or OTOBO's default company Map."""
        if self.map is None:
            return default_company_map()
        return [
            row.to_map_field(derive_company_graphql_name)
            for row in self.map
            if not row.is_dynamic_field
        ]

    def dynamic_field_rows(self) -> list[DynamicFieldMapRow]:
        """The Map's ``dynamic_field`` rows: values in OTOBO's dynamic-field tables, keyed by
        CustomerID, not columns of ``customer_company``."""
        return [row.to_dynamic_field_row() for row in self.map or () if row.is_dynamic_field]

    @model_validator(mode="after")
    def _check_map(self) -> Self:
        fields = self.map_fields()
        named = [*fields, *(r.as_map_field() for r in self.dynamic_field_rows())]
        problem = (
            duplicate_attributes_problem(named)
            or company_map_problem(fields)
            or graphql_names_problem(named, reserved=RESERVED_GRAPHQL_NAMES, fixed=NAME_OWNERS)
        )
        if problem:
            raise ValueError(problem)
        columns = {f.column for f in fields}
        unknown = [c for c in self.search_fields if c not in columns]
        if unknown:
            raise ValueError(f"search_fields: column(s) not in the map: {', '.join(unknown)}")
        return self


PermissionContextName = Literal["Same", "Other"]


def _default_contexts() -> list[PermissionContextName]:
    return ["Same"]


class CustomerGroupConfig(StrictModel):
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


class ServicesConfig(StrictModel):
    """OTOBO's ``Ticket::Service`` settings that decide which services a customer user gets."""

    keep_children: bool = False
    """``Ticket::Service::KeepChildren``: a valid child of an invalid service stays valid."""
