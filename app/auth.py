"""ASGI middleware in front of GraphQL: body size limit, API-key authentication, SQL tally.

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

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.request_body import replay
from app.request_errors import send_request_error
from app.scope_gate import ONLY_AUTHENTICATE, only_sign_in
from datasources.db.api_keys import ApiKeyStore, KeyStoreUnavailable
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
        if self.auth.allow_anonymous and not _from_loopback_page(scope):
            logger.warning("refused a request to a non-loopback Host or from a foreign Origin")
            await send_request_error(send, 403, "FORBIDDEN", FOREIGN_HOST)
            return
        accept = _header(scope, b"accept") or ""
        if scope["method"] == "GET" and "text/html" in accept:
            await self.app(scope, receive, send)  # the GraphiQL page itself needs no key
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.server.max_body_bytes:
            await send_request_error(
                send,
                413,
                "PAYLOAD_TOO_LARGE",
                f"The request body is larger than {self.server.max_body_bytes} bytes.",
            )
            return
        with count_statements() as tally:
            actor = await self._authenticate(scope)
            if isinstance(actor, Refusal):
                await send_request_error(send, actor.status, actor.code, actor.message)
                return
            scope[ACTOR_SCOPE_KEY] = actor
            if actor.scope is KeyScope.AUTHENTICATE:
                replayed = await self._sign_in_only(scope, receive, send)
                if replayed is None:
                    return
                receive = replayed
            await self._forward(scope, receive, send, tally)

    async def _sign_in_only(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """The request of an ``authenticate`` key, read whole, when it only signs in (a
        receive that replays it); None when it was refused here (``app.scope_gate``)."""
        limit = self.server.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        more = scope["method"] == "POST"
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                text = f"The request body is larger than {limit} bytes."
                await send_request_error(send, 413, "PAYLOAD_TOO_LARGE", text)
                return None
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if (
            not more
            and scope["method"] == "POST"
            and only_sign_in(body, max_tokens=self.server.max_tokens)
        ):
            return replay(body, receive)
        logger.info("refused a request of an authenticate-scope key that does more than sign in")
        await send_request_error(send, 403, "FORBIDDEN", ONLY_AUTHENTICATE)
        return None

    async def _authenticate(self, scope: Scope) -> Actor | Refusal:
        header = _header(scope, b"authorization")
        if header is None:
            if self.auth.allow_anonymous:
                return ANONYMOUS
            return Refusal("Authentication required: send 'Authorization: Bearer <API key>'.")
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return Refusal("Malformed Authorization header: expected 'Bearer <API key>'.")
        try:
            key = await self.keys().authenticate(token.strip())
        except KeyStoreUnavailable as error:
            logger.warning("cannot check API keys: %s", error)
            return KEYS_UNAVAILABLE
        if key is None:
            logger.info("rejected an unknown or revoked API key")
            return Refusal("The API key is unknown or revoked.")
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
            await send_request_error(
                send, 413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes."
            )
