"""The groups area's tables: OTOBO's ``groups_table`` and the three relation tables of
customer users, customers and groups (``datasources.db.links``).

Storage only: reads, and the primitives a use case (``resolvers.use_cases``) writes with
inside its transaction (insert, update, name lookups, and replacing one owner's relation
rows under a lock). What may be written is decided there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Generic

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.collation_check import (
    NAME_AND_COMMENT,
    ColumnFields,
    input_fields_of,
    three_byte_fields,
)
from datasources.db.customer_users import utcnow
from datasources.db.dialect import exactly, inserted_id
from datasources.db.engine import read_only_view
from datasources.db.links import (
    CUSTOMER_GROUPS,
    USER_CUSTOMERS,
    USER_GROUPS,
    OwnedRows,
    RelationTable,
    RowReader,
)
from datasources.db.prepared import KeyedRead, PreparedRead, Row
from datasources.db.tables import groups_table as _T
from datasources.paging import SortKey, binary_key, existing_ids
from domain.assignments import CustomerGroupRow, RowT, UserCustomerRow, UserGroupRow
from domain.changes import is_given
from domain.group_rules import GroupChanges
from domain.records import Audit, GroupRecord
from domain.validity import Validity

_GROUP_COLUMNS = (
    "id",
    "name",
    "comments",
    "valid_id",
    "create_time",
    "create_by",
    "change_time",
    "change_by",
)


def _record(row: Row) -> GroupRecord:
    return GroupRecord(
        id=int(row["id"]),
        name=row["name"],
        comment=row["comments"] or None,
        validity=Validity.from_id(row["valid_id"]),
        audit=Audit(row["create_time"], row["create_by"], row["change_time"], row["change_by"]),
    )


class DbGroupStore:
    def __init__(
        self, engine: AsyncEngine, three_byte_columns: Mapping[str, str] | None = None
    ) -> None:
        self.engine = engine
        self.three_byte: Mapping[str, str] = three_byte_fields(three_byte_columns, NAME_AND_COMMENT)
        """The fields (``name``, ``comment``) whose column stores only 3-byte UTF-8, with the
        ``ALTER TABLE`` that fixes it (``collation_check.three_byte_columns``)."""
        self.input_fields: ColumnFields = input_fields_of(
            _T.name, {column: (field,) for column, field in NAME_AND_COMMENT.items()}
        )
        """Which input field a create or update writes to each text column."""
        self.reader = read_only_view(engine)
        self._key = binary_key(_T.c.name, engine.dialect.name)
        self._locks: dict[str, asyncio.Lock] = {}
        """One replacement per relation table at a time in this process (SQLite has no row
        locks; PostgreSQL's advisory lock covers the other processes)."""
        self._readers: dict[tuple[str, str], RowReader[Any]] = {}
        self._joined: dict[tuple[str, str], _RowsWithGroups[Any]] = {}
        self._by_ids = KeyedRead(self.reader, sa.select(_T), _T.c.id, integers=True)
        self._all = PreparedRead(self.reader, sa.select(_T).order_by(self._key))
        """Groups by id as one prepared statement: a fresh ``IN`` list through SQLAlchemy
        cost about 1 ms of CPU per batch (bench Q3 reads two batches)."""

    async def all(self) -> list[GroupRecord]:
        """Every group: the table is small (OTOBO installs have tens to hundreds)."""
        return [_record(row) for row in await self._all.fetch_all({})]

    async def get_many(self, ids: Sequence[int]) -> dict[int, GroupRecord]:
        wanted = existing_ids(ids)
        if not wanted:
            return {}
        rows = await self._by_ids.fetch_all(wanted)
        return {int(r["id"]): _record(r) for r in rows}

    async def get_by_name(self, name: str) -> GroupRecord | None:
        """Exact name, as OTOBO's GroupLookup (a name with NUL cannot exist: None)."""
        if "\x00" in name:
            return None
        async with self.reader.connect() as conn:
            query = sa.select(_T).where(exactly(_T.c.name) == name)
            row = (await conn.execute(query)).mappings().first()
        return _record(row) if row else None

    async def page(
        self, *, valid_only: bool, after: SortKey | None, limit: int
    ) -> list[GroupRecord]:
        query = sa.select(_T)
        if valid_only:
            query = query.where(_T.c.valid_id == Validity.VALID.value)
        if after is not None:
            query = query.where(self._key > after[0])
        query = query.order_by(self._key).limit(limit)
        async with self.reader.connect() as conn:
            return [_record(row) for row in (await conn.execute(query)).mappings()]

    async def count(self, *, valid_only: bool) -> int:
        query = sa.select(sa.func.count()).select_from(_T)
        if valid_only:
            query = query.where(_T.c.valid_id == Validity.VALID.value)
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    @staticmethod
    async def name_holder(conn: AsyncConnection, name: str, *, except_id: int | None) -> str | None:
        """The stored name of another group whose name equals ``name`` but for case, or None."""
        query = sa.select(_T.c.name).where(sa.func.lower(_T.c.name) == name.lower())
        if except_id is not None:
            query = query.where(_T.c.id != except_id)
        return (await conn.execute(query.limit(1))).scalar()

    @staticmethod
    async def insert(conn: AsyncConnection, change: GroupChanges, *, agent: int) -> int:
        """A new group from a validated ``change`` (a validity not given is VALID)."""
        now = utcnow()
        validity = change.validity if isinstance(change.validity, Validity) else Validity.VALID
        result = await conn.execute(
            sa.insert(_T).values(
                name=str(change.name),
                comments=change.comment or "",
                valid_id=validity.value,
                create_time=now,
                create_by=agent,
                change_time=now,
                change_by=agent,
            )
        )
        return inserted_id(result)

    @staticmethod
    async def update(
        conn: AsyncConnection, group_id: int, change: GroupChanges, *, agent: int
    ) -> None:
        """Write the given fields of a validated ``change``."""
        row: dict[str, Any] = {"change_time": utcnow(), "change_by": agent}
        if is_given(change.name):
            row["name"] = change.name
        if is_given(change.comment):
            row["comments"] = change.comment or ""
        if isinstance(change.validity, Validity):
            row["valid_id"] = change.validity.value
        await conn.execute(sa.update(_T).where(_T.c.id == group_id).values(**row))

    # ---- relation rows ------------------------------------------------------------------------

    async def assigned_customers(self, logins: Sequence[str]) -> list[UserCustomerRow]:
        return await self._reader(USER_CUSTOMERS, "login").rows(logins)

    async def assigned_users(self, customer_ids: Sequence[str]) -> list[UserCustomerRow]:
        return await self._reader(USER_CUSTOMERS, "customer_id").rows(customer_ids)

    async def user_grants(self, logins: Sequence[str]) -> list[UserGroupRow]:
        return await self._reader(USER_GROUPS, "login").rows(logins)

    async def customer_grants(self, customer_ids: Sequence[str]) -> list[CustomerGroupRow]:
        return await self._reader(CUSTOMER_GROUPS, "customer_id").rows(customer_ids)

    async def user_grants_and_groups(
        self, logins: Sequence[str]
    ) -> tuple[list[UserGroupRow], dict[int, GroupRecord | None]]:
        """``user_grants`` and, in the same statement, the groups they name (None for a
        group that does not exist): one round trip instead of two, whatever else the
        request reads at the same time (bench Q3: a deterministic statement count)."""
        return await self._with_groups(USER_GROUPS, "login").rows(logins)

    async def customer_grants_and_groups(
        self, customer_ids: Sequence[str]
    ) -> tuple[list[CustomerGroupRow], dict[int, GroupRecord | None]]:
        """``customer_grants`` with the groups they name, in one statement."""
        return await self._with_groups(CUSTOMER_GROUPS, "customer_id").rows(customer_ids)

    async def group_user_grants(self, group_ids: Sequence[int]) -> list[UserGroupRow]:
        return await self._reader(USER_GROUPS, "group_id").rows(group_ids)

    async def group_customer_grants(self, group_ids: Sequence[int]) -> list[CustomerGroupRow]:
        return await self._reader(CUSTOMER_GROUPS, "group_id").rows(group_ids)

    async def rows_of(
        self,
        table: RelationTable[RowT],
        owners: Sequence[str],
        conn: AsyncConnection,
        *,
        field: str = "login",
    ) -> list[RowT]:
        """The rows of ``table`` of many owners (logins, or what ``field`` names), on ``conn``
        (a bulk import's batch)."""
        return await self._reader(table, field).rows(owners, conn)

    def serialized(self, table: RelationTable[Any]) -> asyncio.Lock:
        """Hold this (before the transaction) while replacing rows of ``table``."""
        return self._locks.setdefault(table.table.name, asyncio.Lock())

    async def locked_rows(self, conn: AsyncConnection, owned: OwnedRows[RowT]) -> list[RowT]:
        """The stored rows of ``owned``, read on ``conn`` after taking the table's lock for
        the rest of the transaction, so no other replacement reads them until it ends."""
        await owned.table.lock(conn)
        return await self._reader(owned.table, owned.field).rows([owned.value], conn)

    @staticmethod
    async def replace(
        conn: AsyncConnection, owned: OwnedRows[RowT], rows: Sequence[RowT], *, agent: int
    ) -> None:
        """Make ``rows`` the complete set of ``owned``, on ``conn``."""
        await owned.table.replace(conn, owned.field, owned.value, rows, agent=agent)

    def _with_groups(self, table: RelationTable[RowT], field: str) -> _RowsWithGroups[RowT]:
        key = (table.table.name, field)
        if key not in self._joined:
            self._joined[key] = _RowsWithGroups(table, self.reader, field)
        reader: _RowsWithGroups[RowT] = self._joined[key]
        return reader

    def _reader(self, table: RelationTable[RowT], field: str) -> RowReader[RowT]:
        """The prepared reader of ``table`` by ``field``, built on first use."""
        key = (table.table.name, field)
        if key not in self._readers:
            self._readers[key] = table.reader(self.engine, field)
        reader: RowReader[RowT] = self._readers[key]
        return reader


class _RowsWithGroups(Generic[RowT]):
    """A relation table's counting rows by ``field`` (as ``RowReader`` reads them), each
    with the columns of its group (an outer join: a row whose group is gone stays)."""

    def __init__(self, table: RelationTable[RowT], reader: AsyncEngine, field: str) -> None:
        own = table.table
        self._row_type = table.row_type
        self._width = len(table.columns)
        query = sa.select(
            *(own.c[name] for name in table.columns), *(_T.c[name] for name in _GROUP_COLUMNS)
        ).select_from(own.outerjoin(_T, _T.c.id == own.c.group_id))
        for name, value in table.granted.items():
            query = query.where(own.c[name] == value)
        self._read = KeyedRead(reader, query, table.column(field))

    async def rows(self, values: Sequence[Any]) -> tuple[list[RowT], dict[int, GroupRecord | None]]:
        if not values:
            return [], {}
        width = self._width
        rows: list[RowT] = []
        groups: dict[int, GroupRecord | None] = {}
        for found in await self._read.fetch_positional(values):
            row = self._row_type(*(found[i] for i in range(width)))
            rows.append(row)
            group_id = getattr(row, "group_id", None)
            if group_id is None or group_id in groups:
                continue
            if found[width] is None:
                groups[int(group_id)] = None
                continue
            groups[int(group_id)] = _record(
                {name: found[width + i] for i, name in enumerate(_GROUP_COLUMNS)}
            )
        return rows, groups
