"""Customers (companies) on OTOBO's ``customer_company`` table (``CustomerCompany/DB.pm``).

One store serves both sides: the reads (by ID, pages, counts: what ``Storage.customers`` is
to the loaders and resolvers) and the row writes the use cases in
``resolvers.use_cases.customers`` decide on. Customers live in one table (one
``[customer_company]`` configuration), so no directory over several backends sits above it.

As in OTOBO, the company Map (``domain.company_map``) decides which columns are read and
written. The table is reflected when storage opens: a Map row for a column the table lacks
is a start-up error that prints the ``ALTER TABLE`` to run, and the column lengths the
table reports bound what a write may store (``CustomerRules``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.bulk_insert import insert_rows
from datasources.db.collation_check import ColumnFields, input_fields_of
from datasources.db.customer_users import utcnow
from datasources.db.engine import fetch_all, read_only_view
from datasources.db.prepared import KeyedRead, Row
from datasources.db.schema_check import (
    AUDIT_COLUMNS,
    SchemaMismatch,
    missing_columns,
    reflect_table,
)
from datasources.db.tables import CUSTOMER_ID_REFERENCES, customer_user_customer
from datasources.paging import Page, SortKey, binary_key, keyset_page, lower_in
from datasources.search_sql import search_condition
from domain.changes import given_fields
from domain.company_map import KNOWN_FIELDS, is_custom
from domain.config import CustomerCompanyConfig
from domain.customer_rules import CustomerChanges, CustomerRules, field_path
from domain.field_map import VALID_ID, MapField
from domain.pagination import Cursor
from domain.records import Audit, CustomerRecord
from domain.search_grammar import SearchExpr
from domain.validity import Validity

TABLE = "customer_company"

_INTEGER_BITS = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "BIGINT": 64}


def _max_value(column: sa.Column[Any]) -> int | None:
    """The largest value an integer column holds, from its reflected type."""
    kind = column.type
    if not isinstance(kind, sa.Integer):
        return None
    bits = _INTEGER_BITS.get(type(kind).__name__.upper())
    if bits is None:
        bits = (
            16
            if isinstance(kind, sa.SmallInteger)
            else 64
            if isinstance(kind, sa.BigInteger)
            else 32
        )
    most: int = 2 ** (bits - 1) - 1
    return most


def column_rules(
    config: CustomerCompanyConfig,
    table: sa.Table,
    three_byte_columns: Mapping[str, str] | None = None,
) -> CustomerRules:
    """The Map with what the table's columns take (lengths, integer ranges, and whether only
    3-byte UTF-8: ``collation_check.three_byte_columns``)."""
    lengths = {c.name: getattr(c.type, "length", None) for c in table.columns}
    values = {c.name: most for c in table.columns if (most := _max_value(c)) is not None}
    return CustomerRules(
        tuple(config.map_fields()),
        max_lengths=lengths,
        max_values=values,
        three_byte=dict(three_byte_columns or {}),
    )


class DbCustomerStore:
    def __init__(
        self,
        config: CustomerCompanyConfig,
        engine: AsyncEngine,
        table: sa.Table,
        three_byte_columns: Mapping[str, str] | None = None,
    ):
        self.config = config
        self.engine = engine
        self.reader = read_only_view(engine)
        self.table = table
        self.rules = column_rules(config, table, three_byte_columns)
        fields = self.rules.fields
        self.input_fields: ColumnFields = input_fields_of(
            table.name, {f.column: field_path(f) for f in fields if f.attribute != VALID_ID}
        )
        """Which input field a create or update writes to each column of the Map."""
        self._column_of = {KNOWN_FIELDS[f.attribute]: f.column for f in fields if not is_custom(f)}
        self._custom: dict[str, MapField] = {f.attribute: f for f in fields if is_custom(f)}
        read = dict.fromkeys([*(f.column for f in fields), *AUDIT_COLUMNS])
        self._select = sa.select(*(table.c[c] for c in read))
        self._key = binary_key(table.c.customer_id, engine.dialect.name)
        self._get_many = KeyedRead(self.reader, self._select, table.c.customer_id)
        links = customer_user_customer
        self._assigned = KeyedRead(
            self.reader,
            sa.select(links.c.user_id.label("link_login"), *(table.c[c] for c in read)).select_from(
                links.outerjoin(
                    table, sa.func.lower(table.c.customer_id) == sa.func.lower(links.c.customer_id)
                )
            ),
            links.c.user_id,
        )
        """The customers assigned to users (``customer_user_customer``), joined: one
        statement instead of the relation rows and then their customers."""

    @classmethod
    async def open(
        cls,
        config: CustomerCompanyConfig,
        engine: AsyncEngine,
        three_byte_columns: Mapping[str, str] | None = None,
    ) -> DbCustomerStore:
        """Reflect the table and check that every Map column exists."""
        table = await reflect_table(engine, TABLE)
        if table is None:
            raise SchemaMismatch(
                f"customer_company: table {TABLE!r} does not exist",
                ["roster db upgrade --config <this config>"],
            )
        if mismatch := missing_columns("customer_company", table, config.map_fields()):
            raise mismatch
        return cls(config, engine, table, three_byte_columns)

    @property
    def list_limit(self) -> int:
        """Where a search stops (OTOBO's ``CustomerCompanySearchListLimit``)."""
        return self.config.search_list_limit

    # ---- rows and records -----------------------------------------------------------------

    def _record(self, row: Row) -> CustomerRecord:
        def text(name: str) -> str | None:
            column = self._column_of.get(name)
            value = row[column] if column else None
            return None if value in (None, "") else str(value)

        extra: dict[str, Any] = {}
        for attribute, field in self._custom.items():
            value = row[field.column]
            if field.type == "int":
                extra[attribute] = None if value is None else int(value)
            else:
                extra[attribute] = None if value in (None, "") else str(value)
        return CustomerRecord(
            customer_id=row["customer_id"],
            name=row["name"],
            street=text("street"),
            zip=text("zip"),
            city=text("city"),
            country=text("country"),
            url=text("url"),
            comment=text("comment"),
            validity=Validity.from_id(row["valid_id"]),
            audit=Audit(row["create_time"], row["create_by"], row["change_time"], row["change_by"]),
            extra=extra,
        )

    def _columns(self, change: CustomerChanges, *, creating: bool) -> dict[str, Any]:
        """The given values of ``change`` as columns; a create writes every custom column
        (a missing value as NULL, as OTOBO's company backend does)."""
        out: dict[str, Any] = {}
        for name, value in given_fields(change).items():
            if name == "extra" or name not in self._column_of:
                continue  # values of rows the Map lacks were refused by the rules
            out[self._column_of[name]] = value.value if name == "validity" else value
        extra: Mapping[str, Any] = change.extra
        if creating:
            extra = {**dict.fromkeys(self._custom), **extra}
        for attribute, value in extra.items():
            out[self._custom[attribute].column] = value
        return {column: self._storable(column, value) for column, value in out.items()}

    def _storable(self, column: str, value: Any) -> Any:
        """NULL where OTOBO writes it, but ``''``/``0`` for a column declared NOT NULL (an
        admin's custom column may be), so clearing a value never breaks the row."""
        if value is not None or self.table.c[column].nullable:
            return value
        return 0 if isinstance(self.table.c[column].type, sa.Integer) else ""

    # ---- reads ----------------------------------------------------------------------------

    async def get_many(
        self, customer_ids: Sequence[str], conn: AsyncConnection | None = None
    ) -> dict[str, CustomerRecord]:
        """Customers by lower-cased customer ID (OTOBO: ``LOWER(customer_id) = LOWER(?)``)."""
        if not customer_ids:
            return {}
        rows = await self._get_many.fetch_all(customer_ids, conn)
        return {row["customer_id"].lower(): self._record(row) for row in rows}

    async def assigned_to(self, logins: Sequence[str]) -> dict[str, list[CustomerRecord]]:
        """Lower-cased login → the existing customers of its ``customer_user_customer``
        rows, in row order (a customer ID matched case-insensitively, as ``get_many``)."""
        if not logins:
            return {}
        found: dict[str, list[CustomerRecord]] = {}
        records: dict[str, CustomerRecord] = {}  # one record per customer, shared
        for row in await self._assigned.fetch_all(logins):
            mine = found.setdefault(row["link_login"].lower(), [])
            customer_id = row["customer_id"]
            if customer_id is None:
                continue  # a row naming a customer that does not exist
            record = records.get(customer_id)
            if record is None:
                record = records[customer_id] = self._record(row)
            mine.append(record)
        return found

    async def get(
        self, customer_id: str, conn: AsyncConnection | None = None
    ) -> CustomerRecord | None:
        return (await self.get_many([customer_id], conn)).get(customer_id.lower())

    async def list_page(
        self,
        *,
        search: SearchExpr | None,
        searching: bool,
        valid_only: bool,
        first: int,
        after: Cursor | None,
    ) -> Page[CustomerRecord]:
        """A page of customers by customer ID; a search result (``searching``, even one that
        matches everything) stops at the list limit, as OTOBO's does."""

        async def fetch(after_key: SortKey | None, limit: int) -> list[CustomerRecord]:
            query = self._select.where(self._where(search, valid_only))
            if after_key is not None:
                query = query.where(self._key > str(after_key[0]))
            query = query.order_by(self._key).limit(limit)
            return [self._record(row) for row in await fetch_all(self.reader, query)]

        cap = self.list_limit if searching else None
        return await keyset_page(
            fetch, lambda c: (c.customer_id,), first=first, after=after, cap=cap
        )

    async def count(self, *, search: SearchExpr | None, searching: bool, valid_only: bool) -> int:
        """How many customers a listing has (a search's count stops at the list limit)."""
        total = await self._count(search, valid_only)
        return min(total, self.list_limit) if searching else total

    async def limit_reached(
        self, *, search: SearchExpr | None, searching: bool, valid_only: bool
    ) -> bool:
        if not searching:
            return False
        return await self._count(search, valid_only) > self.list_limit

    def _where(self, search: SearchExpr | None, valid_only: bool) -> sa.ColumnElement[bool]:
        columns = [self.table.c[c] for c in self.config.search_fields]
        condition = search_condition(
            search, columns, case_sensitive=self.config.search_case_sensitive
        )
        if valid_only:
            condition = sa.and_(condition, self.table.c.valid_id == Validity.VALID.value)
        return condition

    async def _count(self, search: SearchExpr | None, valid_only: bool) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(self.table)
            .where(self._where(search, valid_only))
        )
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    # ---- inside a use case's transaction --------------------------------------------------

    async def name_in_use(self, conn: AsyncConnection, name: str, *, except_id: str | None) -> bool:
        t = self.table
        query = sa.select(t.c.customer_id).where(sa.func.lower(t.c.name) == name.lower())
        if except_id is not None:
            query = query.where(sa.func.lower(t.c.customer_id) != except_id.lower())
        return (await conn.execute(query.limit(1))).first() is not None

    async def insert(self, conn: AsyncConnection, change: CustomerChanges, *, agent: int) -> None:
        """A new row from ``change`` (validity VALID unless given)."""
        now = utcnow()
        row = {"valid_id": Validity.VALID.value, **self._columns(change, creating=True)}
        row.update(create_time=now, create_by=agent, change_time=now, change_by=agent)
        await conn.execute(sa.insert(self.table).values(**row))

    async def insert_many(
        self, conn: AsyncConnection, changes: Sequence[CustomerChanges], *, agent: int
    ) -> None:
        """:meth:`insert` for a batch, in one ``executemany``."""
        if not changes:
            return
        now = utcnow()
        stamp = {"create_time": now, "create_by": agent, "change_time": now, "change_by": agent}
        valid = Validity.VALID.value
        rows = [{"valid_id": valid, **self._columns(c, creating=True)} for c in changes]
        # One set of keys for all rows: a create writes every Map column in any case.
        await insert_rows(conn, self.table, rows, stamp)  # PostgreSQL: one unnest() statement

    async def names_in_use(self, conn: AsyncConnection, names: Sequence[str]) -> dict[str, str]:
        """Lower-cased name → the customer ID that has it: :meth:`name_in_use` for a batch."""
        if not names:
            return {}
        t = self.table
        query = sa.select(t.c.customer_id, t.c.name).where(
            lower_in(t.c.name, names, self.engine.dialect.name)
        )
        return {str(name).lower(): str(cid) for cid, name in (await conn.execute(query)).all()}

    async def update(
        self, conn: AsyncConnection, customer_id: str, change: CustomerChanges, *, agent: int
    ) -> None:
        """Write the given fields of ``change`` (its ``customer_id``: the new ID) to the row."""
        row = self._columns(change, creating=False)
        row.update(change_time=utcnow(), change_by=agent)
        await conn.execute(
            sa.update(self.table)
            .where(sa.func.lower(self.table.c.customer_id) == customer_id.lower())
            .values(**row)
        )

    @staticmethod
    async def carry_customer_id(conn: AsyncConnection, old: str, new: str) -> list[str]:
        """Re-point every relation row naming ``old`` (OTOBO leaves these orphaned); returns
        the logins whose customer_user_customer rows moved (for the trail)."""
        link = customer_user_customer
        assigned = await conn.execute(
            sa.select(link.c.user_id).where(sa.func.lower(link.c.customer_id) == old.lower())
        )
        logins = [str(login) for login in assigned.scalars()]
        for column in CUSTOMER_ID_REFERENCES:
            await conn.execute(
                sa.update(column.table)
                .where(sa.func.lower(column) == old.lower())
                .values({column.name: new})
            )
        return logins
