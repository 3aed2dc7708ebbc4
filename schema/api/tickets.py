"""Tickets (read only): ``ticket(number:)``, ``node`` for ``Ticket``; and
``CustomerUser.tickets``/``ticketAccess``/``queuesForNewTickets`` (``schema.ticket``)."""

from typing import Annotated, Any

import strawberry

from domain.config import RosterConfig
from resolvers import tickets as ticket_resolvers
from schema.audit import Info
from schema.customer_user import CustomerUserTypes
from schema.fast_fields import install_declared
from schema.ticket import CustomerUserTicketFields, Ticket

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
        pass

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
