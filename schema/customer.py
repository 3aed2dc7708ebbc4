"""The Customer (company) type, its inputs and payloads, built from the company Map.

A company Map row (say ``CustomerCompanyRegion`` → column ``region``) becomes a typed field of
``Customer`` and of both inputs without a code change, so these classes are made at
schema-build time (``build_customer_type``, ``build_customer_inputs``), like the customer-user
ones (``schema.customer_user``). OTOBO's default rows keep the names, types and descriptions
the published SDL has always had; ``customerId``, ``name`` and ``validity`` are non-null.
Static types refer to ``Customer`` through ``schema.dynamic.CustomerRef`` and wrap records with
the request's ``customer_object``.

``Customer`` lists its group grants, so this module imports ``schema.group``; the groups side
refers back to ``Customer`` only lazily (see ``schema.group.CustomerGrant``), which keeps the
schema modules a DAG (tests/test_schema_modules_acyclic.py).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.company_map import CUSTOMER_ID, KEY_COLUMNS, KNOWN_FIELDS, NAME, is_custom
from domain.config import CustomerCompanyConfig
from domain.customer_rules import CustomerChanges
from domain.field_map import VALID_ID, DynamicFieldMapRow, MapField
from domain.records import CustomerRecord
from resolvers import groups as group_resolvers
from resolvers.context import RequestContext
from schema.audit import AuditFields, Info
from schema.audit_events import HistoryFields
from schema.common import Node, UserError, ValidityEnum, global_id, outcome_payload
from schema.dynamic import CustomerRef, CustomerUserRef
from schema.dynamic_field import input_fields, value_fields
from schema.fast_fields import batch_reader
from schema.group import CustomerGroupGrant, Group, PermissionContext
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    USER_ERRORS_DESCRIPTION,
    VALID_ARGUMENT,
    Connection,
    to_connection,
)
from schema.permissions import NOT_FOR_CUSTOMER_SESSIONS


async def customer_group_grants(
    customers: Sequence[Any], context: RequestContext
) -> list[list[CustomerGroupGrant]]:
    """The customers' grants by (group id, context): every customer's rows in one
    ``load_many``, then every group they name in one."""
    loaders = context.loaders.groups
    per_customer = await loaders.customer_grants.load_many(
        [c.record.customer_id for c in customers]
    )
    grouped: list[dict[tuple[int, str], list[str]]] = []
    for links in per_customer:
        by_key: dict[tuple[int, str], list[str]] = {}
        for link in links:
            key = (int(link.group_id or 0), str(link.context))
            by_key.setdefault(key, []).append(str(link.permission))
        grouped.append(by_key)
    wanted = sorted({key[0] for by_key in grouped for key in by_key})
    groups = {g.id: g for g in await loaders.by_id.load_many(wanted) if g}
    return [
        [
            CustomerGroupGrant(
                group=Group.wrap(groups[gid]),
                context=PermissionContext.of(stored_context),
                permissions=sorted(permissions),  # by code point, not in the rows' order
            )
            for (gid, stored_context), permissions in sorted(by_key.items())
            if gid in groups
        ]
        for by_key in grouped
    ]


@strawberry.type
class CustomerRelationFields:
    """A customer's customer users and group grants; a base class so that they come first in
    ``Customer``'s fields, as the published SDL has them."""

    record: strawberry.Private[CustomerRecord]

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="The customer users whose primary customer this is, or to whom it is "
        "assigned, by login. valid: true (default) lists only VALID users.",
    )
    async def customer_users(
        self,
        info: Info,
        valid: Annotated[bool, VALID_ARGUMENT] = True,
        first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER_ARGUMENT] = None,
    ) -> Connection[CustomerUserRef]:
        ctx = info.context
        page = await group_resolvers.customer_users_of(
            ctx, self.record, valid=valid, first=first, after=after
        )
        return to_connection(
            page,
            ctx.customer_user_object,
            count=lambda: group_resolvers.customer_user_count(ctx, self.record, valid=valid),
        )

    @strawberry.field(
        description="The customer's group grants (group_customer), per context.",
        metadata=batch_reader(customer_group_grants),
    )
    async def group_grants(self, info: Info) -> list[CustomerGroupGrant]:
        return (await customer_group_grants([self], info.context))[0]


@strawberry.type
class CustomerFields(CustomerRelationFields, HistoryFields, AuditFields, Node):
    """The fixed part of Customer; the company Map adds the rest (``build_customer_type``)."""

    record: strawberry.Private[CustomerRecord]

    @classmethod
    def wrap(cls, record: CustomerRecord) -> Any:
        return cls(record=record, audit=record.audit)

    @strawberry.field(
        description="The customer's global ID (for node and nodes), built from the customer ID."
    )
    def id(self) -> strawberry.ID:
        return global_id("Customer", self.record.customer_id)


_DESCRIPTIONS = {
    CUSTOMER_ID: "The customer ID (OTOBO's CustomerID), its natural key.",
    NAME: "The company's name; unique.",
    VALID_ID: "Whether the customer is in use (OTOBO's valid_id); an invalid customer's "
    "grants give its users no permission.",
}
_CREATE_DESCRIPTIONS = {
    CUSTOMER_ID: "Required; at most 150 characters; unique (case-insensitive).",
    NAME: "Required; at most 191 characters; unique (case-insensitive).",
}


def python_name(field: MapField) -> str:
    """The attribute a Map row has on the classes: a default row's domain name, another
    row's prefixed attribute (so no Map attribute can shadow ``record`` or ``wrap``)."""
    return KNOWN_FIELDS.get(field.attribute) or f"map_{field.attribute}"


def _value_type(field: MapField) -> Any:
    if field.attribute == VALID_ID:
        return ValidityEnum
    return int if field.type == "int" else str


def value_reader(field: MapField) -> Callable[[Any], Any]:
    """Read one Map value off a Customer object. It reads only ``root``, so it is also the
    field's fast reader (``schema.fast_fields.install_declared``)."""
    if is_custom(field):
        attribute = field.attribute

        def read_extra(root: Any) -> Any:
            return root.record.extra.get(attribute)

        return read_extra
    name = KNOWN_FIELDS[field.attribute]

    def read(root: Any) -> Any:
        return getattr(root.record, name)

    return read


def map_description(field: MapField) -> str:
    """A Map row's field description: its label (what OTOBO's screens call it), its Map
    attribute and what null means."""
    return f"{field.label} (Map attribute {field.attribute}); null when empty."


def _output_field(field: MapField) -> Any:
    value_type = _value_type(field)
    description = _DESCRIPTIONS.get(field.attribute)
    if is_custom(field) or description is None:
        description = map_description(field)
    return strawberry.field(
        resolver=value_reader(field),
        graphql_type=value_type if field.attribute in KEY_COLUMNS else value_type | None,
        name=field.graphql_name,
        description=description,
    )


def build_customer_type(config: CustomerCompanyConfig) -> Any:
    """The ``Customer`` class: the fixed fields, then one field per Map row in Map order."""
    namespace: dict[str, Any] = {"__annotations__": {}}
    for field in config.map_fields():
        namespace[python_name(field)] = _output_field(field)
    for attribute, value_field in value_fields(config.dynamic_field_rows(), company=True).items():
        namespace[f"map_{attribute}"] = value_field
    return strawberry.type(
        type("Customer", (CustomerFields,), namespace),
        name="Customer",
        description="A customer (company), OTOBO's customer_company.",
    )


def _input_field(field: MapField, *, creating: bool) -> Any:
    if field.attribute == VALID_ID:
        return strawberry.field(
            default=ValidityEnum.VALID if creating else UNSET,
            graphql_type=ValidityEnum if creating else ValidityEnum | None,
            name=field.graphql_name,
            description="VALID unless given." if creating else "A new validity.",
        )
    description = _CREATE_DESCRIPTIONS.get(field.attribute) if creating else None
    if is_custom(field) or description is None:
        description = f"{field.label} (Map attribute {field.attribute})."
        if creating and field.required:
            description += " Required."
        elif not creating and not field.required:
            description += " Null clears it."
    return strawberry.field(
        default=None if creating else UNSET,
        graphql_type=_value_type(field) | None,
        name=field.graphql_name,
        description=description,
    )


@dataclass(frozen=True)
class CustomerInputs:
    """The input classes built for one company Map, and how their values become changes."""

    fields: tuple[MapField, ...]
    dynamic_fields: tuple[DynamicFieldMapRow, ...]
    create_input: Any
    update_input: Any
    problem_names: Mapping[str, str]
    """Map attribute → input field name for the Map's other rows: how a problem naming one
    is shown (``schema.problem_paths``); the default rows' domain names camelCase as is."""

    def create_change(self, data: Any) -> CustomerChanges:
        """The create input as the use case's typed change (every field given)."""
        known: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for field in self.fields:
            value = getattr(data, python_name(field))
            if is_custom(field):
                extra[field.attribute] = value
            else:
                known[KNOWN_FIELDS[field.attribute]] = value
        return CustomerChanges(**known, extra=extra, dynamic_fields=self._values(data, patch=False))

    def _values(self, data: Any, *, patch: bool) -> dict[str, Any]:
        """The dynamic-field values given, by Map attribute: a patch's sent ones (null
        erases), a create's non-null ones."""
        skipped = UNSET if patch else None
        found = {
            row.attribute: getattr(data, f"map_{row.attribute}") for row in self.dynamic_fields
        }
        return {attribute: value for attribute, value in found.items() if value is not skipped}

    def update_change(self, data: Any) -> CustomerChanges:
        """The fields the client sent; ``newCustomerId`` is the change's ``customer_id`` (a
        null one renames nothing, as it never did)."""
        known: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for field in self.fields:
            value = UNSET if field.attribute == CUSTOMER_ID else getattr(data, python_name(field))
            if value is UNSET:
                continue
            if is_custom(field):
                extra[field.attribute] = value
            else:
                known[KNOWN_FIELDS[field.attribute]] = value
        if data.new_customer_id is not None and data.new_customer_id is not UNSET:
            known["customer_id"] = data.new_customer_id
        return CustomerChanges(**known, extra=extra, dynamic_fields=self._values(data, patch=True))


def build_customer_inputs(config: CustomerCompanyConfig) -> CustomerInputs:
    """``CustomerCreateInput`` (every Map row, in Map order) and ``CustomerUpdateInput``
    (``customerId`` naming the customer, ``newCustomerId``, then the other rows)."""
    fields = tuple(config.map_fields())
    create: dict[str, Any] = {"__annotations__": {}}
    update: dict[str, Any] = {
        "__annotations__": {},
        "customer_id": strawberry.field(graphql_type=str, description="The customer to change."),
        "new_customer_id": strawberry.field(
            default=UNSET,
            graphql_type=str | None,
            description="Renames the customer ID; its customer users and relation rows follow.",
        ),
    }
    for field in fields:
        create[python_name(field)] = _input_field(field, creating=True)
        if field.attribute != CUSTOMER_ID:
            update[python_name(field)] = _input_field(field, creating=False)
    rows = tuple(config.dynamic_field_rows())
    for attribute, input_field in input_fields(rows, patch=False).items():
        create[f"map_{attribute}"] = input_field
    for attribute, input_field in input_fields(rows, patch=True).items():
        update[f"map_{attribute}"] = input_field
    return CustomerInputs(
        fields=fields,
        dynamic_fields=rows,
        create_input=strawberry.input(
            type("CustomerCreateInput", (), create),
            name="CustomerCreateInput",
            description="A new customer. customerId and name are required.",
        ),
        update_input=strawberry.input(
            type("CustomerUpdateInput", (), update),
            name="CustomerUpdateInput",
            description="A patch: omitted fields keep their value; null clears an optional one.",
        ),
        problem_names={
            **{f.attribute: f.graphql_name for f in fields if is_custom(f)},
            **{row.attribute: row.graphql_name for row in rows},
        },
    )


@strawberry.type(description="The result of customerCreate and customerUpdate.")
class CustomerPayload:
    customer: CustomerRef | None = strawberry.field(
        description="The customer as written; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @classmethod
    def of(
        cls, ctx: RequestContext, outcome: Outcome[CustomerRecord], names: Mapping[str, str]
    ) -> "CustomerPayload":
        customer = ctx.customer_object(outcome.record) if outcome.record else None
        return outcome_payload(cls, outcome, names, customer=customer)
