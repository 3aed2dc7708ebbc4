"""``roster export``: every customer, then every customer user with its assignments, in the
format ``roster import`` reads, so an export imports back unchanged.

The order is fixed (customers by customer ID, users by login, both in code-point order; a
user's customers, groups and services sorted by name, permissions as well), and so are the
columns (``domain.bulk_rows.header``), so exporting the same data twice gives the same bytes.
A customer's group grants are in ``groups`` (``Same`` context) and ``groups_other``.
Passwords are never exported unless asked for (``--with-password-hashes``: the stored
hashes, which an import writes back as they are). The Maps' ``dynamic_field`` rows are columns
(by attribute), their values read for a page of objects in one statement and written as
``domain.bulk_dynamic_fields`` reads them back; a field whose definition the Map does not
match (missing, invalid, of another type) is empty, as the API reads it as null.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import IO, Any

from app.bulk.formats import Format, RowWriter
from datasources.db.customer_users import DbCustomerUserBackend
from datasources.storage import Storage
from domain.assignment_rules import CONTEXT_VALUES
from domain.bulk_dynamic_fields import plain_value, text_cell
from domain.bulk_rows import (
    CUSTOMERS,
    GRANT_CONTEXTS,
    GROUPS,
    SERVICES,
    TYPE,
    Columns,
    RowKind,
    grants_cell,
    header,
    names_cell,
)
from domain.company_map import KNOWN_FIELDS
from domain.customer_user_query import CustomerUserQuery
from domain.dynamic_fields import CUSTOMER_COMPANY, CUSTOMER_USER, decode, mismatch_problem
from domain.field_map import VALID_ID, DynamicFieldMapRow
from domain.pagination import Cursor
from domain.records import CustomerRecord, CustomerUserRecord
from resolvers.use_cases.bulk_import import with_dynamic_fields

PAGE = 500
_CONTEXT_COLUMNS = {CONTEXT_VALUES[context]: column for column, context in GRANT_CONTEXTS.items()}
"""A stored grant context → the customer row's column that holds its grants."""


def export_columns(storage: Storage) -> Columns:
    """The first backend's Map (where an import writes) and the company Map."""
    writable = storage.customer_users.writable_backend(None)
    if isinstance(writable, DbCustomerUserBackend):
        fields = writable.fields
    else:
        fields = tuple(storage.customer_users.backends[0].config.map_fields())
    return with_dynamic_fields(storage, tuple(fields), tuple(storage.customers.rules.fields))


async def run_export(
    storage: Storage, out: IO[str], fmt: Format, *, with_hashes: bool
) -> tuple[int, int]:
    """Write everything to ``out``; the numbers of customers and customer users written."""
    columns = export_columns(storage)
    names = header(columns, with_hashes=with_hashes, password_attribute=columns.password_attribute)
    writer = RowWriter(out, fmt, names)
    counts = [0, 0]
    groups = {g.id: g.name for g in await storage.groups.all()}
    counts[0] = await _write_customers(storage, writer, columns, fmt, groups)
    async for page in _user_pages(storage):
        logins = [u.login for u in page]
        customers = await storage.customers.assigned_to(logins)
        grants = await storage.groups.user_grants(logins)
        services = await storage.services.assigned_services(logins)
        by_login: dict[str, dict[str, set[str]]] = {}
        for grant in grants:
            if grant.group_id in groups:
                held = by_login.setdefault(grant.login.lower(), {})
                held.setdefault(groups[grant.group_id], set()).add(grant.permission)
        dynamic = await _dynamic_cells(
            storage, CUSTOMER_USER, columns.user_dynamic, [u.login for u in page], fmt
        )
        for user in page:
            key = user.login.lower()
            cells = _user_cells(columns, user, fmt) | dynamic.get(user.login, {})
            listed = sorted({c.customer_id for c in customers.get(key, [])})
            held = by_login.get(key, {})
            granted = {g: sorted(held[g]) for g in sorted(held)}
            named = sorted({s.name for s in services.get(key, [])})
            if with_hashes and columns.password_attribute:
                cells[columns.password_attribute] = await _hash(storage, user)
            if fmt is Format.CSV:
                cells |= {
                    CUSTOMERS: names_cell(listed),
                    GROUPS: grants_cell(granted),
                    SERVICES: names_cell(named),
                }
            else:
                cells |= {CUSTOMERS: listed, GROUPS: granted, SERVICES: named}
            writer.write(cells)
            counts[1] += 1
    return counts[0], counts[1]


async def _write_customers(
    storage: Storage, writer: RowWriter, columns: Columns, fmt: Format, groups: dict[int, str]
) -> int:
    """Every customer with its group grants (a column per context); how many."""
    count = 0
    async for page in _customer_pages(storage):
        customer_grants = await storage.groups.customer_grants([c.customer_id for c in page])
        by_customer: dict[str, dict[str, dict[str, set[str]]]] = {}
        for row in customer_grants:
            column = _CONTEXT_COLUMNS.get(row.context)
            if row.group_id in groups and column is not None:
                holder = by_customer.setdefault(row.customer_id.lower(), {})
                holder.setdefault(column, {}).setdefault(groups[row.group_id], set())
                holder[column][groups[row.group_id]].add(row.permission)
        dynamic = await _dynamic_cells(
            storage,
            CUSTOMER_COMPANY,
            columns.company_dynamic,
            [c.customer_id for c in page],
            fmt,
        )
        for customer in page:
            cells = _customer_cells(columns, customer, fmt) | dynamic.get(customer.customer_id, {})
            for column, by_group in by_customer.get(customer.customer_id.lower(), {}).items():
                given = {g: sorted(by_group[g]) for g in sorted(by_group)}
                cells[column] = grants_cell(given) if fmt is Format.CSV else given
            writer.write(cells)
            count += 1
    return count


async def _dynamic_cells(
    storage: Storage,
    object_type: str,
    map_rows: Sequence[DynamicFieldMapRow],
    names: Sequence[str],
    fmt: Format,
) -> dict[str, dict[str, Any]]:
    """Object name → its dynamic-field cells (every Map row's, empty without a value)."""
    if not map_rows:
        return {}
    stored = await storage.dynamic_fields.object_values(
        object_type, names, [row.name for row in map_rows]
    )
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        values = stored.get(name, {})
        cells: dict[str, Any] = {}
        for row in map_rows:
            value = None
            if row.name in values:
                definition, rows = values[row.name]
                if not mismatch_problem(
                    row.attribute, row.name, row.value_type, definition, object_type
                ):
                    value = decode(definition.field_type, rows)
            cells[row.attribute] = (
                text_cell(value, names_cell) if fmt is Format.CSV else _json_value(value)
            )
        found[name] = cells
    return found


def _json_value(value: Any) -> Any:
    return None if value == [] else plain_value(value)


async def _hash(storage: Storage, user: CustomerUserRecord) -> str | None:
    backend = storage.customer_users.backend(user.source)
    if isinstance(backend, DbCustomerUserBackend):
        return await backend.password_hash(user.login)
    return None


async def _customer_pages(storage: Storage) -> AsyncIterator[Sequence[CustomerRecord]]:
    after: Cursor | None = None
    while True:
        page = await storage.customers.list_page(
            search=None, searching=False, valid_only=False, first=PAGE, after=after
        )
        if page.items:
            yield [record for record, _ in page.items]
            after = page.items[-1][1]
        if not page.has_next_page:
            return


async def _user_pages(storage: Storage) -> AsyncIterator[Sequence[CustomerUserRecord]]:
    query = CustomerUserQuery(valid_only=False)
    after: Cursor | None = None
    while True:
        page = await storage.customer_users.page(query, first=PAGE, after=after)
        if page.items:
            yield [record for record, _ in page.items]
            after = page.items[-1][1]
        if not page.has_next_page:
            return


def _customer_cells(columns: Columns, record: CustomerRecord, fmt: Format) -> dict[str, Any]:
    cells: dict[str, Any] = {TYPE: RowKind.CUSTOMER.value}
    for f in columns.company_fields:
        if f.attribute == VALID_ID:
            value: Any = record.validity.value
        elif f.attribute in KNOWN_FIELDS:
            value = getattr(record, KNOWN_FIELDS[f.attribute])
        else:
            value = record.extra.get(f.attribute)
        cells[f.attribute] = _plain(value, fmt)
    return cells


def _user_cells(columns: Columns, record: CustomerUserRecord, fmt: Format) -> dict[str, Any]:
    cells: dict[str, Any] = {TYPE: RowKind.CUSTOMER_USER.value}
    for f in columns.user_fields:
        if not f.is_password:
            cells[f.attribute] = _plain(record.values.get(f.attribute), fmt)
    return cells


def _plain(value: Any, fmt: Format) -> Any:
    """A value as the format writes it: text in CSV (None empty), JSON's own types else;
    an empty text is no value in either."""
    if value == "":
        value = None
    if fmt is Format.CSV:
        return "" if value is None else str(value)
    return value
