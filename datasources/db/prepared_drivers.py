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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from datasources.db.engine import is_lost_connection

Processor = Callable[[Any], Any] | None


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
        cursor = driver.cursor()
        try:
            await cursor.execute(self.sql, values)
            raw = await cursor.fetchall()
        finally:
            await cursor.close()  # buffered: no I/O
        if any(self._results):
            processors = self._results
            raw = [
                tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
                for row in raw
            ]
        if positional:
            return list(raw)
        return [dict(zip(self._names, row, strict=True)) for row in raw]


def _single(processor: Any) -> Processor:
    """A bind processor for one value (or None)."""
    return processor if callable(processor) else None


def closed_while_idle(driver: Any) -> bool:
    """Whether the driver already knows its connection is gone (nothing would be sent).
    asyncpg sees the server's goodbye on an idle connection; asyncmy only when it next reads."""
    if isinstance(driver, asyncpg.Connection):
        return bool(driver.is_closed())
    return not driver.connected


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
    if not isinstance(driver, asyncpg.Connection) and not driver.get_autocommit():
        await driver.autocommit(True)


def restore_transactions(dbapi_connection: Any) -> None:
    """asyncmy: autocommit off again for a SQLAlchemy checkout (in its greenlet), whose units
    of work rely on MariaDB's implicit transaction. Reads the last reply's status: no round
    trip unless a driver read used the connection last."""
    if dbapi_connection.get_autocommit():
        dbapi_connection.autocommit(False)


async def end_transaction(driver: Any) -> None:
    """Roll back the transaction the read left open, if the server says there is one
    (asyncmy: autocommit off; asyncpg reads run in autocommit mode and never open one)."""
    if isinstance(driver, asyncpg.Connection):
        return
    if driver.get_transaction_status():
        await driver.rollback()
