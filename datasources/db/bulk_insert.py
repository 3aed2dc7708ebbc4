"""Many rows into one table in one statement: a bulk import's batch (users, relation rows,
origin records, audit events).

Why this exists: SQLAlchemy's ``executemany`` on asyncpg hands the driver one parameter set
per row, which SQLAlchemy builds row by row (``construct_params``, about 11 µs a row in the
importer's profile) and PostgreSQL binds and executes row by row (an executor start per
row). On PostgreSQL the rows go instead as one array per column into ONE prepared
statement, ``INSERT INTO t (…) SELECT … FROM unnest($1::type[], …)``: the driver encodes the
arrays in its binary format, and the server plans and runs one statement for the batch.
Values that are the same in every row (the write's time and agent, the acting key of every
audit event, the Map columns a file leaves empty) are bound once, as plain parameters: the
driver's array encoder costs ~0.3 µs an element, and a user is ~55 elements otherwise. Same
table, same columns, same transaction, same constraint errors (SQLAlchemy's ``IntegrityError``,
as the statement runs through it): only the way the rows travel differs.
SQLite and MariaDB keep SQLAlchemy's ``executemany``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_rows(
    conn: AsyncConnection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (every one with the same keys: column names) into ``table``, each
    with the columns of ``fixed`` too; in ``conn``'s transaction."""
    if rows:
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        await insert_columns(conn, table, columns, fixed)


async def insert_columns(
    conn: AsyncConnection,
    table: sa.Table,
    columns: Mapping[str, list[Any]],
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """:func:`insert_rows` with the rows given column by column (each list one column's
    values, all as long), as a caller that builds many rows can hand them over without a
    dict per row."""
    count = len(next(iter(columns.values()), []))
    if not count:
        return
    fixed = fixed or {}
    if conn.dialect.name != "postgresql":
        names = list(columns)
        together = zip(*columns.values(), strict=True)
        rows = [{**dict(zip(names, values, strict=True)), **fixed} for values in together]
        await conn.execute(sa.insert(table), rows)
        return
    if count > 1:  # a column with one value in every row is bound once, as a scalar
        same = {n: v[0] for n, v in columns.items() if v.count(v[0]) == count}
        if len(same) == len(columns):
            same.pop(next(iter(same)))  # unnest() needs an array
        fixed = {**same, **fixed}
        columns = {n: v for n, v in columns.items() if n not in same}
    arrays: dict[str, Any] = {}
    joined: list[bool] = []
    for name, values in columns.items():
        text = _joined(values) if _processor(table, name, conn.dialect) is None else None
        joined.append(text is not None)
        arrays[name] = values if text is None else text
    varying = tuple(columns)
    statement, processors = _unnest_insert(
        table, varying, tuple(joined), tuple(fixed), conn.dialect
    )
    params: dict[str, Any] = {}
    for index, values in enumerate(arrays.values()):
        process = processors[index]
        if process is not None and not joined[index]:
            values = [process(v) for v in values]
        params[f"v{index}"] = values
    for index, value in enumerate(fixed.values()):
        process = processors[len(varying) + index]
        params[f"f{index}"] = value if process is None else process(value)
    await conn.execute(statement, params)


SEPARATOR = "\x1f"
"""Between the values of a text column sent as one text (``string_to_array``): the unit
separator, a control character no text check lets into a field (``domain.text``) and JSON
always escapes."""


def _joined(values: list[Any]) -> str | None:
    """A column of texts as one text, when that is safe: every value a text (no None) and
    none holding the separator (checked by counting, at C speed, like the join itself). The
    driver encodes an array element by element with two ``isinstance`` checks each (~0.3 µs);
    one text is a copy."""
    if len(values) < 2 or type(values[0]) is not str:  # one "" would be split into none
        return None
    try:
        text = SEPARATOR.join(values)
    except TypeError:  # a None, a number: as an array
        return None
    return text if text.count(SEPARATOR) == len(values) - 1 else None


def _sent_as(column_type: sa.types.TypeEngine[Any], dialect: Dialect) -> str:
    """The type the values are sent as: texts as ``text``, so that the INSERT's own
    (assignment) cast to ``varchar(n)`` refuses a value too long as a row-by-row INSERT does;
    an explicit ``CAST(… AS varchar(n))`` would cut it short without a word."""
    if isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum):
        return "text"
    return column_type.compile(dialect=dialect)


Processor = Any
"""A column type's bind processor (SQLAlchemy's), or None."""


@functools.lru_cache(maxsize=1024)
def _processor(table: sa.Table, name: str, dialect: Dialect) -> Processor:
    return table.c[name].type.bind_processor(dialect)


@functools.lru_cache(maxsize=256)  # shapes: a few per table (which columns are constant)
def _unnest_insert(
    table: sa.Table,
    varying: tuple[str, ...],
    joined: tuple[bool, ...],
    fixed: tuple[str, ...],
    dialect: Dialect,
) -> tuple[sa.TextClause, list[Processor]]:
    """The statement for ``table``'s columns ``varying`` (arrays, or for each ``joined`` one
    text split by :data:`SEPARATOR`) and ``fixed`` (scalars), built once per shape, with each
    column's bind processor."""
    quote = dialect.identifier_preparer.quote
    columns = [table.c[name] for name in (*varying, *fixed)]
    types = [_sent_as(column.type, dialect) for column in columns]
    arrays = [
        f"CAST(string_to_array(CAST(:v{i} AS text), E'\\x1f') AS {types[i]}[])"
        if joined[i]
        else f"CAST(:v{i} AS {types[i]}[])"
        for i in range(len(varying))
    ]
    scalars = [f"CAST(:f{i} AS {types[len(varying) + i]})" for i in range(len(fixed))]
    names = [f"u{i}" for i in range(len(varying))]
    # Quoted identifiers and the table's own types; no value is ever in the text.
    target = f"{quote(table.name)} ({', '.join(quote(c.name) for c in columns)})"
    select = f"SELECT {', '.join([*names, *scalars])}"
    sql = f"INSERT INTO {target} {select} FROM unnest({', '.join(arrays)}) AS u({', '.join(names)})"
    processors = [_processor(table, column.name, dialect) for column in columns]
    return sa.text(sql), processors
