"""A customer user's page of tickets as one prepared statement per state filter (bench
scenario (8)).

``DbTicketStore.page`` built the statement per request from the scope, through SQLAlchemy's
compiler and result layer: about 3 ms of CPU for a page of 100 here, and PostgreSQL planned
it anew each time (5-6 ms of planning for 0.6 ms of execution). Here the scope is bound, not
built in: the groups, the customer IDs and the Other-context groups are arrays
(``datasources.paging.KeyList``), the login a value that may be empty (then it grants
nothing), the cursor an id bound (``MAX_ID`` for the first page). One statement text per
state filter is prepared once per connection (``datasources.db.prepared``), and its rows are
read by position.

The condition is ``domain.tickets``' rule as the store's own builder states it: the queue's
group among the user's groups with the permission, and the user's own ticket, or a company
ticket (non-empty customer ID among the user's customer IDs), or one of an Other-context group.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.engine import read_only_view
from datasources.db.prepared import PositionalRow, PreparedRead
from datasources.db.tables import ticket_state_type as _ST
from datasources.db.tickets import COLUMNS, JOINED, QUEUE, TICKET, TicketScope
from datasources.paging import KeyList
from domain.tickets import QueueRecord, StateFilter, TicketRecord
from domain.validity import Validity

MAX_ID = 2**62
"""The first page's cursor: beyond every ticket id (``ticket.id`` is a BIGINT)."""


def _record(row: PositionalRow) -> TicketRecord:
    """``COLUMNS``' order: id, tn, title, customer_id, customer_user_id, create_time,
    change_time, queue id, queue name, group id, queue valid id, state, state type,
    priority, type."""
    return TicketRecord(
        id=int(row[0]),
        number=row[1],
        title=row[2],
        queue=QueueRecord(
            id=int(row[7]),
            name=row[8],
            group_id=int(row[9]),
            validity=Validity.from_id(row[10]),
        ),
        state=row[11],
        state_type=row[12],
        priority=row[13],
        type=row[14],
        customer_id=row[3],
        customer_user_id=row[4],
        created=row[5],
        changed=row[6],
    )


class TicketPageRead:
    """The page statements of one engine (``Storage.ticket_pages``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        dialect = engine.dialect.name
        self._groups = KeyList(QUEUE.c.group_id, dialect, integers=True, name="groups")
        self._customers = KeyList(TICKET.c.customer_id, dialect, name="customers")
        self._other = KeyList(QUEUE.c.group_id, dialect, integers=True, name="other")
        login = sa.bindparam("login", type_=sa.String())
        has_customer = sa.and_(TICKET.c.customer_id.is_not(None), TICKET.c.customer_id != "")
        granted = sa.or_(
            sa.and_(login != "", sa.func.lower(TICKET.c.customer_user_id) == sa.func.lower(login)),
            sa.and_(has_customer, self._customers.condition),
            sa.and_(has_customer, self._other.condition),
        )
        base = (
            sa.select(*COLUMNS)
            .select_from(JOINED)
            .where(
                self._groups.condition,
                granted,
                TICKET.c.id < sa.bindparam("after", type_=sa.BigInteger()),
            )
            .order_by(TICKET.c.id.desc())
            .limit(sa.bindparam("limit", type_=sa.Integer()))
        )
        reader = read_only_view(engine)
        self._reads: dict[StateFilter, PreparedRead] = {}
        for state in StateFilter:
            types = state.state_types()
            statement = base if types is None else base.where(_ST.c.name.in_(types))
            self._reads[state] = PreparedRead(reader, statement)

    async def page(
        self, scope: TicketScope, state: StateFilter, *, after: int | None, limit: int
    ) -> list[TicketRecord]:
        """Up to ``limit`` tickets in ``scope`` with an id below ``after``, newest first."""
        if not scope.group_ids or not (scope.login or scope.customer_ids or scope.other_group_ids):
            return []
        parameters: dict[str, Any] = {
            "login": scope.login,
            "after": MAX_ID if after is None else after,
            "limit": limit,
            **self._groups.bind(scope.group_ids),
            **self._customers.bind(scope.customer_ids),
            **self._other.bind(scope.other_group_ids),
        }
        rows = await self._reads[state].fetch_positional(parameters)
        return [_record(row) for row in rows]
