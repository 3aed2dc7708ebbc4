"""Loaders for groups and relation rows: a page of users with their customers, groups and
effective permissions costs one query per kind, not one per user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TypeVar

from datasources.storage import Storage
from domain.assignments import CustomerGroupRow, RowT, UserCustomerRow, UserGroupRow, folded
from domain.records import GroupRecord
from loaders.batching import JOINED_UP_TO, Loader, weakly

K = TypeVar("K", str, int)


def _grouped(
    keys: Sequence[K], rows: Sequence[RowT], key_of: Callable[[RowT], K]
) -> list[list[RowT]]:
    """The rows of each key, in key order (logins and customer IDs case-insensitively)."""
    by_key: dict[K, list[RowT]] = defaultdict(list)
    for row in rows:
        by_key[folded(key_of(row))].append(row)
    return [by_key.get(folded(k), []) for k in keys]


def _rows_by(
    read: Callable[[Sequence[K]], Awaitable[list[RowT]]], key_of: Callable[[RowT], K]
) -> Loader[K, list[RowT]]:
    """A loader of relation rows by one of their keys: ``read`` batched, the rows grouped
    per key by ``key_of``."""

    async def load(keys: Sequence[K]) -> list[list[RowT]]:
        return _grouped(keys, await read(keys), key_of)

    return Loader[K, list[RowT]](load_fn=load, cache_key_fn=folded)


class GroupLoaders:
    """Each loader is made on first use (one user with everything uses three of nine)."""

    def __init__(self, storage: Storage) -> None:
        self._groups = storage.groups
        self._customer_users = storage.customer_users

    @cached_property
    def all(self) -> Loader[str, list[GroupRecord]]:
        return Loader[str, list[GroupRecord]](load_fn=weakly(self._all))

    @cached_property
    def by_id(self) -> Loader[int, GroupRecord | None]:
        return Loader[int, GroupRecord | None](load_fn=weakly(self._by_id))

    @cached_property
    def assigned_customers(self) -> Loader[str, list[UserCustomerRow]]:
        return _rows_by(self._groups.assigned_customers, lambda row: row.login)

    @cached_property
    def assigned_users(self) -> Loader[str, list[UserCustomerRow]]:
        return _rows_by(self._groups.assigned_users, lambda row: row.customer_id)

    @cached_property
    def user_grants(self) -> Loader[str, list[UserGroupRow]]:
        return _rows_by(weakly(self._user_grants), lambda row: row.login)

    @cached_property
    def customer_grants(self) -> Loader[str, list[CustomerGroupRow]]:
        return _rows_by(weakly(self._customer_grants), lambda row: row.customer_id)

    @cached_property
    def group_user_grants(self) -> Loader[int, list[UserGroupRow]]:
        return _rows_by(self._groups.group_user_grants, lambda row: row.group_id)

    @cached_property
    def group_customer_grants(self) -> Loader[int, list[CustomerGroupRow]]:
        return _rows_by(self._groups.group_customer_grants, lambda row: row.group_id)

    @cached_property
    def primary_users(self) -> Loader[tuple[str, bool], set[str]]:
        """(customer ID, valid users only) → the logins whose primary customer it is."""
        return Loader[tuple[str, bool], set[str]](
            load_fn=weakly(self._primary_users), cache_key_fn=lambda key: (key[0].lower(), key[1])
        )

    async def all_groups(self) -> list[GroupRecord]:
        return await self.all.load("all")

    async def _all(self, keys: Sequence[str]) -> list[list[GroupRecord]]:
        groups = await self._groups.all()
        return [groups for _ in keys]

    async def _user_grants(self, logins: Sequence[str]) -> list[UserGroupRow]:
        """The rows; for a batch of up to ``JOINED_UP_TO`` their groups too, read in the same
        statement and primed into ``by_id``."""
        if len(logins) > JOINED_UP_TO:
            return await self._groups.user_grants(logins)
        rows, groups = await self._groups.user_grants_and_groups(logins)
        self.by_id.prime_many(groups)
        return rows

    async def _customer_grants(self, customer_ids: Sequence[str]) -> list[CustomerGroupRow]:
        if len(customer_ids) > JOINED_UP_TO:
            return await self._groups.customer_grants(customer_ids)
        rows, groups = await self._groups.customer_grants_and_groups(customer_ids)
        self.by_id.prime_many(groups)
        return rows

    async def _by_id(self, ids: Sequence[int]) -> list[GroupRecord | None]:
        found = await self._groups.get_many(ids)
        return [found.get(i) for i in ids]

    async def _primary_users(self, keys: Sequence[tuple[str, bool]]) -> list[set[str]]:
        found: dict[tuple[str, bool], set[str]] = {}
        for valid_only in {valid for _, valid in keys}:
            ids = [customer_id for customer_id, valid in keys if valid == valid_only]
            by_customer = await self._customer_users.logins_by_primary_customer(
                ids, valid_only=valid_only
            )
            for customer_id in ids:
                key = customer_id.lower()
                found[(key, valid_only)] = by_customer.get(key, set())
        return [found[(customer_id.lower(), valid)] for customer_id, valid in keys]
