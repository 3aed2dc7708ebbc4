"""Replacing a set of relation rows, as OTOBO's admin screens do, with a dry-run diff.

Every assignment mutation names the complete set it wants; what changes is the difference
between that set and the stored one. Keys are compared case-insensitively where OTOBO's
lookups are (logins, customer IDs), so re-saving the same set with other casing changes
nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


class ChangeKind(enum.Enum):
    ADDED = "ADDED"
    REMOVED = "REMOVED"


@dataclass(frozen=True, slots=True)
class Link:
    """One relation row: a customer user or customer, linked to a customer or group."""

    login: str | None = None
    customer_id: str | None = None
    group_id: int | None = None
    permission: str | None = None
    context: str | None = None
    service_id: int | None = None

    def key(self) -> tuple[Hashable, ...]:
        parts = (
            self.login,
            self.customer_id,
            self.group_id,
            self.permission,
            self.context,
            self.service_id,
        )
        return tuple(p.lower() if isinstance(p, str) else p for p in parts)


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    link: Link


def changes_of(added: Sequence[Link], removed: Sequence[Link]) -> list[Change]:
    """Changes from explicit lists of added and removed rows."""
    return [Change(ChangeKind.ADDED, link) for link in added] + [
        Change(ChangeKind.REMOVED, link) for link in removed
    ]


def diff(current: Iterable[Link], desired: Iterable[Link]) -> list[Change]:
    """The changes that turn ``current`` into ``desired``: additions first, then removals."""
    have = {link.key(): link for link in current}
    want = {link.key(): link for link in desired}
    added = [Change(ChangeKind.ADDED, link) for key, link in want.items() if key not in have]
    removed = [Change(ChangeKind.REMOVED, link) for key, link in have.items() if key not in want]
    return added + removed


def dedupe_folded(values: Iterable[str]) -> list[str]:
    """``values`` without case-insensitive duplicates, first spelling kept, order kept."""
    seen: set[str] = set()
    out = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


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
