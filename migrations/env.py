"""Alembic environment: runs migrations on the async engine named by the Roster config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import event, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from datasources.db.engine import sqlite_on_connect
from datasources.db.tables import include_object, metadata

config = context.config

target_metadata = metadata
"""What the migrations build, so ``alembic revision --autogenerate`` and ``alembic check``
compare against the tables the code uses (tests/test_migrations_match_tables.py keeps the two
in step)."""


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by roster db upgrade"
    engine = create_async_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite_on_connect)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
