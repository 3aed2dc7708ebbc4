"""OTOBO's relation tables, each read and written as its own typed row
(:mod:`domain.assignments`).

``customer_user_customer`` (user ↔ extra customer), ``group_customer_user`` (user ↔ group per
permission) and ``group_customer`` (customer ↔ group per permission and context) have no keys
or constraints in OTOBO; their writers keep them unique by delete-then-insert. So does
:meth:`RelationTable.replace`, for the whole set of one owner, inside the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.bulk_insert import insert_rows
from datasources.db.customer_users import utcnow
from datasources.db.dialect import xact_lock
from datasources.db.engine import read_only_view
from datasources.db.prepared import KeyedRead
from datasources.db.tables import customer_user_customer, group_customer, group_customer_user
from datasources.paging import lower_in
from domain.assignment_rules import login_too_long
from domain.assignments import CustomerGroupRow, RowT, UserCustomerRow, UserGroupRow
from domain.errors import Problem


def unfit_login(
    column: sa.Column[Any],
    field: tuple[str, ...],
    login: str,
    *,
    cannot: str = "be assigned there",
) -> Problem | None:
    """``TOO_LONG`` at ``field`` when ``login`` is longer than ``column`` (a column the write
    stores the login in, as OTOBO or Roster's migrations declare it) holds; None when it fits.
    Checked before a write: the databases differ on a value that does not fit (PostgreSQL and
    MariaDB refuse the statement, SQLite stores it whole). ``cannot``: what the user cannot
    be or have then (``domain.assignment_rules.login_too_long``)."""
    limit = getattr(column.type, "length", None)
    if limit is None or len(login) <= limit:
        return None
    name = f"{column.table.name}.{column.name}"
    return login_too_long(field, login, name, limit, cannot=cannot)


class RelationTable(Generic[RowT]):
    """One relation table whose rows are ``row_type``: ``columns`` are the table's columns in
    the order of the row's fields (one declaration maps both ways); ``granted`` are column
    values that make a row count (``permission_value = 1``), written on insert."""

    def __init__(
        self,
        table: sa.Table,
        row_type: type[RowT],
        columns: tuple[str, ...],
        granted: Mapping[str, Any] | None = None,
    ) -> None:
        fields = tuple(f.name for f in dataclasses.fields(row_type))
        if len(fields) != len(columns):
            raise TypeError(f"{row_type.__name__} has {fields}, {table.name} maps {columns}")
        self.table = table
        self.row_type = row_type
        self.columns = columns
        self.granted = dict(granted or {})
        self._column_of = dict(zip(fields, columns, strict=True))

    def column(self, field: str) -> sa.Column[Any]:
        """The column of the row field ``field`` (``login`` → ``user_id``)."""
        return self.table.c[self._column_of[field]]

    def unfit_login(self, field: tuple[str, ...], login: str) -> Problem | None:
        """``TOO_LONG`` at ``field`` when ``login`` does not fit this table's login column
        (:func:`unfit_login`); None when it fits or the table stores no login."""
        if "login" not in self._column_of:
            return None
        return unfit_login(self.column("login"), field, login)

    def reader(self, engine: AsyncEngine, field: str) -> RowReader[RowT]:
        """A reader of the rows whose ``field`` is one of a list (built once per engine)."""
        return RowReader(self, engine, field)

    async def lock(self, conn: AsyncConnection) -> None:
        """Serialize replacements of this table across processes (PostgreSQL): a concurrent
        replacement would otherwise read the same old set and both insert."""
        await xact_lock(conn, zlib.crc32(self.table.name.encode()))  # MariaDB: a row lock

    async def replace(
        self,
        conn: AsyncConnection,
        field: str,
        value: str | int,
        rows: Sequence[RowT],
        *,
        agent: int,
    ) -> None:
        """Make ``rows`` the complete set of rows whose ``field`` is ``value``."""
        column = self.column(field)
        match = (
            sa.func.lower(column) == value.lower() if isinstance(value, str) else column == value
        )
        await conn.execute(sa.delete(self.table).where(match))
        await self.insert(conn, rows, agent=agent)

    async def delete_owned(self, conn: AsyncConnection, field: str, values: Sequence[str]) -> None:
        """Delete every row whose ``field`` is one of ``values`` (case-insensitively): a bulk
        import replaces the sets of a whole batch of owners in one statement."""
        if values:
            condition = lower_in(self.column(field), values, conn.dialect.name)
            await conn.execute(sa.delete(self.table).where(condition))

    async def insert(self, conn: AsyncConnection, rows: Sequence[RowT], *, agent: int) -> None:
        """Insert ``rows`` (one ``executemany``), stamped as written by ``agent`` now."""
        if not rows:
            return
        now = utcnow()
        audit = {"create_time": now, "create_by": agent, "change_time": now, "change_by": agent}
        fixed = {**self.granted, **audit}
        pairs = tuple(zip(self.columns, self._column_of, strict=True))  # column, row field
        await insert_rows(  # PostgreSQL: one unnest() statement for all the rows
            conn, self.table, [{c: getattr(row, f) for c, f in pairs} for row in rows], fixed
        )


@dataclass(frozen=True)
class OwnedRows(Generic[RowT]):
    """The rows of one owner in one relation table: ``field`` is ``value`` (user ``ada``'s
    ``group_customer_user`` rows: ``OwnedRows(USER_GROUPS, "login", "ada")``)."""

    table: RelationTable[RowT]
    field: str
    value: str | int


class RowReader(Generic[RowT]):
    """Every counting row of a relation table whose ``field`` is one of a list of values
    (text compared case-insensitively, as OTOBO's logins and customer IDs are): one prepared
    statement for any list, its rows read by position into the table's row type."""

    def __init__(self, table: RelationTable[RowT], engine: AsyncEngine, field: str) -> None:
        column = table.column(field)
        self._row_type = table.row_type
        query = sa.select(*(table.table.c[name] for name in table.columns))
        for name, value in table.granted.items():
            query = query.where(table.table.c[name] == value)
        integers = isinstance(column.type, sa.Integer)
        self._read = KeyedRead(read_only_view(engine), query, column, integers=integers)

    async def rows(self, values: Sequence[Any], conn: AsyncConnection | None = None) -> list[RowT]:
        """The rows; on ``conn`` when given, so a replacement reads and writes in one
        transaction."""
        if not values:
            return []
        found: Sequence[Any] = await self._read.fetch_positional(values, conn)
        return [self._row_type(*row) for row in found]


USER_CUSTOMERS = RelationTable(customer_user_customer, UserCustomerRow, ("user_id", "customer_id"))
USER_GROUPS = RelationTable(
    group_customer_user,
    UserGroupRow,
    ("user_id", "group_id", "permission_key"),
    {"permission_value": 1},
)
CUSTOMER_GROUPS = RelationTable(
    group_customer,
    CustomerGroupRow,
    ("customer_id", "group_id", "permission_key", "permission_context"),
    {"permission_value": 1},
)
