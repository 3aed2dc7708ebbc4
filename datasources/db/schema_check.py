"""Start-up checks of a Map-driven table: reflect it, and name what is missing with the
statement that adds it.

A Map row names a column; a column the table lacks would fail every request that reads the
row, so the customer-user backends and the customer store check their Map when storage opens
and refuse to start with the ``ALTER TABLE`` to run (``roster serve`` prints it).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.field_map import MapField

AUDIT_COLUMNS = ("create_time", "create_by", "change_time", "change_by")


class SchemaMismatch(Exception):
    """The database does not have what the configuration names; ``fixes`` says what to run."""

    def __init__(self, message: str, fixes: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.fixes = list(fixes)


def column_ddl(field: MapField) -> str:
    """The type an added column gets: OTOBO's ``INTEGER`` or its usual ``VARCHAR(250)``."""
    return "INTEGER" if field.type == "int" else "VARCHAR(250)"


async def reflect_table(engine: AsyncEngine, name: str) -> sa.Table | None:
    """The table as the database has it (``None`` when there is none)."""

    def reflect(sync_conn: sa.Connection) -> sa.Table | None:
        if not sa.inspect(sync_conn).has_table(name):
            return None
        with warnings.catch_warnings():
            # Our lower(…) expression indexes are not reflected, and need not be.
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            return sa.Table(name, sa.MetaData(), autoload_with=sync_conn)

    async with engine.connect() as conn:
        return await conn.run_sync(reflect)


def missing_columns(
    where: str, table: sa.Table, fields: Sequence[MapField]
) -> SchemaMismatch | None:
    """The mismatch when ``table`` lacks a Map column or an audit column, with an
    ``ALTER TABLE`` per missing Map column; ``where`` names the configuration section."""
    missing: dict[str, MapField] = {}
    for field in fields:
        if field.column not in table.c:
            missing.setdefault(field.column, field)  # two rows may share a column
    missing_audit = [c for c in AUDIT_COLUMNS if c not in table.c]
    if not missing and not missing_audit:
        return None
    names = [*missing, *missing_audit]
    fixes = [
        f"ALTER TABLE {table.name} ADD COLUMN {column} {column_ddl(field)};"
        for column, field in missing.items()
    ]
    return SchemaMismatch(
        f"{where}: table {table.name!r} has no column(s) {', '.join(names)} named in the map",
        fixes,
    )
