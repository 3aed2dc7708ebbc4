"""The collations a MariaDB/MySQL database must have for Roster's lookups: checked at start
(``datasources.storage.open_storage``), with the ``ALTER TABLE`` that fixes a wrong one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.dialect import exactly, is_mysql, key_collation

# ---- the collations a MariaDB/MySQL database must have ------------------------------------------

KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_user": ("login", "email", "customer_id"),
    "customer_company": ("customer_id", "name"),
    "customer_user_customer": ("user_id", "customer_id"),
    "group_customer_user": ("user_id",),
    "group_customer": ("customer_id",),
    "groups_table": ("name",),
    "service": ("name",),
    "service_customer_user": ("customer_user_login",),
}
"""Text columns Roster looks up case-insensitively (``lower(column) = …``)."""


async def case_sensitive_key_columns(
    engine: AsyncEngine, extra: Mapping[str, tuple[str, ...]] | None = None
) -> list[str]:
    """MariaDB/MySQL: ``ALTER TABLE`` statements for the key columns (:data:`KEY_COLUMNS`, plus
    ``extra``, e.g. another customer-user table) whose collation does not ignore case or whose
    character set is not utf8mb4; empty when all is well, and elsewhere. Case-insensitive
    lookups there ask the column's index with ``=`` first, which must not miss ``Ann`` for
    ``ann``, and 4-byte characters must fit."""
    if not is_mysql(engine.dialect):
        return []
    wanted = dict(KEY_COLUMNS)
    for table, columns in (extra or {}).items():
        wanted[table] = tuple(dict.fromkeys((*wanted.get(table, ()), *columns)))
    query = sa.text(
        "SELECT table_name, column_name, column_type, is_nullable, collation_name"
        " FROM information_schema.columns WHERE table_schema = DATABASE()"
        " AND collation_name IS NOT NULL"
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    fixes = []
    suggested = key_collation(engine.dialect) or "utf8mb4_unicode_ci"
    for table, column, column_type, nullable, collation in rows:
        if column not in wanted.get(table, ()):
            continue
        if str(collation).startswith("utf8mb4_") and str(collation).endswith("_ci"):
            continue
        null = "NULL" if nullable == "YES" else "NOT NULL"
        fixes.append(
            f"ALTER TABLE {table} MODIFY {column} {column_type} CHARACTER SET utf8mb4 "
            f"COLLATE {suggested} {null};"
        )
    return sorted(fixes)


# ---- a unique index that counts two different values as one ----------------------------------


@dataclass(frozen=True)
class CollationTwin:
    """A stored value that ``collation``, a column's, counts as equal to another value."""

    stored: str
    collation: str


async def collation_twin(
    engine: AsyncEngine,
    column: sa.Column[Any],
    value: str,
    *,
    except_value: str | None = None,
) -> CollationTwin | None:
    """MariaDB/MySQL: the stored value of ``column`` that the column's own collation counts
    as equal to ``value`` (but for ``except_value``, the row being changed, compared exactly),
    and that collation; None elsewhere, or when there is none. Called after a unique index
    refused a write that Roster's own checks (``lower()`` on a binary collation, as on
    PostgreSQL) let through: OTOBO's ``utf8mb4_unicode_ci`` ignores accents, and counts every
    character outside the Basic Multilingual Plane (emoji) as equal to every other, so
    ``a😀`` and ``a🚀`` are one login there. Only on that path: costs two reads."""
    if not is_mysql(engine.dialect):
        return None
    query = sa.select(column).where(column == value)  # the column's collation decides
    if except_value is not None:
        query = query.where(exactly(column) != except_value)
    collation_of = sa.text(
        "SELECT collation_name FROM information_schema.columns WHERE table_schema = DATABASE()"
        " AND table_name = :t AND column_name = :c"
    )
    async with engine.connect() as conn:
        stored = (await conn.execute(query.limit(1))).scalar()
        if stored is None:
            return None
        names = {"t": column.table.name, "c": column.name}
        collation = (await conn.execute(collation_of, names)).scalar()
    return CollationTwin(str(stored), str(collation or "the column's"))
