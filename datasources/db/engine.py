"""The async engine, configured per database, with a per-request SQL statement counter.

The counter exists because an N+1 query is a bug here: tests and benchmarks read how many
statements one GraphQL request cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from datasources.backend import BackendHealth, BackendStatus
from datasources.db.commit_marks import commit_mark_outcome, write_commit_mark
from datasources.db.dialect import is_mysql, mysql_session_setup
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


def statement_span(engine: sa.Engine, statement: str) -> tuple[str, dict[str, Any]]:
    """The name and attributes of a trace span for one SQL statement (``app.tracing``;
    OpenTelemetry's database conventions): the statement's text with its placeholders, never
    the values bound to them."""
    url = engine.url
    system = engine.dialect.name
    if system == "mysql" and getattr(engine.dialect, "is_mariadb", False):
        system = "mariadb"
    attributes: dict[str, Any] = {"db.system.name": system, "db.query.text": statement}
    if url.database:
        attributes["db.namespace"] = url.database
    if url.host:
        attributes["server.address"] = url.host
    if url.port:
        attributes["server.port"] = url.port
    keyword = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
    attributes["db.operation.name"] = keyword
    return keyword, attributes


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
    # No pre-ping: PreparedRead checks idle connections out without a greenlet, so such a
    # checkout must await nothing. (A checkout that would reconnect it refuses and leaves to
    # SQLAlchemy's async checkout; a ping it could not. A lost connection is retried there.)
    kwargs: dict[str, Any] = {"echo": config.echo, "pool_pre_ping": False}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
        kwargs["pool_size"] = config.pool_size
    elif is_mysql(url.get_backend_name()):
        kwargs["pool_size"] = config.pool_size
        kwargs["max_overflow"] = config.pool_size
        kwargs["pool_timeout"] = config.connect_timeout_seconds
        kwargs["pool_recycle"] = 3600  # under the server's wait_timeout (8 h by default)
        # PostgreSQL's default: a check under a lock sees what committed before it.
        kwargs["isolation_level"] = "READ COMMITTED"
        kwargs["connect_args"] = {
            "connect_timeout": config.connect_timeout_seconds,
            "charset": "utf8mb4",  # 4-byte characters (emoji, rarer CJK) in and out
            "sql_mode": "TRADITIONAL",  # strict: refuse what does not fit, never truncate
        }
    else:
        kwargs["pool_size"] = config.pool_size
        kwargs["max_overflow"] = config.pool_size
        kwargs["pool_timeout"] = config.connect_timeout_seconds
        kwargs["connect_args"] = {
            "timeout": config.connect_timeout_seconds,
            # The database stops a statement the request has given up on (0: no limit).
            "server_settings": {
                "application_name": "roster",
                "statement_timeout": str(round(config.statement_timeout_seconds * 1000)),
            },
        }
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "before_cursor_execute", tally_statement)
    if engine.dialect.driver == "asyncpg":
        event.listen(engine.sync_engine.pool, "checkout", refuse_closed_connection)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite_on_connect)
    if is_mysql(url.get_backend_name()):
        setup = mysql_session_setup(engine.sync_engine.dialect, config.statement_timeout_seconds)
        event.listen(engine.sync_engine, "connect", setup)
    return engine


def refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """``checkout``: a connection the server closed while it sat in the pool (a restart,
    ``pg_terminate_backend``) is not handed out. asyncpg notices the server's goodbye on an
    idle connection by itself, so this costs no round trip (a pre-ping would cost one per
    checkout, and could not run on PreparedRead's synchronous checkout). SQLAlchemy then
    marks every older connection stale and checks out a fresh one: the statement that follows
    never meets a dead connection. A connection lost mid-statement is retried where the
    statement runs (``prepared``, ``schema.retries``)."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise exc.InvalidatePoolError("the server closed this pooled connection while idle")


LOST_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx: "connection does not exist" and kin
    asyncpg.exceptions.AdminShutdownError,  # 57P01: pg_terminate_backend, shutdown
    asyncpg.exceptions.CrashShutdownError,  # 57P02
    asyncpg.exceptions.CannotConnectNowError,  # 57P03
)


T = TypeVar("T")


async def database_health(engine: AsyncEngine) -> BackendHealth:
    """A database backend's health (customer users, sign-in): a ``SELECT 1`` round trip, run
    once more if its connection was lost (``read_once_more_if_lost``), and how long it took."""

    async def select() -> None:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    started = time.perf_counter()
    try:
        await read_once_more_if_lost(select)
    except (OSError, sa.exc.SQLAlchemyError) as exc:
        return BackendHealth(BackendStatus.DOWN, None, type(exc).__name__)
    return BackendHealth(BackendStatus.UP, (time.perf_counter() - started) * 1000, None)


async def read_once_more_if_lost(read: Callable[[], Awaitable[T]]) -> T:
    """``read()``, run once more when its connection was lost while the statement was out (a
    restart, a failover, ``pg_terminate_backend``), as a GraphQL query field is
    (``schema.retries``): so a health check says what a request would meet, and a database
    that is really gone still fails the second run. Reads only: nothing is written twice."""
    try:
        return await read()
    except Exception as error:
        if not is_lost_connection(error):
            raise
    return await read()


class LostConnection(Exception):
    """A unit of work whose connection was lost, and whose transaction is known to have been
    rolled back: running it again writes it once."""


def is_lost_connection(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps: SQLAlchemy's ``orig``, a ``__cause__``) means the
    database connection is gone, rather than that the server refused a statement."""
    for _ in range(8):
        if error is None:
            return False
        if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, (*LOST_CONNECTION_ERRORS, LostConnection)):
            return True
        if isinstance(error, OSError) and not isinstance(error, TimeoutError):
            return True  # reset, refused, broken pipe
        error = getattr(error, "orig", None) or error.__cause__
    return False


async def transaction_id(conn: AsyncConnection) -> Any:
    """What identifies ``conn``'s transaction afterwards, so that a commit whose answer was lost
    can be looked up (:func:`commit_outcome`): its id on PostgreSQL, a mark it writes on
    MariaDB/MySQL (``commit_marks.write_commit_mark``), None on SQLite (one process, no network)."""
    if is_mysql(conn.dialect):
        return await write_commit_mark(conn)
    if conn.dialect.name != "postgresql":
        return None
    value = await conn.scalar(sa.text("SELECT txid_current()"))
    return int(value)


async def commit_outcome(engine: AsyncEngine, xid: Any) -> str | None:
    """Whether transaction ``xid`` was ``"committed"`` or ``"aborted"`` (None: unknown, e.g.
    the database cannot be reached), asked on a new connection. PostgreSQL's ``txid_status``
    exists for exactly this: a connection lost during COMMIT leaves the client unsure. A
    terminated backend may take a moment to finish aborting: ``in progress`` is asked again.
    (MariaDB/MySQL: ``commit_marks.commit_mark_outcome``.)"""
    if is_mysql(engine.dialect):
        return await commit_mark_outcome(engine, xid)
    for _ in range(40):
        try:
            async with engine.connect() as conn:
                status = await conn.scalar(sa.text("SELECT txid_status(:xid)"), {"xid": xid})
        except sa.exc.DBAPIError:
            return None
        if status in ("committed", "aborted"):
            return str(status)
        await asyncio.sleep(0.05)
    return None


def read_only_view(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, with each read outside a transaction.

    A plain ``connect()`` costs three round trips on PostgreSQL (BEGIN, the query, ROLLBACK
    when the connection returns to the pool); a single-row lookup is mostly that. Reads of one
    statement need no transaction, so they run in autocommit mode: one round trip.

    MariaDB/MySQL begin a transaction implicitly (no round trip of its own), while switching
    autocommit on and back costs two ``SET`` round trips: there the engine is used as it is,
    and prepared reads (``prepared``) keep their connections in autocommit mode instead.
    """
    if is_mysql(engine.dialect):
        return engine
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
