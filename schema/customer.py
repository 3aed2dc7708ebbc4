"""The Customer (company) type, its inputs and payloads.

``Customer`` lists its group grants, so this module imports ``schema.group``; the groups side
refers back to ``Customer`` only lazily (see ``schema.group.CustomerGrant``), which keeps the
schema modules a DAG (tests/test_schema_modules_acyclic.py).
"""

from typing import Any

import strawberry
from strawberry import UNSET

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.customer_rules import CustomerChanges
from domain.records import CustomerRecord
from resolvers import groups as group_resolvers
from schema.audit import AuditFields, Info
from schema.common import Node, UserError, ValidityEnum, global_id, outcome_payload
from schema.dynamic import CustomerUserRef
from schema.group import CustomerGroupGrant, Group, PermissionContext
from schema.pagination import Connection, to_connection


@strawberry.type
class CustomerRelationFields:
    """A customer's customer users and group grants; a base class so that they come first in
    ``Customer``'s fields, as the published SDL has them."""

    record: strawberry.Private[CustomerRecord]

    @strawberry.field(
        description="The customer users whose primary customer this is, or to whom it is "
        "assigned, by login. valid: true (default) lists only VALID users."
    )
    async def customer_users(
        self,
        info: Info,
        valid: bool = True,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
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

    @strawberry.field(description="The customer's group grants (group_customer), per context.")
    async def group_grants(self, info: Info) -> list[CustomerGroupGrant]:
        loaders = info.context.loaders.groups
        links = await loaders.customer_grants.load(self.record.customer_id)
        by_key: dict[tuple[int, str], list[str]] = {}
        for link in links:
            key = (int(link.group_id or 0), str(link.context))
            by_key.setdefault(key, []).append(str(link.permission))
        groups = {
            g.id: g for g in await loaders.by_id.load_many(sorted({k[0] for k in by_key})) if g
        }
        return [
            CustomerGroupGrant(
                group=Group.wrap(groups[gid]),
                context=PermissionContext.of(context),
                permissions=permissions,
            )
            for (gid, context), permissions in sorted(by_key.items())
            if gid in groups
        ]


@strawberry.type(description="A customer (company), OTOBO's customer_company.")
class Customer(CustomerRelationFields, AuditFields, Node):
    record: strawberry.Private[CustomerRecord]

    @classmethod
    def wrap(cls, record: Any) -> "Customer":
        return cls(record=record, audit=record.audit)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Customer", self.record.customer_id)

    @strawberry.field(description="The customer ID (OTOBO's CustomerID), its natural key.")
    def customer_id(self) -> str:
        return self.record.customer_id

    @strawberry.field(description="The company's name; unique.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def street(self) -> str | None:
        return self.record.street

    @strawberry.field
    def zip(self) -> str | None:
        return self.record.zip

    @strawberry.field
    def city(self) -> str | None:
        return self.record.city

    @strawberry.field
    def country(self) -> str | None:
        return self.record.country

    @strawberry.field
    def url(self) -> str | None:
        return self.record.url

    @strawberry.field
    def comment(self) -> str | None:
        return self.record.comment

    @strawberry.field
    def validity(self) -> ValidityEnum:  # type: ignore[valid-type]
        return self.record.validity


@strawberry.input(description="A new customer. customerId and name are required.")
class CustomerCreateInput:
    customer_id: str | None = strawberry.field(
        default=None, description="Required; at most 150 characters; unique (case-insensitive)."
    )
    name: str | None = strawberry.field(
        default=None, description="Required; at most 191 characters; unique (case-insensitive)."
    )
    street: str | None = None
    zip: str | None = None
    city: str | None = None
    country: str | None = None
    url: str | None = None
    comment: str | None = None
    validity: ValidityEnum = ValidityEnum.VALID  # type: ignore[valid-type]


@strawberry.input(
    description="A patch: omitted fields keep their value; null clears an optional one."
)
class CustomerUpdateInput:
    customer_id: str = strawberry.field(description="The customer to change.")
    new_customer_id: str | None = strawberry.field(
        default=UNSET,
        description="Renames the customer ID; its customer users and relation rows follow.",
    )
    name: str | None = UNSET
    street: str | None = UNSET
    zip: str | None = UNSET
    city: str | None = UNSET
    country: str | None = UNSET
    url: str | None = UNSET
    comment: str | None = UNSET
    validity: ValidityEnum | None = UNSET  # type: ignore[valid-type]


_VALUE_FIELDS = ("name", "street", "zip", "city", "country", "url", "comment", "validity")


def create_change(data: CustomerCreateInput) -> CustomerChanges:
    """The input as the use case's typed change (every field given)."""
    return CustomerChanges(
        customer_id=data.customer_id, **{name: getattr(data, name) for name in _VALUE_FIELDS}
    )


def update_change(data: CustomerUpdateInput) -> CustomerChanges:
    """The fields the client sent; ``newCustomerId`` is the change's ``customer_id`` (a null
    one renames nothing, as it never did)."""
    given = {name: getattr(data, name) for name in _VALUE_FIELDS}
    if data.new_customer_id is not None:
        given["customer_id"] = data.new_customer_id
    return CustomerChanges(**{name: v for name, v in given.items() if v is not UNSET})


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[CustomerRecord]) -> "CustomerPayload":
        return outcome_payload(
            cls, outcome, customer=Customer.wrap(outcome.record) if outcome.record else None
        )
