"""Loaders for groups and relation rows: a page of users with their customers, groups and
effective permissions costs one query per kind, not one per user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from datasources.storage import Storage
from domain.assignments import Link
from domain.records import GroupRecord


def _lower(key: str) -> str:
    return key.lower()


def _grouped(
    keys: Sequence[Any], links: Sequence[Link], key_of: Callable[[Link], Hashable]
) -> list[list[Link]]:
    """The links of each key, in key order (keys compared case-insensitively)."""
    by_key: dict[Hashable, list[Link]] = defaultdict(list)
    for link in links:
        by_key[key_of(link)].append(link)
    return [by_key.get(k.lower() if isinstance(k, str) else k, []) for k in keys]


class GroupLoaders:
    def __init__(self, storage: Storage) -> None:
        groups = storage.groups
        self._groups = groups
        self._customer_users = storage.customer_users
        self.all = DataLoader[str, list[GroupRecord]](load_fn=self._all)
        self.by_id = DataLoader[int, GroupRecord | None](load_fn=self._by_id)
        self.assigned_customers = DataLoader[str, list[Link]](
            load_fn=self._assigned_customers, cache_key_fn=_lower
        )
        self.assigned_users = DataLoader[str, list[Link]](
            load_fn=self._assigned_users, cache_key_fn=_lower
        )
        self.user_grants = DataLoader[str, list[Link]](
            load_fn=self._user_grants, cache_key_fn=_lower
        )
        self.customer_grants = DataLoader[str, list[Link]](
            load_fn=self._customer_grants, cache_key_fn=_lower
        )
        self.primary_users = DataLoader[tuple[str, bool], set[str]](
            load_fn=self._primary_users, cache_key_fn=lambda key: (key[0].lower(), key[1])
        )
        """(customer ID, valid users only) → the logins whose primary customer it is."""
        self.group_user_grants = DataLoader[int, list[Link]](load_fn=self._group_user_grants)
        self.group_customer_grants = DataLoader[int, list[Link]](
            load_fn=self._group_customer_grants
        )

    async def all_groups(self) -> list[GroupRecord]:
        return await self.all.load("all")

    async def _all(self, keys: Sequence[str]) -> list[list[GroupRecord]]:
        groups = await self._groups.store.all()
        return [groups for _ in keys]

    async def _by_id(self, ids: Sequence[int]) -> list[GroupRecord | None]:
        found = await self._groups.store.get_many(ids)
        return [found.get(i) for i in ids]

    async def _assigned_customers(self, logins: Sequence[str]) -> list[list[Link]]:
        links = await self._groups.assigned_customers(logins)
        return _grouped(logins, links, lambda link: str(link.login).lower())

    async def _assigned_users(self, customer_ids: Sequence[str]) -> list[list[Link]]:
        links = await self._groups.assigned_users(customer_ids)
        return _grouped(customer_ids, links, lambda link: str(link.customer_id).lower())

    async def _user_grants(self, logins: Sequence[str]) -> list[list[Link]]:
        links = await self._groups.user_grants(logins)
        return _grouped(logins, links, lambda link: str(link.login).lower())

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

    async def _customer_grants(self, customer_ids: Sequence[str]) -> list[list[Link]]:
        links = await self._groups.customer_grants(customer_ids)
        return _grouped(customer_ids, links, lambda link: str(link.customer_id).lower())

    async def _group_user_grants(self, group_ids: Sequence[int]) -> list[list[Link]]:
        links = await self._groups.group_user_grants(group_ids)
        return _grouped(group_ids, links, lambda link: link.group_id)

    async def _group_customer_grants(self, group_ids: Sequence[int]) -> list[list[Link]]:
        links = await self._groups.group_customer_grants(group_ids)
        return _grouped(group_ids, links, lambda link: link.group_id)
