"""ASGI middleware in front of GraphQL: body size limit, authentication (API keys and customer
session tokens), the root fields a restricted caller may use (``app.scope_gate``), SQL tally.

Authentication happens before GraphQL parses anything, so an anonymous caller learns nothing
about the schema and costs no parsing. Failures are GraphQL-shaped JSON with
``extensions.code`` so clients handle them like any other error.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http_protocol import wants_page
from app.request_errors import refuse
from datasources.db.api_keys import ApiKeyStore, KeyStoreUnavailable
from datasources.db.api_keys import Scope as KeyScope
from datasources.db.customer_sessions import SESSION_PREFIX, CustomerSessionStore
from datasources.db.engine import count_statements
from domain.config import AuthConfig, ServerConfig
from resolvers.context import ANONYMOUS_ACTOR_ID, Actor

logger = logging.getLogger("roster.auth")

ACTOR_SCOPE_KEY = "roster.actor"
AUTHENTICATOR_SCOPE_KEY = "roster.authenticate"
"""On a WebSocket: the gate's check of an ``Authorization`` value, for ``connection_init``."""
ANONYMOUS = Actor(id=ANONYMOUS_ACTOR_ID, name="anonymous", scope=KeyScope.ADMIN)
PAGE_ONLY = Actor(id=-1, name="(no key)", scope=KeyScope.READ)
"""Serving the GraphiQL page needs no key; a request that reaches GraphQL without an actor
(the gate not in front) is refused, never run as this one (``app/server.py``)."""


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request turned away before GraphQL, as the GraphQL-shaped error it is answered with."""

    message: str
    status: int = 401
    code: str = "UNAUTHENTICATED"


KEYS_UNAVAILABLE = Refusal(
    "The API key cannot be checked now: the database does not answer. Try again shortly.",
    status=503,
    code="SERVICE_UNAVAILABLE",
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


FOREIGN_HOST = (
    "auth.allow_anonymous is on: requests without a key act as an admin, so only requests "
    "addressed to localhost, 127.0.0.1 or [::1] (Host), from no page or a page on one of "
    "those (Origin), are answered. Open Roster at http://localhost:<port>/graphql."
)


def _loopback_name(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _from_loopback_page(scope: Scope) -> bool:
    """Whether a request is addressed to a loopback name (``Host``) and, when a browser says
    which page sent it (``Origin``), comes from a page on a loopback name.

    Why: with anonymous admin access on loopback (the demo), any web page the user opens could
    otherwise drive the API: DNS rebinding points the page's own host name at 127.0.0.1, so the
    browser treats Roster as that page's origin; the ``Host`` it sends is still the page's
    name. A page of another site that posts directly sends its own ``Origin``."""
    host = _header(scope, b"host")
    if host is None:
        return False
    name = host[1:].partition("]")[0] if host.startswith("[") else host.rpartition(":")[0] or host
    if not _loopback_name(name):
        return False
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    try:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and _loopback_name(parts.hostname)
    except ValueError:
        return False


class GraphQLGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: Callable[[], ApiKeyStore],
        sessions: Callable[[], CustomerSessionStore],
        auth: AuthConfig,
        server: ServerConfig,
    ) -> None:
        self.app = app
        self.keys = keys  # a getter: the store exists only once the app's lifespan opened it
        self.sessions = sessions
        self.auth = auth
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.auth.allow_anonymous and not _from_loopback_page(scope):
            logger.warning("refused a request to a non-loopback Host or from a foreign Origin")
            await refuse(scope, send, 403, "FORBIDDEN", FOREIGN_HOST)
            return
        if wants_page(scope):
            await self.app(scope, receive, send)  # the GraphiQL page itself needs no key
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.server.max_body_bytes:
            await refuse(
                scope,
                send,
                413,
                "PAYLOAD_TOO_LARGE",
                f"The request body is larger than {self.server.max_body_bytes} bytes.",
            )
            return
        with count_statements() as tally:
            actor = await self._authenticate(scope)
            if isinstance(actor, Refusal):
                await refuse(scope, send, actor.status, actor.code, actor.message)
                return
            # Restricted callers (app/scope_gate.py) are checked once their document is known
            # (a persisted query's hash resolved to its text): in app/server.py.
            scope[ACTOR_SCOPE_KEY] = actor
            await self._forward(scope, receive, send, tally)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket handshake (live updates, ``app/live_transport.py``): the same Host and
        Origin rule as requests in the demo; a key in the ``Authorization`` header is checked
        now (a wrong one refuses the handshake), else the client authenticates in its
        ``connection_init`` message (the actor stays unset until then)."""
        if self.auth.allow_anonymous and not _from_loopback_page(scope):
            logger.warning("refused a WebSocket to a non-loopback Host or from a foreign Origin")
            await refuse_handshake(scope, send, Refusal(FOREIGN_HOST, 403, "FORBIDDEN"))
            return
        scope[AUTHENTICATOR_SCOPE_KEY] = self.authenticate_header
        if _header(scope, b"authorization") is not None or self.auth.allow_anonymous:
            actor = await self._authenticate(scope)
            if isinstance(actor, Refusal):
                await refuse_handshake(scope, send, actor)
                return
            scope[ACTOR_SCOPE_KEY] = actor
        await self.app(scope, receive, send)

    async def _authenticate(self, scope: Scope) -> Actor | Refusal:
        return await self.authenticate_header(_header(scope, b"authorization"))

    async def authenticate_header(self, header: str | None) -> Actor | Refusal:
        """The actor of an ``Authorization`` value (``Bearer <API key or session token>``)."""
        if header is None:
            if self.auth.allow_anonymous:
                return ANONYMOUS
            return Refusal("Authentication required: send 'Authorization: Bearer <API key>'.")
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return Refusal("Malformed Authorization header: expected 'Bearer <API key>'.")
        token = token.strip()
        if token.startswith(SESSION_PREFIX):
            return await self._customer_session(token)
        try:
            key = await self.keys().authenticate(token)
        except KeyStoreUnavailable as error:
            logger.warning("cannot check API keys: %s", error)
            return KEYS_UNAVAILABLE
        if key is None:
            logger.info("rejected an unknown or revoked API key")
            return Refusal("The API key is unknown or revoked.")
        return Actor(id=key.id, name=key.name, scope=key.scope)

    async def _customer_session(self, token: str) -> Actor | Refusal:
        """The actor of a customer session token: the user it signed in, nothing more (the
        token itself is never logged)."""
        try:
            session = await self.sessions().authenticate(token)
        except KeyStoreUnavailable as error:
            logger.warning("cannot check customer sessions: %s", error)
            return KEYS_UNAVAILABLE
        if session is None:
            logger.info("rejected an unknown, expired or revoked customer session token")
            return Refusal("The session token is unknown, expired or revoked: sign in again.")
        return Actor(
            id=session.key_id,
            name=f"customer session of {session.login}",
            scope=KeyScope.CUSTOMER,
            customer_login=session.login,
            session_id=session.id,
        )

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
            await refuse(
                scope,
                send,
                413,
                "PAYLOAD_TOO_LARGE",
                f"The request body is larger than {limit} bytes.",
            )


async def refuse_handshake(scope: Scope, send: Send, refusal: Refusal) -> None:
    """Refuse a WebSocket handshake with the refusal's status and GraphQL-shaped JSON when
    the server can answer a handshake with a response (uvicorn can), else with a close (which
    the server turns into a 403)."""
    if "websocket.http.response" in scope.get("extensions", {}):
        body = orjson.dumps(
            {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}
        )
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send(
            {"type": "websocket.http.response.start", "status": refusal.status, "headers": headers}
        )
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "websocket.close", "code": 1008, "reason": refusal.code})
