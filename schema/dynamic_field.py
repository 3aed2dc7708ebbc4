"""Dynamic fields in GraphQL: ``DynamicField`` (a definition from OTOBO's ``dynamic_field``)
and the typed values the Map's ``dynamic_field`` rows add to ``CustomerUser`` and its inputs.

A value's GraphQL type follows the field type the Map row declares (``dynamic_field_type``):
Text, TextArea and Dropdown → ``String``, Multiselect → ``[String!]``, Checkbox →
``Boolean``, Date → ``Date``, DateTime → ``DateTime``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry import UNSET

from domain.dynamic_fields import DynamicFieldDefinition
from domain.field_map import DynamicFieldMapRow
from resolvers import dynamic_fields as dynamic_field_resolvers
from resolvers.context import RequestContext
from schema.audit import Info
from schema.common import ValidityEnum
from schema.fast_fields import context_reader

GRAPHQL_TYPES: dict[str, Any] = {
    "Text": str,
    "TextArea": str,
    "Dropdown": str,
    "Multiselect": list[str],
    "Checkbox": bool,
    "Date": datetime.date,
    "DateTime": datetime.datetime,
}


@strawberry.type(description="One of a dropdown's or multiselect's possible values.")
class DynamicFieldPossibleValue:
    key: str = strawberry.field(description="What is stored (and what a value names).")
    value: str = strawberry.field(description="What a form shows.")


@strawberry.type(
    description="A dynamic field's definition (OTOBO's dynamic_field row and the parts of its "
    "config a form needs)."
)
class DynamicField:
    definition: strawberry.Private[DynamicFieldDefinition]
    exposed_as: strawberry.Private[str | None] = None

    @strawberry.field(
        description="The CustomerUser field (and create/update input field) that holds this "
        "field's value, when the Map has a dynamic_field row for it; null otherwise."
    )
    def customer_user_field(self) -> str | None:
        return self.exposed_as

    @strawberry.field(description="The unique name (a value's key: DynamicField_<name>).")
    def name(self) -> str:
        return self.definition.name

    @strawberry.field(
        description="The label forms show, as stored (untranslated; at most 200 characters)."
    )
    def label(self) -> str:
        return self.definition.label

    @strawberry.field(
        description="OTOBO's driver: Text, TextArea, Dropdown, Multiselect, Checkbox, Date, "
        "DateTime, or another (add-on) type."
    )
    def field_type(self) -> str:
        return self.definition.field_type

    @strawberry.field(description="Ticket, Article, CustomerUser, CustomerCompany, …")
    def object_type(self) -> str:
        return self.definition.object_type

    @strawberry.field(
        description="Only a VALID field is in use: an invalid CustomerUser field's value "
        "reads as null (a multiselect's as []) and cannot be set, as OTOBO's "
        "CustomerUserDataGet skips it; its stored values are kept."
    )
    def validity(self) -> ValidityEnum:  # type: ignore[valid-type]
        return self.definition.validity

    @strawberry.field(description="The position in OTOBO's field list.")
    def field_order(self) -> int:
        return self.definition.field_order

    @strawberry.field(description="OTOBO's internal fields (e.g. ProcessManagementProcessID).")
    def internal(self) -> bool:
        return self.definition.internal

    @strawberry.field(description="Dropdown/Multiselect: the keys and shown values.")
    def possible_values(self) -> list[DynamicFieldPossibleValue]:
        return [
            DynamicFieldPossibleValue(key=k, value=v) for k, v in self.definition.possible_values
        ]

    @strawberry.field(description="Dropdown/Multiselect: whether an empty choice is offered.")
    def possible_none(self) -> bool:
        return self.definition.config_flag("PossibleNone")

    @strawberry.field(description="The value a new object's form starts with.")
    def default_value(self) -> str | None:
        return self.definition.config_text("DefaultValue")

    @strawberry.field(description="Whether the possible values are translated for display.")
    def translatable_values(self) -> bool:
        return self.definition.config_flag("TranslatableValues")

    @strawberry.field(description="Dropdown/Multiselect: values shown as a tree (:: paths).")
    def tree_view(self) -> bool:
        return self.definition.config_flag("TreeView")

    @strawberry.field(description="A link template for the value, when set.")
    def link(self) -> str | None:
        return self.definition.config_text("Link") or None

    @strawberry.field(
        description="Date/DateTime: OTOBO's DateRestriction (none, DisableFutureDates, "
        "DisablePastDates)."
    )
    def date_restriction(self) -> str | None:
        return self.definition.config_text("DateRestriction") or None

    @strawberry.field(description="Date/DateTime: YearsInPast (with YearsPeriod on).")
    def years_in_past(self) -> int | None:
        return _int(self.definition.config_text("YearsInPast"))

    @strawberry.field(description="Date/DateTime: YearsInFuture (with YearsPeriod on).")
    def years_in_future(self) -> int | None:
        return _int(self.definition.config_text("YearsInFuture"))

    @strawberry.field(description="TextArea: the rows of its input.")
    def rows(self) -> int | None:
        return _int(self.definition.config_text("Rows"))

    @strawberry.field(description="TextArea: the columns of its input.")
    def cols(self) -> int | None:
        return _int(self.definition.config_text("Cols"))


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


def _value_type(row: DynamicFieldMapRow) -> Any:
    base = GRAPHQL_TYPES[row.value_type]
    return base if row.value_type == "Multiselect" else base | None


def _value_field(row: DynamicFieldMapRow, *, company: bool = False) -> Any:
    attribute = row.attribute
    empty: Any = [] if row.value_type == "Multiselect" else None

    async def read(root: Any, context: RequestContext) -> Any:
        if company:
            customer_id = root.record.customer_id
            found = await dynamic_field_resolvers.customer_values(context, customer_id)
        else:
            login = root.record.login
            found = await dynamic_field_resolvers.customer_user_values(context, login)
        value = found.get(attribute)
        return empty if value is None else value

    async def resolve(self: Any, info: Info) -> Any:
        return await read(self, info.context)

    return strawberry.field(
        resolver=resolve,
        graphql_type=_value_type(row),
        name=row.graphql_name,
        description=f"{row.label} (dynamic field {row.name}, {row.value_type}).",
        metadata=context_reader(read),
    )


def value_fields(rows: Sequence[DynamicFieldMapRow], *, company: bool = False) -> dict[str, Any]:
    """``CustomerUser``'s (``company``: ``Customer``'s) fields for the Map's dynamic-field
    rows, by Map attribute; each reads through the request's loader (one statement for a
    page of users or customers)."""
    return {row.attribute: _value_field(row, company=company) for row in rows}


def input_fields(rows: Sequence[DynamicFieldMapRow], *, patch: bool) -> dict[str, Any]:
    """The create/update input fields for the dynamic-field rows (a patch: omitted keeps)."""
    return {
        row.attribute: strawberry.field(
            default=UNSET if patch else None,
            graphql_type=GRAPHQL_TYPES[row.value_type] | None,
            name=row.graphql_name,
            description=f"{row.label} (dynamic field {row.name}, {row.value_type}); null or "
            "empty erases it" + (" (a checkbox: false)." if row.value_type == "Checkbox" else "."),
        )
        for row in rows
    }
