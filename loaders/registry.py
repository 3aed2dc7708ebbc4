"""The loaders of one request. A new :class:`Loaders` per request keeps caches request-local."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from datasources.services import Services
from domain.records import CustomerRecord, CustomerUserRecord
from loaders.groups import GroupLoaders
from loaders.services import ServiceLoaders


def _lower(key: str) -> str:
    return key.lower()


class Loaders:
    def __init__(self, services: Services) -> None:
        self._services = services
        self.customer_user = DataLoader[str, CustomerUserRecord | None](
            load_fn=self._customer_users, cache_key_fn=_lower
        )
        self.customer = DataLoader[str, CustomerRecord | None](
            load_fn=self._customers, cache_key_fn=_lower
        )
        self.actor_name = DataLoader[int, str | None](load_fn=self._actor_names)
        self.groups = GroupLoaders(services)
        self.service_catalog = ServiceLoaders(services)

    def reset(self) -> None:
        """Forget everything loaded so far: after a write, later fields must see it."""
        self.__init__(self._services)  # type: ignore[misc]

    async def _customer_users(self, logins: Sequence[str]) -> list[CustomerUserRecord | None]:
        found = await self._services.customer_users.get_many(logins)
        return [found.get(login.lower()) for login in logins]

    async def _customers(self, ids: Sequence[str]) -> list[CustomerRecord | None]:
        found = await self._services.customers.get_many(ids)
        return [found.get(customer_id.lower()) for customer_id in ids]

    async def _actor_names(self, ids: Sequence[int]) -> list[str | None]:
        names = await self._services.api_keys.names(ids)
        return [names.get(i) for i in ids]
