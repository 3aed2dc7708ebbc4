"""The open client connections of this server process, so the application can cut one.

Why: ASGI gives an application no way to drop a connection whose client stops reading. Its
``websocket.close`` and its last ``http.response.body`` both wait (in uvicorn) until the
client has read what is buffered, which a client that never reads never does. Live updates
end such a subscriber (``datasources.live.hub``) and then abort its connection here, so it
holds neither a task nor a buffer any longer.

Every connection is noted by its peer address (what ``scope["client"]`` says) when uvicorn's
HTTP protocol takes it (``app.connection_timeouts``); the WebSocket protocol an upgrade
switches to keeps the same transport. Weak references: a closed connection's entry goes away
with its transport.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from starlette.types import Scope

_open: weakref.WeakValueDictionary[tuple[Any, ...], asyncio.BaseTransport] = (
    weakref.WeakValueDictionary()
)


def note(transport: asyncio.BaseTransport) -> None:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        _open[(str(peer[0]), int(peer[1]))] = transport


def abort(scope: Scope) -> bool:
    """Cut the connection ``scope`` came on at once (buffered data is dropped); whether it was
    found open."""
    client = scope.get("client")
    if not client:
        return False
    transport = _open.pop((str(client[0]), int(client[1])), None)
    if transport is None or not isinstance(transport, asyncio.WriteTransport):
        return False
    transport.abort()
    return True
