"""Group grants, from either side: a customer user's groups (``group_customer_user``), a
group's users, a customer's groups in every context (``group_customer``), a group's customers.

Each names the complete set for its owner, is validated as a whole first
(``domain.assignment_rules``: every target must exist, every permission be a configured type,
every context a configured one, a target named twice must have the same permissions) and goes
the one generic path, :func:`resolvers.use_cases.assignments.assign`. A group must be valid
to be granted (``INACTIVE_GROUP``); on the user and customer side the stored grants of invalid
groups the input does not name stay, as OTOBO's screens only show valid groups; a group's own
set is replaced whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from datasources.db.links import CUSTOMER_GROUPS, USER_GROUPS, RelationTable
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain.assignment_rules import (
    CONTEXT_VALUES,
    GRANTS,
    Grant,
    grant_problems,
    group_paths,
    inactive_group,
)
from domain.assignments import (
    Change,
    ChangeKind,
    CustomerGroupRow,
    GrantRow,
    UserGroupRow,
    folded,
)
from domain.errors import Problem
from domain.group_rules import GROUP_ID
from domain.records import CustomerRecord, CustomerUserRecord, GroupRecord
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases.assignments import (
    CUSTOMERS,
    GROUPS,
    USERS,
    Assignment,
    Party,
    RowGuard,
    assign,
    find_named,
)

OwnerK = TypeVar("OwnerK", str, int)
TargetK = TypeVar("TargetK", str, int)
OwnerT = TypeVar("OwnerT")
TargetT = TypeVar("TargetT")
G = TypeVar("G", UserGroupRow, CustomerGroupRow)


@dataclass(frozen=True)
class _InactiveGroups(Generic[G]):
    """Grants on the ``invalid`` groups are never added (``INACTIVE_GROUP`` where the input
    named the group, ``paths``, else at ``group_id``); with ``keep_unnamed`` the stored grants
    of invalid groups the input does not name stay."""

    invalid: frozenset[int]
    paths: Mapping[int, tuple[str, ...]]
    keep_unnamed: bool

    def kept(self, current: Sequence[G]) -> list[G]:
        if not self.keep_unnamed:
            return []
        return [r for r in current if r.group_id in self.invalid and r.group_id not in self.paths]

    def refused(self, changes: Sequence[Change]) -> list[Problem]:
        added = {
            c.row.group_id
            for c in changes
            if c.kind is ChangeKind.ADDED and isinstance(c.row, GrantRow)
        }
        return [
            inactive_group(self.paths.get(group_id, GROUP_ID), group_id)
            for group_id in sorted(added & self.invalid)
        ]


@dataclass(frozen=True)
class _Grants(
    Assignment[OwnerK, OwnerT, Grant[TargetK], G], Generic[OwnerK, OwnerT, TargetK, TargetT, G]
):
    """Entries are grants of the ``target``s; ``row`` makes one row of (owner, target,
    permission, stored context). Only customer grants (``group_customer``) have a context."""

    owner: Party[OwnerK, OwnerT]
    target: Party[TargetK, TargetT]
    table: RelationTable[G]
    row: Callable[[OwnerT, TargetT, str, str], G]

    async def wanted(
        self, storage: Storage, owner: OwnerT, entries: Sequence[Grant[TargetK]]
    ) -> tuple[list[G], list[Problem]]:
        keys = [grant.target for grant in entries]
        item = (self.target.field,)
        found, problems = await find_named(
            storage, self.target, keys, (GRANTS,), item, table=self.table
        )
        config, contexts = storage.config.customer_group, self.table is CUSTOMER_GROUPS
        problems += grant_problems(entries, self.target.field, config, contexts=contexts)
        if problems:
            return [], problems
        return [
            self.row(owner, found[folded(g.target)], permission, CONTEXT_VALUES[g.context])
            for g in entries
            for permission in g.permissions
        ], []

    async def guard(self, storage: Storage, entries: Sequence[Grant[TargetK]]) -> RowGuard[G]:
        invalid = frozenset(
            g.id for g in await storage.groups.all() if g.validity is not Validity.VALID
        )
        names_groups = self.target is GROUPS  # else the owner is the group, replaced whole
        return _InactiveGroups(invalid, group_paths(entries), keep_unnamed=names_groups)


M = TypeVar("M", CustomerUserRecord, CustomerRecord)


def _user_row(
    user: CustomerUserRecord, group: GroupRecord, permission: str, _: str
) -> UserGroupRow:
    return UserGroupRow(user.login, group.id, permission)


def _customer_row(
    customer: CustomerRecord, group: GroupRecord, permission: str, context: str
) -> CustomerGroupRow:
    return CustomerGroupRow(customer.customer_id, group.id, permission, context)


def _by_group(
    row: Callable[[M, GroupRecord, str, str], G],
) -> Callable[[GroupRecord, M, str, str], G]:
    """``row`` for the assignments whose owner is the group."""
    return lambda group, member, permission, context: row(member, group, permission, context)


_USER_GROUPS = _Grants(USERS, GROUPS, USER_GROUPS, _user_row)
_GROUP_USERS = _Grants(GROUPS, USERS, USER_GROUPS, _by_group(_user_row))
_CUSTOMER_GROUPS = _Grants(CUSTOMERS, GROUPS, CUSTOMER_GROUPS, _customer_row)
_GROUP_CUSTOMERS = _Grants(GROUPS, CUSTOMERS, CUSTOMER_GROUPS, _by_group(_customer_row))


async def set_user_groups(
    storage: Storage, actor: Actor, login: str, grants: Sequence[Grant[int]], *, dry_run: bool
) -> Outcome[CustomerUserRecord]:
    """Make ``grants`` the direct group grants of the customer user ``login``: every group not
    listed loses its grants for this user."""
    return await assign(storage, actor, _USER_GROUPS, login, grants, dry_run=dry_run)


async def set_group_users(
    storage: Storage, actor: Actor, group_id: int, grants: Sequence[Grant[str]], *, dry_run: bool
) -> Outcome[GroupRecord]:
    """Make ``grants`` (by login) the direct grants of group ``group_id`` to customer users."""
    return await assign(storage, actor, _GROUP_USERS, group_id, grants, dry_run=dry_run)


async def set_customer_groups(
    storage: Storage,
    actor: Actor,
    customer_id: str,
    grants: Sequence[Grant[int]],
    *,
    dry_run: bool,
) -> Outcome[CustomerRecord]:
    """Make ``grants`` the group grants of the customer ``customer_id``, in every context."""
    return await assign(storage, actor, _CUSTOMER_GROUPS, customer_id, grants, dry_run=dry_run)


async def set_group_customers(
    storage: Storage, actor: Actor, group_id: int, grants: Sequence[Grant[str]], *, dry_run: bool
) -> Outcome[GroupRecord]:
    """Make ``grants`` (by customer ID) the grants of group ``group_id`` to customers, in every
    context."""
    return await assign(storage, actor, _GROUP_CUSTOMERS, group_id, grants, dry_run=dry_run)
