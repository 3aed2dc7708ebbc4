"""How ``prepared._PoolAccess`` talks to each driver it hands compiled SQL to.

Why a module of its own: asyncpg and asyncmy differ in exactly four things a driver-level read
needs (how to run a statement, whether an idle connection is known dead, whether an error is
the server refusing the statement, and what returning the connection costs); the pool handling
around them (``prepared``) is the same for both.

asyncmy (MariaDB/MySQL): the pool's connections have autocommit off, so a read would begin a
transaction that returning the connection must roll back (a second round trip). A driver read
switches its connection to autocommit instead (``begin_read``; one ``SET`` per connection, as
it stays so while idle), and ``prepared._PoolAccess`` switches it back on the pool's checkout
for anyone else (``restore_transactions``), so SQLAlchemy's units of work keep their
transactions. The server says in every reply whether a transaction is open
(``SERVER_STATUS_IN_TRANS``): ``end_transaction`` rolls back exactly when it is, so a
connection never goes back to the pool inside a transaction, and one with none open costs no
round trip.

asyncmy reads run as server-side prepared statements (``COM_STMT_PREPARE`` once per connection
and statement, then ``COM_STMT_EXECUTE``: the binary protocol), as asyncpg's do: the values
travel unescaped and the rows decode without parsing text, which took 57 against 36 µs of
CPU for a one-user lookup through the driver alone (asyncpg: 29 µs). The statements live as
long as their connection (``_STATEMENTS``, keyed by the driver's connection object: a
reconnect is a new object, so no statement id outlives the session that prepared it).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from asyncmy import errors as asyncmy_errors
from asyncmy.connection import Connection as AsyncmyConnection
from sqlalchemy.engine import Dialect

from datasources.db.engine import is_lost_connection

Processor = Callable[[Any], Any] | None

MAX_STATEMENTS = 256
"""Prepared statements one asyncmy connection keeps (Roster's fixed reads need a few dozen;
past this, a read runs as text). MariaDB's ``max_prepared_stmt_count`` counts every session's."""

_STATEMENTS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
"""asyncmy connection -> its prepared statements by SQL text."""

_PLACEHOLDER = re.compile(r"%[s%]")
UNKNOWN_STATEMENT = 1243  # ER_UNKNOWN_STMT_HANDLER: the server no longer knows the statement


class DriverRead:
    """A statement compiled for one driver, with the type conversions SQLAlchemy would apply.

    asyncpg's values need none (its codecs already return Python types); asyncmy's do
    (``Boolean`` is an integer on the wire, both ways)."""

    def __init__(self, statement: sa.Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.parameter_order: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values written into the statement itself (``permission_value = 1``).
        self.fixed_values: dict[str, Any] = dict(compiled.params)
        self.expands = "__[POSTCOMPILE_" in self.sql  # IN lists sized per call: not prepared
        self._asyncmy = dialect.driver == "asyncmy"
        self._server_sql: str | None = None  # asyncmy: the text to prepare (``?`` markers)
        self._bind: tuple[Processor, ...] = ()
        self._names: tuple[str, ...] = ()
        self._results: tuple[Processor, ...] = ()
        if self._asyncmy:
            binds = compiled._bind_processors
            found = [binds.get(name) for name in self.parameter_order]
            self._bind = tuple(_single(processor) for processor in found)
            # A tuple type's processor takes a sequence: left to SQLAlchemy, like IN lists.
            self.expands |= any(p is not None and not callable(p) for p in found)
            columns = compiled._result_columns
            self._names = tuple(column.keyname for column in columns)
            self._results = tuple(
                column.type._cached_result_processor(dialect, None) for column in columns
            )
            self._server_sql = _question_marks(self.sql)

    def values(self, parameters: dict[str, Any]) -> list[Any]:
        given = self.fixed_values | parameters
        values = [given[name] for name in self.parameter_order]
        if any(self._bind):
            values = [v if p is None else p(v) for p, v in zip(self._bind, values, strict=True)]
        return values

    async def run(self, driver: Any, values: Sequence[Any], *, positional: bool) -> Sequence[Any]:
        """The rows (asyncpg ``Record``; on asyncmy a tuple, or a dict by column name)."""
        if not self._asyncmy:
            rows: Sequence[Any] = await driver.fetch(self.sql, *values)
            return rows
        raw = await self._asyncmy_rows(driver, values)
        if any(self._results):
            processors = self._results
            raw = [
                tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
                for row in raw
            ]
        if positional:
            return list(raw)
        return [dict(zip(self._names, row, strict=True)) for row in raw]

    async def _asyncmy_rows(self, driver: Any, values: Sequence[Any]) -> Sequence[Any]:
        """The rows as tuples: through this connection's prepared statement (prepared on first
        use), as text when the server will not prepare the statement."""
        sql = self._server_sql
        if sql is not None:
            statements = _STATEMENTS.get(driver)
            if statements is None:
                statements = _STATEMENTS[driver] = {}
            statement = statements.get(sql)
            if statement is None and len(statements) < MAX_STATEMENTS:
                try:
                    statement = statements[sql] = await driver.prepare(sql)
                except asyncmy_errors.DatabaseError as error:
                    if not _server_error(error):
                        raise
                    self._server_sql = None  # refused by this server: text from now on
            if statement is not None:
                try:
                    result = await statement.execute(values)
                except asyncmy_errors.DatabaseError as error:
                    if _server_error(error) == UNKNOWN_STATEMENT:
                        statements.pop(sql, None)  # fails once; prepared afresh next time
                    raise
                rows: Sequence[Any] = result.rows or ()
                return rows
        cursor = driver.cursor()
        try:
            await cursor.execute(self.sql, values)
            raw: Sequence[Any] = await cursor.fetchall()
        finally:
            await cursor.close()  # buffered: no I/O
        return raw


def _server_error(error: Exception) -> int | None:
    """The server's error number when ``error`` is the server refusing a statement (client-side
    errors, such as a lost connection, are numbered 2000 and up), else None."""
    code = error.args[0] if error.args else None
    return code if isinstance(code, int) and code < 2000 else None


def _question_marks(sql: str) -> str | None:
    """``sql`` (asyncmy's ``%s`` markers, ``%%`` for a literal ``%``) with MariaDB's native
    ``?`` markers for ``COM_STMT_PREPARE``; None when the rewrite could be ambiguous: a ``?``
    anywhere, a backslash, or a quoted literal holding a ``%``. Roster's compiled reads bind
    every value; the planner's (``nested_reads``) spell JSON keys as quoted literals, which
    hold identifiers only: without them, its MariaDB lookup ran on the text protocol."""
    if "?" in sql or "\\" in sql:
        return None
    if any("%" in literal for literal in _QUOTED.findall(sql)):
        return None
    return _PLACEHOLDER.sub(lambda m: "?" if m.group() == "%s" else "%", sql)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
"""Quoted literals and identifiers (without backslashes, a doubled quote reads as two)."""


def _single(processor: Any) -> Processor:
    """A bind processor for one value (or None)."""
    return processor if callable(processor) else None


def closed_while_idle(driver: Any) -> bool:
    """Whether the driver already knows its connection is gone (nothing would be sent).
    asyncpg sees the server's goodbye on an idle connection; asyncmy only when it next reads."""
    if isinstance(driver, AsyncmyConnection):
        return not driver.connected
    return bool(driver.is_closed())


def is_lost(error: Exception, driver: Any, dialect: Dialect) -> bool:
    """Whether ``error`` means the connection is gone (not that the statement failed)."""
    if closed_while_idle(driver) or is_lost_connection(error):
        return True
    if dialect.driver == "asyncmy":
        return bool(dialect.is_disconnect(error, None, None))  # type: ignore[arg-type]
    return False


def is_refusal(error: Exception, dialect: Dialect) -> bool:
    """Whether the server refused the statement (a bad value, a statement timeout) and the
    connection is fine; anything else leaves the protocol state unknown."""
    if isinstance(error, asyncpg.PostgresError):
        return True
    if dialect.driver != "asyncmy":
        return False
    errors = dialect.loaded_dbapi
    code = error.args[0] if error.args else None
    # Client-side errors (the protocol) are numbered 2000 and up.
    return isinstance(error, errors.DatabaseError) and isinstance(code, int) and code < 2000


async def begin_read(driver: Any) -> None:
    """asyncmy: autocommit on, so the read opens no transaction (a round trip only when the
    connection was last used by SQLAlchemy, or is new)."""
    if isinstance(driver, AsyncmyConnection) and not driver.get_autocommit():
        connection: Any = driver  # asyncmy's stubs leave ``autocommit`` untyped
        await connection.autocommit(True)


def restore_transactions(dbapi_connection: Any, dialect: Dialect) -> None:
    """asyncmy: autocommit off again for a SQLAlchemy checkout (in its greenlet), whose units
    of work rely on MariaDB's implicit transaction. Reads the last reply's status: no round
    trip unless a driver read used the connection last.

    That round trip is the checkout's first contact with the server: a connection the server
    dropped while it was idle fails here. ``DisconnectionError`` tells the pool so (SQLAlchemy's
    pessimistic disconnect handling): it discards the connection and checks out another,
    reconnecting if need be, and the caller never sees the dead one."""
    if not dbapi_connection.get_autocommit():
        return
    try:
        dbapi_connection.autocommit(False)
    except Exception as error:
        if is_lost_connection(error) or dialect.is_disconnect(error, None, None):  # type: ignore[arg-type]
            raise sa.exc.DisconnectionError(f"lost while idle: {error}") from error
        raise


async def end_transaction(driver: Any) -> None:
    """Roll back the transaction the read left open, if the server says there is one
    (asyncmy: autocommit off; asyncpg reads run in autocommit mode and never open one)."""
    if isinstance(driver, AsyncmyConnection) and driver.get_transaction_status():
        await driver.rollback()
