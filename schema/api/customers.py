"""Customers (companies): ``customer``, ``customers``, ``customerFields``, ``customerCreate``,
``customerUpdate``. The Customer type and both inputs are built from the company Map
(``schema.customer``)."""

from typing import Annotated, Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.config import RosterConfig
from resolvers import customers as customer_resolvers
from resolvers.mutations import run_mutation
from resolvers.use_cases import customers as customer_use_cases
from schema.audit import Info
from schema.customer import CustomerPayload, build_customer_inputs
from schema.customer_user import CustomerUserTypes
from schema.dynamic import CustomerRef
from schema.fast_fields import install_declared
from schema.fields import CustomerField, customer_fields
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    VALID_ARGUMENT,
    Connection,
    to_connection,
)
from schema.permissions import ADMIN

SEARCH_DESCRIPTION = (
    "OTOBO's free-text search over the customer search fields (customer ID and name by "
    "default). Each word gets search_prefix/search_suffix (default *…*, a substring match); "
    "* is a wildcard; + or AND combine words with AND, OR with OR (AND binds tighter); a word "
    "starting with ! is negated. As in OTOBO a space does NOT split words ('acme corp' is one "
    "term) and ( ) & | are literal; unlike OTOBO, % and _ are literal too. A term of only "
    "wildcards lists all. Results stop at search_list_limit (see limitReached)."
)


CUSTOMER_USER_FIELDS = None


async def _node(info: Info, key: str) -> Any:
    record = await customer_resolvers.customer(info.context, key)
    return info.context.customer_object(record) if record else None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {"Customer": _node}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    install_declared(schema, "Customer")
    install_declared(schema, "CustomerEdge")


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    company = config.customer_company

    @strawberry.type
    class CustomerQueries:
        @strawberry.field(description="A customer by customer ID (case-insensitive).")
        async def customer(
            self,
            info: Info,
            customer_id: Annotated[
                str,
                strawberry.argument(
                    description="The customer ID (OTOBO's CustomerID), compared case-insensitively."
                ),
            ],
        ) -> CustomerRef | None:
            return await _node(info, customer_id)

        @strawberry.field(description="Customers ordered by customer ID.")
        async def customers(
            self,
            info: Info,
            search: Annotated[
                str | None, strawberry.argument(description=SEARCH_DESCRIPTION)
            ] = None,
            valid: Annotated[bool | None, VALID_ARGUMENT] = True,
            first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
            after: Annotated[str | None, AFTER_ARGUMENT] = None,
        ) -> Connection[CustomerRef]:
            ctx = info.context
            expr = customer_resolvers.parse_customer_search(ctx, search)
            searching = search is not None
            page = await customer_resolvers.customers(
                ctx, search=expr, searching=searching, valid=valid, first=first, after=after
            )
            return to_connection(
                page,
                ctx.customer_object,
                count=lambda: customer_resolvers.customer_count(
                    ctx, search=expr, searching=searching, valid=valid
                ),
                limit_check=lambda: customer_resolvers.customer_limit_reached(
                    ctx, search=expr, searching=searching, valid=valid
                ),
            )

        @strawberry.field(description="The customer Map: labels, required, searchable.")
        def customer_fields(self) -> list[CustomerField]:
            return customer_fields(company)

    return CustomerQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    inputs = build_customer_inputs(config.customer_company)
    create_input = inputs.create_input
    update_input = inputs.update_input

    @strawberry.type
    class CustomerMutations:
        @strawberry.mutation(permission_classes=ADMIN, description="Create a customer.")
        async def customer_create(self, info: Info, input: create_input) -> CustomerPayload:
            change = inputs.create_change(input)
            outcome = await run_mutation(info.context, customer_use_cases.create, change)
            return CustomerPayload.of(info.context, outcome, inputs.problem_names)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Change a customer. Renaming its customer ID re-points its customer "
            "users and every relation row, in one transaction.",
        )
        async def customer_update(self, info: Info, input: update_input) -> CustomerPayload:
            change = inputs.update_change(input)
            outcome = await run_mutation(
                info.context, customer_use_cases.update, input.customer_id, change
            )
            return CustomerPayload.of(info.context, outcome, inputs.problem_names)

    return CustomerMutations
