"""Turn a parsed search (``domain.search_grammar``) into a SQLAlchemy Core condition.

The SQL is OTOBO's ``QueryCondition`` shape, made portable and safe:

* A word matches when **any** of the search columns matches (``OR`` across columns); a negated
  word matches when **none** does (``AND`` of ``NOT``). A NULL column counts as the empty
  string, so it never matches a word and never excludes a row from a negated word (OTOBO's
  ``col NOT LIKE ?`` silently drops rows whose column is NULL).
* A pattern without wildcards is an equality test, otherwise ``LIKE`` with an explicit
  ``ESCAPE`` character; ``%``, ``_`` and the escape character in the user's text are escaped,
  so only ``*`` is a wildcard (OTOBO binds them unescaped).
* Case-insensitive (OTOBO's default): ``lower(col) LIKE lower(:pattern)``, as OTOBO does.
  Case-sensitive: plain ``LIKE`` on PostgreSQL. SQLite's ``LIKE`` ignores ASCII case whatever
  we do (short of the connection-wide ``PRAGMA case_sensitive_like``), so there a
  case-sensitive pattern compiles to ``GLOB`` with GLOB escaping, and an exact match to
  ``= ... COLLATE BINARY`` (immune to a ``NOCASE`` column). A small compiled construct
  (:class:`_CaseSensitiveMatch`) picks the spelling per dialect, so the same expression
  object runs on both.
* MariaDB/MySQL compare by the column's collation, which on OTOBO's tables ignores case and
  accents: there ``lower()`` carries the binary collation (``datasources.db.dialect``) and a
  case-sensitive match compares the column ``COLLATE`` binary, so both mean what they mean on
  PostgreSQL.
* SQLite's built-in ``lower()`` only folds ASCII, PostgreSQL's (UTF-8 ctype) folds ``Ü`` too.
  :func:`register_sqlite_functions` replaces SQLite's ``lower()`` with Python's ``str.lower``
  on a connection, so case-insensitive search of ``MÜLLER`` finds ``Müller`` on both. Install
  it on every SQLite connection of an engine (a ``connect`` event), or on none: an expression
  index on ``lower(col)`` must be built and queried with the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, String, and_, false, func, literal, not_, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from datasources.db.dialect import exactly
from domain.search_grammar import And, Not, Or, Pattern, SearchExpr, Word

__all__ = [
    "LIKE_ESCAPE",
    "glob_pattern",
    "like_pattern",
    "pattern_condition",
    "register_sqlite_functions",
    "search_condition",
]

LIKE_ESCAPE = "/"
"""The ``ESCAPE`` character of every ``LIKE`` we emit.

Not a backslash: a backslash in a SQL string literal depends on PostgreSQL's
``standard_conforming_strings`` and on the driver's quoting; ``/`` means the same everywhere
(it is also what SQLAlchemy's ``autoescape`` uses).
"""

_LIKE_TRANSLATION = str.maketrans(
    {LIKE_ESCAPE: LIKE_ESCAPE * 2, "%": LIKE_ESCAPE + "%", "_": LIKE_ESCAPE + "_"}
)
# GLOB has no ESCAPE clause; a special character is made literal by a one-character class.
_GLOB_TRANSLATION = str.maketrans({"[": "[[]", "*": "[*]", "?": "[?]"})


def like_pattern(pattern: Pattern) -> str:
    """The ``LIKE`` pattern (escape character :data:`LIKE_ESCAPE`) for a pattern."""
    if pattern.is_match_all:
        return "%"
    return (
        ("%" if pattern.leading_wildcard else "")
        + "%".join(segment.translate(_LIKE_TRANSLATION) for segment in pattern.segments)
        + ("%" if pattern.trailing_wildcard else "")
    )


def glob_pattern(pattern: Pattern) -> str:
    """The SQLite ``GLOB`` pattern for a pattern (GLOB is always case-sensitive)."""
    if pattern.is_match_all:
        return "*"
    return (
        ("*" if pattern.leading_wildcard else "")
        + "*".join(segment.translate(_GLOB_TRANSLATION) for segment in pattern.segments)
        + ("*" if pattern.trailing_wildcard else "")
    )


def pattern_condition(
    pattern: Pattern, column: ColumnElement[Any], *, case_sensitive: bool
) -> ColumnElement[bool]:
    """The condition "``column`` matches ``pattern``" on SQLite and PostgreSQL alike.

    A NULL column does not match (the condition is then NULL or false), except for the
    patterns that match the empty string (``*`` and exact ``""``), which match it as ``""``.
    The column is not wrapped in a function otherwise, so an index on ``col`` (case-sensitive)
    or ``lower(col)`` (case-insensitive, e.g. a trigram index for ``*term*``) stays usable.
    """
    if pattern.is_match_all:
        return true()
    if pattern.matches_empty_string:
        column = func.coalesce(column, literal("", String()))
    exact = pattern.exact_value
    if case_sensitive:
        return _CaseSensitiveMatch(column, pattern)
    if exact is not None:
        return func.lower(column) == func.lower(literal(exact, String()))
    return func.lower(column).like(
        func.lower(literal(like_pattern(pattern), String())), escape=LIKE_ESCAPE
    )


def search_condition(
    expr: SearchExpr | None, columns: Sequence[ColumnElement[Any]], *, case_sensitive: bool
) -> ColumnElement[bool]:
    """The WHERE condition for a parsed free-text search over ``columns``.

    ``None`` (a term of only wildcards) is ``true()``. The result is never true for a row that
    does not match; it may be NULL rather than false there, so use it in a WHERE clause as is
    (do not negate it).
    """
    if expr is None:
        return true()
    if not columns:
        raise ValueError("A search needs at least one column.")
    if isinstance(expr, Word):
        return or_(
            *(pattern_condition(expr.pattern, c, case_sensitive=case_sensitive) for c in columns)
        )
    if isinstance(expr, Not):
        if expr.pattern.is_match_all:
            return false()
        return and_(
            *(
                not_(
                    pattern_condition(
                        expr.pattern,
                        func.coalesce(c, literal("", String())),
                        case_sensitive=case_sensitive,
                    )
                )
                for c in columns
            )
        )
    parts = [search_condition(item, columns, case_sensitive=case_sensitive) for item in expr.items]
    if isinstance(expr, And):
        return and_(*parts)
    assert isinstance(expr, Or)
    return or_(*parts)


def register_sqlite_functions(dbapi_connection: Any, _connection_record: Any = None) -> None:
    """Make SQLite's ``lower()`` fold all of Unicode, as PostgreSQL's does.

    Use as a ``connect`` event listener of the (sync side of the) engine::

        event.listen(engine.sync_engine, "connect", register_sqlite_functions)

    Works with the ``sqlite3`` and the ``aiosqlite`` drivers.
    """
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: object) -> object:
    # SQLite's lower() returns non-text values (NULL, numbers, blobs) unchanged in type.
    return value.lower() if isinstance(value, str) else value


class _CaseSensitiveMatch(ColumnElement[bool]):
    """``column`` matches ``pattern`` case-sensitively, spelled right for each dialect.

    Both spellings' bound values are children of this element (listed in
    ``_traverse_internals``), so SQLAlchemy's statement cache keys on the structure only and
    takes the values from each new statement. The SQL is parenthesized, so it can be negated
    or combined without worrying about operator precedence.
    """

    __visit_name__ = "roster_case_sensitive_match"
    type = Boolean()
    # A predicate, not a boolean column: without this SQLite would get `(...) = 1`.
    _is_implicitly_boolean = True

    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("value", InternalTraversal.dp_clauseelement),
        ("glob", InternalTraversal.dp_clauseelement),
        ("exact", InternalTraversal.dp_boolean),
    ]

    def __init__(self, column: ColumnElement[Any], pattern: Pattern) -> None:
        exact = pattern.exact_value
        self.column = column
        self.exact = exact is not None
        self.value: BindParameter[str] = literal(
            exact if exact is not None else like_pattern(pattern), String()
        )
        self.glob: BindParameter[str] = literal(glob_pattern(pattern), String())


@compiles(_CaseSensitiveMatch)
def _compile_case_sensitive(element: _CaseSensitiveMatch, compiler: SQLCompiler, **kw: Any) -> str:
    if element.exact:
        condition = compiler.process(element.column == element.value, **kw)
    else:
        condition = compiler.process(element.column.like(element.value, escape=LIKE_ESCAPE), **kw)
    return f"({condition})"


@compiles(_CaseSensitiveMatch, "mysql")
@compiles(_CaseSensitiveMatch, "mariadb")
def _compile_case_sensitive_mysql(
    element: _CaseSensitiveMatch, compiler: SQLCompiler, **kw: Any
) -> str:
    """The column's collation (OTOBO's ignores case and accents) gives way to the binary one."""
    column = exactly(element.column)
    if element.exact:
        condition = compiler.process(column == element.value, **kw)
    else:
        condition = compiler.process(column.like(element.value, escape=LIKE_ESCAPE), **kw)
    return f"({condition})"


@compiles(_CaseSensitiveMatch, "sqlite")
def _compile_case_sensitive_sqlite(
    element: _CaseSensitiveMatch, compiler: SQLCompiler, **kw: Any
) -> str:
    column = compiler.process(element.column, **kw)
    if element.exact:
        return f"({column} = {compiler.process(element.value, **kw)} COLLATE BINARY)"
    return f"({column} GLOB {compiler.process(element.glob, **kw)})"
