"""OTOBO's settings for customers (``CustomerCompany``), customer groups (``CustomerGroup*``)
and services (``Ticket::Service``): the rules the directories apply, not where data lives."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.config.strict_model import StrictModel

CompanyColumn = Literal[
    "customer_id", "name", "street", "zip", "city", "country", "url", "comments"
]


def _default_company_search_fields() -> list[CompanyColumn]:
    return ["customer_id", "name"]


class CustomerCompanyConfig(StrictModel):
    """OTOBO's ``CustomerCompany`` block (the company backend is always the database)."""

    search_fields: list[CompanyColumn] = Field(default_factory=_default_company_search_fields)
    search_prefix: Literal["", "*"] = "*"
    search_suffix: Literal["", "*"] = "*"
    search_list_limit: Annotated[int, Field(ge=1, le=100_000)] = 1000
    search_case_sensitive: bool = False


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
