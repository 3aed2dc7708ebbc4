"""Customer users ↔ customers (OTOBO's ``customer_user_customer``), from either side.

Both directions of OTOBO's AdminCustomerUserCustomer screen: the customers a user also acts
for, and the users a customer has besides those whose primary customer it is. Each names the
complete set (logins and customer IDs case-insensitively, once each); every one named must
exist. The one generic path is :func:`resolvers.use_cases.assignments.assign`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from datasources.db.links import USER_CUSTOMERS, RelationTable
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain.assignments import UserCustomerRow
from domain.errors import Problem
from domain.records import CustomerRecord, CustomerUserRecord
from resolvers.context import Actor
from resolvers.use_cases.assignments import (
    CUSTOMERS,
    USERS,
    Assignment,
    Party,
    assign,
    find_named,
)

OwnerT = TypeVar("OwnerT")
TargetT = TypeVar("TargetT")


@dataclass(frozen=True)
class _Links(Assignment[str, OwnerT, str, UserCustomerRow], Generic[OwnerT, TargetT]):
    """Entries are the keys of the ``target``s, listed at ``entries``."""

    owner: Party[str, OwnerT]
    target: Party[str, TargetT]
    entries: str
    row: Callable[[OwnerT, TargetT], UserCustomerRow]
    table: RelationTable[UserCustomerRow] = USER_CUSTOMERS

    async def wanted(
        self, storage: Storage, owner: OwnerT, entries: Sequence[str]
    ) -> tuple[list[UserCustomerRow], list[Problem]]:
        found, problems = await find_named(
            storage, self.target, entries, (self.entries,), table=self.table
        )
        return [self.row(owner, target) for target in found.values()], problems


_USER_CUSTOMERS = _Links[CustomerUserRecord, CustomerRecord](
    USERS, CUSTOMERS, "customer_ids", lambda user, c: UserCustomerRow(user.login, c.customer_id)
)
_CUSTOMER_USERS = _Links[CustomerRecord, CustomerUserRecord](
    CUSTOMERS, USERS, "logins", lambda c, user: UserCustomerRow(user.login, c.customer_id)
)


async def set_user_customers(
    storage: Storage, actor: Actor, login: str, customer_ids: Sequence[str], *, dry_run: bool
) -> Outcome[CustomerUserRecord]:
    """Make ``customer_ids`` the customers assigned to the customer user ``login``."""
    return await assign(storage, actor, _USER_CUSTOMERS, login, customer_ids, dry_run=dry_run)


async def set_customer_users(
    storage: Storage, actor: Actor, customer_id: str, logins: Sequence[str], *, dry_run: bool
) -> Outcome[CustomerRecord]:
    """Make ``logins`` the customer users assigned to the customer ``customer_id``; users whose
    primary customer it is are not affected."""
    return await assign(storage, actor, _CUSTOMER_USERS, customer_id, logins, dry_run=dry_run)
