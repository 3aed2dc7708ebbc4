"""One execution of a subscription event for all the subscribers that asked the same thing.

A change reaches every subscriber of its topic, and graphql-core executes the subscription's
selection once per subscriber and event: about 0.2 ms of CPU each, so 10,000 subscribers made
two seconds of CPU of every change (``bench/live.py``). Subscribers with the same document,
the same variables and the same kind of caller get the same answer, so the first one's result
is kept for the others (``FlatListExecutionContext.execute_operation``).

The key: the change (the hub hands every subscriber the same notice), the operation (its
parsed document, which ``schema.document_cache`` shares between equal texts), the variables,
and the caller's scope and, for a customer session, its login (what permissions look at).
Fields that read the database (``customerUserChanged.customerUser``) then read once per change
for all of them. Results are kept for the latest :data:`KEEP` keys only.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol

import orjson

KEEP = 4096


class LiveEvent(Protocol):
    """What a live subscription yields: it carries the notice every subscriber shares."""

    @property
    def shared_key(self) -> Hashable: ...


_results: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def key_of(root_value: Any, operation: Any, variables: Any, context: Any) -> tuple[Any, ...] | None:
    """The sharing key of one subscriber's event, or None when it is not a live event."""
    shared = getattr(root_value, "shared_key", None)
    if shared is None:
        return None
    actor = getattr(context, "actor", None)
    if actor is None:
        return None
    values = getattr(variables, "coerced", variables)  # graphql-core's VariableValues
    try:
        frozen = orjson.dumps(values, option=orjson.OPT_SORT_KEYS, default=repr) if values else b""
    except TypeError:
        return None
    return (shared, id(operation), frozen, actor.scope, actor.customer_login)


def shared(key: tuple[Any, ...], operation: Any, execute: Callable[[], Any]) -> Any:
    """The result kept for ``key``, else ``execute()``'s, kept (an awaitable one as a task
    the others await)."""
    found = _results.get(key)
    if found is not None and found[0] is operation:  # the id is still that operation's
        _results.move_to_end(key)
        result = found[1]
        return _awaited(result) if isinstance(result, asyncio.Future) else result
    result = execute()
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        result = asyncio.ensure_future(result)
        _results[key] = (operation, result)
        _trim()
        return _awaited(result)
    _results[key] = (operation, result)
    _trim()
    return result


async def _awaited(future: asyncio.Future[Any]) -> Any:
    return await asyncio.shield(future)


def _trim() -> None:
    while len(_results) > KEEP:
        _results.popitem(last=False)
