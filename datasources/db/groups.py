"""Groups on OTOBO's ``groups_table``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db.customer_users import utcnow
from datasources.db.dialect import exactly, inserted_id
from datasources.db.engine import read_only_view
from datasources.db.tables import groups_table as _T
from datasources.paging import SortKey, binary_key
from domain.records import Audit, GroupRecord
from domain.validity import Validity


def _record(row: sa.RowMapping) -> GroupRecord:
    return GroupRecord(
        id=int(row["id"]),
        name=row["name"],
        comment=row["comments"] or None,
        validity=Validity.from_id(row["valid_id"]),
        audit=Audit(row["create_time"], row["create_by"], row["change_time"], row["change_by"]),
    )


class DbGroupStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.reader = read_only_view(engine)
        self._key = binary_key(_T.c.name, engine.dialect.name)

    async def all(self) -> list[GroupRecord]:
        """Every group: the table is small (OTOBO installs have tens to hundreds)."""
        async with self.reader.connect() as conn:
            rows = (await conn.execute(sa.select(_T).order_by(self._key))).mappings()
            return [_record(row) for row in rows]

    async def get_many(self, ids: Sequence[int]) -> dict[int, GroupRecord]:
        if not ids:
            return {}
        query = sa.select(_T).where(_T.c.id.in_(sorted(set(ids))))
        async with self.reader.connect() as conn:
            return {int(r["id"]): _record(r) for r in (await conn.execute(query)).mappings()}

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
    async def name_in_use(conn: AsyncConnection, name: str, *, except_id: int | None) -> bool:
        query = sa.select(_T.c.id).where(sa.func.lower(_T.c.name) == name.lower())
        if except_id is not None:
            query = query.where(_T.c.id != except_id)
        return (await conn.execute(query.limit(1))).first() is not None

    @staticmethod
    async def insert(conn: AsyncConnection, values: Mapping[str, Any], *, actor: int) -> int:
        now = utcnow()
        result = await conn.execute(
            sa.insert(_T).values(
                name=values["name"],
                comments=values.get("comment") or "",
                valid_id=values["validity"].value,
                create_time=now,
                create_by=actor,
                change_time=now,
                change_by=actor,
            )
        )
        return inserted_id(result)

    @staticmethod
    async def update(
        conn: AsyncConnection, group_id: int, values: Mapping[str, Any], *, actor: int
    ) -> None:
        row: dict[str, Any] = {"change_time": utcnow(), "change_by": actor}
        if "name" in values:
            row["name"] = values["name"]
        if "comment" in values:
            row["comments"] = values["comment"] or ""
        if "validity" in values:
            row["valid_id"] = values["validity"].value
        await conn.execute(sa.update(_T).where(_T.c.id == group_id).values(**row))
