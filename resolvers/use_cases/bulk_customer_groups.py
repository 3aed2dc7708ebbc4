"""A customer row's group grants in a bulk import (OTOBO's ``group_customer``): the
``groups`` column holds the grants in the ``Same`` context, ``groups_other`` those in the
``Other`` context; each column present is the complete set of that context.

The rules are ``customerGroupsSet``'s (``domain.assignment_rules``: configured permission
types and contexts, no contradicting duplicates, no new grant of an invalid group, a grant of
an invalid group the row does not name is kept); only the way to the database is wider: one
read of the batch's stored rows, one delete and one multi-row insert per batch, in the
batch's transaction and under the table's lock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db.links import CUSTOMER_GROUPS
from datasources.storage import Storage
from domain.assignment_rules import CONTEXT_VALUES, Grant, grant_problems, inactive_group
from domain.assignments import ChangeKind, CustomerGroupRow, diff
from domain.bulk_rows import GRANT_CONTEXTS, GROUPS
from domain.errors import ErrorCode, Problem
from domain.records import GroupRecord
from domain.validity import Validity


@dataclasses.dataclass(slots=True)
class CustomerGrants:
    """What a customer row's grant columns ask for."""

    customer_id: str
    contexts: frozenset[str]
    """The stored contexts the row replaces (its grant columns present)."""
    rows: list[CustomerGroupRow]
    paths: dict[tuple[int, str], tuple[str, ...]]
    """Where each (group, stored context) was named, for problems about it."""


def plan_grants(
    storage: Storage,
    groups: Mapping[str, GroupRecord],
    customer_id: str,
    columns: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> tuple[CustomerGrants, list[Problem]]:
    """The rows ``columns`` (grant column → group name → permissions) ask for, and what the
    rules refuse of them (unknown groups, permissions, contexts; contradictions)."""
    config = storage.config.customer_group
    problems: list[Problem] = []
    grants: list[Grant[int]] = []
    paths: list[tuple[str, ...]] = []
    plan = CustomerGrants(customer_id, frozenset(), [], {})
    contexts: set[str] = set()
    for column, named in columns.items():
        context = GRANT_CONTEXTS[column]
        contexts.add(CONTEXT_VALUES[context])
        for name, permissions in named.items():
            group = groups.get(name)
            path = (column, name)
            if group is None:
                message = f"No group named {name!r}."
                problems.append(Problem(path, ErrorCode.UNKNOWN_GROUP, message))
                continue
            grants.append(Grant(group.id, permissions, context))
            paths.append(path)
            plan.paths[(group.id, CONTEXT_VALUES[context])] = path
            plan.rows += [
                CustomerGroupRow(customer_id, group.id, p, CONTEXT_VALUES[context])
                for p in permissions
            ]
    for problem in grant_problems(grants, "group_id", config, contexts=True):
        problems.append(dataclasses.replace(problem, field=paths[int(problem.field[1])]))
    plan.contexts = frozenset(contexts)
    return plan, problems


async def diff_grants(
    storage: Storage, conn: AsyncConnection, plans: Sequence[CustomerGrants]
) -> list[tuple[list[Problem], list[object]]]:
    """For each plan (under the table's lock, on ``conn``): the problems of the grants it
    adds, and its changes. A plan's ``rows`` become the complete rows to store for its
    customer (the contexts it does not name, and the invalid groups it does not name, kept)."""
    if not plans:
        return []
    await CUSTOMER_GROUPS.lock(conn)
    ids = [p.customer_id for p in plans]
    stored: dict[str, list[CustomerGroupRow]] = {}
    for row in await storage.groups.rows_of(CUSTOMER_GROUPS, ids, conn, field="customer_id"):
        stored.setdefault(row.customer_id.lower(), []).append(row)
    invalid = {g.id for g in await storage.groups.all() if g.validity is not Validity.VALID}
    found: list[tuple[list[Problem], list[object]]] = []
    for plan in plans:
        current = stored.get(plan.customer_id.lower(), [])
        plan.rows += [
            r
            for r in current
            if r.context not in plan.contexts
            or (r.group_id in invalid and (r.group_id, r.context) not in plan.paths)
        ]
        changes = diff(current, plan.rows)
        added = {
            (c.row.group_id, c.row.context)
            for c in changes
            if c.kind is ChangeKind.ADDED and isinstance(c.row, CustomerGroupRow)
        }
        problems = [
            inactive_group(plan.paths.get(key, (GROUPS,)), key[0])
            for key in sorted(added)
            if key[0] in invalid
        ]
        found.append((problems, list(changes)))
    return found


async def write_grants(
    conn: AsyncConnection, plans: Sequence[CustomerGrants], *, agent: int
) -> None:
    """Replace the stored rows of the plans' customers with their ``rows`` (one delete, one
    multi-row insert)."""
    if not plans:
        return
    await CUSTOMER_GROUPS.delete_owned(conn, "customer_id", [p.customer_id for p in plans])
    rows = list({r.key(): r for p in plans for r in p.rows}.values())
    await CUSTOMER_GROUPS.insert(conn, rows, agent=agent)
