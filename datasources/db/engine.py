"""The async engine, configured per database, with a per-request SQL statement counter.

The counter exists because an N+1 query is a bug here: tests and benchmarks read how many
statements one GraphQL request cost.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from datasources.search_sql import register_sqlite_functions
from domain.config import DatabaseConfig


@dataclass
class StatementTally:
    count: int = 0


_current_tally: contextvars.ContextVar[StatementTally | None] = contextvars.ContextVar(
    "roster_statement_tally", default=None
)


@contextlib.contextmanager
def count_statements() -> Iterator[StatementTally]:
    """Count the SQL statements run by this task and the tasks it spawns."""
    tally = StatementTally()
    token = _current_tally.set(tally)
    try:
        yield tally
    finally:
        _current_tally.reset(token)


def tally_statement(*_args: Any, **_kwargs: Any) -> None:
    """Count one statement for the current request (also SQLAlchemy's execute hook)."""
    tally = _current_tally.get()
    if tally is not None:
        tally.count += 1


def sqlite_on_connect(dbapi_connection: Any, _record: Any = None) -> None:
    """Every SQLite connection (the app's and the migrations') gets Unicode ``lower()`` so
    case-insensitive lookups and the ``lower(...)`` indexes agree on ``Müller``."""
    register_sqlite_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; busy_timeout makes a writer wait, not fail.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(config: DatabaseConfig) -> AsyncEngine:
    url = make_url(config.url)
    # No pre-ping and no recycling: PreparedRead checks idle connections out without a
    # greenlet, which holds only while a checkout of an idle connection awaits nothing.
    kwargs: dict[str, Any] = {"echo": config.echo, "pool_pre_ping": False}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
        kwargs["pool_size"] = config.pool_size
    else:
        kwargs["pool_size"] = config.pool_size
        kwargs["max_overflow"] = config.pool_size
        kwargs["pool_timeout"] = config.connect_timeout_seconds
        kwargs["connect_args"] = {
            "timeout": config.connect_timeout_seconds,
            "server_settings": {"application_name": "roster"},
        }
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "before_cursor_execute", tally_statement)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite_on_connect)
    return engine


def read_only_view(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, with each read outside a transaction.

    A plain ``connect()`` costs three round trips on PostgreSQL (BEGIN, the query, ROLLBACK
    when the connection returns to the pool); a single-row lookup is mostly that. Reads of one
    statement need no transaction, so they run in autocommit mode: one round trip.
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def fetch_all(
    reader: AsyncEngine, query: sa.Select[Any], conn: AsyncConnection | None = None
) -> Sequence[sa.RowMapping]:
    """Run a read on the caller's connection (inside its transaction) or on a pooled one."""
    if conn is not None:
        rows: Sequence[sa.RowMapping] = (await conn.execute(query)).mappings().all()
        return rows
    async with reader.connect() as own:
        rows = (await own.execute(query)).mappings().all()
        return rows


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"
