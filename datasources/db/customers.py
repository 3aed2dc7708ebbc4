"""Customers (companies) on OTOBO's ``customer_company`` table (``CustomerCompany/DB.pm``).

One store serves both sides: the reads (by ID, pages, counts: what ``Storage.customers`` is
to the loaders and resolvers) and the row writes the use cases in
``resolvers.use_cases.customers`` decide on. Customers live in one table (one
``[customer_company]`` configuration), so no directory over several backends sits above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.customer_users import utcnow
from datasources.db.engine import fetch_all, read_only_view
from datasources.db.prepared import KeyedRead, Row
from datasources.db.tables import CUSTOMER_ID_REFERENCES, customer_company
from datasources.paging import Page, SortKey, binary_key, keyset_page
from datasources.search_sql import search_condition
from domain.changes import given_fields
from domain.config import CustomerCompanyConfig
from domain.customer_rules import CUSTOMER_FIELDS, CustomerChanges
from domain.pagination import Cursor
from domain.records import Audit, CustomerRecord
from domain.search_grammar import SearchExpr
from domain.validity import Validity

_T = customer_company


def _record(row: Row) -> CustomerRecord:
    def text(column: str) -> str | None:
        value = row[column]
        return None if value in (None, "") else str(value)

    return CustomerRecord(
        customer_id=row["customer_id"],
        name=row["name"],
        street=text("street"),
        zip=text("zip"),
        city=text("city"),
        country=text("country"),
        url=text("url"),
        comment=text("comments"),
        validity=Validity.from_id(row["valid_id"]),
        audit=Audit(row["create_time"], row["create_by"], row["change_time"], row["change_by"]),
    )


def to_columns(change: CustomerChanges) -> dict[str, Any]:
    """The given fields of ``change`` as ``customer_company`` columns (validity →
    ``valid_id``)."""
    out: dict[str, Any] = {}
    for name, value in given_fields(change).items():
        if name == "validity":
            out["valid_id"] = value.value
        else:
            out[CUSTOMER_FIELDS[name].column] = value
    return out


class DbCustomerStore:
    def __init__(self, config: CustomerCompanyConfig, engine: AsyncEngine) -> None:
        self.config = config
        self.engine = engine
        self.reader = read_only_view(engine)
        self._key = binary_key(_T.c.customer_id, engine.dialect.name)
        self._get_many = KeyedRead(self.reader, sa.select(_T), _T.c.customer_id)

    @property
    def list_limit(self) -> int:
        """Where a search stops (OTOBO's ``CustomerCompanySearchListLimit``)."""
        return self.config.search_list_limit

    # ---- reads ----------------------------------------------------------------------------

    async def get_many(
        self, customer_ids: Sequence[str], conn: AsyncConnection | None = None
    ) -> dict[str, CustomerRecord]:
        """Customers by lower-cased customer ID (OTOBO: ``LOWER(customer_id) = LOWER(?)``)."""
        if not customer_ids:
            return {}
        rows = await self._get_many.fetch_all(customer_ids, conn)
        return {row["customer_id"].lower(): _record(row) for row in rows}

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
            query = sa.select(_T).where(self._where(search, valid_only))
            if after_key is not None:
                query = query.where(self._key > str(after_key[0]))
            query = query.order_by(self._key).limit(limit)
            return [_record(row) for row in await fetch_all(self.reader, query)]

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
        columns = [_T.c[c] for c in self.config.search_fields]
        condition = search_condition(
            search, columns, case_sensitive=self.config.search_case_sensitive
        )
        if valid_only:
            condition = sa.and_(condition, _T.c.valid_id == Validity.VALID.value)
        return condition

    async def _count(self, search: SearchExpr | None, valid_only: bool) -> int:
        query = sa.select(sa.func.count()).select_from(_T).where(self._where(search, valid_only))
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    # ---- inside a use case's transaction --------------------------------------------------

    async def name_in_use(self, conn: AsyncConnection, name: str, *, except_id: str | None) -> bool:
        query = sa.select(_T.c.customer_id).where(sa.func.lower(_T.c.name) == name.lower())
        if except_id is not None:
            query = query.where(sa.func.lower(_T.c.customer_id) != except_id.lower())
        return (await conn.execute(query.limit(1))).first() is not None

    async def insert(self, conn: AsyncConnection, change: CustomerChanges, *, actor: int) -> None:
        """A new row from ``change`` (validity VALID unless given)."""
        now = utcnow()
        row = {"valid_id": Validity.VALID.value, **to_columns(change)}
        row.update(create_time=now, create_by=actor, change_time=now, change_by=actor)
        await conn.execute(sa.insert(_T).values(**row))

    async def update(
        self, conn: AsyncConnection, customer_id: str, change: CustomerChanges, *, actor: int
    ) -> None:
        """Write the given fields of ``change`` (its ``customer_id``: the new ID) to the row."""
        row = to_columns(change)
        row.update(change_time=utcnow(), change_by=actor)
        await conn.execute(
            sa.update(_T)
            .where(sa.func.lower(_T.c.customer_id) == customer_id.lower())
            .values(**row)
        )

    @staticmethod
    async def carry_customer_id(conn: AsyncConnection, old: str, new: str) -> None:
        """Re-point every relation row naming ``old`` (OTOBO leaves these orphaned)."""
        for column in CUSTOMER_ID_REFERENCES:
            await conn.execute(
                sa.update(column.table)
                .where(sa.func.lower(column) == old.lower())
                .values({column.name: new})
            )
