"""A customer user's dynamic-field values, checked before a create or update writes them.

Part of the customer-user writes (``resolvers.use_cases.customer_users``): the values of the
Map's ``dynamic_field`` rows are checked against the stored definitions (the field exists, is
a valid CustomerUser field of the type the Map declares) and per type
(``domain.dynamic_fields.encode``: a dropdown's value must be a possible value, a date field
takes a date …), then written in the write's transaction as OTOBO stores them. A problem
names the Map attribute, e.g. ``("DynamicField_Region",)``.

What a write changes goes into its audit event as a bulk import records it
(``domain.dynamic_field_audit``): a create's values by :func:`created`, an update's before
and after by :func:`replace`, which reads the rows it replaces in the statement that deletes
them (no extra statement on PostgreSQL, MariaDB and SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.collation_check import ColumnFields
from datasources.db.dynamic_fields import DbDynamicFieldStore
from datasources.storage import Storage
from domain.dynamic_field_audit import AuditedField, FieldValueChanges, changes
from domain.dynamic_fields import (
    CUSTOMER_COMPANY,
    CUSTOMER_USER,
    DynamicFieldDefinition,
    ValueRow,
    encode,
    mismatch_problem,
)
from domain.errors import ErrorCode, Problem
from domain.field_map import DynamicFieldMapRow
from domain.text import has_four_byte

RowsByField = dict[int, list[ValueRow]]


@dataclass(frozen=True, slots=True)
class CheckedValues:
    """A write's dynamic-field values, checked: the rows to store per field id, and per
    field id the Map attribute and type its audit entry is named and read by."""

    rows: RowsByField = field(default_factory=dict)
    fields: Mapping[int, AuditedField] = field(default_factory=dict)


async def checked_rows(
    storage: Storage, values: Mapping[str, Any], object_type: str = CUSTOMER_USER
) -> tuple[CheckedValues, list[Problem]]:
    """The rows to store per field id for ``values`` (Map attribute → value), or problems;
    of a customer user's Map, or with ``object_type`` ``CustomerCompany`` of the company
    Map (the fields must then be CustomerCompany fields)."""
    if not values:
        return CheckedValues(), []
    rows = map_rows_of(storage, object_type)
    unknown = [a for a in values if a not in rows]
    if unknown:
        return CheckedValues(), [
            Problem((a,), ErrorCode.INVALID, "Not a dynamic field of the Map.") for a in unknown
        ]
    names = [rows[a].name for a in values]
    definitions = {d.name: d for d in await storage.dynamic_fields.definitions(names_=names)}
    found, problems = check_values(
        rows,
        definitions,
        values,
        object_type,
        three_byte_fix=storage.dynamic_fields.value_text_fix,
    )
    if problems:
        return CheckedValues(), problems
    return CheckedValues(found, audited_fields(rows, definitions, values)), []


VALUE_TEXT = ("dynamic_field_value", "value_text")


def text_input_fields(values: Mapping[str, Any]) -> ColumnFields:
    """Which input fields a write of ``values`` (Map attribute → value: a text, a list of
    them, or another type) writes to ``dynamic_field_value.value_text`` with a 4-byte
    character: a column that stores only 3-byte UTF-8 refuses each of them, so the database's
    refusal (``unit_of_work.transaction``) names them all."""
    refused = [
        (attribute,)
        for attribute, value in values.items()
        if any(isinstance(v, str) and has_four_byte(v) for v in _texts(value))
    ]
    return {VALUE_TEXT: refused} if refused else {}


def input_fields(checked: CheckedValues) -> ColumnFields:
    """:func:`text_input_fields` for the rows a create or update writes."""
    return text_input_fields(
        {
            checked.fields[field_id].attribute: [r.value_text for r in rows]
            for field_id, rows in checked.rows.items()
            if field_id in checked.fields
        }
    )


def _texts(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def map_rows_of(storage: Storage, object_type: str) -> dict[str, DynamicFieldMapRow]:
    """The Map's ``dynamic_field`` rows of ``object_type``'s objects, by attribute."""
    config = storage.config
    rows = (
        config.customer_company.dynamic_field_rows()
        if object_type == CUSTOMER_COMPANY
        else config.customer_user.dynamic_field_rows()
    )
    return {row.attribute: row for row in rows}


def check_values(
    rows: Mapping[str, DynamicFieldMapRow],
    definitions: Mapping[str, DynamicFieldDefinition],
    values: Mapping[str, Any],
    object_type: str,
    *,
    three_byte_fix: str | None = None,
) -> tuple[RowsByField, list[Problem]]:
    """:func:`checked_rows` with the Map rows and the definitions at hand (a bulk import
    reads them once per batch); every attribute of ``values`` is one of ``rows``.
    ``three_byte_fix``: ``DbDynamicFieldStore.value_text_fix``."""
    found: RowsByField = {}
    problems: list[Problem] = []
    for attribute, value in values.items():
        row = rows[attribute]
        definition = definitions.get(row.name)
        problem = mismatch_problem(attribute, row.name, row.value_type, definition, object_type)
        if problem is not None or definition is None:
            problems.append(problem or Problem((attribute,), ErrorCode.INVALID, "Unknown."))
            continue
        encoded = encode(attribute, definition, value, three_byte_fix=three_byte_fix)
        if isinstance(encoded, Problem):
            problems.append(encoded)
        else:
            found[definition.id] = encoded
    return found, problems


def audited_fields(
    rows: Mapping[str, DynamicFieldMapRow],
    definitions: Mapping[str, DynamicFieldDefinition],
    attributes: Iterable[str],
) -> dict[int, AuditedField]:
    """Per field id, how an event names and reads the value of each of ``attributes`` (ones
    :func:`check_values` accepted: each has its definition)."""
    found: dict[int, AuditedField] = {}
    for attribute in attributes:
        definition = definitions[rows[attribute].name]
        found[definition.id] = AuditedField(attribute, definition.field_type)
    return found


async def write(
    conn: AsyncConnection, login: str, rows: RowsByField, object_type: str = CUSTOMER_USER
) -> None:
    """Store ``rows`` for user ``login`` (``object_type`` ``CustomerCompany``: for the
    customer of that CustomerID) in the write's transaction."""
    await DbDynamicFieldStore.set_named_values(conn, object_type, login, rows)


def created(checked: CheckedValues) -> dict[str, Any]:
    """The values a create's event records (by Map attribute), as an import's create records
    them: every field given a value (none had one before)."""
    return changes(checked.fields, {}, checked.rows).after


async def replace(
    conn: AsyncConnection, name: str, checked: CheckedValues, object_type: str = CUSTOMER_USER
) -> FieldValueChanges:
    """:func:`write` for an update: stores ``checked`` for object ``name`` and returns what
    changed (before and after by Map attribute, as an import's update records them), from
    the rows the write replaced in this transaction."""
    if not checked.rows:
        return FieldValueChanges()
    replaced = await DbDynamicFieldStore.replace_named_values(conn, object_type, name, checked.rows)
    return changes(checked.fields, replaced, checked.rows)
