"""The migrations and ``datasources/db/tables.py`` describe the same database.

The code reads and writes through the tables in ``tables.py``; every real database got its
schema from the migrations. When the two drift apart (a column added to one only, an index
renamed), queries break on a migrated database while tests built on the models pass. Here a
fresh database is migrated exactly as ``roster db upgrade`` does and Alembic's autogenerate
comparison must find nothing to do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrate import alembic_config
from datasources.db.tables import include_object, metadata
from tests.conftest import DB_KINDS, Databases

CODE_POINT_ORDER_INDEXES = {
    "roster_customer_user_login_c": ("customer_user", "login"),
    "roster_customer_company_customer_id_c": ("customer_company", "customer_id"),
}
"""PostgreSQL indexes on ``column COLLATE "C"``. SQLAlchemy reflects them as plain column
indexes (the collation is dropped), so Alembic always sees ``column`` against the model's
``column COLLATE "C"`` and reports a remove/add pair. They are left out of the comparison and
checked on their definition in ``pg_indexes`` instead."""


def _index_name(diff: Any) -> str | None:
    if isinstance(diff, tuple) and diff[0] in ("add_index", "remove_index"):
        return str(diff[1].name)
    return None


def _differences(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"include_object": include_object(connection.dialect.name)}
    )
    found: list[Any] = compare_metadata(context, metadata)
    if connection.dialect.name == "postgresql":
        found = [d for d in found if _index_name(d) not in CODE_POINT_ORDER_INDEXES]
    return found


def _code_point_order_indexes(connection: sa.Connection) -> dict[str, str]:
    rows = connection.execute(
        sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
        {"names": list(CODE_POINT_ORDER_INDEXES)},
    )
    return {str(name): str(definition) for name, definition in rows}


@pytest.mark.parametrize("kind", DB_KINDS)
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
async def test_a_migrated_database_has_exactly_the_tables_the_code_uses(
    databases: Databases, kind: str
) -> None:
    # SQLite cannot reflect expression indexes (the lower() ones), so Alembic skips them
    # there (the two warnings above); PostgreSQL compares them.
    engine = create_async_engine(await databases.create(kind))
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            collated = (
                await connection.run_sync(_code_point_order_indexes) if kind == "postgresql" else {}
            )
    finally:
        await engine.dispose()

    listing = "\n".join(f"  {d!r}" for d in differences)
    assert not differences, (
        f"tables.py and the migrations differ on {kind} (change the model to match the "
        f"migration, or add a migration):\n{listing}"
    )
    if kind == "postgresql":
        assert collated == {
            name: f'CREATE INDEX {name} ON public.{table} USING btree ({column} COLLATE "C")'
            for name, (table, column) in CODE_POINT_ORDER_INDEXES.items()
        }


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
async def test_alembic_check_compares_with_the_tables(databases: Databases) -> None:
    # `alembic check` runs migrations/env.py, which fails ("does not provide a MetaData
    # object") unless target_metadata is the tables' metadata. SQLite: no expression indexes
    # to trip over, so the check must pass as it stands.
    url = await databases.create("sqlite")
    await asyncio.to_thread(command.check, alembic_config(url))
