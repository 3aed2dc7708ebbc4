"""Demo queues and tickets, so GraphiQL shows ``CustomerUser.tickets`` and ``ticketAccess``.

Roster does not write tickets (OTOBO does); the demo writes these rows straight into OTOBO's
``queue`` and ``ticket`` tables, as OTOBO's TicketCreate would, only where missing. With the
demo groups (``app.demo_data``): ``Support`` belongs to ``support`` (ACME holds ro, Jane Doe
rw), ``Billing`` to ``billing`` (Richard Roe ro+rw), ``Misc`` to ``users`` (an always-group).
So Jane sees her own ticket and ACME's company ticket, and may write them; Richard sees the
company ticket in Support (read only) and his own in Billing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa

from datasources.db.tables import queue, ticket
from datasources.storage import Storage

logger = logging.getLogger("roster.demo")

QUEUES = [("Support", "support"), ("Billing", "billing"), ("Misc", "users")]

# (number, title, queue, state id (OTOBO's seed: 1 new, 2 closed successful, 4 open),
#  customer user, customer ID)
TICKETS = [
    ("2026120610000011", "VPN drops every hour", "Support", 4, "jdoe", "ACME"),
    ("2026120610000022", "New laptop for the intern", "Support", 1, "rroe", "ACME"),
    ("2026120610000033", "Invoice 4711 is twice", "Billing", 2, "rroe", "ACME"),
    ("2026120610000044", "Parking permit", "Misc", 4, "kmueller", "MUELLER"),
    ("2026120610000055", "Donut machine broken", "Misc", 1, "hsimpson", "GLOBEX"),
]


def _audit(now: datetime) -> dict[str, object]:
    return {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}


async def load_demo_tickets(storage: Storage) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    groups = {g.name: g.id for g in await storage.groups.all()}
    async with storage.engine.begin() as conn:
        rows = (await conn.execute(sa.select(queue.c.name, queue.c.id))).all()
        queue_ids = {str(name): int(queue_id) for name, queue_id in rows}
        for name, group in QUEUES:
            if name in queue_ids or group not in groups:
                continue
            values = {
                "name": name,
                "group_id": groups[group],
                "system_address_id": 1,
                "salutation_id": 1,
                "signature_id": 1,
                "follow_up_id": 1,
                "follow_up_lock": 0,
                "valid_id": 1,
                **_audit(now),
            }
            result = await conn.execute(sa.insert(queue).values(values))
            assert result.inserted_primary_key is not None
            queue_ids[name] = int(result.inserted_primary_key[0])
        numbers = set((await conn.execute(sa.select(ticket.c.tn))).scalars().all())
        for number, title, queue_name, state_id, login, customer_id in TICKETS:
            if number in numbers or queue_name not in queue_ids:
                continue
            values = {
                "tn": number,
                "title": title,
                "queue_id": queue_ids[queue_name],
                "ticket_lock_id": 1,
                "type_id": 1,
                "user_id": 1,
                "responsible_user_id": 1,
                "ticket_priority_id": 3,
                "ticket_state_id": state_id,
                "customer_id": customer_id,
                "customer_user_id": login,
                **dict.fromkeys(
                    (
                        "timeout",
                        "until_time",
                        "escalation_time",
                        "escalation_update_time",
                        "escalation_response_time",
                        "escalation_solution_time",
                        "archive_flag",
                    ),
                    0,
                ),
                **_audit(now),
            }
            await conn.execute(sa.insert(ticket).values(values))
    logger.info("demo data present: %d queues, %d tickets", len(QUEUES), len(TICKETS))
