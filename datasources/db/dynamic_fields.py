"""OTOBO's dynamic-field tables: definitions (``dynamic_field``) and the values of
customer users' fields (``dynamic_field_value`` through ``dynamic_field_obj_id_name``).

As OTOBO stores them (reference ``otobo-dynamic-fields-tickets.md`` §2): a customer user's
values are keyed by an object id that ``dynamic_field_obj_id_name`` gives to the pair (login,
``'CustomerUser'``), made on the first write (``Backend::ValueSet(ObjectName => …)``); a write
deletes the field's rows for the object and inserts the new ones (``DynamicFieldValue::
ValueSet``), so an empty value leaves no row. A login's rename renames the object name, as
OTOBO's ``DynamicFieldObjectNameUpdate`` event does, so the values follow the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.tables import dynamic_field as df
from datasources.db.tables import dynamic_field_obj_id_name as names
from datasources.db.tables import dynamic_field_value as values
from domain.dynamic_fields import (
    CUSTOMER_USER,
    TICKET,
    DynamicFieldDefinition,
    ValueRow,
    parse_config,
)
from domain.validity import Validity


def _definition(row: Any) -> DynamicFieldDefinition:
    return DynamicFieldDefinition(
        id=int(row.id),
        name=str(row.name),
        label=str(row.label),
        field_order=int(row.field_order),
        field_type=str(row.field_type),
        object_type=str(row.object_type),
        validity=Validity.from_id(int(row.valid_id)),
        internal=bool(row.internal_field),
        config=parse_config(row.config),
    )


def _timestamp(value: Any) -> datetime | None:
    """``value_date`` as read: a datetime (SQLite's driver may hand back text)."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))


class DbDynamicFieldStore:
    def __init__(self, engine: AsyncEngine, value_text_fix: str | None = None) -> None:
        self.engine = engine
        self.value_text_fix = value_text_fix
        """The ``ALTER TABLE`` that fixes ``dynamic_field_value.value_text`` when it stores
        only 3-byte UTF-8 (``collation_check.three_byte_columns``), else None."""

    async def definitions(
        self, *, object_type: str | None = None, names_: Iterable[str] | None = None
    ) -> list[DynamicFieldDefinition]:
        """The definitions, in OTOBO's order (``field_order``, then name); only those of
        ``object_type`` and/or those named ``names_`` when given. A type or name with a NUL
        cannot be stored (PostgreSQL refuses it even as a parameter): nothing matches it."""
        wanted = None if names_ is None else [n for n in names_ if "\x00" not in n]
        if object_type is not None and "\x00" in object_type:
            return []
        statement = sa.select(df).order_by(df.c.field_order, df.c.name)
        if object_type is not None:
            statement = statement.where(df.c.object_type == object_type)
        if wanted is not None:
            statement = statement.where(df.c.name.in_(wanted))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [_definition(row) for row in rows]

    async def customer_user_values(
        self, logins: Sequence[str], field_names: Sequence[str]
    ) -> dict[str, dict[str, tuple[DynamicFieldDefinition, list[ValueRow]]]]:
        """login → field name → (definition, rows ordered by id), for the fields named, in
        one statement for any number of users. A login matches its object name exactly (as
        OTOBO's ``ObjectMappingGet``)."""
        return await self.object_values(CUSTOMER_USER, logins, field_names)

    async def object_values(
        self, object_type: str, object_names: Sequence[str], field_names: Sequence[str]
    ) -> dict[str, dict[str, tuple[DynamicFieldDefinition, list[ValueRow]]]]:
        """:meth:`customer_user_values` for any named object type: a customer's values are
        keyed by its CustomerID (``CustomerCompany``)."""
        if not object_names or not field_names:
            return {}
        statement = (
            sa.select(
                names.c.object_name,
                df,
                values.c.value_text,
                values.c.value_date,
                values.c.value_int,
            )
            .select_from(
                values.join(names, names.c.object_id == values.c.object_id).join(
                    df, df.c.id == values.c.field_id
                )
            )
            .where(
                names.c.object_type == object_type,
                names.c.object_name.in_(list(dict.fromkeys(object_names))),
                df.c.name.in_(list(field_names)),
            )
            .order_by(values.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        found: dict[str, dict[str, tuple[DynamicFieldDefinition, list[ValueRow]]]] = {}
        for row in rows:
            per_object = found.setdefault(str(row.object_name), {})
            name = str(row.name)
            if name not in per_object:
                per_object[name] = (_definition(row), [])
            per_object[name][1].append(
                ValueRow(
                    value_text=row.value_text,
                    value_date=_timestamp(row.value_date),
                    value_int=None if row.value_int is None else int(row.value_int),
                )
            )
        return found

    @staticmethod
    async def set_customer_user_values(
        conn: AsyncConnection, login: str, rows_by_field: Mapping[int, Sequence[ValueRow]]
    ) -> None:
        """OTOBO's ``ValueSet`` for each field of user ``login``: its rows replaced by
        ``rows_by_field[field id]`` (none: the value is erased), in ``conn``'s transaction."""
        await DbDynamicFieldStore.set_named_values(conn, CUSTOMER_USER, login, rows_by_field)

    @staticmethod
    async def set_named_values(
        conn: AsyncConnection,
        object_type: str,
        object_name: str,
        rows_by_field: Mapping[int, Sequence[ValueRow]],
    ) -> None:
        """``ValueSet(ObjectName => …)`` for a named object: a customer user by login, a
        customer (``CustomerCompany``) by CustomerID."""
        if not rows_by_field:
            return
        object_id = await _object_id(conn, object_name, object_type)
        await DbDynamicFieldStore.set_object_values(conn, object_id, rows_by_field)

    @staticmethod
    async def replace_named_values(
        conn: AsyncConnection,
        object_type: str,
        object_name: str,
        rows_by_field: Mapping[int, Sequence[ValueRow]],
    ) -> dict[int, list[ValueRow]]:
        """:meth:`set_named_values`, returning the rows it replaced per field id in id order
        (what an update's audit event compares): read by the ``DELETE`` itself (``RETURNING``:
        PostgreSQL, SQLite, MariaDB; no statement added to the write), on MySQL by a ``SELECT``
        before it, in the same transaction."""
        if not rows_by_field:
            return {}
        object_id = await _object_id(conn, object_name, object_type)
        return await _replace(conn, object_id, rows_by_field, returning=True)

    async def ticket_values(
        self, ticket_ids: Sequence[int]
    ) -> dict[int, list[tuple[DynamicFieldDefinition, list[ValueRow]]]]:
        """ticket id → (definition, rows ordered by id) of each valid Ticket field the ticket
        has a value of, in OTOBO's field order; one statement for any number of tickets
        (``TicketGet(DynamicFields => 1)`` reads the valid Ticket fields)."""
        if not ticket_ids:
            return {}
        statement = (
            sa.select(
                values.c.object_id,
                df,
                values.c.value_text,
                values.c.value_date,
                values.c.value_int,
            )
            .select_from(values.join(df, df.c.id == values.c.field_id))
            .where(
                df.c.object_type == TICKET,
                df.c.valid_id == Validity.VALID.value,
                values.c.object_id.in_(list(dict.fromkeys(ticket_ids))),
            )
            .order_by(df.c.field_order, df.c.name, values.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        found: dict[int, dict[str, tuple[DynamicFieldDefinition, list[ValueRow]]]] = {}
        for row in rows:
            per_ticket = found.setdefault(int(row.object_id), {})
            name = str(row.name)
            if name not in per_ticket:
                per_ticket[name] = (_definition(row), [])
            per_ticket[name][1].append(
                ValueRow(
                    value_text=row.value_text,
                    value_date=_timestamp(row.value_date),
                    value_int=None if row.value_int is None else int(row.value_int),
                )
            )
        return {ticket_id: list(fields.values()) for ticket_id, fields in found.items()}

    @staticmethod
    async def set_object_values(
        conn: AsyncConnection, object_id: int, rows_by_field: Mapping[int, Sequence[ValueRow]]
    ) -> None:
        """``ValueSet`` for object ``object_id`` (a ticket's or article's id, or a mapped
        object name's id): each field's rows replaced, in ``conn``'s transaction."""
        if rows_by_field:
            await _replace(conn, object_id, rows_by_field, returning=False)

    @staticmethod
    async def rename_customer_user(conn: AsyncConnection, old: str, new: str) -> None:
        """OTOBO's ``ObjectMappingNameChange`` on a login's rename: the values follow."""
        await DbDynamicFieldStore.rename_object(conn, CUSTOMER_USER, old, new)

    @staticmethod
    async def rename_object(conn: AsyncConnection, object_type: str, old: str, new: str) -> None:
        """``ObjectMappingNameChange``: the values of object ``old`` become ``new``'s (a
        customer's on a CustomerID rename, as OTOBO's CustomerCompany event does)."""
        await conn.execute(
            names.update()
            .where(names.c.object_type == object_type, names.c.object_name == old)
            .values(object_name=new)
        )


_REPLACED = (
    values.c.id,
    values.c.field_id,
    values.c.value_text,
    values.c.value_date,
    values.c.value_int,
)
"""The columns of a replaced row: its id orders a multiselect's keys."""


async def _replace(
    conn: AsyncConnection,
    object_id: int,
    rows_by_field: Mapping[int, Sequence[ValueRow]],
    *,
    returning: bool,
) -> dict[int, list[ValueRow]]:
    """OTOBO's ``ValueSet``: each field's rows of ``object_id`` deleted and the new ones
    inserted; with ``returning``, the deleted rows per field id in id order (else none)."""
    where = (values.c.object_id == object_id, values.c.field_id.in_(list(rows_by_field)))
    delete = values.delete().where(*where)
    deleted: Sequence[Any] = ()
    if returning and conn.dialect.delete_returning:
        deleted = (await conn.execute(delete.returning(*_REPLACED))).all()
    else:
        if returning:  # MySQL has no DELETE … RETURNING: the rows locked and read first
            read = sa.select(*_REPLACED).where(*where).with_for_update()
            deleted = (await conn.execute(read)).all()
        await conn.execute(delete)
    replaced: dict[int, list[ValueRow]] = {}
    for row in sorted(deleted, key=lambda r: int(r.id)):
        replaced.setdefault(int(row.field_id), []).append(
            ValueRow(
                value_text=row.value_text,
                value_date=_timestamp(row.value_date),
                value_int=None if row.value_int is None else int(row.value_int),
            )
        )
    inserts = [
        {
            "field_id": field_id,
            "object_id": object_id,
            "value_text": row.value_text,
            "value_date": row.value_date,
            "value_int": row.value_int,
        }
        for field_id, rows in rows_by_field.items()
        for row in rows
    ]
    if inserts:
        await conn.execute(values.insert(), inserts)
    return replaced


async def _object_id(conn: AsyncConnection, name: str, object_type: str) -> int:
    """The object id of ``name`` in ``dynamic_field_obj_id_name``, made when missing."""
    where = (names.c.object_type == object_type, names.c.object_name == name)
    found = (await conn.execute(sa.select(names.c.object_id).where(*where))).scalar()
    if found is not None:
        return int(found)
    await conn.execute(names.insert().values(object_name=name, object_type=object_type))
    return int((await conn.execute(sa.select(names.c.object_id).where(*where))).scalar_one())
