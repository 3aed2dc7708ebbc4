"""The collations a MariaDB/MySQL database must have for Roster's lookups: checked at start
(``datasources.storage.open_storage``), with the ``ALTER TABLE`` that fixes a wrong one."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.dialect import is_mysql, key_collation

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
