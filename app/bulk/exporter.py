"""``roster export``: every customer, then every customer user with its assignments, in the
format ``roster import`` reads, so an export imports back unchanged.

The order is fixed (customers by customer ID, users by login, both in code-point order; a
user's customers, groups and services sorted by name, permissions as well), and so are the
columns (``domain.bulk_rows.header``), so exporting the same data twice gives the same bytes.
Passwords are never exported unless asked for (``--with-password-hashes``: the stored
hashes, which an import writes back as they are).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import IO, Any

from app.bulk.formats import Format, RowWriter
from datasources.db.customer_users import DbCustomerUserBackend
from datasources.storage import Storage
from domain.bulk_rows import (
    CUSTOMERS,
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
from domain.field_map import VALID_ID
from domain.pagination import Cursor
from domain.records import CustomerRecord, CustomerUserRecord

PAGE = 500


def export_columns(storage: Storage) -> Columns:
    """The first backend's Map (where an import writes) and the company Map."""
    writable = storage.customer_users.writable_backend(None)
    if isinstance(writable, DbCustomerUserBackend):
        fields = writable.fields
    else:
        fields = tuple(storage.customer_users.backends[0].config.map_fields())
    return Columns(tuple(fields), tuple(storage.customers.rules.fields))


async def run_export(
    storage: Storage, out: IO[str], fmt: Format, *, with_hashes: bool
) -> tuple[int, int]:
    """Write everything to ``out``; the numbers of customers and customer users written."""
    columns = export_columns(storage)
    names = header(columns, with_hashes=with_hashes, password_attribute=columns.password_attribute)
    writer = RowWriter(out, fmt, names)
    counts = [0, 0]
    async for customer in _customers(storage):
        writer.write(_customer_cells(columns, customer, fmt))
        counts[0] += 1
    groups = {g.id: g.name for g in await storage.groups.all()}
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
        for user in page:
            key = user.login.lower()
            cells = _user_cells(columns, user, fmt)
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


async def _hash(storage: Storage, user: CustomerUserRecord) -> str | None:
    backend = storage.customer_users.backend(user.source)
    if isinstance(backend, DbCustomerUserBackend):
        return await backend.password_hash(user.login)
    return None


async def _customers(storage: Storage) -> AsyncIterator[CustomerRecord]:
    after: Cursor | None = None
    while True:
        page = await storage.customers.list_page(
            search=None, searching=False, valid_only=False, first=PAGE, after=after
        )
        for record, cursor in page.items:
            yield record
            after = cursor
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
