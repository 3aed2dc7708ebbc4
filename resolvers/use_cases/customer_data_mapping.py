"""OTOBO's ``DynamicFieldFromCustomerUser`` against storage: the plan for a ticket whose
customer user is ``login`` (``domain.customer_data_mapping``), and its write.

``ticketSetCustomer`` (the ticket area) calls :func:`plan_for` after it set the ticket's
customer, then :func:`apply` in the same transaction, with ``ticket.id`` as the object id
(Ticket fields key their values by ticket id, reference §2.1), and writes OTOBO's history
rows for the ``set``/``erase`` entries; ``skip`` entries go to its payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.dynamic_fields import DbDynamicFieldStore
from datasources.storage import Storage
from domain.customer_data_mapping import Assignment, customer_data, plan
from domain.dynamic_fields import CUSTOMER_COMPANY, CUSTOMER_USER, decode, mismatch_problem
from domain.field_map import DynamicFieldMapRow


async def plan_for(storage: Storage, login: str | None) -> list[Assignment]:
    """The mapping's assignments for a ticket of customer user ``login`` (``None`` or
    unknown: every mapped field is erased, as OTOBO's module does without customer data).
    Empty when the mapping is empty; the caller checks ``enabled``."""
    mapping = storage.config.dynamic_field_from_customer_user.mapping
    if not mapping:
        return []
    definitions = await storage.dynamic_fields.definitions(names_=set(mapping.values()))
    user = await storage.customer_users.get(login) if login else None
    if user is None:
        return plan(mapping, customer_data(None), definitions)
    company = None
    if user.customer_id is not None:
        company = (await storage.customers.get_many([user.customer_id])).get(
            user.customer_id.lower()
        )
    preferences = await storage.preferences.get(user.login, list(mapping))
    own = await _dynamic_values(
        storage, CUSTOMER_USER, user.login, storage.config.customer_user.dynamic_field_rows()
    )
    company_values: dict[str, Any] = {}
    if company is not None:
        company_rows = storage.config.customer_company.dynamic_field_rows()
        company_values = await _dynamic_values(
            storage, CUSTOMER_COMPANY, company.customer_id, company_rows
        )
    data = customer_data(user, company, own, preferences, company_values)
    return plan(mapping, data, definitions)


async def _dynamic_values(
    storage: Storage, object_type: str, object_name: str, rows: Sequence[DynamicFieldMapRow]
) -> dict[str, Any]:
    """The dynamic-field values of the user (by login) or its company (``CustomerCompany``,
    by CustomerID) by Map attribute (``DynamicField_X`` keys), as ``CustomerUserDataGet`` and
    ``CustomerCompanyGet`` add them: only valid fields of the object type and the declared
    type."""
    by_name = {row.name: row for row in rows}
    if not by_name:
        return {}
    found = await storage.dynamic_fields.object_values(object_type, [object_name], list(by_name))
    values: dict[str, Any] = {}
    for name, (definition, stored) in found.get(object_name, {}).items():
        row = by_name[name]
        problem = mismatch_problem(row.attribute, name, row.value_type, definition, object_type)
        if problem is None:
            values[row.attribute] = decode(definition.field_type, stored)
    return values


async def apply(conn: AsyncConnection, object_id: int, assignments: Sequence[Assignment]) -> None:
    """Write the ``set``/``erase`` entries for object ``object_id`` (a ticket's id), in order,
    so a later entry naming the same field wins, as in OTOBO."""
    for assignment in assignments:
        if assignment.action != "skip" and assignment.field_id is not None:
            await DbDynamicFieldStore.set_object_values(
                conn, object_id, {assignment.field_id: list(assignment.rows)}
            )
