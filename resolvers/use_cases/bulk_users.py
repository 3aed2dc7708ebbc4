"""The customer-user half of a bulk import (``resolvers.use_cases.bulk_import``).

A batch of rows goes in four steps: (1) each row is checked as ``customer_users.create`` or
``update`` checks it (the Map's rules, the password policy), against the stored user of its
login; (2) the customers, groups and services it names are looked up for the whole batch at
once; (3) passwords are hashed (only rows that passed, in the hashing threads; rows without
one skip it); (4) one transaction takes the relation tables' locks and the batch's e-mail
locks, reads the stored relation rows of every login of the batch, decides what changes,
refuses what the assignment rules refuse, and writes everything else with one multi-row
statement per table.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import unresolvable
from datasources.db.collation_check import taken_by_collation_twin
from datasources.db.customer_users import DbCustomerUserBackend
from datasources.db.links import USER_CUSTOMERS, USER_GROUPS, unfit_login
from datasources.db.tables import service_customer_user
from datasources.storage import Storage
from datasources.unit_of_work import transaction
from domain.assignment_rules import Grant, grant_problems, unknown_customer
from domain.assignments import (
    UserCustomerRow,
    UserGroupRow,
)
from domain.bulk_rows import CUSTOMERS, GROUPS, PASSWORD, SERVICES, ImportRow
from domain.customer_user_rules import (
    changed_values,
    normalize_values,
    patch_problems,
    validate_values,
)
from domain.dynamic_fields import CUSTOMER_USER
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.field_map import CUSTOMER_ID, EMAIL, LOGIN, VALID_ID
from domain.passwords import verify_in_thread
from domain.records import Audit, CustomerRecord, CustomerUserRecord
from domain.services import ServiceRecord
from domain.text import check_text
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import bulk_dynamic_fields, dynamic_fields
from resolvers.use_cases.batch_order import Turn
from resolvers.use_cases.bulk_import import (
    Action,
    ImportRun,
    RowResult,
    duplicates,
    journal,
    refused,
)
from resolvers.use_cases.bulk_user_writes import diff_relations, write_users
from resolvers.use_cases.customer_users import (
    Hashed,
    email_needs_check,
    email_taken,
    hash_new_password,
    password_problems,
    primary_customer,
    reuse_problems,
    unchangeable,
)


@dataclasses.dataclass(slots=True)
class UserPlan:
    """What a batch writes for one user row."""

    login: str
    old: CustomerUserRecord | None
    values: dict[str, Any]
    """A create's values, or an update's patch (only what differs)."""
    hashed: Hashed | None = None
    stored_hash: str | None = None
    """A hash to store (the row's own ``UserPassword``, or ``hashed.stored``)."""
    customers: list[UserCustomerRow] | None = None
    groups: list[UserGroupRow] | None = None
    group_paths: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    services: dict[int, ServiceRecord] | None = None
    """The services the row names, by id."""
    writes_relations: set[str] = dataclasses.field(default_factory=set)


async def import_users(
    storage: Storage, actor: Actor, rows: Sequence[ImportRow], run: ImportRun, turn: Turn
) -> list[RowResult]:
    backend = storage.customer_users.writable_backend(run.source)
    if isinstance(backend, Problem):  # LDAP or read-only backends only: nothing to write to
        return [refused(row, [*row.problems, backend]) for row in rows]
    try:
        keys = [row.key for row in rows if row.key]
        existing = await storage.customer_users.get_many(keys, strict=True)
    except BackendUnavailable as exc:
        return [refused(row, [unresolvable((LOGIN,), exc)]) for row in rows]
    dupes = duplicates(rows, LOGIN)
    results = [
        _check(storage, backend, row, existing.get(row.key.lower()), dupes.get(i))
        for i, row in enumerate(rows)
    ]
    await _references(storage, backend, run, results)
    await bulk_dynamic_fields.plan(
        storage, CUSTOMER_USER, results, lambda r: r.plan.old.login if r.plan.old else None
    )
    for result in results:
        _refuse_unchangeable(result)
    await _passwords(storage, backend, results)
    live = [r for r in results if r.action is not Action.REFUSED]
    try:
        await _decide_and_write(storage, actor, backend, run, live, turn)
    except (sa.exc.IntegrityError, ProblemsFound):
        # A concurrent writer took a login of the batch, or the database refused a character
        # of it (a column made utf8mb3 after the start): each row alone, so only it fails.
        for result in live:
            try:
                await _decide_and_write(storage, actor, backend, run, [result], None)
            except sa.exc.IntegrityError:
                column = backend.table.c[backend.config.customer_key]
                message = await taken_by_collation_twin(
                    backend.engine, column, result.key, subject="Login"
                ) or (f'Customer user "{result.key}" was created meanwhile; import again.')
                result.action = Action.REFUSED
                result.problems = [Problem((LOGIN,), ErrorCode.LOGIN_TAKEN, message)]
            except ProblemsFound as exc:
                result.action, result.problems = Action.REFUSED, exc.problems
    return results


def _check(
    storage: Storage,
    backend: DbCustomerUserBackend,
    row: ImportRow,
    old: CustomerUserRecord | None,
    duplicate: Problem | None,
) -> RowResult:
    """The checks that need no storage, as ``customer_users.create``/``update`` run them."""
    if row.broken:
        return refused(row, list(row.problems))
    values = normalize_values(row.values)
    problems = [*row.problems, *([duplicate] if duplicate else [])]
    if old is not None:
        own = storage.customer_users.own_backend(old)
        if isinstance(own, Problem):
            problems.append(own)
        elif own is not backend:
            message = f"{old.login!r} is in backend {old.source!r}; import it with --source."
            problems.append(Problem((LOGIN,), ErrorCode.INVALID, message))
        given = {a: v for a, v in values.items() if a != LOGIN}
        patch = changed_values(old.values, old.login, given)
        problems += patch_problems(backend.rules, old.values, patch)
        plan = UserPlan(login=old.login, old=old, values=patch)
    else:
        if values.get(VALID_ID) is None:  # as customerUserCreate: valid unless given
            values[VALID_ID] = Validity.VALID.value
        problems += validate_values(
            backend.rules, values, creating=True, email_must_be_checked=True
        )
        plan = UserPlan(login=str(values.get(LOGIN) or ""), old=None, values=values)
    if row.password:
        problems += password_problems(storage, row.password)
    if row.password_hash:
        attribute = next(f.attribute for f in backend.fields if f.is_password)
        column = next(f.column for f in backend.fields if f.is_password)
        limit = backend.rules.max_lengths.get(column)
        problems += check_text(row.password_hash, field=(attribute,), max_length=limit)
        plan.stored_hash = row.password_hash
    if problems:
        return refused(row, problems)
    return RowResult(row, Action.UNCHANGED, plan=plan)


async def _references(
    storage: Storage, backend: DbCustomerUserBackend, run: ImportRun, results: list[RowResult]
) -> None:
    """The customers, groups and services the rows name, looked up for the batch at once."""
    live = [r for r in results if r.action is not Action.REFUSED]
    ids = [str(r.plan.values[CUSTOMER_ID]) for r in live if r.plan.values.get(CUSTOMER_ID)]
    ids += [cid for r in live for cid in (r.row.customers or [])]
    # Each once (a batch of 2,000 users names ~4,000 customers, ~1,000 of them distinct).
    customers = await storage.customers.get_many(list(dict.fromkeys(ids)))
    groups = await run.all_groups(storage) if any(r.row.groups for r in live) else {}
    await run.find_services(storage, [s for r in live for s in (r.row.services or [])])
    config = storage.config.customer_group
    for result in live:
        plan: UserPlan = result.plan
        row = result.row
        problems = _unfit_login(plan.login, row)
        primary = plan.values.get(CUSTOMER_ID)
        if isinstance(primary, str) and primary:
            stored = customers.get(primary.lower())
            if stored is None and primary.lower() in run.pending_customers:
                stored = _pending(primary)
            plan.values, problem = primary_customer(backend, plan.values, stored, plan.old)
            problems += [problem] if problem else []
        if row.customers is not None:
            plan.customers = []
            for i, cid in enumerate(row.customers):
                found = customers.get(cid.lower())
                if found is None and cid.lower() in run.pending_customers:
                    found = _pending(cid)
                if found is None:
                    problems.append(unknown_customer((CUSTOMERS, str(i)), cid))
                else:
                    plan.customers.append(UserCustomerRow(plan.login, found.customer_id))
        if row.groups is not None:
            plan.groups, grants = [], []
            for name, permissions in row.groups.items():
                group = groups.get(name)
                path = (GROUPS, name)
                if group is None:
                    message = f"No group named {name!r}."
                    problems.append(Problem(path, ErrorCode.UNKNOWN_GROUP, message))
                    continue
                plan.group_paths[group.id] = path
                grants.append(Grant(group.id, permissions))
                plan.groups += [UserGroupRow(plan.login, group.id, p) for p in permissions]
            for problem in grant_problems(grants, "group_id", config, contexts=False):
                index = int(problem.field[1])  # ("grants", i, part)
                problems.append(
                    dataclasses.replace(problem, field=plan.group_paths[grants[index].target])
                )
        if row.services is not None:
            plan.services = {}
            for name in row.services:
                service = run.services.get(name)
                if service is None:
                    message = f"No service named {name!r}."
                    problems.append(Problem((SERVICES, name), ErrorCode.UNKNOWN_SERVICE, message))
                else:
                    plan.services[service.id] = service
        if problems:
            result.action, result.problems = Action.REFUSED, problems


_LOGIN_COLUMNS = (
    (CUSTOMERS, USER_CUSTOMERS.column("login")),
    (GROUPS, USER_GROUPS.column("login")),
    (SERVICES, service_customer_user.c.customer_user_login),
)
"""Each relation column of a row and the table column that stores its user's login."""


def _unfit_login(login: str, row: ImportRow) -> list[Problem]:
    """``TOO_LONG`` at each relation column that assigns something to a user whose (stored)
    login is longer than the relation table's login column holds (OTOBO: 100 characters for
    customers and groups, where ``customer_user.login`` holds 191), as the assignment
    mutations refuse it; an empty cell (clearing the relation) is fine."""
    given = {CUSTOMERS: row.customers, GROUPS: row.groups, SERVICES: row.services}
    return [
        unfit
        for name, column in _LOGIN_COLUMNS
        if given[name] and (unfit := unfit_login(column, (name,), login))
    ]


def _pending(customer_id: str) -> CustomerRecord:
    """A customer a dry run accepted earlier in the file (not written): it will exist."""
    return CustomerRecord(
        customer_id,
        customer_id,
        None,
        None,
        None,
        None,
        None,
        None,
        Validity.VALID,
        Audit(None, None, None, None),
    )


def _refuse_unchangeable(result: RowResult) -> None:
    """Refuse a row that would change a user whose stored login no change can record
    (``customer_users.unchangeable``), as ``customerUserUpdate`` refuses it, at the row's
    login; one that changes nothing writes nothing and stays ``UNCHANGED``. (Its relation
    cells are refused by :func:`_unfit_login` already: such a login fits no relation table.)"""
    plan: UserPlan | None = result.plan
    if result.action is Action.REFUSED or plan is None or plan.old is None:
        return
    row = result.row
    if not (plan.values or result.dynamic or row.password or row.password_hash):
        return
    if unfit := unchangeable(plan.old.login, (LOGIN,)):
        result.action, result.problems = Action.REFUSED, [unfit]


async def _passwords(
    storage: Storage, backend: DbCustomerUserBackend, results: list[RowResult]
) -> None:
    """Hash the passwords of the rows that passed (in the hashing threads, concurrently); a
    stored user's password that the row's already verifies is left as it is (so a file
    imports again unchanged); any other new password of a stored user must pass the history
    check ``set_password`` runs (``PASSWORD_REUSED``), and its history entry is recorded as
    ``set_password`` records it (``bulk_user_writes.write_users``)."""

    async def one(result: RowResult) -> None:
        plan: UserPlan = result.plan
        password = result.row.password
        if plan.old is not None and (password or plan.stored_hash):
            current = await backend.password_hash(plan.login)
            if plan.stored_hash is not None:
                if plan.stored_hash == current:
                    plan.stored_hash = None
                return
            if password and await verify_in_thread(current, password, plan.login):
                return
            if password:  # a new password for a stored user: customerUserSetPassword's history
                reused = await reuse_problems(storage, backend, plan.login, password)
                if reused:
                    result.action, result.problems = Action.REFUSED, reused
                    return
        if password:
            plan.hashed = await hash_new_password(storage, password)
            plan.stored_hash = plan.hashed.stored

    # Only the rows with a password to hash, verify or compare: a file without passwords
    # made, scheduled and ran a task per row for nothing.
    await asyncio.gather(
        *(
            one(r)
            for r in results
            if r.action is not Action.REFUSED
            and (r.row.password or (r.plan.old is not None and r.plan.stored_hash))
        )
    )


async def _decide_and_write(
    storage: Storage,
    actor: Actor,
    backend: DbCustomerUserBackend,
    run: ImportRun,
    results: list[RowResult],
    turn: Turn | None,
) -> None:
    """In one transaction: relation diffs and their rules, e-mail uniqueness, then the writes.
    The batch's ``turn`` is held until its write locks are: earlier batches of the import
    claim their addresses first (None: a retry, whose batch already wrote or failed)."""
    if not results:
        return
    relations = {name for r in results for name in _relation_columns(r.row)}
    async with contextlib.AsyncExitStack() as stack:
        if turn is not None:
            await turn.reached()
        for table in (USER_CUSTOMERS, USER_GROUPS):  # the order every writer takes them in
            await stack.enter_async_context(storage.groups.serialized(table))
        if turn is not None:
            turn.leave()  # asyncio.Lock queues in arrival order: the next batch waits behind
        texts = {a: v for r in results for a, v in r.dynamic_after.items()}
        fields = {**backend.input_fields, **dynamic_fields.text_input_fields(texts)}
        conn = await stack.enter_async_context(transaction(backend.engine, fields))
        if CUSTOMERS in relations:
            await USER_CUSTOMERS.lock(conn)
        if GROUPS in relations:
            await USER_GROUPS.lock(conn)
        if SERVICES in relations:
            await storage.services.lock(conn)
        await diff_relations(storage, conn, results, relations)
        await _check_emails(backend, conn, results, run)
        for result in results:
            if result.action is Action.UNCHANGED and _changes_anything(result):
                plan: UserPlan = result.plan
                result.action = Action.CREATED if plan.old is None else Action.UPDATED
                result.changed = _changed(result) if plan.old is not None else []
                result.before = (
                    {a: plan.old.values.get(a) for a in plan.values} if plan.old else None
                )
                result.after = dict(plan.values)
            bulk_dynamic_fields.merge(result)
        writing = [r for r in results if r.action in (Action.CREATED, Action.UPDATED)]
        if not run.dry_run and writing:
            await write_users(storage, conn, actor, backend, writing)
            await journal(storage, conn, actor, writing)


def _relation_columns(row: ImportRow) -> list[str]:
    given = ((CUSTOMERS, row.customers), (GROUPS, row.groups), (SERVICES, row.services))
    return [name for name, value in given if value is not None]


async def _check_emails(
    backend: DbCustomerUserBackend,
    conn: AsyncConnection,
    results: list[RowResult],
    run: ImportRun,
) -> None:
    """E-mail uniqueness (``email_uniq_check``) under the addresses' locks, against stored
    users and the batch's earlier rows (in a dry run, the earlier batches' too: a real run
    has stored them by then)."""
    checked: dict[int, str] = {}
    for index, result in enumerate(results):
        plan: UserPlan = result.plan
        if result.action is Action.REFUSED or (plan.old is not None and EMAIL not in plan.values):
            continue
        email = plan.values.get(EMAIL)
        if email_needs_check(backend, email, plan.old):
            checked[index] = str(email)
    if not checked:
        return
    await backend.lock_emails(conn, list(checked.values()))
    in_use = await backend.emails_in_use(conn, list(checked.values()))
    claimed: dict[str, str] = {}
    for index, email in checked.items():
        result = results[index]
        login = result.plan.login.lower()
        key = email.lower()
        owner = in_use.get(key) or claimed.get(key) or run.pending_emails.get(key)
        if owner is not None and owner.lower() != login:
            result.action, result.problems = Action.REFUSED, [email_taken()]
        else:
            claimed[key] = login
    if run.dry_run:
        run.pending_emails.update(claimed)


def _changes_anything(result: RowResult) -> bool:
    plan: UserPlan = result.plan
    return plan.old is None or bool(
        plan.values or plan.stored_hash or plan.writes_relations or result.dynamic
    )


def _changed(result: RowResult) -> list[str]:
    plan: UserPlan = result.plan
    names = [a for a in plan.values if a != LOGIN or plan.old is None]
    names += list(result.dynamic_after)
    if plan.stored_hash:
        names.append(PASSWORD)
    return names + sorted(plan.writes_relations)
