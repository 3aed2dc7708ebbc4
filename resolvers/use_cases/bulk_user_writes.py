"""The writing half of a customer-user batch (``resolvers.use_cases.bulk_users``): in the
batch's transaction, the stored relation rows of its logins are diffed against what each row
wants (and the assignment rules refuse what they refuse), then everything accepted is written
with one multi-row statement per table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.customer_users import DbCustomerUserBackend
from datasources.db.links import USER_CUSTOMERS, USER_GROUPS
from datasources.db.sign_in_attempts import SignInAttemptStore
from datasources.storage import Storage
from domain.assignment_rules import inactive_group
from domain.assignments import (
    Change,
    ChangeKind,
    RelationRow,
    UserGroupRow,
    UserServiceRow,
    changes_of,
    diff,
)
from domain.bulk_rows import CUSTOMERS, GROUPS, SERVICES
from domain.dynamic_fields import CUSTOMER_USER
from domain.lockout import login_subject
from domain.origins import OriginKey
from domain.services import can_be_assigned, inactive_problem
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import bulk_dynamic_fields
from resolvers.use_cases.bulk_import import Action, RowResult
from resolvers.use_cases.customer_users import after_update, record_password

if TYPE_CHECKING:
    from resolvers.use_cases.bulk_users import UserPlan


async def diff_relations(
    storage: Storage, conn: AsyncConnection, results: list[RowResult], relations: set[str]
) -> None:
    """Read the stored relation rows of the batch's logins; note what each row changes, and
    refuse rows that add a grant of an invalid group or an invalid service."""
    live = [r for r in results if r.action is not Action.REFUSED]
    logins = [r.plan.login for r in live]
    stored_customers = await _rows_by_login(
        USER_CUSTOMERS, storage, conn, logins, CUSTOMERS in relations
    )
    stored_groups = await _rows_by_login(USER_GROUPS, storage, conn, logins, GROUPS in relations)
    stored_services = (
        await storage.services.ids_of_many(conn, logins) if SERVICES in relations else {}
    )
    invalid = (
        {g.id for g in await storage.groups.all() if g.validity is not Validity.VALID}
        if GROUPS in relations
        else set()
    )
    for result in live:
        plan: UserPlan = result.plan
        key, problems, changes = plan.login.lower(), [], []
        if plan.customers is not None:
            found = diff(stored_customers.get(key, []), plan.customers)
            if found:
                plan.writes_relations.add(CUSTOMERS)
                changes += found
        if plan.groups is not None:
            current: list[UserGroupRow] = stored_groups.get(key, [])
            kept = [
                r for r in current if r.group_id in invalid and r.group_id not in plan.group_paths
            ]
            plan.groups += kept
            found = diff(current, plan.groups)
            added = {
                c.row.group_id
                for c in found
                if c.kind is ChangeKind.ADDED and isinstance(c.row, UserGroupRow)
            }
            problems += [inactive_group(plan.group_paths[g], g) for g in sorted(added & invalid)]
            if found:
                plan.writes_relations.add(GROUPS)
                changes += found
        if plan.services is not None:
            current_ids = stored_services.get(key, set())
            added_ids = [i for i in plan.services if i not in current_ids]
            removed_ids = [i for i in current_ids if i not in plan.services]
            inactive = [
                plan.services[i] for i in added_ids if not can_be_assigned(plan.services[i])
            ]
            if inactive:
                problems.append(inactive_problem(inactive, (SERVICES,)))
            if added_ids or removed_ids:
                plan.writes_relations.add(SERVICES)
                changes += _service_changes(plan.login, added_ids, removed_ids)
        if problems:
            result.action, result.problems = Action.REFUSED, problems
        else:
            result.relation_changes = changes


def _service_changes(login: str, added: Sequence[int], removed: Sequence[int]) -> list[Change]:
    rows_added: list[RelationRow] = [UserServiceRow(login, i) for i in added]
    rows_removed: list[RelationRow] = [UserServiceRow(login, i) for i in removed]
    return changes_of(rows_added, rows_removed)


async def _rows_by_login(
    table: Any, storage: Storage, conn: AsyncConnection, logins: Sequence[str], wanted: bool
) -> dict[str, list[Any]]:
    if not wanted or not logins:
        return {}
    found: dict[str, list[Any]] = {}
    for row in await storage.groups.rows_of(table, logins, conn):
        found.setdefault(row.login.lower(), []).append(row)
    return found


async def write_users(
    storage: Storage,
    conn: AsyncConnection,
    actor: Actor,
    backend: DbCustomerUserBackend,
    results: list[RowResult],
) -> None:
    agent = storage.origins.agent_id
    plans: list[UserPlan] = [r.plan for r in results]
    created = [p for p in plans if p.old is None]
    await backend.insert_many(conn, [(p.values, p.stored_hash) for p in created], agent=agent)
    updates = [
        (p.login, p.values, p.stored_hash or None)
        for p in plans
        if p.old is not None and (p.values or p.stored_hash)
    ]
    await backend.update_many(conn, updates, agent=agent)  # one statement per set of columns
    for plan in plans:
        if plan.old is not None and plan.values:
            await after_update(storage, conn, plan.login, plan.login, plan.values)
        if plan.old is not None and plan.stored_hash:
            await storage.customer_sessions.revoke_login(conn, plan.login)
            await SignInAttemptStore.release(conn, login_subject(plan.login))
        if plan.hashed is not None:
            await record_password(
                storage, conn, plan.login, plan.hashed, self_service=False, new=plan.old is None
            )
    await bulk_dynamic_fields.write(conn, CUSTOMER_USER, [(r.plan.login, r) for r in results])
    existing = [p.login for p in plans if p.old is not None]
    for name, table in ((CUSTOMERS, USER_CUSTOMERS), (GROUPS, USER_GROUPS)):
        owners = [p for p in plans if name in p.writes_relations]
        await table.delete_owned(conn, "login", [p.login for p in owners if p.old is not None])
        rows = [r for p in owners for r in getattr(p, name)]
        await table.insert(conn, _distinct(rows), agent=agent)
    owners = [p for p in plans if SERVICES in p.writes_relations]
    await storage.services.remove_all_of(conn, [p.login for p in owners if p.old is not None])
    rows = [(p.login, i) for p in owners for i in (p.services or {})]
    await storage.services.add_rows(conn, rows, agent=agent)
    if created:
        keys = [OriginKey.customer_user(p.login) for p in created]
        await storage.origins.record(conn, keys, actor.id, created=True)
    if existing:
        keys = [OriginKey.customer_user(p.login) for p in plans if p.old is not None]
        await storage.origins.record(conn, keys, actor.id)


def _distinct(rows: list[Any]) -> list[Any]:
    return list({row.key(): row for row in rows}.values())
