"""SQL spellings of the values the general path writes, for ``datasources.db.nested_reads``:
each gives in PostgreSQL (and, for those MariaDB plans, in MariaDB) exactly the text the record
and the GraphQL scalar would."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from datasources.db.dialect import exactly
from domain.nested_shape import Unplannable
from domain.validity import Validity

Expr = sa.ColumnElement[Any]
KEY = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
MAX_MEMBERS = 50  # json_build_object takes at most 100 arguments
EMPTY_LIST: Expr = sa.literal_column("'[]'::json")
ONE: Expr = sa.literal_column("1")


def const(text: str) -> Expr:
    """A string constant in the statement's text (not a parameter: the text stays one)."""
    return sa.literal_column("'" + text.replace("'", "''") + "'")


def lower_eq(a: Expr, b: Expr) -> Expr:
    return sa.func.lower(a) == sa.func.lower(b)


def code_point(column: Expr) -> Expr:
    return sa.collate(column, "C")


def validity_name(column: Expr) -> Expr:
    return sa.case(*((column == v.value, const(v.name)) for v in Validity), else_=const("INVALID"))


def iso_utc(column: Expr) -> Expr:
    """``datetime.isoformat()`` of the stored (UTC) time: fractions only when there are."""
    seconds = sa.func.to_char(column, const('YYYY-MM-DD"T"HH24:MI:SS'))
    fraction = sa.case(
        (sa.extract("microseconds", column) % 1000000 == 0, const("")),
        else_=sa.func.to_char(column, const(".US")),
    )
    return seconds.op("||")(fraction).op("||")(const("+00:00"))


def blank_null(column: Expr) -> Expr:
    """Null for ``''``, as the record holds it. Compared exactly: in MariaDB's ``PAD SPACE``
    collations (OTOBO's ``utf8mb4_unicode_ci``) ``'  '`` equals ``''``, and a value of blanks
    would become null."""
    return sa.func.nullif(exactly(column), const(""))


def json_list(expr: Expr, *order: Expr, empty: Expr = EMPTY_LIST) -> Expr:
    """``expr`` of every row as a JSON list in ``order``; ``empty`` when there is no row."""
    return sa.func.coalesce(sa.func.json_agg(aggregate_order_by(expr, *order)), empty)


def audit_time(table: Any, source: Any, name: str) -> tuple[Expr, bool]:
    """``created_at``/``changed_at`` of ``table``'s row as the general path writes them; only
    for a column without a zone (OTOBO's), which holds UTC: a zoned one would be written in
    the session's zone."""
    column_name = "create_time" if name == "created_at" else "change_time"
    column = table.c[column_name]
    if not isinstance(column.type, sa.DateTime) or column.type.timezone:
        raise Unplannable(f"{name}: not a time without a zone")
    return iso_utc(source.c[column_name]), bool(column.nullable)
