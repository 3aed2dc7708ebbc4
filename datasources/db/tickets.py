"""OTOBO's ``ticket`` and ``queue`` tables, read only.

A ticket is read with its queue, state, state type, priority and type names in one joined
statement. A customer user's list is one statement whatever the page size: the access rule of
``domain.tickets`` as SQL (the user's groups, own/company/Other-context conditions), keyset
paged by ticket id, newest first (OTOBO's customer overview orders by age, newest first);
its pages are prepared statements (``datasources.db.ticket_pages``), its count is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.engine import read_only_view
from datasources.db.tables import queue as _Q
from datasources.db.tables import ticket as _T
from datasources.db.tables import ticket_priority as _P
from datasources.db.tables import ticket_state as _S
from datasources.db.tables import ticket_state_type as _ST
from datasources.db.tables import ticket_type as _TY
from datasources.paging import lower_in
from domain.tickets import QueueRecord, StateFilter, TicketRecord
from domain.validity import Validity

_COLUMNS = (
    _T.c.id,
    _T.c.tn,
    _T.c.title,
    _T.c.customer_id,
    _T.c.customer_user_id,
    _T.c.create_time,
    _T.c.change_time,
    _Q.c.id.label("queue_id"),
    _Q.c.name.label("queue_name"),
    _Q.c.group_id,
    _Q.c.valid_id.label("queue_valid_id"),
    _S.c.name.label("state"),
    _ST.c.name.label("state_type"),
    _P.c.name.label("priority"),
    _TY.c.name.label("type"),
)
_JOINED = (
    _T.join(_Q, _Q.c.id == _T.c.queue_id)
    .join(_S, _S.c.id == _T.c.ticket_state_id)
    .join(_ST, _ST.c.id == _S.c.type_id)
    .join(_P, _P.c.id == _T.c.ticket_priority_id)
    .outerjoin(_TY, _TY.c.id == _T.c.type_id)
)


def _queue(row: Any, prefix: str = "queue_") -> QueueRecord:
    return QueueRecord(
        id=int(row[f"{prefix}id"]),
        name=row[f"{prefix}name"],
        group_id=int(row["group_id"]),
        validity=Validity.from_id(row[f"{prefix}valid_id"]),
    )


def _record(row: Any) -> TicketRecord:
    return TicketRecord(
        id=int(row["id"]),
        number=row["tn"],
        title=row["title"],
        queue=_queue(row),
        state=row["state"],
        state_type=row["state_type"],
        priority=row["priority"],
        type=row["type"],
        customer_id=row["customer_id"],
        customer_user_id=row["customer_user_id"],
        created=row["create_time"],
        changed=row["change_time"],
    )


COLUMNS, JOINED, QUEUE, TICKET, ticket_record = _COLUMNS, _JOINED, _Q, _T, _record
"""A ticket's columns, its joins, the queue table and the row's record, for the reads that
select a ticket beside other facts (``datasources.db.ticket_access``)."""


@dataclass(frozen=True, slots=True)
class TicketScope:
    """Which tickets a customer user may see with one permission (``domain.tickets``' rule
    as data): tickets in ``group_ids`` whose customer user is ``login``, or whose customer ID
    is one of ``customer_ids`` (empty when company access is off), or, with a non-empty
    customer ID, in one of ``other_group_ids`` (the Other context)."""

    login: str
    group_ids: tuple[int, ...]
    customer_ids: tuple[str, ...]
    other_group_ids: tuple[int, ...]


class DbTicketStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.reader = read_only_view(engine)
        self._dialect = engine.dialect.name

    async def by_numbers(self, numbers: Sequence[str]) -> dict[str, TicketRecord]:
        """Tickets by number (exact, as OTOBO's TicketIDLookup)."""
        wanted = sorted({n for n in numbers if "\x00" not in n and len(n) <= 50})
        if not wanted:
            return {}
        query = sa.select(*_COLUMNS).select_from(_JOINED).where(_T.c.tn.in_(wanted))
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return {r["tn"]: _record(r) for r in rows}

    def _scope_condition(self, scope: TicketScope) -> sa.ColumnElement[bool]:
        granted: list[sa.ColumnElement[bool]] = []
        if scope.login:
            granted.append(lower_in(_T.c.customer_user_id, [scope.login], self._dialect))
        has_customer = sa.and_(_T.c.customer_id.is_not(None), _T.c.customer_id != "")
        if scope.customer_ids:
            company = lower_in(_T.c.customer_id, list(scope.customer_ids), self._dialect)
            granted.append(sa.and_(has_customer, company))
        if scope.other_group_ids:
            granted.append(sa.and_(has_customer, _Q.c.group_id.in_(scope.other_group_ids)))
        if not granted or not scope.group_ids:
            return sa.false()
        return sa.and_(_Q.c.group_id.in_(scope.group_ids), sa.or_(*granted))

    def _state_condition(self, state: StateFilter) -> sa.ColumnElement[bool]:
        types = state.state_types()
        return sa.true() if types is None else _ST.c.name.in_(types)

    async def count(self, scope: TicketScope, state: StateFilter) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(_JOINED)
            .where(self._scope_condition(scope), self._state_condition(state))
        )
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def queues(self) -> list[QueueRecord]:
        """Every queue by name (installs have tens to hundreds)."""
        query = sa.select(_Q.c.id, _Q.c.name, _Q.c.group_id, _Q.c.valid_id).order_by(_Q.c.name)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_queue(r, prefix="") for r in rows]
