"""ASGI middleware in front of GraphQL: body size limit, API-key authentication, SQL tally.

Authentication happens before GraphQL parses anything, so an anonymous caller learns nothing
about the schema and costs no parsing. Failures are GraphQL-shaped JSON with
``extensions.code`` so clients handle them like any other error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datasources.db.api_keys import ApiKeyStore
from datasources.db.api_keys import Scope as KeyScope
from datasources.db.engine import count_statements
from domain.config import AuthConfig, ServerConfig
from resolvers.context import ANONYMOUS_ACTOR_ID, Actor

logger = logging.getLogger("roster.auth")

ACTOR_SCOPE_KEY = "roster.actor"
ANONYMOUS = Actor(id=ANONYMOUS_ACTOR_ID, name="anonymous", scope=KeyScope.ADMIN)
PAGE_ONLY = Actor(id=-1, name="(no key)", scope=KeyScope.READ)
"""Serving the GraphiQL page needs no key; queries from GET are disabled, so none runs."""


class BodyTooLarge(Exception):
    pass


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )
    headers = [(b"content-type", b"application/json")]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="roster"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class GraphQLGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: Callable[[], ApiKeyStore],
        auth: AuthConfig,
        server: ServerConfig,
    ) -> None:
        self.app = app
        self.keys = keys  # a getter: the store exists only once the app's lifespan opened it
        self.auth = auth
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = _header(scope, b"accept") or ""
        if scope["method"] == "GET" and "text/html" in accept:
            await self.app(scope, receive, send)  # the GraphiQL page itself needs no key
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.server.max_body_bytes:
            await _send_error(
                send,
                413,
                "PAYLOAD_TOO_LARGE",
                f"The request body is larger than {self.server.max_body_bytes} bytes.",
            )
            return
        with count_statements() as tally:
            actor = await self._authenticate(scope)
            if isinstance(actor, str):
                await _send_error(send, 401, "UNAUTHENTICATED", actor)
                return
            scope[ACTOR_SCOPE_KEY] = actor
            await self._forward(scope, receive, send, tally)

    async def _authenticate(self, scope: Scope) -> Actor | str:
        header = _header(scope, b"authorization")
        if header is None:
            if self.auth.allow_anonymous:
                return ANONYMOUS
            return "Authentication required: send 'Authorization: Bearer <API key>'."
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return "Malformed Authorization header: expected 'Bearer <API key>'."
        key = await self.keys().authenticate(token.strip())
        if key is None:
            logger.info("rejected an unknown or revoked API key")
            return "The API key is unknown or revoked."
        return Actor(id=key.id, name=key.name, scope=key.scope)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, tally: Any) -> None:
        limit = self.server.max_body_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and self.server.statement_count_header:
                headers = list(message.get("headers", []))
                headers.append((b"x-roster-sql-statements", str(tally.count).encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, counting_send)
        except BodyTooLarge:
            await _send_error(
                send, 413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes."
            )
