"""Bulk import: many customers and customer users (with their assignments) per call.

The rules are the single-object writes' own (``domain.customer_rules``,
``domain.customer_user_rules``, ``domain.password_policy``, ``domain.assignment_rules`` and
the shared checks of ``resolvers.use_cases.customer_users``); only the way to the database
is wider. :func:`import_batch` takes a batch of rows, decides for each whether it creates,
updates, leaves unchanged or is refused (with typed problems), and writes every row it
accepts in ONE transaction: a row is written whole or not at all, and a refused row never
stops the others. A dry run decides the same and writes nothing.

Idempotent by key: a row is matched to the stored customer (by customer ID) or user (by
login), case-insensitively, and only the values that differ are written, so importing the
same file again reports every row ``UNCHANGED`` and changes nothing.

**Audit** (issue 18): :func:`journal` is called once per batch, inside the batch's
transaction, with every row it wrote, and notes the same events the single writes would
(``row_events``); they are inserted with one multi-row statement at the batch's commit.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.collation_check import ColumnFields
from datasources.db.customer_users import DbCustomerUserBackend
from datasources.db.dialect import flush_index_backlog, refresh_statistics
from datasources.db.links import CUSTOMER_GROUPS
from datasources.storage import Storage
from datasources.unit_of_work import Outcome, transaction
from domain import audit
from domain.assignments import Change
from domain.audit import AuditEvent, customer_user_values, relation_events
from domain.bulk_rows import GROUPS, Columns, ImportRow, RowKind, ShapeError, parse_row
from domain.changes import given_fields
from domain.company_map import KNOWN_FIELDS
from domain.customer_rules import CustomerChanges, changed_fields, validate_customer
from domain.dynamic_fields import CUSTOMER_COMPANY, ValueRow
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.field_map import VALID_ID, MapField
from domain.origins import OriginKey
from domain.records import CustomerRecord, GroupRecord
from domain.services import ServiceRecord
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import audit_trail, dynamic_fields
from resolvers.use_cases.batch_order import BatchOrder
from resolvers.use_cases.bulk_customer_groups import (
    CustomerGrants,
    diff_grants,
    plan_grants,
    write_grants,
)
from resolvers.use_cases.customers import FIELDS as CUSTOMER_FIELDS
from resolvers.use_cases.customers import conflict

MAX_API_ROWS = 1000
"""Most rows one ``customerUsersImport`` call takes (the CLI streams any number in batches)."""


class Action(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REFUSED = "REFUSED"


@dataclass(slots=True)
class RowResult:
    """What became (or, on a dry run, would become) of one row."""

    row: ImportRow
    action: Action
    problems: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """The fields written (Map attributes, ``password``, assignment names), in order."""
    before: Mapping[str, Any] | None = None
    """The stored values an update changed (for the audit); None for a create."""
    after: Mapping[str, Any] | None = None
    relation_changes: list[Change] = field(default_factory=list)
    plan: Any = None
    """What the batch writes for the row (a ``CustomerChanges``, a user's write plan)."""
    grants: CustomerGrants | None = None
    """A customer row's group grants (``bulk_customer_groups``), when it has grant columns."""
    granted: bool = False
    """Whether the batch writes ``grants`` (they change something)."""
    dynamic: dict[int, list[ValueRow]] = field(default_factory=dict)
    """The dynamic-field values the batch writes (field id → rows; ``bulk_dynamic_fields``)."""
    dynamic_before: dict[str, Any] = field(default_factory=dict)
    dynamic_after: dict[str, Any] = field(default_factory=dict)
    """The changed dynamic fields' values, by Map attribute, as the audit events show them."""
    stored_name: str | None = None
    """The stored object's key as stored (an update's), which its dynamic-field values are
    kept under."""

    @property
    def key(self) -> str:
        return self.row.key


def refused(row: ImportRow, problems: list[Problem]) -> RowResult:
    return RowResult(row, Action.REFUSED, problems)


@dataclass(slots=True)
class ImportRun:
    """What one import (a CLI run, one API call) keeps between its batches."""

    dry_run: bool
    source: str | None = None
    """The customer-user backend new users go to (None: the first writable one)."""
    pending_customers: MutableMapping[str, str] = field(default_factory=dict)
    """Customer IDs (lower-cased, mapped to themselves) a dry run accepted earlier: later rows
    may name them."""
    pending_emails: MutableMapping[str, str] = field(default_factory=dict)
    """E-mail address → login (both lower-cased) of the users a dry run accepted in earlier
    batches: a real run has stored them, so a later row's address is taken for the dry run
    too (a dry run refuses the rows the real run refuses). Both grow with the file: the CLI
    keeps them on disk (``app.bulk.importer``), so a dry run's memory stays flat too."""
    groups: dict[str, GroupRecord] | None = None
    services: dict[str, ServiceRecord | None] = field(default_factory=dict)
    order: BatchOrder = field(default_factory=BatchOrder)
    """Batches in flight write in the order they were started (:mod:`.batch_order`)."""
    written: int = 0
    """Rows written so far; the tables' statistics are refreshed each time this doubles."""
    analyzed_at: int = 0

    async def all_groups(self, storage: Storage) -> dict[str, GroupRecord]:
        if self.groups is None:
            self.groups = {g.name: g for g in await storage.groups.all()}
        return self.groups

    async def find_services(self, storage: Storage, names: Sequence[str]) -> None:
        missing = [n for n in names if n not in self.services]
        if missing:
            found = await storage.services.get_by_names(missing)
            for name in missing:
                self.services[name] = found.get(name)


async def import_batch(
    storage: Storage, actor: Actor, rows: Sequence[ImportRow], run: ImportRun
) -> Outcome[list[RowResult]]:
    """Import ``rows`` (customers before users, so a user may name a customer of the same
    batch); the outcome's record is one result per row, in the rows' order."""
    from resolvers.use_cases.bulk_users import import_users

    turn = run.order.take()  # before the first await: in the order batches are started
    try:
        customers = [r for r in rows if r.kind is RowKind.CUSTOMER]
        users = [r for r in rows if r.kind is RowKind.CUSTOMER_USER]
        results = await import_customers(storage, actor, customers, run) if customers else []
        if users:
            results += await import_users(storage, actor, users, run, turn)
    finally:
        turn.leave()
    await _refresh_statistics(storage, run, results)
    order = {id(r): i for i, r in enumerate(rows)}
    results.sort(key=lambda result: order[id(result.row)])
    return Outcome(record=results)


async def import_rows(
    storage: Storage, actor: Actor, raw_rows: Sequence[Any], *, dry_run: bool
) -> Outcome[list[RowResult]]:
    """One API call's rows (JSON objects, at most :data:`MAX_API_ROWS`) as one batch; a
    result's ``row.line`` is the row's index."""
    if len(raw_rows) > MAX_API_ROWS:
        message = f"At most {MAX_API_ROWS} rows per call; split the import."
        return Outcome.failed([Problem(("rows",), ErrorCode.TOO_LONG, message)])
    try:
        columns = import_columns(storage, None)
    except ShapeError as exc:
        return Outcome.failed([Problem(("rows",), ErrorCode.READ_ONLY, str(exc))])
    rows = [_json_row(columns, index, raw) for index, raw in enumerate(raw_rows)]
    return await import_batch(storage, actor, rows, ImportRun(dry_run=dry_run))


def _json_row(columns: Columns, index: int, raw: Any) -> ImportRow:
    """A row of JSON as an import row; a value that is no object, or unknown keys, are its
    problems."""
    if not isinstance(raw, dict):
        problem = Problem((), ErrorCode.INVALID, "A row must be a JSON object.")
        return ImportRow(index, RowKind.CUSTOMER_USER, {}, {}, problems=[problem], broken=True)
    row = parse_row(columns, index, raw, text_cells=False)
    unknown = columns.unknown(list(raw))
    if unknown:
        message = f"Unknown field(s): {', '.join(unknown)}."
        row.problems.append(Problem((), ErrorCode.INVALID, message))
    return row


def import_columns(storage: Storage, source: str | None) -> Columns:
    """The Maps an import's columns name: the target backend's and the company Map; with no
    backend to write to (LDAP, ``read_only``), ``ShapeError``: nothing can be imported."""
    backend = storage.customer_users.writable_backend(source)
    if isinstance(backend, Problem):
        raise ShapeError(
            f"{backend.message} Nothing can be imported into an LDAP or read-only backend "
            "(customer_user.backends[].read_only)."
        )
    return with_dynamic_fields(
        storage, tuple(backend.fields), tuple(storage.customers.rules.fields)
    )


def with_dynamic_fields(
    storage: Storage, user_fields: tuple[MapField, ...], company_fields: tuple[MapField, ...]
) -> Columns:
    """The columns of the two Maps with their ``dynamic_field`` rows (import and export)."""
    config = storage.config
    return Columns(
        user_fields,
        company_fields,
        tuple(config.customer_user.dynamic_field_rows()),
        tuple(config.customer_company.dynamic_field_rows()),
    )


STATISTICS_TABLES = (
    "customer_company",
    "customer_user_customer",
    "group_customer_user",
    "service_customer_user",
    "roster_record_origin",
)


async def _refresh_statistics(storage: Storage, run: ImportRun, results: list[RowResult]) -> None:
    """After a batch that wrote: the trigram indexes' pending entries merged
    (``dialect.flush_index_backlog``), and after the first 1,000 rows written and each time
    the number doubles, the tables' statistics refreshed, so the next batches' lookups are
    planned for the tables as they now are (``dialect.refresh_statistics``)."""
    if run.dry_run:
        return
    written = sum(1 for r in results if r.action in (Action.CREATED, Action.UPDATED))
    if not written:
        return
    run.written += written
    tables = [*STATISTICS_TABLES]
    for backend in storage.customer_users.backends:
        if isinstance(backend, DbCustomerUserBackend) and backend.engine is storage.engine:
            tables.append(backend.table.name)
    tables = sorted(set(tables))
    async with transaction(storage.engine) as conn:
        await flush_index_backlog(conn, tables)
        if run.written >= max(1000, 2 * run.analyzed_at):
            run.analyzed_at = run.written
            await refresh_statistics(conn, tables)


def duplicates(rows: Sequence[ImportRow], field_name: str) -> dict[int, Problem]:
    """A problem for every row (by index) whose key an earlier row of ``rows`` has
    (case-insensitively)."""
    first: dict[str, int] = {}
    found: dict[int, Problem] = {}
    for index, row in enumerate(rows):
        key = row.key.lower()
        if not key:
            continue
        if key in first:
            message = f"{row.key!r} is in the file already, at line {rows[first[key]].line}."
            found[index] = Problem((field_name,), ErrorCode.DUPLICATE, message)
        else:
            first[key] = index
    return found


# ---- customers --------------------------------------------------------------------------------


async def import_customers(
    storage: Storage, actor: Actor, rows: Sequence[ImportRow], run: ImportRun
) -> list[RowResult]:
    store = storage.customers
    dupes = duplicates(rows, "CustomerID")
    existing = await store.get_many([r.key for r in rows if r.key])
    results: list[RowResult] = []
    for index, row in enumerate(rows):
        problems = list(row.problems) + ([dupes[index]] if index in dupes else [])
        if row.broken:
            results.append(refused(row, problems))
            continue
        change, value_problems = _customer_change(row)
        problems += value_problems
        old = existing.get(row.key.lower())
        if old is not None:
            given = {KNOWN_FIELDS.get(attribute, attribute) for attribute in row.values}
            change = _customer_patch(old, change, given)
        if not problems:
            problems = validate_customer(change, store.rules, creating=old is None)
        grants = None
        if row.context_groups is not None and row.context_groups:
            groups = await run.all_groups(storage)
            owner = old.customer_id if old is not None else row.key
            grants, grant_problems = plan_grants(storage, groups, owner, row.context_groups)
            problems = problems + grant_problems
        changed = _given(change)
        if problems:
            results.append(refused(row, problems))
        elif old is None:
            results.append(RowResult(row, Action.CREATED, plan=change))
        elif changed:
            before = {
                n: old.extra.get(n) if n in change.extra else getattr(old, n) for n in changed
            }
            after = {
                n: change.extra.get(n) if n in change.extra else getattr(change, n) for n in changed
            }
            results.append(
                RowResult(row, Action.UPDATED, [], changed, before=before, after=after, plan=change)
            )
        else:
            results.append(RowResult(row, Action.UNCHANGED, plan=change))
        results[-1].grants = grants
    await _plan_dynamic_fields(storage, results, existing)
    writing = [
        r
        for r in results
        if r.action in (Action.CREATED, Action.UPDATED)
        or (r.action is Action.UNCHANGED and r.grants is not None)
    ]
    try:
        await _check_and_write_customers(storage, actor, run, writing)
    except (sa.exc.IntegrityError, ProblemsFound):
        # A concurrent write took an ID or a name of the batch (as customerCreate's conflict),
        # or the database refused a character of it (a column made utf8mb3 after the start):
        # each row alone, so only it fails.
        for result in writing:
            try:
                await _check_and_write_customers(storage, actor, run, [result])
            except sa.exc.IntegrityError:
                problems = await conflict(storage, result.plan, id_field=("CustomerID",))
                result.action, result.problems = Action.REFUSED, problems
            except ProblemsFound as exc:
                result.action, result.problems = Action.REFUSED, exc.problems
    return results


async def _plan_dynamic_fields(
    storage: Storage, results: list[RowResult], existing: Mapping[str, CustomerRecord]
) -> None:
    from resolvers.use_cases import bulk_dynamic_fields

    def stored_key(result: RowResult) -> str | None:
        old = existing.get(result.key.lower())
        return old.customer_id if old is not None else None

    await bulk_dynamic_fields.plan(storage, CUSTOMER_COMPANY, results, stored_key)
    for result in results:
        bulk_dynamic_fields.merge(result)


async def _check_and_write_customers(
    storage: Storage, actor: Actor, run: ImportRun, writing: list[RowResult]
) -> None:
    granting = any(r.grants is not None for r in writing)
    async with contextlib.AsyncExitStack() as stack:
        if granting:  # before the transaction, as every writer of the table takes it
            await stack.enter_async_context(storage.groups.serialized(CUSTOMER_GROUPS))
        conn = await stack.enter_async_context(
            transaction(storage.customers.engine, _input_fields(storage, writing))
        )
        await _refuse_taken_names(storage, conn, writing)
        if granting:
            await _diff_grants(storage, conn, writing)
        writing = [r for r in writing if r.action not in (Action.REFUSED, Action.UNCHANGED)]
        if not run.dry_run and writing:
            await _write_customers(storage, conn, actor, writing)
            await journal(storage, conn, actor, writing)
    if run.dry_run:
        run.pending_customers.update((r.key.lower(), r.key.lower()) for r in writing)


def _input_fields(storage: Storage, writing: Sequence[RowResult]) -> ColumnFields:
    """Which field of a customer row writes each column, as ``customerCreate``'s: a row the
    database refuses alone is refused at that field (a batch is retried row by row)."""
    texts = {a: v for r in writing for a, v in r.dynamic_after.items()}
    return {**storage.customers.input_fields, **dynamic_fields.text_input_fields(texts)}


def _customer_change(row: ImportRow) -> tuple[CustomerChanges, list[Problem]]:
    """The row's values as a (complete) create: a field the row lacks is None, and the
    validity VALID unless given."""
    values: dict[str, Any] = {name: None for name in KNOWN_FIELDS.values()}
    values["validity"] = Validity.VALID
    extra: dict[str, Any] = {}
    problems: list[Problem] = []
    for attribute, value in row.values.items():
        name = KNOWN_FIELDS.get(attribute)
        if attribute == VALID_ID:
            if value is None:
                continue
            if not isinstance(value, int) or value not in {v.value for v in Validity}:
                message = "ValidID must be 1 (valid), 2 (invalid) or 3 (invalid-temporarily)."
                problems.append(Problem(("validity",), ErrorCode.INVALID, message))
                continue
            values["validity"] = Validity(value)
        elif name is not None:
            values[name] = value
        else:
            extra[attribute] = value
    return CustomerChanges(**values, extra=extra).trimmed(), problems


_FIELDS = ("name", "street", "zip", "city", "country", "url", "comment", "validity")


def _customer_patch(
    old: CustomerRecord, change: CustomerChanges, given: set[str]
) -> CustomerChanges:
    """Only the fields the row gives that differ from ``old`` (the customer ID is the key:
    never renamed), by the single update's rule (``changed_fields``)."""
    values = {name: getattr(change, name) for name in _FIELDS if name in given}
    extra = {k: v for k, v in change.extra.items() if k in given}
    return changed_fields(old, CustomerChanges(**values, extra=extra))


_NOT_FIELDS = ("extra", "customer_id", "dynamic_fields")
"""What a customer row never changes (the key) or gives otherwise (``extra``: by attribute;
dynamic fields: not imported)."""


def _given(change: CustomerChanges) -> list[str]:
    names = [n for n in given_fields(change) if n not in _NOT_FIELDS]
    return names + list(change.extra)


async def _refuse_taken_names(
    storage: Storage, conn: AsyncConnection, results: list[RowResult]
) -> None:
    """A customer's name is unique (case-insensitively): against the stored customers and
    the batch's earlier rows."""
    names: dict[str, str] = {}
    for result in results:
        name = result.plan.name
        if isinstance(name, str) and name:
            names[result.row.key.lower()] = name
    taken = await storage.customers.names_in_use(conn, list(names.values()))
    claimed: dict[str, str] = {}
    for result in results:
        key = result.row.key.lower()
        name = names.get(key)
        if name is None:
            continue
        owner = taken.get(name.lower()) or claimed.get(name.lower())
        if owner is not None and owner.lower() != key:
            message = f"A customer named {name!r} already exists."
            result.action = Action.REFUSED
            result.problems = [Problem(("name",), ErrorCode.NAME_TAKEN, message)]
        else:
            claimed[name.lower()] = key


async def _write_customers(
    storage: Storage, conn: AsyncConnection, actor: Actor, results: list[RowResult]
) -> None:
    from resolvers.use_cases import bulk_dynamic_fields

    store = storage.customers
    agent = storage.origins.agent_id
    created = [r for r in results if r.action is Action.CREATED]
    await store.insert_many(conn, [r.plan for r in created], agent=agent)
    updated = [r for r in results if r.action is Action.UPDATED]
    for result in updated:
        if _given(result.plan):
            await store.update(conn, result.key, result.plan, agent=agent)
    await bulk_dynamic_fields.write(
        conn, CUSTOMER_COMPANY, [(_customer_name(r), r) for r in results]
    )
    await write_grants(
        conn, [r.grants for r in results if r.grants is not None and r.granted], agent=agent
    )
    if created:
        keys = [OriginKey.customer(r.key) for r in created]
        await storage.origins.record(conn, keys, actor.id, created=True)
    if updated:
        await storage.origins.record(conn, [OriginKey.customer(r.key) for r in updated], actor.id)


def _customer_name(result: RowResult) -> str:
    """The stored CustomerID of an update (as stored), the new one of a create."""
    if result.stored_name is not None:
        return result.stored_name
    return str(result.plan.customer_id or result.key)


async def _diff_grants(storage: Storage, conn: AsyncConnection, results: list[RowResult]) -> None:
    """The grants' diffs against the stored rows: a row adding a grant of an invalid group is
    refused; an unchanged row whose grants change becomes an update."""
    live = [r for r in results if r.action is not Action.REFUSED and r.grants is not None]
    found = await diff_grants(storage, conn, [r.grants for r in live if r.grants is not None])
    for result, (problems, changes) in zip(live, found, strict=True):
        if problems:
            result.action, result.problems = Action.REFUSED, problems
            continue
        result.granted = bool(changes) or result.action is Action.CREATED
        if changes:
            result.relation_changes += [c for c in changes if isinstance(c, Change)]
            if result.action is not Action.CREATED:
                result.changed.append(GROUPS)
                result.action = Action.UPDATED
                result.before = result.before or {}
                result.after = result.after or {}


async def journal(
    storage: Storage, conn: AsyncConnection, actor: Actor, written: Sequence[RowResult]
) -> None:
    """Record the audit events of a written batch, in its transaction: the same events the
    single writes make (``customers.create``/``update``, ``customer_users.create``/``update``,
    ``set_password``, the assignment use cases), so an imported row shows in ``history``,
    ``auditEvents`` and the changes feed as if written alone (the other side of its
    assignments, a group or a customer, gets one event per batch). They are noted on
    the connection and inserted with one multi-row statement at the commit
    (``unit_of_work.transaction``): a batch's events commit, or roll back, with the batch."""
    del storage
    events = [event for result in written for event in row_events(result)]
    # Both sides of the relation rows: each user's own event, and one per group, customer or
    # service for the whole batch (a group granted to 1,000 users of a batch gets one event
    # naming them all, not 1,000), as one assignment mutation of many rows records them.
    events += relation_events([change for result in written for change in result.relation_changes])
    audit_trail.record(conn, actor, events)


def row_events(result: RowResult) -> list[AuditEvent]:
    """The events of one written row but its assignments' (never a password: a new one is
    ``PASSWORD_SET``)."""
    if result.row.kind is RowKind.CUSTOMER:
        key = OriginKey.customer(result.key)
        if result.action is Action.CREATED:
            change: CustomerChanges = result.plan
            after = {
                **audit.given(change, CUSTOMER_FIELDS),
                **change.extra,
                **result.dynamic_after,
            }
            return [audit.event(key, result.key, audit.Action.CREATED, None, after)]
        changed = audit.event(key, result.key, audit.Action.UPDATED, result.before, result.after)
        return [changed] if changed.fields else []
    login = result.plan.login
    key = OriginKey.customer_user(login)
    after = customer_user_values(result.after or {})
    events: list[AuditEvent] = []
    if result.action is Action.CREATED:
        events.append(audit.event(key, login, audit.Action.CREATED, after=after))
    else:
        before = customer_user_values(result.before or {})
        changed = audit.event(key, login, audit.Action.UPDATED, before, after)
        if changed.fields:
            events.append(changed)
        if result.plan.stored_hash:
            events.append(AuditEvent(key, login, audit.Action.PASSWORD_SET))
    return events
