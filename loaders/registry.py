"""The loaders of one request. A new :class:`Loaders` per request keeps caches request-local."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from strawberry.dataloader import DataLoader

from datasources.services import Services
from domain.records import CustomerRecord, CustomerUserRecord
from loaders.groups import GroupLoaders
from loaders.services import ServiceLoaders


def _lower(key: str) -> str:
    return key.lower()


class Loaders:
    """Each loader is made on first use: a request reads one or two kinds of object, and
    making all of them (about twenty DataLoaders) for every request was measurable in a
    one-user lookup."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @cached_property
    def customer_user(self) -> DataLoader[str, CustomerUserRecord | None]:
        return DataLoader(load_fn=self._customer_users, cache_key_fn=_lower)

    @cached_property
    def customer(self) -> DataLoader[str, CustomerRecord | None]:
        return DataLoader(load_fn=self._customers, cache_key_fn=_lower)

    @cached_property
    def actor_name(self) -> DataLoader[int, str | None]:
        return DataLoader(load_fn=self._actor_names)

    @cached_property
    def groups(self) -> GroupLoaders:
        return GroupLoaders(self._services)

    @cached_property
    def service_catalog(self) -> ServiceLoaders:
        return ServiceLoaders(self._services)

    def reset(self) -> None:
        """Forget everything loaded so far: after a write, later fields must see it."""
        self.__dict__ = {"_services": self._services}

    async def _customer_users(self, logins: Sequence[str]) -> list[CustomerUserRecord | None]:
        found = await self._services.customer_users.get_many(logins)
        return [found.get(login.lower()) for login in logins]

    async def _customers(self, ids: Sequence[str]) -> list[CustomerRecord | None]:
        found = await self._services.customers.get_many(ids)
        return [found.get(customer_id.lower()) for customer_id in ids]

    async def _actor_names(self, ids: Sequence[int]) -> list[str | None]:
        names = await self._services.api_keys.names(ids)
        return [names.get(i) for i in ids]
