"""What the ``test_tickets*`` modules share: queues and tickets written straight into OTOBO's
tables (Roster has no ticket writes yet), and the documents that read them back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from datasources.db.tables import queue, ticket
from tests.conftest import Api, unique

OPEN, CLOSED_SUCCESSFUL, NEW, MERGED = 4, 2, 1, 9
"""``ticket_state`` ids of OTOBO's seed rows."""

TICKETS = """
query($l: String!, $p: String!, $s: TicketStateFilter!, $first: Int!, $after: String) {
  customerUser(login: $l) {
    tickets(permission: $p, state: $s, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { number customerId customerUserId queue { name group { name } } state { name type } }
    }
  }
}"""

ACCESS = """
query($l: String!, $n: String!) {
  customerUser(login: $l) {
    ticketAccess(number: $n) {
      ticket { number }
      read { allowed reasons { kind customerId group groupReasons { kind customerId viaRw } } }
      write { allowed reasons { kind customerId group groupReasons { kind customerId viaRw } } }
      create { allowed reasons { kind customerId group groupReasons { kind customerId viaRw } } }
    }
  }
}"""

QUEUES = """
query($l: String!) {
  customerUser(login: $l) { queuesForNewTickets { queue { name } reasons { kind group } } }
}"""


async def new_queue(api: Api, group_id: int, *, valid: bool = True) -> tuple[int, str]:
    """A queue owned by ``group_id``: (queue id, name)."""
    name = unique("q")
    now = datetime(2026, 12, 1)
    values: dict[str, Any] = {
        "name": name,
        "group_id": group_id,
        "system_address_id": 1,
        "salutation_id": 1,
        "signature_id": 1,
        "follow_up_id": 1,
        "follow_up_lock": 0,
        "valid_id": 1 if valid else 2,
        "create_time": now,
        "create_by": 1,
        "change_time": now,
        "change_by": 1,
    }
    async with api.storage.engine.begin() as conn:
        result = await conn.execute(sa.insert(queue).values(values))
        queue_id = result.inserted_primary_key
    assert queue_id is not None
    return int(queue_id[0]), name


async def new_ticket(
    api: Api,
    queue_id: int,
    *,
    customer_user: str | None = None,
    customer_id: str | None = None,
    state_id: int = OPEN,
) -> str:
    """A ticket as OTOBO's TicketCreate writes it; returns its number."""
    number = unique("20261206")
    now = datetime(2026, 12, 6, 9, 0, 0)
    values: dict[str, Any] = {
        "tn": number,
        "title": f"Ticket {number}",
        "queue_id": queue_id,
        "ticket_lock_id": 1,
        "type_id": 1,
        "user_id": 1,
        "responsible_user_id": 1,
        "ticket_priority_id": 3,
        "ticket_state_id": state_id,
        "customer_id": customer_id,
        "customer_user_id": customer_user,
        "timeout": 0,
        "until_time": 0,
        "escalation_time": 0,
        "escalation_update_time": 0,
        "escalation_response_time": 0,
        "escalation_solution_time": 0,
        "archive_flag": 0,
        "create_time": now,
        "create_by": 1,
        "change_time": now,
        "change_by": 1,
    }
    async with api.storage.engine.begin() as conn:
        await conn.execute(sa.insert(ticket).values(values))
    return number


async def tickets_of(
    api: Api, login: str, permission: str = "ro", state: str = "ANY", *, page: int = 50
) -> set[str]:
    """The numbers of every ticket ``login`` may access (all pages; newest first checked)."""
    found: list[str] = []
    after: str | None = None
    total = None
    while True:
        variables = {"l": login, "p": permission, "s": state, "first": page, "after": after}
        r = await api.gql(TICKETS, variables)
        assert r.errors == [], r.body
        connection = r.data["customerUser"]["tickets"]
        total = connection["totalCount"]
        found += [n["number"] for n in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(found) == len(set(found)) == total
    return set(found)


async def access(api: Api, login: str, number: str) -> Any:
    r = await api.gql(ACCESS, {"l": login, "n": number})
    assert r.errors == [], r.body
    return r.data["customerUser"]["ticketAccess"]


def kinds(decision: dict[str, Any]) -> list[str]:
    return [reason["kind"] for reason in decision["reasons"]]


def summary(answer: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(read, write, create) allowed."""
    return (answer["read"]["allowed"], answer["write"]["allowed"], answer["create"]["allowed"])


async def bulk_tickets(api: Api, queue_id: int, customer_user: str, count: int) -> list[str]:
    """``count`` open tickets of ``customer_user`` in one insert; returns their numbers."""
    prefix = unique("B")
    now = datetime(2026, 12, 6, 9, 0, 0)
    numbers = [f"{prefix}{i:05d}" for i in range(count)]
    rows = [
        {
            "tn": number,
            "title": None,
            "queue_id": queue_id,
            "ticket_lock_id": 1,
            "type_id": 1,
            "user_id": 1,
            "responsible_user_id": 1,
            "ticket_priority_id": 3,
            "ticket_state_id": OPEN,
            "customer_id": None,
            "customer_user_id": customer_user,
            "timeout": 0,
            "until_time": 0,
            "escalation_time": 0,
            "escalation_update_time": 0,
            "escalation_response_time": 0,
            "escalation_solution_time": 0,
            "archive_flag": 0,
            "create_time": now,
            "create_by": 1,
            "change_time": now,
            "change_by": 1,
        }
        for number in numbers
    ]
    async with api.storage.engine.begin() as conn:
        await conn.execute(sa.insert(ticket), rows)
    return numbers
