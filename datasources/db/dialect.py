"""What differs between the databases Roster runs on (SQLite, PostgreSQL, MariaDB/MySQL), in one
place, so that the stores write one query and get the same answer everywhere.

The rule every store follows is PostgreSQL's: text compares exactly (code point by code point)
unless the query says ``lower(…)``, in which case it compares case-insensitively and nothing
else (``Müller`` = ``MÜLLER``, ``Müller`` ≠ ``Muller``); lists sort by code point.

MariaDB and MySQL compare text by the column's collation. OTOBO's tables use
``utf8mb4_unicode_ci`` (its installer: ``CREATE DATABASE … COLLATE utf8mb4_unicode_ci``), which
ignores case *and accents* and trailing spaces, and Roster must also serve tables it did not
create. So on the MySQL family:

- ``lower(x)`` compiles to ``LOWER(x COLLATE <binary>)``: lower-cased by one set of case tables
  for both sides, then compared code point by code point, whatever the column's collation
  (``lower`` is registered as a generic function below; nothing at the call sites changes);
  ``length(x)`` to ``CHAR_LENGTH(x)`` (MySQL's ``length`` counts bytes);
- :func:`exactly` (and ``paging.binary_key``) adds ``COLLATE <binary>`` where PostgreSQL compares
  or sorts exactly: case-sensitive search, names compared exactly, keyset pages;
- the binary collation is ``utf8mb4_nopad_bin`` on MariaDB and ``utf8mb4_0900_bin`` on MySQL 8
  (both NO PAD: ``'a' <> 'a '``, as on PostgreSQL);
- advisory locks (``pg_advisory_xact_lock``) become a row lock on ``roster_lock``, held to the
  end of the transaction (:func:`xact_lock`);
- a commit whose answer was lost is looked up through a mark the transaction wrote in
  ``roster_commit`` (``commit_marks.write_commit_mark``), where PostgreSQL has ``txid_status``;
- the tables Roster creates get an accent-sensitive, case-insensitive collation
  (:func:`otobo_table_options`), so OTOBO's own unique indexes (login, group and service name,
  customer ID) refuse ``MÜLLER`` beside ``Müller`` but keep ``Muller`` apart, as Roster's
  ``lower()`` indexes do on PostgreSQL.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import functions, operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement, Grouping
from sqlalchemy.sql.visitors import InternalTraversal

MYSQL_FAMILY = ("mysql", "mariadb")
"""SQLAlchemy's dialect names for MySQL and MariaDB (``mysql+asyncmy://``, ``mariadb+asyncmy://``;
a ``mysql`` URL pointing at a MariaDB server gets ``mysql`` with ``is_mariadb`` set)."""

LOCK_SLOTS = 1024
"""Rows of ``roster_lock`` (ids 1…LOCK_SLOTS): the MySQL family's advisory locks."""


def is_mysql(dialect: Dialect | str) -> bool:
    """Whether ``dialect`` (or a dialect name) is MariaDB or MySQL."""
    name = dialect if isinstance(dialect, str) else dialect.name
    return name in MYSQL_FAMILY


def binary_collation(dialect: Dialect) -> str:
    """The utf8mb4 collation that compares code point by code point, without padding."""
    return "utf8mb4_nopad_bin" if getattr(dialect, "is_mariadb", False) else "utf8mb4_0900_bin"


def key_collation(dialect: Dialect) -> str | None:
    """The collation of the OTOBO tables Roster creates: case-insensitive, accent-sensitive,
    NO PAD (MariaDB 10.10+: UCA 14; MySQL 8: UCA 9). None on an older server, whose tables then
    get the database's default (OTOBO's ``utf8mb4_unicode_ci``: accents ignored too)."""
    version = tuple(getattr(dialect, "server_version_info", None) or ())
    if getattr(dialect, "is_mariadb", False):
        return "utf8mb4_uca1400_nopad_as_ci" if version >= (10, 10) else None
    return "utf8mb4_0900_as_ci" if version >= (8, 0) else None


def otobo_table_options(bind: sa.Connection) -> dict[str, Any]:
    """``op.create_table`` keyword arguments for an OTOBO table Roster creates."""
    if not is_mysql(bind.dialect):
        return {}
    options = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
    collation = key_collation(bind.dialect)
    if collation is not None:
        options["mysql_collate"] = collation
    return options


def roster_table_options(bind: sa.Connection) -> dict[str, Any]:
    """``op.create_table`` keyword arguments for one of Roster's own ``roster_*`` tables: text
    compared exactly, as on PostgreSQL (an API key named ``Ops`` is not ``ops``)."""
    if not is_mysql(bind.dialect):
        return {}
    return {
        "mysql_engine": "InnoDB",
        "mysql_charset": "utf8mb4",
        "mysql_collate": binary_collation(bind.dialect),
    }


# ---- exact comparison and order --------------------------------------------------------------


class _Exact(ColumnElement[Any]):
    """``element`` compared and sorted code point by code point (see :func:`exactly`)."""

    __visit_name__ = "roster_exact"
    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: ColumnElement[Any]) -> None:
        self.element = element
        self.type = element.type

    @property
    def _from_objects(self) -> list[Any]:
        return self.element._from_objects

    def self_group(self, against: Any = None) -> ColumnElement[Any]:
        return _Exact(self.element.self_group(against=against))


def exactly(element: ColumnElement[Any]) -> ColumnElement[Any]:
    """``element`` with PostgreSQL's (and SQLite's) exact text semantics on every database:
    ``COLLATE <binary>`` on MariaDB/MySQL, unchanged elsewhere (an index on the column stays
    usable there)."""
    return _Exact(element)


@compiles(_Exact)
def _compile_exact(element: _Exact, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.element, **kw)


@compiles(_Exact, "mysql")
@compiles(_Exact, "mariadb")
def _compile_exact_mysql(element: _Exact, compiler: SQLCompiler, **kw: Any) -> str:
    collated = sa.collate(element.element, binary_collation(compiler.dialect))
    return f"({compiler.process(collated, **kw)})"


class _CaseInsensitiveEquals(ColumnElement[bool]):
    """``lower(column) = value``, which on MariaDB/MySQL also asks ``column = value`` first.

    No ``lower()`` index exists there; the column's own index serves instead, because every
    collation an OTOBO table has there ignores case (OTOBO's ``utf8mb4_unicode_ci``, Roster's
    ``…_as_ci``): ``column = value`` finds a superset of the rows, through the index, and the
    ``lower()`` test keeps exactly PostgreSQL's. Only for a table column against a value (two
    columns may differ in collation, which MariaDB refuses to compare). Elsewhere the SQL is
    ``lower(column) = value`` as written.
    """

    __visit_name__ = "roster_case_insensitive_equals"
    inherit_cache = True
    type = sa.Boolean()
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("plain", InternalTraversal.dp_clauseelement),
        ("column", InternalTraversal.dp_clauseelement),
        ("value", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        plain: ColumnElement[bool],
        column: ColumnElement[Any],
        value: ColumnElement[Any] | None,
    ) -> None:
        self.plain = plain
        self.column = column
        self.value = value if value is not None else sa.null()

    @property
    def _from_objects(self) -> list[Any]:
        return self.plain._from_objects  # the tables a SELECT or EXISTS takes it from

    def self_group(self, against: Any = None) -> ColumnElement[Any]:
        if against is not None and operators.is_precedent(operators.eq, against):
            return Grouping(self)
        return self


@compiles(_CaseInsensitiveEquals)
def _compile_case_insensitive_equals(
    element: _CaseInsensitiveEquals, compiler: SQLCompiler, **kw: Any
) -> str:
    return compiler.process(element.plain, **kw)


@compiles(_CaseInsensitiveEquals, "mysql")
@compiles(_CaseInsensitiveEquals, "mariadb")
def _compile_case_insensitive_equals_mysql(
    element: _CaseInsensitiveEquals, compiler: SQLCompiler, **kw: Any
) -> str:
    plain = compiler.process(element.plain, **kw)
    if not isinstance(element.column, sa.Column) or isinstance(element.value, sa.Null):
        return plain
    return f"({compiler.process(element.column == element.value, **kw)} AND {plain})"


def _plain_value(value: Any) -> ColumnElement[Any] | None:
    """The value of a comparison as the column's index can take it: a bound value, or one in
    ``lower(…)`` (the column's collation ignores case anyway); None for anything else."""
    if isinstance(value, lower):
        (value,) = value.clauses.clauses
    return value if isinstance(value, sa.BindParameter) else None


class LowerText(sa.String):
    """The type of ``lower(…)``: text, and ``lower(column) == value`` is
    :class:`_CaseInsensitiveEquals`."""

    class comparator_factory(sa.String.Comparator[str]):  # SQLAlchemy's name
        def __eq__(self, other: Any) -> ColumnElement[bool]:  # type: ignore[override]
            plain = super().__eq__(other)
            expr = self.expr
            assert isinstance(plain, BinaryExpression)
            if not isinstance(expr, lower):
                return plain
            (column,) = expr.clauses.clauses
            return _CaseInsensitiveEquals(plain, column, _plain_value(plain.right))


class lower(functions.GenericFunction[str]):  # SQL's name, as sa.func spells it
    """``sa.func.lower``: SQL's ``lower()``, which on MariaDB/MySQL also sets the binary
    collation, so ``lower(a) = lower(b)`` means "equal but for case" there too, and
    ``lower(column) = value`` also asks the column's index (:class:`_CaseInsensitiveEquals`);
    see the module docstring. Registered under ``lower`` when this module is imported
    (``datasources.db`` does, before any statement is built)."""

    type = LowerText()
    inherit_cache = True


@compiles(lower, "mysql")
@compiles(lower, "mariadb")
def _compile_lower_mysql(element: lower, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses.clauses
    collated = sa.collate(argument, binary_collation(compiler.dialect))
    return f"LOWER({compiler.process(collated, **kw)})"


class length(functions.GenericFunction[int]):  # SQL's name, as sa.func spells it
    """``sa.func.length``: the number of characters, as PostgreSQL's and SQLite's ``length()``
    count; MySQL's ``length()`` counts bytes, so there it is ``CHAR_LENGTH()``."""

    type = sa.Integer()
    inherit_cache = True


@compiles(length, "mysql")
@compiles(length, "mariadb")
def _compile_length_mysql(element: length, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CHAR_LENGTH({compiler.process(element.clauses, **kw)})"


# ---- sessions --------------------------------------------------------------------------------


def mysql_session_setup(dialect: Dialect, statement_timeout_seconds: float) -> Any:
    """A ``connect`` listener for MariaDB/MySQL connections: the statement time limit
    (PostgreSQL's ``statement_timeout``): MariaDB's ``max_statement_time`` (seconds, any
    statement), MySQL's ``max_execution_time`` (milliseconds, reads only). 0: none. The dialect
    knows which server it talks to by then (SQLAlchemy initializes it on the first connect,
    before other listeners run)."""

    def setup(dbapi_connection: Any, _record: Any = None) -> None:
        if getattr(dialect, "is_mariadb", False):
            statements = [f"SET SESSION max_statement_time = {float(statement_timeout_seconds)!r}"]
        else:
            statements = [
                f"SET SESSION max_execution_time = {round(statement_timeout_seconds * 1000)}",
                # MySQL rounds a time to the column's whole seconds, MariaDB cuts: cut on both,
                # so a row never carries a time later than when it was written.
                "SET SESSION sql_mode = CONCAT(@@sql_mode, ',TIME_TRUNCATE_FRACTIONAL')",
            ]
        cursor = dbapi_connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
            from datasources.db.commit_marks import forget_old_commit_marks  # a cycle at import

            forget_old_commit_marks(cursor)
            dbapi_connection.commit()
        finally:
            cursor.close()

    return setup


STATEMENT_TIMEOUT_ERRORS = (1969, 3024)
"""MariaDB's ``ER_STATEMENT_TIMEOUT`` (max_statement_time) and MySQL's ``ER_QUERY_TIMEOUT``
(max_execution_time)."""


def is_mysql_statement_timeout(error: BaseException) -> bool:
    """Whether ``error`` (a driver error, not what wraps it) is MariaDB/MySQL stopping a
    statement at its time limit."""
    args: tuple[Any, ...] = getattr(error, "args", ())
    return (
        bool(args)
        and type(error).__module__.startswith("asyncmy")
        and (args[0] in STATEMENT_TIMEOUT_ERRORS)
    )


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The id of the row an ``INSERT`` just wrote: ``RETURNING`` where the database has it
    (PostgreSQL, SQLite, MariaDB), the driver's last row id on MySQL, which has not."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


# ---- locks -----------------------------------------------------------------------------------


async def xact_lock(
    conn: AsyncConnection, *keys: int, sqlite_table: sa.Table | None = None
) -> None:
    """Hold the lock named by ``keys`` until ``conn``'s transaction ends; a concurrent
    transaction asking for the same lock waits.

    - PostgreSQL: ``pg_advisory_xact_lock(*keys)`` (one bigint or two int4 keys).
    - MariaDB/MySQL: a row lock (``SELECT … FOR UPDATE``) on one of ``roster_lock``'s
      :data:`LOCK_SLOTS` rows, picked by a hash of the keys. Two locks sharing a row only take
      turns (no transaction holds two of these locks, so that cannot deadlock). ``GET_LOCK``
      is not used: it belongs to the session, not the transaction, and would outlive a
      connection returned to the pool.
    - SQLite (one writer at a time anyway): when ``sqlite_table`` is given, an empty delete on
      it takes the database's write lock now instead of at the first real write.
    """
    dialect = conn.dialect
    if dialect.name == "postgresql":
        await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(*keys)))
    elif is_mysql(dialect):
        slot = zlib.crc32(",".join(map(str, keys)).encode()) % LOCK_SLOTS + 1
        await conn.execute(
            sa.select(roster_lock.c.id).where(roster_lock.c.id == slot).with_for_update()
        )
    elif sqlite_table is not None:
        await conn.execute(sa.delete(sqlite_table).where(sa.false()))


# Imported last: tables.py builds ``sa.func.lower`` expressions at import, after the class above
# has replaced the plain function.
from datasources.db.tables import roster_lock  # noqa: E402


async def xact_locks(
    conn: AsyncConnection, first: int, keys: Sequence[int], *, sqlite_table: sa.Table
) -> None:
    """:func:`xact_lock` ``(first, key)`` for every one of ``keys``, in ascending order (two
    transactions taking several of them then never wait for each other in a circle): one
    statement on PostgreSQL whatever the number of keys (a bulk import locks a batch's
    e-mail addresses), one per key on MariaDB/MySQL, the write lock on SQLite."""
    ordered = sorted(set(keys))
    if not ordered:
        return
    if conn.dialect.name == "postgresql":
        query = sa.text(
            "SELECT count(pg_advisory_xact_lock(:first, k)) "
            "FROM unnest(CAST(:keys AS integer[])) WITH ORDINALITY AS t(k, n)"
        )
        await conn.execute(query, {"first": first, "keys": ordered})
    elif is_mysql(conn.dialect):  # the slot rows xact_lock would take, in one ordered lock
        slots = sorted({zlib.crc32(f"{first},{k}".encode()) % LOCK_SLOTS + 1 for k in ordered})
        rows = sa.select(roster_lock.c.id).where(roster_lock.c.id.in_(slots))
        await conn.execute(rows.order_by(roster_lock.c.id).with_for_update())
    else:
        await xact_lock(conn, first, sqlite_table=sqlite_table)


async def refresh_statistics(conn: AsyncConnection, tables: Sequence[str]) -> None:
    """Let the planner see how big ``tables`` have become (``ANALYZE``). A bulk import grows a
    table from nothing in seconds, faster than autovacuum notices; with statistics that still
    say "empty", PostgreSQL plans a lookup of a batch's keys as a scan per key."""
    quote = conn.dialect.identifier_preparer.quote
    if is_mysql(conn.dialect):
        await conn.execute(sa.text("ANALYZE TABLE " + ", ".join(quote(t) for t in tables)))
        return
    for table in tables:
        await conn.execute(sa.text(f"ANALYZE {quote(table)}"))


async def flush_index_backlog(conn: AsyncConnection, tables: Sequence[str]) -> None:
    """PostgreSQL: merge the pending lists of ``tables``' GIN indexes (the trigram indexes of
    ``*term*`` search) into the indexes. A fast insert of thousands of rows leaves them in the
    pending list, which every scan of the index reads in full; the planner, which prices GIN
    scans cheaply, then answers a batch's key lookups through a trigram index at tens of
    milliseconds per key. Autovacuum does this too, but later. Elsewhere: nothing."""
    if conn.dialect.name != "postgresql" or not tables:
        return
    await conn.execute(
        sa.text(
            "SELECT count(gin_clean_pending_list(i.indexrelid)) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'gin' AND i.indrelid IN "
            "(SELECT oid FROM pg_class WHERE relname = ANY(CAST(:tables AS text[])))"
        ),
        {"tables": list(tables)},
    )
