"""Writes to OTOBO's ``ticket`` and ``ticket_history``, as OTOBO's ``Kernel::System::Ticket``
makes them, in the caller's transaction (``resolvers.use_cases.tickets``).

A history row copies the ticket's queue, type, owner, priority and state at the time of the
write, as ``HistoryAdd`` does; its type is found by name in ``ticket_history_type``
(``HistoryTypeLookup``), so an OTOBO database's own ids are used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.tables import dynamic_field_value as _V
from datasources.db.tables import ticket as _T
from datasources.db.tables import ticket_history as _H
from datasources.db.tables import ticket_history_type as _HT
from datasources.db.tables import ticket_state as _S
from datasources.db.tables import ticket_state_type as _ST
from datasources.paging import lower_in
from domain.dynamic_fields import ValueRow
from domain.ticket_history import customer_update_name

UNCLASSIFIED_TYPE_ID = 1
"""``ticket_history.type_id`` is NOT NULL while ``ticket.type_id`` may be NULL (ticket types
off): such a ticket's rows name OTOBO's seed type ``Unclassified``."""


@dataclass(frozen=True, slots=True)
class TicketRow:
    """What a ticket write needs of a ticket: its id, customer columns and the columns a
    history row copies."""

    id: int
    number: str
    customer_id: str | None
    customer_user_id: str | None
    queue_id: int
    type_id: int | None
    owner_id: int
    priority_id: int
    state_id: int


_ROW_COLUMNS = (
    _T.c.id,
    _T.c.tn,
    _T.c.customer_id,
    _T.c.customer_user_id,
    _T.c.queue_id,
    _T.c.type_id,
    _T.c.user_id,
    _T.c.ticket_priority_id,
    _T.c.ticket_state_id,
)


def _row(row: Any) -> TicketRow:
    return TicketRow(
        id=int(row.id),
        number=row.tn,
        customer_id=row.customer_id,
        customer_user_id=row.customer_user_id,
        queue_id=int(row.queue_id),
        type_id=None if row.type_id is None else int(row.type_id),
        owner_id=int(row.user_id),
        priority_id=int(row.ticket_priority_id),
        state_id=int(row.ticket_state_id),
    )


async def tickets_to_refresh(
    conn: AsyncConnection,
    *,
    login: str | None,
    numbers: Sequence[str] | None,
    state_types: Sequence[str] | None,
    limit: int,
) -> list[TicketRow]:
    """Up to ``limit`` tickets of customer user ``login`` (case-insensitively) or numbered
    ``numbers``, of ``state_types`` (``None``: any), by id."""
    logins = None if login is None else [login]
    where = _selection(conn, logins=logins, numbers=numbers, state_types=state_types)
    statement = sa.select(*_ROW_COLUMNS).where(*where).order_by(_T.c.id).limit(limit)
    return [_row(r) for r in (await conn.execute(statement)).all()]


async def count_of(
    conn: AsyncConnection, logins: Sequence[str], state_types: Sequence[str] | None, limit: int
) -> int:
    """How many tickets customer users ``logins`` (case-insensitively) have in
    ``state_types``, counted up to ``limit`` (a cap's check reads no more than it needs)."""
    where = _selection(conn, logins=logins, numbers=None, state_types=state_types)
    capped = sa.select(_T.c.id).where(*where).limit(limit).subquery()
    return int(await conn.scalar(sa.select(sa.func.count()).select_from(capped)) or 0)


def _selection(
    conn: AsyncConnection,
    *,
    logins: Sequence[str] | None,
    numbers: Sequence[str] | None,
    state_types: Sequence[str] | None,
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if logins is not None:
        where.append(lower_in(_T.c.customer_user_id, list(logins), conn.dialect.name))
    if numbers is not None:
        where.append(_T.c.tn.in_(list(numbers)))
    if state_types is not None:
        states = (
            sa.select(_S.c.id)
            .join(_ST, _ST.c.id == _S.c.type_id)
            .where(_ST.c.name.in_(list(state_types)))
        )
        where.append(_T.c.ticket_state_id.in_(states))
    return where


async def values_of(
    conn: AsyncConnection, ticket_ids: Sequence[int], field_ids: Sequence[int]
) -> dict[tuple[int, int], list[ValueRow]]:
    """The stored rows (ordered by id) by (ticket id, field id), for many tickets at once."""
    if not ticket_ids or not field_ids:
        return {}
    statement = (
        sa.select(_V.c.object_id, _V.c.field_id, _V.c.value_text, _V.c.value_date, _V.c.value_int)
        .where(_V.c.object_id.in_(list(ticket_ids)), _V.c.field_id.in_(list(field_ids)))
        .order_by(_V.c.id)
    )
    found: dict[tuple[int, int], list[ValueRow]] = {}
    for row in (await conn.execute(statement)).all():
        found.setdefault((int(row.object_id), int(row.field_id)), []).append(
            ValueRow(row.value_text, row.value_date, row.value_int)
        )
    return found


async def replace_values(
    conn: AsyncConnection, rows: Mapping[tuple[int, int], Sequence[ValueRow]]
) -> None:
    """``ValueSet`` for many (ticket id, field id) pairs: one delete per field, one insert."""
    by_field: dict[int, list[int]] = {}
    for ticket_id, field_id in rows:
        by_field.setdefault(field_id, []).append(ticket_id)
    for field_id, ticket_ids in by_field.items():
        await conn.execute(
            _V.delete().where(_V.c.field_id == field_id, _V.c.object_id.in_(ticket_ids))
        )
    inserts = [
        {
            "field_id": field_id,
            "object_id": ticket_id,
            "value_text": row.value_text,
            "value_date": row.value_date,
            "value_int": row.value_int,
        }
        for (ticket_id, field_id), value_rows in rows.items()
        for row in value_rows
    ]
    if inserts:
        await conn.execute(_V.insert(), inserts)


async def touch(
    conn: AsyncConnection, ticket_ids: Sequence[int], *, agent: int, now: datetime
) -> None:
    """``PostValueSet``'s ``change_time``/``change_by`` update of the tickets."""
    if ticket_ids:
        await conn.execute(
            _T.update()
            .where(_T.c.id.in_(list(ticket_ids)))
            .values(change_time=now, change_by=agent)
        )


async def locked_ticket(conn: AsyncConnection, number: str) -> TicketRow | None:
    """The ticket numbered ``number``, its row locked for the transaction (``FOR UPDATE``,
    a no-op on SQLite, whose writer holds the database)."""
    statement = sa.select(*_ROW_COLUMNS).where(_T.c.tn == number).with_for_update()
    row = (await conn.execute(statement)).first()
    return None if row is None else _row(row)


async def set_customer(
    conn: AsyncConnection,
    ticket_id: int,
    *,
    customer_id: str | None,
    customer_user: str | None,
    agent: int,
    now: datetime,
) -> None:
    """``TicketCustomerSet``'s update: the given columns (``None``: left alone), with
    ``change_time``/``change_by``."""
    values: dict[str, object] = {"change_time": now, "change_by": agent}
    if customer_id is not None:
        values["customer_id"] = customer_id
    if customer_user is not None:
        values["customer_user_id"] = customer_user
    await conn.execute(_T.update().where(_T.c.id == ticket_id).values(values))


async def add_history(
    conn: AsyncConnection,
    ticket: TicketRow,
    entries: Sequence[tuple[str, str]],
    *,
    agent: int,
    now: datetime,
) -> None:
    """``HistoryAdd`` for each (history type name, row name), in order."""
    await add_histories(conn, [(ticket, t, n) for t, n in entries], agent=agent, now=now)


async def add_histories(
    conn: AsyncConnection,
    entries: Sequence[tuple[TicketRow, str, str]],
    *,
    agent: int,
    now: datetime,
) -> None:
    """``HistoryAdd`` for each (ticket, history type name, row name), in order, one insert."""
    if not entries:
        return
    type_names = {t for _, t, _ in entries}
    found = await conn.execute(sa.select(_HT.c.name, _HT.c.id).where(_HT.c.name.in_(type_names)))
    type_ids = {name: int(type_id) for name, type_id in found.all()}
    missing = type_names - set(type_ids)
    if missing:
        raise LookupError(f"ticket_history_type has no {sorted(missing)}")
    await conn.execute(
        _H.insert(),
        [
            {
                "name": name,
                "history_type_id": type_ids[type_name],
                "ticket_id": ticket.id,
                "article_id": None,
                "type_id": ticket.type_id or UNCLASSIFIED_TYPE_ID,
                "queue_id": ticket.queue_id,
                "owner_id": ticket.owner_id,
                "priority_id": ticket.priority_id,
                "state_id": ticket.state_id,
                "create_time": now,
                "create_by": agent,
                "change_time": now,
                "change_by": agent,
            }
            for ticket, type_name, name in entries
        ],
    )


async def field_rows(
    conn: AsyncConnection, ticket_id: int, field_ids: Sequence[int]
) -> Mapping[int, list[ValueRow]]:
    """The stored rows of the ticket's fields ``field_ids`` (ordered by id), by field id."""
    if not field_ids:
        return {}
    statement = (
        sa.select(_V.c.field_id, _V.c.value_text, _V.c.value_date, _V.c.value_int)
        .where(_V.c.object_id == ticket_id, _V.c.field_id.in_(list(field_ids)))
        .order_by(_V.c.id)
    )
    found: dict[int, list[ValueRow]] = {}
    for row in (await conn.execute(statement)).all():
        found.setdefault(int(row.field_id), []).append(
            ValueRow(row.value_text, row.value_date, row.value_int)
        )
    return found


async def carry_customer_user(
    conn: AsyncConnection,
    *,
    old_login: str,
    new_login: str,
    old_customer_id: str | None,
    new_customer_id: str | None,
    agent: int,
    now: datetime,
) -> None:
    """OTOBO's ``CustomerUser::Event::TicketUpdate`` (``###2300-UpdateTickets``) after a
    customer user's login or primary CustomerID changed, as set-based statements (their
    number does not grow with the tickets).

    As OTOBO: the tickets of the old login *and* the old CustomerID get both new values
    (``TicketCustomerSet`` with ``No`` and ``User``), each with its ``CustomerUpdate`` history
    row and ``change_time``/``change_by``. Beyond OTOBO (whose search needs both to match): on
    a rename, the old login's tickets under another CustomerID (an assigned customer's) get
    the new login too, keeping their CustomerID, so no ticket points at a login that no longer
    exists. Logins and CustomerIDs compare case-insensitively, as Roster looks them up."""
    if old_login == new_login and (old_customer_id or "") == (new_customer_id or ""):
        return
    of_user = lower_in(_T.c.customer_user_id, [old_login], conn.dialect.name)
    stored_id = sa.func.lower(sa.func.coalesce(_T.c.customer_id, ""))
    same_id = stored_id == sa.func.lower(sa.literal(old_customer_id or ""))
    groups: list[tuple[sa.ColumnElement[bool], dict[str, object], str]] = [
        (
            same_id,
            {"customer_id": new_customer_id or "", "customer_user_id": new_login},
            customer_update_name(new_customer_id or "", new_login),
        )
    ]
    if old_login != new_login:
        groups.append(
            (
                stored_id != sa.func.lower(sa.literal(old_customer_id or "")),
                {"customer_user_id": new_login},
                customer_update_name(None, new_login),
            )
        )
    type_id = await _history_type_id(conn, "CustomerUpdate")
    # The history rows first: they find the tickets by the values the updates replace.
    for condition, _, name in groups:
        where = sa.and_(of_user, condition)
        await conn.execute(_history_from_tickets(where, type_id, name, agent, now))
    for condition, values, _ in groups:
        await conn.execute(
            _T.update()
            .where(of_user, condition)
            .values({**values, "change_time": now, "change_by": agent})
        )


async def carry_customer_id(
    conn: AsyncConnection, old: str, new: str, *, agent: int, now: datetime
) -> None:
    """OTOBO's ``CustomerCompany::Event::TicketUpdate`` after a customer-ID rename: the
    tickets of the old ID (case-insensitively, as Roster compares IDs) get the new one, as
    ``TicketCustomerSet(No => new)`` writes it, with its ``CustomerUpdate`` history row and
    ``change_time``/``change_by``; set-based, with no 100,000-ticket cap."""
    if old == new:
        return
    of_customer = lower_in(_T.c.customer_id, [old], conn.dialect.name)
    type_id = await _history_type_id(conn, "CustomerUpdate")
    name = customer_update_name(new, None)
    await conn.execute(_history_from_tickets(of_customer, type_id, name, agent, now))
    await conn.execute(
        _T.update().where(of_customer).values(customer_id=new, change_time=now, change_by=agent)
    )


async def _history_type_id(conn: AsyncConnection, name: str) -> int:
    found = await conn.scalar(sa.select(_HT.c.id).where(_HT.c.name == name))
    if found is None:
        raise LookupError(f"ticket_history_type has no {name!r}")
    return int(found)


def _history_from_tickets(
    where: sa.ColumnElement[bool], type_id: int, name: str, agent: int, now: datetime
) -> sa.Insert:
    """``HistoryAdd`` of one row named ``name`` for every ticket ``where`` selects, copying
    the ticket's columns as :func:`add_histories` does, in one ``INSERT … SELECT``."""
    columns: dict[str, sa.ColumnElement[Any]] = {
        "name": sa.literal(name, sa.String()),
        "history_type_id": sa.literal(type_id, sa.Integer()),
        "ticket_id": _T.c.id,
        "type_id": sa.func.coalesce(_T.c.type_id, UNCLASSIFIED_TYPE_ID),
        "queue_id": _T.c.queue_id,
        "owner_id": _T.c.user_id,
        "priority_id": _T.c.ticket_priority_id,
        "state_id": _T.c.ticket_state_id,
        "create_time": sa.literal(now, sa.DateTime()),
        "create_by": sa.literal(agent, sa.Integer()),
        "change_time": sa.literal(now, sa.DateTime()),
        "change_by": sa.literal(agent, sa.Integer()),
    }
    select = sa.select(*(value.label(key) for key, value in columns.items())).where(where)
    return _H.insert().from_select(list(columns), select)
