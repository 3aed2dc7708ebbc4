"""Customer (company) writes: create, and update with the customer-ID rename cascade.

OTOBO's company backend checks nothing and re-points at most 250 users on a rename; here a
create or update is validated first (``domain.customer_rules``, against the company Map and
the table's columns), the customer ID and the name must stay unique (case-insensitive), and
a rename re-points every customer user and relation row in the same transaction as the row
itself, or nothing is written.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db import ticket_writes
from datasources.db.collation_check import taken_by_collation_twin
from datasources.db.customer_users import DbCustomerUserBackend
from datasources.db.dynamic_fields import DbDynamicFieldStore
from datasources.db.links import unfit_login
from datasources.db.tables import CHANGE_KEY
from datasources.storage import Storage
from datasources.unit_of_work import NothingChanged, Outcome, transaction
from domain.audit import Action, AuditEvent, FieldChange, SetChange, event, given
from domain.changes import is_given
from domain.customer_rules import (
    CustomerChanges,
    changed_fields,
    validate_customer,
    writes_fields,
)
from domain.dynamic_fields import CUSTOMER_COMPANY
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.field_map import CUSTOMER_ID as CUSTOMER_ID_ATTRIBUTE
from domain.origins import OriginKey
from domain.records import CustomerRecord
from resolvers.context import Actor
from resolvers.use_cases import audit_trail, dynamic_fields

CUSTOMER_ID = ("customer_id",)
NEW_CUSTOMER_ID = ("new_customer_id",)
"""Where an update reports its new customer ID: its ``customer_id`` names the customer."""
FIELDS = ("customer_id", "name", "street", "zip", "city", "country", "url", "comment", "validity")
"""The fixed fields an event compares (the Map's custom rows by attribute besides)."""


async def create(
    storage: Storage, actor: Actor, change: CustomerChanges
) -> Outcome[CustomerRecord]:
    """A new customer from ``change``; its customer ID and name are required and unique."""
    change = change.trimmed()
    store = storage.customers
    problems = validate_customer(change, store.rules, creating=True)
    df_values, df_problems = await dynamic_fields.checked_rows(
        storage, change.dynamic_fields, CUSTOMER_COMPANY
    )
    problems += df_problems
    if problems:
        return Outcome.failed(problems)
    customer_id = str(change.customer_id)
    fields = {**store.input_fields, **dynamic_fields.input_fields(df_values)}
    try:
        async with transaction(store.engine, fields) as conn:
            taken = await _taken(storage, conn, change, own_id=None, id_field=CUSTOMER_ID)
            if taken:
                raise ProblemsFound(taken)
            await store.insert(conn, change, agent=storage.origins.agent_id)
            await dynamic_fields.write(conn, customer_id, df_values.rows, CUSTOMER_COMPANY)
            key = OriginKey.customer(customer_id)
            await storage.origins.record(conn, [key], actor.id, created=True)
            after = {**given(change, FIELDS), **change.extra, **dynamic_fields.created(df_values)}
            audit_trail.record(conn, actor, [event(key, customer_id, Action.CREATED, None, after)])
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    except sa.exc.IntegrityError:
        return Outcome.failed(await conflict(storage, change, id_field=CUSTOMER_ID))
    return Outcome(record=await store.get(customer_id))


async def update(
    storage: Storage, actor: Actor, customer_id: str, change: CustomerChanges
) -> Outcome[CustomerRecord]:
    """Patch customer ``customer_id`` with the given fields of ``change``; a given
    ``change.customer_id`` renames it, and its users and relation rows follow.

    The fields are checked as given, and only those that differ from the stored customer's
    are written (``changed_fields``), as an import row writes them; an update that changes
    nothing is a no-op: no row written, no event, no live update, the customer as it is."""
    store = storage.customers
    old = await store.get(customer_id)
    if old is None:
        return Outcome.failed(
            [Problem(CUSTOMER_ID, ErrorCode.NOT_FOUND, f"No customer with ID {customer_id!r}.")]
        )
    change = change.trimmed()
    problems = [_as_new_id(p) for p in validate_customer(change, store.rules, creating=False)]
    df_values, df_problems = await dynamic_fields.checked_rows(
        storage, change.dynamic_fields, CUSTOMER_COMPANY
    )
    problems += df_problems
    if problems:
        return Outcome.failed(problems)
    change = changed_fields(old, change)
    if not writes_fields(change) and not df_values.rows:
        return Outcome(record=old, unchanged=True)
    new_id = change.customer_id if is_given(change.customer_id) else None
    target = str(new_id or old.customer_id)
    fields = {**store.input_fields, **dynamic_fields.input_fields(df_values)}
    try:
        async with transaction(store.engine, fields) as conn:
            taken = await _taken(
                storage, conn, change, own_id=old.customer_id, id_field=NEW_CUSTOMER_ID
            )
            if taken:
                raise ProblemsFound(taken)
            await store.update(conn, old.customer_id, change, agent=storage.origins.agent_id)
            carried: list[AuditEvent] = []
            if target != old.customer_id:
                carried = await _carry_customer_id(storage, conn, old.customer_id, target)
            df_changed = await dynamic_fields.replace(conn, target, df_values, CUSTOMER_COMPANY)
            key = OriginKey.customer(target)
            before = {**{f: getattr(old, f) for f in FIELDS}, **old.extra, **df_changed.before}
            after = {**given(change, FIELDS), **change.extra, **df_changed.after}
            changed = event(key, target, Action.UPDATED, before, after)
            if not changed.fields:  # the dynamic-field values given were the stored ones
                raise NothingChanged
            await storage.origins.record(conn, [key], actor.id)
            audit_trail.record(conn, actor, [changed, *carried])
    except NothingChanged:
        return Outcome(record=old, unchanged=True)
    except ProblemsFound as exc:
        return Outcome.failed([_as_new_id(p) for p in exc.problems])
    except sa.exc.IntegrityError:
        problems = await conflict(storage, change, id_field=NEW_CUSTOMER_ID, old=old)
        return Outcome.failed(problems)
    return Outcome(record=await store.get(target), found_key=old.customer_id)


async def _taken(
    storage: Storage,
    conn: AsyncConnection,
    change: CustomerChanges,
    *,
    own_id: str | None,
    id_field: tuple[str, ...],
) -> list[Problem]:
    """The customer ID and name of ``change`` that another customer already has."""
    store = storage.customers
    problems: list[Problem] = []
    new_id = change.customer_id
    if (
        isinstance(new_id, str)
        and (own_id is None or new_id.lower() != own_id.lower())
        and await store.get_many([new_id], conn)
    ):
        problems.append(
            Problem(
                id_field,
                ErrorCode.CUSTOMER_ID_TAKEN,
                f"A customer with ID {new_id!r} already exists.",
            )
        )
    name = change.name
    if isinstance(name, str) and await store.name_in_use(conn, name, except_id=own_id):
        problems.append(
            Problem(("name",), ErrorCode.NAME_TAKEN, f"A customer named {name!r} already exists.")
        )
    return problems


async def _carry_customer_id(
    storage: Storage, conn: AsyncConnection, old: str, new: str
) -> list[AuditEvent]:
    """Re-point the relation rows, the users of every writable database backend on the
    same engine, the customer's dynamic-field values (OTOBO's ``ObjectMappingNameChange``),
    its tickets (OTOBO's ``CustomerCompany`` ``TicketUpdate``, with history rows) and the
    origin record from ``old`` to ``new``, on ``conn``: all in the
    rename's transaction. (An LDAP directory cannot join that transaction; its users keep
    their attribute.) Returns the events of the users it changed: the primary customer
    (``UserCustomerID``) or an assigned one (``customers``), so a mirror that follows the
    changes feed learns of them."""
    store = storage.customers
    assigned = await store.carry_customer_id(conn, old, new)
    events = [
        AuditEvent(
            OriginKey.customer_user(login),
            login,
            Action.ASSIGNMENTS_CHANGED,
            sets={"customers": SetChange((new,), (old,))},
        )
        for login in dict.fromkeys(assigned)
    ]
    await storage.origins.carry(conn, OriginKey.customer(old), OriginKey.customer(new))
    await DbDynamicFieldStore.rename_object(conn, CUSTOMER_COMPANY, old, new)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    await ticket_writes.carry_customer_id(conn, old, new, agent=storage.origins.agent_id, now=now)
    for backend in storage.customer_users.backends:
        if (
            isinstance(backend, DbCustomerUserBackend)
            and backend.engine is store.engine
            and not backend.read_only
        ):
            repointed = await backend.repoint_customer(
                conn, old, new, agent=storage.origins.agent_id
            )
            unfit = [p for login in repointed if (p := _cannot_follow(login))]
            if unfit:  # the transaction rolls back: nothing is written
                raise ProblemsFound(unfit)
            for login in repointed:
                primary = {CUSTOMER_ID_ATTRIBUTE: FieldChange(old, new)}
                events.append(
                    AuditEvent(OriginKey.customer_user(login), login, Action.UPDATED, primary)
                )
    return events


def _cannot_follow(login: str) -> Problem | None:
    """``TOO_LONG`` at the new customer ID for a user of the renamed customer whose stored
    login no change of it can record (``tables.CHANGE_KEY``: only a backend table an admin
    made with a wider login column holds one): the rename changes the user's row, and its
    audit event could not be written."""
    cannot = "follow its customer to a new customer ID"
    return unfit_login(CHANGE_KEY, NEW_CUSTOMER_ID, login, cannot=cannot)


def _as_new_id(problem: Problem) -> Problem:
    """On an update the customer ID being validated is the new one."""
    if problem.field == CUSTOMER_ID:
        return dataclasses.replace(problem, field=NEW_CUSTOMER_ID)
    return problem


async def conflict(
    storage: Storage,
    change: CustomerChanges,
    *,
    id_field: tuple[str, ...],
    old: CustomerRecord | None = None,
) -> list[Problem]:
    """A unique index refused the write although the checks in its transaction passed: the
    database's collation counts the new customer ID or name as a stored one (OTOBO's
    ``utf8mb4_unicode_ci`` on MariaDB/MySQL ignores accents and tells no two emoji apart),
    reported as ``CUSTOMER_ID_TAKEN``/``NAME_TAKEN`` naming the stored value, or a concurrent
    write took one first (checked again)."""
    store = storage.customers
    problems: list[Problem] = []
    for value, column, field, code, subject, own in (
        (
            change.customer_id,
            "customer_id",
            id_field,
            ErrorCode.CUSTOMER_ID_TAKEN,
            "Customer ID",
            old.customer_id if old else None,
        ),
        (
            change.name,
            "name",
            ("name",),
            ErrorCode.NAME_TAKEN,
            "Customer name",
            old.name if old else None,
        ),
    ):
        if not isinstance(value, str) or not value:
            continue
        message = await taken_by_collation_twin(
            store.engine, store.table.c[column], value, subject=subject, except_value=own
        )
        if message is not None:
            problems.append(Problem(field, code, message))
    if problems:
        return problems
    own_id = old.customer_id if old else None
    async with transaction(store.engine) as conn:
        problems = await _taken(storage, conn, change, own_id=own_id, id_field=id_field)
    return problems or [Problem((), ErrorCode.INVALID, "A concurrent change conflicted; retry.")]
