"""OTOBO's relation rows, one typed record per relation table, and the diff of two sets of them.

Every assignment mutation names the complete set it wants; what changes is the difference
between that set and the stored one (:func:`diff`). Keys are compared case-insensitively where
OTOBO's lookups are (logins, customer IDs), so re-saving the same set with other casing changes
nothing.

Each relation table has its own row type with only the columns it has, so code that reads a
grant cannot ask it for a service, and a reader of a change sees which table it came from.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias, TypeVar


class ChangeKind(enum.Enum):
    ADDED = "ADDED"
    REMOVED = "REMOVED"


@dataclass(frozen=True, slots=True)
class UserCustomerRow:
    """A ``customer_user_customer`` row: customer user ``login`` also acts for ``customer_id``."""

    login: str
    customer_id: str

    def key(self) -> tuple[Hashable, ...]:
        return (self.login.lower(), self.customer_id.lower())


@dataclass(frozen=True, slots=True)
class UserGroupRow:
    """A ``group_customer_user`` row: customer user ``login`` holds ``permission`` on group
    ``group_id`` (a direct grant)."""

    login: str
    group_id: int
    permission: str

    def key(self) -> tuple[Hashable, ...]:
        return (self.login.lower(), self.group_id, self.permission.lower())


@dataclass(frozen=True, slots=True)
class CustomerGroupRow:
    """A ``group_customer`` row: customer ``customer_id`` holds ``permission`` on group
    ``group_id`` in ``context`` (as stored: ``Ticket::CustomerID::Same`` or ``…::Other``)."""

    customer_id: str
    group_id: int
    permission: str
    context: str

    def key(self) -> tuple[Hashable, ...]:
        return (
            self.customer_id.lower(),
            self.group_id,
            self.permission.lower(),
            self.context.lower(),
        )


@dataclass(frozen=True, slots=True)
class UserServiceRow:
    """A ``service_customer_user`` row: customer user ``login`` (``<DEFAULT>`` for the default
    services) may use service ``service_id``."""

    login: str
    service_id: int

    def key(self) -> tuple[Hashable, ...]:
        return (self.login.lower(), self.service_id)


RelationRow: TypeAlias = UserCustomerRow | UserGroupRow | CustomerGroupRow | UserServiceRow
"""A row of any relation table: what an assignment's changes are made of."""

GrantRow: TypeAlias = UserGroupRow | CustomerGroupRow
"""A row that grants a permission on a group."""

RowT = TypeVar("RowT", bound=RelationRow)


@dataclass(frozen=True, slots=True)
class Change:
    """One row an assignment added or removed (or, on a dry run, would)."""

    kind: ChangeKind
    row: RelationRow


def changes_of(added: Sequence[RelationRow], removed: Sequence[RelationRow]) -> list[Change]:
    """Changes from explicit lists of added and removed rows."""
    return [Change(ChangeKind.ADDED, row) for row in added] + [
        Change(ChangeKind.REMOVED, row) for row in removed
    ]


def diff(current: Iterable[RowT], desired: Iterable[RowT]) -> list[Change]:
    """The changes that turn ``current`` into ``desired``: additions first, then removals."""
    have = {row.key(): row for row in current}
    if not have:  # a new user's (every row of a first bulk import): all of ``desired``, once
        rows = list(desired)
        if len(rows) > 1:
            rows = list({row.key(): row for row in rows}.values())
        return [Change(ChangeKind.ADDED, row) for row in rows]
    want = {row.key(): row for row in desired}
    added = [row for key, row in want.items() if key not in have]
    return changes_of(added, [row for key, row in have.items() if key not in want])


def distinct_rows(rows: Iterable[RowT]) -> list[RowT]:
    """``rows`` once each by key (the last spelling of a key wins), as a table stores them."""
    return list({row.key(): row for row in rows}.values())


K = TypeVar("K", str, int)


def folded(key: K) -> K:
    """A login or customer ID as OTOBO compares it (case-insensitively); a numeric ID as it is."""
    return key.lower() if isinstance(key, str) else key


def dedupe_folded(values: Iterable[K]) -> list[K]:
    """``values`` without (case-insensitive) duplicates, first spelling kept, order kept."""
    first: dict[K, K] = {}
    for value in values:
        first.setdefault(folded(value), value)
    return list(first.values())


def conflicting_duplicates(
    keys: Sequence[Hashable], permissions: Sequence[Iterable[str]]
) -> list[tuple[int, int]]:
    """(index, index of the first entry with that key) for every entry whose key an earlier
    entry had with another set of permissions; the same set again is no conflict."""
    first: dict[Hashable, int] = {}
    conflicts = []
    for index, key in enumerate(keys):
        seen = first.setdefault(key, index)
        if seen != index and set(permissions[seen]) != set(permissions[index]):
            conflicts.append((index, seen))
    return conflicts
