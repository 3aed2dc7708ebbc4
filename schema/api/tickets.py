"""Tickets (read only): ``ticket(number:)``, ``node`` for ``Ticket``; and
``CustomerUser.tickets``/``ticketAccess``/``queuesForNewTickets`` (``schema.ticket``)."""

from typing import Any

import strawberry

from domain.config import RosterConfig
from resolvers import tickets as ticket_resolvers
from schema.audit import Info
from schema.customer_user import CustomerUserTypes
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
        async def ticket(self, info: Info, number: str) -> Ticket | None:
            record = await ticket_resolvers.ticket(info.context, number)
            return Ticket(record=record) if record else None

    return TicketQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class TicketMutations:
        pass

    return TicketMutations


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """None: the ticket fields resolve through the ordinary path."""
