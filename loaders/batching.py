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

import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

JOINED_UP_TO = 100
"""A batch of up to this many keys reads its relation rows joined with what they name (a
user's grants with their groups, services, customers): one round trip instead of two, and no
second batch whose merging with other lookups depends on timing (one user with everything:
a fixed statement count). A bigger batch (a page of 1000 users) reads the rows, then each
distinct group, service or customer once: there the columns repeated on thousands of joined
rows cost more than the second round trip (peer Q2: 554 M instructions a request joined
against 483 M)."""

K = TypeVar("K")
T = TypeVar("T")
R = TypeVar("R")


class Loader(DataLoader[K, T]):
    def load_many(self, keys: Iterable[K]) -> Awaitable[list[T]]:
        return _in_order([self.load(key) for key in keys])


def weakly(
    method: Callable[[Sequence[K]], Awaitable[R]],
) -> Callable[[Sequence[K]], Awaitable[R]]:
    """``method`` (a batch function bound to the object that holds its loader), holding that
    object weakly. Why: a loader made from the bound method holds the object that holds the
    loader, a reference cycle per request left to the garbage collector (whose runs cost a
    one-user lookup 20-40 µs). The object outlives every batch: the request's context holds it
    while any of its loads is waiting."""
    ref = weakref.WeakMethod(method)

    async def call(keys: Sequence[K]) -> R:
        bound = ref()
        if bound is None:  # the request is gone: nobody waits for these keys
            raise RuntimeError("the loaders of a finished request were asked to load")
        return await bound(keys)

    return call


async def _in_order(futures: list[Awaitable[Any]]) -> list[Any]:
    return [await future for future in futures]
