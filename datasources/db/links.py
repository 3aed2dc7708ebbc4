"""OTOBO's relation tables as sets of :class:`~domain.assignments.Link` rows.

``customer_user_customer`` (user ↔ extra customer), ``group_customer_user`` (user ↔ group per
permission) and ``group_customer`` (customer ↔ group per permission and context) have no keys
or constraints in OTOBO; their writers keep them unique by delete-then-insert. So does
:meth:`LinkTable.replace`, for the whole set of one owner, inside the caller's transaction.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.customer_users import utcnow
from datasources.db.dialect import xact_lock
from datasources.db.engine import read_only_view
from datasources.db.prepared import KeyedRead, Row
from datasources.db.tables import customer_user_customer, group_customer, group_customer_user
from domain.assignments import Link


@dataclass(frozen=True)
class LinkTable:
    table: sa.Table
    columns: dict[str, str]
    """Link field → column."""
    granted: dict[str, Any] = field(default_factory=dict)
    """Column values that make a row count (``permission_value = 1``), written on insert."""

    def column(self, link_field: str) -> sa.Column[Any]:
        return self.table.c[self.columns[link_field]]

    def link_of(self, row: Row) -> Link:
        return Link(**{name: row[column] for name, column in self.columns.items()})

    def reader(self, engine: AsyncEngine, link_field: str) -> LinkReader:
        """A reader of the rows whose ``link_field`` is one of a list, built once per engine."""
        return LinkReader(self, engine, link_field)

    async def lock(self, conn: AsyncConnection) -> None:
        """Serialize replacements of this table across processes (PostgreSQL): a concurrent
        replacement would otherwise read the same old set and both insert."""
        await xact_lock(conn, zlib.crc32(self.table.name.encode()))  # MariaDB: a row lock

    async def replace(
        self,
        conn: AsyncConnection,
        link_field: str,
        value: Any,
        links: Sequence[Link],
        *,
        actor: int,
    ) -> None:
        """Make ``links`` the complete set of rows whose ``link_field`` is ``value``."""
        column = self.column(link_field)
        match = (
            sa.func.lower(column) == value.lower() if isinstance(value, str) else column == value
        )
        await conn.execute(sa.delete(self.table).where(match))
        if not links:
            return
        now = utcnow()
        audit = {"create_time": now, "create_by": actor, "change_time": now, "change_by": actor}
        rows = [
            {
                **{column: getattr(link, name) for name, column in self.columns.items()},
                **self.granted,
                **audit,
            }
            for link in links
        ]
        await conn.execute(sa.insert(self.table), rows)


class LinkReader:
    """Every counting row of ``table`` whose ``link_field`` is one of a list of values (text
    compared case-insensitively, as OTOBO's logins and customer IDs are): one prepared
    statement for any list."""

    def __init__(self, table: LinkTable, engine: AsyncEngine, link_field: str) -> None:
        column = table.column(link_field)
        self._table = table
        query = sa.select(*(table.table.c[c] for c in table.columns.values()))
        for column_name, value in table.granted.items():
            query = query.where(table.table.c[column_name] == value)
        integers = isinstance(column.type, sa.Integer)
        self._read = KeyedRead(read_only_view(engine), query, column, integers=integers)

    async def links(self, values: Sequence[Any], conn: AsyncConnection | None = None) -> list[Link]:
        """The rows; on ``conn`` when given, so a replacement reads and writes in one
        transaction."""
        if not values:
            return []
        rows = await self._read.fetch_all(values, conn)
        return [self._table.link_of(row) for row in rows]


USER_CUSTOMERS = LinkTable(
    customer_user_customer, {"login": "user_id", "customer_id": "customer_id"}
)
USER_GROUPS = LinkTable(
    group_customer_user,
    {"login": "user_id", "group_id": "group_id", "permission": "permission_key"},
    {"permission_value": 1},
)
CUSTOMER_GROUPS = LinkTable(
    group_customer,
    {
        "customer_id": "customer_id",
        "group_id": "group_id",
        "permission": "permission_key",
        "context": "permission_context",
    },
    {"permission_value": 1},
)
