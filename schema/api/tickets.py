"""Tickets (read only): ``ticket(number:)``, ``node`` for ``Ticket``; and
``CustomerUser.tickets``/``ticketAccess``/``queuesForNewTickets`` (``schema.ticket``)."""

from typing import Annotated, Any

import strawberry

from domain.config import RosterConfig
from resolvers import tickets as ticket_resolvers
from resolvers.mutations import run_mutation
from resolvers.use_cases import tickets as ticket_use_cases
from schema.audit import Info
from schema.customer_user import CustomerUserTypes
from schema.fast_fields import install_declared
from schema.permissions import ADMIN
from schema.ticket import (
    CustomerUserTicketFields,
    Ticket,
    TicketSetCustomerInput,
    TicketSetCustomerPayload,
    TicketsRefreshCustomerDataInput,
    TicketsRefreshCustomerDataPayload,
    refresh_payload,
    set_customer_payload,
)

CUSTOMER_USER_FIELDS = CustomerUserTicketFields


async def _node(info: Info, key: str) -> Ticket | None:
    record = await ticket_resolvers.ticket(info.context, key)
    return Ticket(record=record) if record else None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {"Ticket": _node}


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class TicketQueries:
        @strawberry.field(description="A ticket by its number (exact); null when none has it.")
        async def ticket(
            self,
            info: Info,
            number: Annotated[
                str,
                strawberry.argument(
                    description="The ticket number (OTOBO's TicketNumber, column tn), matched "
                    "exactly."
                ),
            ],
        ) -> Ticket | None:
            record = await ticket_resolvers.ticket(info.context, number)
            return Ticket(record=record) if record else None

    return TicketQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class TicketMutations:
        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Set a ticket's customer user and/or customer ID, as OTOBO's "
            "TicketCustomerSet (change_by: the configured agent id; a CustomerUpdate history "
            "row), then, when [dynamic_field_from_customer_user] is enabled, copy the customer "
            "data into the mapped ticket dynamic fields as OTOBO's DynamicFieldFromCustomerUser "
            "does (a missing value erases, a checkbox becomes 0; a TicketDynamicFieldUpdate "
            "history row per changed field). One transaction.",
        )
        async def ticket_set_customer(
            self, info: Info, input: TicketSetCustomerInput
        ) -> TicketSetCustomerPayload:
            outcome = await run_mutation(
                info.context,
                ticket_use_cases.set_customer,
                input.number,
                input.customer_user,
                input.customer_id,
                dry_run=input.dry_run,
            )
            return set_customer_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Re-apply [dynamic_field_from_customer_user]'s mapping to the tickets of "
            "a customer user, or to the tickets numbered, as ticketSetCustomer would with the "
            "ticket's current customer user (only changed values are written, each with a "
            "TicketDynamicFieldUpdate history row). In batches of 500 tickets, one "
            "transaction each; more than 10,000 tickets is TOO_LONG. INVALID when the mapping "
            "is not enabled.",
        )
        async def tickets_refresh_customer_data(
            self, info: Info, input: TicketsRefreshCustomerDataInput
        ) -> TicketsRefreshCustomerDataPayload:
            outcome = await run_mutation(
                info.context,
                ticket_use_cases.refresh_customer_data,
                input.customer_user,
                input.numbers,
                only_open=input.only_open,
                dry_run=input.dry_run,
            )
            return refresh_payload(outcome)

    return TicketMutations


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """A page of 100 tickets has a thousand plain fields: graphql-core's direct resolver
    reads them (``schema.fast_fields``); ``Ticket.customerUser`` (guarded) keeps its own."""
    for type_name in (
        "Ticket",
        "TicketEdge",
        "TicketState",
        "Queue",
        "TicketAccess",
        "AccessDecision",
        "TicketAccessReason",
        "QueueForNewTickets",
    ):
        install_declared(schema, type_name)
