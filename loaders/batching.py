"""The DataLoader every loader here is made from: Strawberry's, with a cheaper ``load_many``.

Strawberry's ``load_many`` is ``asyncio.gather`` over one future per key: gather wraps each
future and adds a callback to it, about as much work again as the load itself. A page of
1000 users completed at once (``schema.flat_lists``) loads four or five relations of all of
them through ``load_many``, 4000-5000 keys a request. Here the keys are queued exactly as
``load`` queues them (the same batches, so the same statements) and the futures are then
awaited in order: a future that is already done is read without suspending, so the request
waits once for the batch and reads the other results directly. The first failing key's
error is raised, as ``gather`` raises the first failure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K")
T = TypeVar("T")


class Loader(DataLoader[K, T]):
    def load_many(self, keys: Iterable[K]) -> Awaitable[list[T]]:
        return _in_order([self.load(key) for key in keys])


async def _in_order(futures: list[Awaitable[Any]]) -> list[Any]:
    return [await future for future in futures]
