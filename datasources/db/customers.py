"""Customers (companies) on OTOBO's ``customer_company`` table (``CustomerCompany/DB.pm``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.customer_users import utcnow
from datasources.db.engine import fetch_all, read_only_view
from datasources.db.prepared import KeyedRead, Row
from datasources.db.tables import CUSTOMER_ID_REFERENCES, customer_company
from datasources.paging import binary_key
from datasources.search_sql import search_condition
from domain.config import CustomerCompanyConfig
from domain.customer_rules import CUSTOMER_FIELDS
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


def to_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """GraphQL input names → ``customer_company`` columns (validity → ``valid_id``)."""
    out = {
        CUSTOMER_FIELDS[name][0]: value for name, value in values.items() if name in CUSTOMER_FIELDS
    }
    if "validity" in values:
        out["valid_id"] = values["validity"].value
    return out


class DbCustomerStore:
    def __init__(self, config: CustomerCompanyConfig, engine: AsyncEngine) -> None:
        self.config = config
        self.engine = engine
        self.reader = read_only_view(engine)
        self._key = binary_key(_T.c.customer_id, engine.dialect.name)
        self._get_many = KeyedRead(self.reader, sa.select(_T), _T.c.customer_id)

    async def get_many(
        self, customer_ids: Sequence[str], conn: AsyncConnection | None = None
    ) -> dict[str, CustomerRecord]:
        """Customers by lower-cased customer ID (OTOBO: ``LOWER(customer_id) = LOWER(?)``)."""
        if not customer_ids:
            return {}
        rows = await self._get_many.fetch_all(customer_ids, conn)
        return {row["customer_id"].lower(): _record(row) for row in rows}

    def _where(self, search: SearchExpr | None, valid_only: bool) -> sa.ColumnElement[bool]:
        columns = [_T.c[c] for c in self.config.search_fields]
        condition = search_condition(
            search, columns, case_sensitive=self.config.search_case_sensitive
        )
        if valid_only:
            condition = sa.and_(condition, _T.c.valid_id == Validity.VALID.value)
        return condition

    async def list_page(
        self, *, search: SearchExpr | None, valid_only: bool, after: str | None, limit: int
    ) -> list[CustomerRecord]:
        query = sa.select(_T).where(self._where(search, valid_only))
        if after is not None:
            query = query.where(self._key > after)
        query = query.order_by(self._key).limit(limit)
        return [_record(row) for row in await self._fetch(query, None)]

    async def count(self, *, search: SearchExpr | None, valid_only: bool) -> int:
        query = sa.select(sa.func.count()).select_from(_T).where(self._where(search, valid_only))
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def name_in_use(self, conn: AsyncConnection, name: str, *, except_id: str | None) -> bool:
        query = sa.select(_T.c.customer_id).where(sa.func.lower(_T.c.name) == name.lower())
        if except_id is not None:
            query = query.where(sa.func.lower(_T.c.customer_id) != except_id.lower())
        return (await conn.execute(query.limit(1))).first() is not None

    async def insert(self, conn: AsyncConnection, values: Mapping[str, Any], *, actor: int) -> None:
        now = utcnow()
        row = to_columns(values)
        row.update(create_time=now, create_by=actor, change_time=now, change_by=actor)
        await conn.execute(sa.insert(_T).values(**row))

    async def update(
        self, conn: AsyncConnection, customer_id: str, values: Mapping[str, Any], *, actor: int
    ) -> None:
        row = to_columns(values)
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

    async def _fetch(
        self, query: sa.Select[Any], conn: AsyncConnection | None
    ) -> Sequence[sa.RowMapping]:
        return await fetch_all(self.reader, query, conn)
