"""Live updates on the wire: GraphQL subscriptions over WebSocket (``graphql-transport-ws``)
and over Server-Sent Events (GraphQL over SSE, "distinct connections mode"), both at
``/graphql``.

**WebSocket** (sub-protocol ``graphql-transport-ws``; others are closed with 4406). The
client authenticates with the ``Authorization`` header of the handshake (a wrong key refuses
the handshake: 401), or, for clients that cannot set headers (browsers), in its
``connection_init`` payload: ``{"Authorization": "Bearer <API key or session token>"}``
(``authorization`` or ``headers.Authorization`` too). A wrong one there closes with 4403.
Only subscriptions are served on a socket: queries and mutations go by HTTP, where every
limit, log and path applies (a ``subscribe`` of another operation gets an ``error`` message
with ``BAD_REQUEST``). Close codes as the protocol says: 4400 a malformed message, 4401 a
subscribe before ``connection_ack``, 4403 a refused ``connection_init``, 4408 no
``connection_init`` within ``live.connection_init_timeout_seconds``, 4409 a subscription id
in use, 4429 a second ``connection_init``; past ``live.max_subscriptions_per_connection`` a
subscribe gets an ``error`` message with ``TOO_MANY_SUBSCRIPTIONS``. A subscriber too slow to
read ``live.subscriber_buffer`` changes has its connection closed (1008, and cut after a
second if it does not read the close either).

**SSE**: ``POST /graphql`` (or ``GET`` with the query in the URL) with ``Accept:
text/event-stream`` and the usual JSON body, authenticated like any request; the answer is a
``text/event-stream`` of ``event: next`` messages (``data:`` one GraphQL result) and a final
``event: complete``. A slow reader's stream is cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult

from app import connections
from app.auth import ACTOR_SCOPE_KEY, AUTHENTICATOR_SCOPE_KEY, Refusal
from app.http_protocol import BAD_REQUEST, GraphQLRequest, RequestError
from datasources.live.hub import Ending
from resolvers.context import Actor, RequestContext

logger = logging.getLogger("roster.live")

EVENT_STREAM = "text/event-stream"
SLOW_CLOSE = 1008
CUT_AFTER_SECONDS = 1.0
"""How long a slow subscriber's connection has to take its close frame before it is cut."""

PER_MESSAGE_DEFLATE = False
"""WebSocket compression (``permessage-deflate``) is not offered: uvicorn offers it by default
and every client library accepts it, and then each delivery of a change is deflated for its
subscriber alone (a compressor per connection). A change's message is about 150 bytes, and
deflating it was 40 % of a delivery's server CPU: ``bench/live.py latency``, 20 subscribers,
7.5 against 9.0 ms of CPU per change (the deliveries alone 2.3 against 3.8 ms). Given to
``uvicorn`` by ``app/cli.py`` and each worker (``app/workers/worker_server.py``)."""

ONLY_SUBSCRIPTIONS = (
    "Only subscriptions are served here: send queries and mutations by HTTP POST to /graphql."
)


def wants_event_stream(scope: Scope) -> bool:
    for key, value in scope.get("headers", ()):
        if key == b"accept":
            return EVENT_STREAM in value.decode("latin-1").lower()
    return False


def only_subscriptions(query: str, max_tokens: int) -> bool | None:
    """Whether every operation of ``query`` is a subscription (None: it does not parse; the
    executor reports that)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    return all(
        d.operation is OperationType.SUBSCRIPTION
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


def _credentials(payload: dict[str, Any]) -> str | None:
    for container in (payload, payload.get("headers")):
        if isinstance(container, dict):
            for name in ("Authorization", "authorization"):
                value = container.get(name)
                if isinstance(value, str):
                    return value
    return None


def _well_formed(message: object) -> bool:
    """The shape graphql-transport-ws gives each message type (anything else closes 4400)."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return False
    kind = message["type"]
    if kind == "connection_init" or kind in ("ping", "pong"):
        return isinstance(message.get("payload", {}), dict | None)
    if kind == "complete":
        return isinstance(message.get("id"), str)
    if kind == "subscribe":
        payload = message.get("payload")
        return (
            isinstance(message.get("id"), str)
            and isinstance(payload, dict)
            and isinstance(payload.get("query"), str)
            and isinstance(payload.get("variables"), dict | None)
            and isinstance(payload.get("operationName"), str | None)
            and isinstance(payload.get("extensions"), dict | None)
        )
    return True  # an unknown type: the handler closes with 4400 naming it


class SocketHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """Strawberry's graphql-transport-ws handler with Roster's authentication, the check that
    only subscriptions run, the per-connection limit with a code, and strict message shapes."""

    max_tokens = 10_000
    max_per_connection = 100

    async def handle_message(self, message: Any) -> None:
        if not _well_formed(message):
            await self.handle_invalid_message("Malformed graphql-transport-ws message")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload") or {}
        context = self.context
        scope = self.websocket.ws.scope  # type: ignore[attr-defined]
        if not self.connection_init_received and isinstance(payload, dict):
            credentials = _credentials(payload)
            authenticate: Callable[[str | None], Awaitable[Actor | Refusal]] | None = scope.get(
                AUTHENTICATOR_SCOPE_KEY
            )
            if credentials is not None and authenticate is not None:
                actor = await authenticate(credentials)
                if isinstance(actor, Refusal):
                    self.connection_init_received = True
                    await self.websocket.close(4403, f"Forbidden: {actor.code}")
                    return
                context.actor = actor
            elif scope.get(ACTOR_SCOPE_KEY) is None:
                self.connection_init_received = True
                await self.websocket.close(4403, "Forbidden: UNAUTHENTICATED")
                return
            else:
                context.actor = scope[ACTOR_SCOPE_KEY]
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            kinds = only_subscriptions(message["payload"]["query"], self.max_tokens)
            error: dict[str, Any] | None = None
            if kinds is False:
                error = {"message": ONLY_SUBSCRIPTIONS, "extensions": {"code": BAD_REQUEST}}
            elif len(self.operations) >= self.max_per_connection:
                error = {
                    "message": f"This connection has {self.max_per_connection} subscriptions "
                    "already (live.max_subscriptions_per_connection).",
                    "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"},
                }
            if error is not None:
                refusal: Any = {"id": message["id"], "type": "error", "payload": [error]}
                await self.send_message(refusal)
                return
        await super().handle_subscribe(message)


class TextFrames(ASGIWebSocketAdapter):
    """Strawberry's ASGI WebSocket adapter, each message sent as a text frame.

    Why: Strawberry sends what the view's ``encode_json`` returns, and Roster's returns bytes
    (orjson, for HTTP), so every message went out as a binary frame. The protocol's messages
    are JSON text, and the browsers' client (graphql-ws, as in the GraphiQL page) reads a
    binary frame as a Blob that is no message ("Message is missing the 'type' property"):
    no subscription could run in a browser."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode("utf-8") if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


def socket_handler_class(max_per_connection: int, max_tokens: int) -> type[SocketHandler]:
    return type(
        "RosterSocketHandler",
        (SocketHandler,),
        {"max_per_connection": max_per_connection, "max_tokens": max_tokens},
    )


def close_slow_socket(websocket: Any, scope: Scope) -> Callable[[Ending], None]:
    """``end_connection`` of a WebSocket's context: send a close frame, and cut the
    connection if the client has not taken it within :data:`CUT_AFTER_SECONDS`."""

    def end(ending: Ending) -> None:
        logger.info("live updates: closed a WebSocket subscriber: %s", ending.code)
        loop = asyncio.get_running_loop()
        task = loop.create_task(websocket.close(SLOW_CLOSE, ending.code))
        _keep(task)
        loop.call_later(CUT_AFTER_SECONDS, connections.abort, scope)

    return end


_tasks: set[asyncio.Task[Any]] = set()


def _keep(task: asyncio.Task[Any]) -> None:
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


Subscribe = Callable[[GraphQLRequest, RequestContext], Awaitable[Any]]


async def serve_event_stream(
    scope: Scope,
    receive: Receive,
    send: Send,
    request: GraphQLRequest,
    context: RequestContext,
    subscribe: Subscribe,
    encode: Callable[[Any], bytes],
    max_tokens: int,
) -> None:
    """One subscription as a ``text/event-stream`` (GraphQL over SSE, distinct connections):
    until it completes or the client goes away. A slow reader's connection is cut (then the
    server sees it gone, as when the client leaves)."""
    if request.query is None or only_subscriptions(request.query, max_tokens) is False:
        raise RequestError(400, BAD_REQUEST, ONLY_SUBSCRIPTIONS)

    def cut(ending: Ending) -> None:
        logger.info("live updates: cut an SSE subscriber: %s", ending.code)
        connections.abort(scope)

    context.end_connection = cut

    async def pump() -> None:
        async for result in _results(await subscribe(request, context)):
            event = b"event: next\ndata: " + encode(_formatted(result)) + b"\n\n"
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"event: complete\ndata: \n\n"})

    headers = [
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),  # a proxy in front must not hold events back
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    pumping = asyncio.create_task(pump())
    leaving = asyncio.create_task(_disconnect(receive))
    try:
        done, _pending = await asyncio.wait({pumping, leaving}, return_when="FIRST_COMPLETED")
    finally:
        for task in (pumping, leaving):
            task.cancel()
        for task in (pumping, leaving):
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if pumping in done:
        pumping.result()


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _results(source: Any) -> AsyncIterator[ExecutionResult]:
    if isinstance(source, ExecutionResult):
        yield source
        return
    async with contextlib.aclosing(source):
        async for result in source:
            yield result


def _formatted(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [error.formatted for error in result.errors]
    return out
