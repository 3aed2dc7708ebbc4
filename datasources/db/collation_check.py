"""The collations a MariaDB/MySQL database must have for Roster's lookups: checked at start
(``datasources.storage.open_storage``), with the ``ALTER TABLE`` that fixes a wrong one.

Also the text columns Roster writes that store only 3-byte UTF-8 (``utf8``/``utf8mb3``, as
older OTRS/OTOBO installs created their tables): these do not stop the start, since such a
database serves everything but 4-byte characters (emoji, rarer CJK) well, but they are named
in one warning with their fix, and the write rules refuse a 4-byte character for them with a
typed problem (``domain.text.check_text``) instead of MariaDB's error 1366.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.dialect import exactly, is_mysql, key_collation
from domain.collations import taken_by_collation
from domain.errors import ErrorCode, Problem

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


# ---- a unique index that counts two different values as one ----------------------------------


async def taken_by_collation_twin(
    engine: AsyncEngine,
    column: sa.Column[Any],
    value: str,
    *,
    subject: str,
    except_value: str | None = None,
) -> str | None:
    """MariaDB/MySQL: the message for ``value`` refused because the column's own collation
    counts it as equal to a stored value of ``column`` (but for ``except_value``, the row
    being changed, compared exactly), naming that value and the collation
    (``domain.collations.taken_by_collation``; ``subject``: ``Login``, ``Group name``, …);
    None elsewhere, or when no stored value is its twin. Called after a unique index
    refused a write that Roster's own checks (``lower()`` on a binary collation, as on
    PostgreSQL) let through: OTOBO's ``utf8mb4_unicode_ci`` ignores accents, and counts every
    character outside the Basic Multilingual Plane (emoji) as equal to every other, so
    ``a😀`` and ``a🚀`` are one login there. Only on that path: costs two reads."""
    if not is_mysql(engine.dialect):
        return None
    query = sa.select(column).where(column == value)  # the column's collation decides
    if except_value is not None:
        query = query.where(exactly(column) != except_value)
    collation_of = sa.text(
        "SELECT collation_name FROM information_schema.columns WHERE table_schema = DATABASE()"
        " AND table_name = :t AND column_name = :c"
    )
    async with engine.connect() as conn:
        stored = (await conn.execute(query.limit(1))).scalar()
        if stored is None:
            return None
        names = {"t": column.table.name, "c": column.name}
        collation = (await conn.execute(collation_of, names)).scalar()
    return taken_by_collation(subject, value, str(stored), str(collation or "the column's"))


# ---- text columns that store only 3-byte UTF-8 ---------------------------------------------------

THREE_BYTE_CHARSETS = ("utf8", "utf8mb3")
"""What MariaDB/MySQL call the character set that stores at most 3 bytes a character (MariaDB
10.6+ and MySQL 8.0.30+ report ``utf8mb3``, older servers ``utf8``)."""

WRITTEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_company": (),
    "groups_table": ("name", "comments"),
    "service": ("name", "comments"),
    "dynamic_field_value": ("value_text",),
    "ticket": ("customer_id", "customer_user_id"),
}
"""Text columns of OTOBO's tables Roster writes with what a client sent, beside the Map columns
of the customer-user tables and of ``customer_company`` (the caller adds those from the
configuration). A ticket's customer columns take a login or customer ID, which may hold any
character; ``customer_preferences`` is left out, as Roster writes only ASCII there."""


async def three_byte_columns(
    engine: AsyncEngine, extra: Mapping[str, Iterable[str]] | None = None
) -> dict[str, dict[str, str]]:
    """MariaDB/MySQL: the text columns Roster writes (:data:`WRITTEN_COLUMNS` plus ``extra``,
    the Map columns) whose character set stores only 3-byte UTF-8, as table → column → the
    ``ALTER TABLE`` that converts the table to utf8mb4; empty when there are none, and on any
    other database (PostgreSQL's and SQLite's text holds every character). One query."""
    if not is_mysql(engine.dialect):
        return {}
    wanted = {table: set(columns) for table, columns in WRITTEN_COLUMNS.items()}
    for table, columns in (extra or {}).items():
        wanted.setdefault(table, set()).update(columns)
    query = sa.text(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = DATABASE() AND character_set_name IN :charsets"
    ).bindparams(sa.bindparam("charsets", expanding=True))
    async with engine.connect() as conn:
        rows = (await conn.execute(query, {"charsets": list(THREE_BYTE_CHARSETS)})).all()
    collation = key_collation(engine.dialect) or "utf8mb4_unicode_ci"
    found: dict[str, dict[str, str]] = {}
    for table, column in sorted((str(t), str(c)) for t, c in rows):
        if column in wanted.get(table, ()):
            fix = f"ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation};"
            found.setdefault(table, {})[column] = fix
    return found


NAME_AND_COMMENT = {"name": "name", "comments": "comment"}
"""The input fields of ``groups_table``'s and ``service``'s text columns."""


def three_byte_fields(
    three_byte_columns: Mapping[str, str] | None, field_of_column: Mapping[str, str]
) -> dict[str, str]:
    """:func:`three_byte_columns`' fixes of one table, keyed by input field instead of column
    (what the write rules look up); columns without a field are left out."""
    return {
        field_of_column[column]: fix
        for column, fix in (three_byte_columns or {}).items()
        if column in field_of_column
    }


def three_byte_warning(found: Mapping[str, Mapping[str, str]]) -> str:
    """The one start-up warning naming every 3-byte column of :func:`three_byte_columns` and
    the statements that fix them."""
    columns = ", ".join(f"{t}.{c}" for t, cs in found.items() for c in cs)
    fixes = " ".join(dict.fromkeys(fix for cs in found.values() for fix in cs.values()))
    return (
        f"database: these text columns store only 3-byte UTF-8 (utf8mb3), so a value with a "
        f"4-byte character (emoji, rarer CJK) is refused for them with INVALID_CHARACTERS: "
        f"{columns}. To store every character, run: {fixes}"
    )


MY_TRUNCATED_WRONG_VALUE = 1366
"""MariaDB/MySQL's ``Incorrect string value: '\\xF0\\x9F…' for column …`` (strict mode)."""

ColumnFields = Mapping[tuple[str, str], Sequence[tuple[str, ...]]]
"""For one write: (table, column) → the input fields (a problem's ``field``, in domain names)
whose values it writes there. Most columns have one; ``dynamic_field_value.value_text`` has
each dynamic field of the write whose text the column could refuse."""

_COLUMN_IN_MESSAGE = re.compile(
    r"for column ((?:`(?:[^`]|``)*`\.)*`(?:[^`]|``)*`|'[^']*') at row \d+"
)
"""MariaDB (10.3+; 10.11 checked) names ```db`.`table`.`column```; MySQL (8.0, 8.4) only
``'column'`` (``ER_TRUNCATED_WRONG_VALUE_FOR_FIELD``)."""

_QUOTED = re.compile(r"`((?:[^`]|``)*)`")


def refused_column(message: str) -> tuple[str | None, str] | None:
    """(table, column) that a 1366 ``message`` names: the table is None when the server
    names the column alone (MySQL); None when the message names no column."""
    match = _COLUMN_IN_MESSAGE.search(message)
    if match is None:
        return None
    named = match.group(1)
    if named.startswith("'"):
        return None, named[1:-1]
    parts = [part.replace("``", "`") for part in _QUOTED.findall(named)]
    return (parts[-2] if len(parts) >= 2 else None), parts[-1]


def input_fields_of(
    table: str, field_of_column: Mapping[str, tuple[str, ...]]
) -> dict[tuple[str, str], list[tuple[str, ...]]]:
    """:data:`ColumnFields` for the columns of one ``table``, one input field each."""
    return {(table, column): [field] for column, field in field_of_column.items()}


def _fields_for(
    fields: ColumnFields, table: str | None, column: str
) -> tuple[str | None, Sequence[tuple[str, ...]]]:
    """The table of ``column`` and the input fields that wrote it: when the server did not
    name the table (MySQL), the write's one table with such a column, if only one has it."""
    if table is not None:
        return table, fields.get((table, column), ())
    candidates = [(name, paths) for (name, col), paths in fields.items() if col == column]
    return candidates[0] if len(candidates) == 1 else (None, ())


def four_byte_refusal(
    error: BaseException, dialect: Dialect, fields: ColumnFields | None = None
) -> list[Problem] | None:
    """The typed problems for a write MariaDB/MySQL refused because a column could not store a
    character (error 1366 on a string, e.g. a column converted to utf8mb3 after the start,
    which the write rules did not know of); None for any other error. The safety net behind
    the rules: the write's transaction rolls back and the caller gets INVALID_CHARACTERS
    instead of INTERNAL_SERVER_ERROR, naming the column and its fix, at the input field that
    wrote the column (``fields``: the write's :data:`ColumnFields`), or for the input as a
    whole when the write did not say which field that is."""
    orig = getattr(error, "orig", None)
    if not isinstance(error, sa.exc.DBAPIError) or orig is None:
        return None
    args = getattr(orig, "args", ())
    if not args or args[0] != MY_TRUNCATED_WRONG_VALUE or len(args) < 2:
        return None
    message = str(args[1])
    if "Incorrect string value" not in message:
        return None
    named = refused_column(message)
    table, column = named if named is not None else (None, None)
    paths: Sequence[tuple[str, ...]] = ()
    if column is not None:
        table, paths = _fields_for(fields or {}, table, column)
    shown = ".".join(n for n in (table, column) if n) or "a column"
    collation = key_collation(dialect) or "utf8mb4_unicode_ci"
    text = (
        f"The database refused a character for {shown}: the column stores only 3-byte "
        "UTF-8 (MariaDB's utf8mb3), which cannot hold characters outside the Basic "
        "Multilingual Plane (emoji, rarer CJK); its write was rolled back. An administrator fixes "
        f"it with: ALTER TABLE {table or '<table>'} CONVERT TO CHARACTER SET utf8mb4 "
        f"COLLATE {collation};"
    )
    return [Problem(path, ErrorCode.INVALID_CHARACTERS, text) for path in paths or [()]]
