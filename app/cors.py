"""CORS for ``/graphql``: which web pages, on other origins, may call the API from a browser.

``server.cors_origins`` lists them (none by default: a browser then lets no page of another
origin read an answer, and refuses every preflight). Why not Starlette's ``CORSMiddleware``:
it answers a refused preflight with ``400`` in ``text/plain``, and Roster answers every error
as GraphQL-shaped JSON.

- A **preflight** (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered here, before authentication (browsers send no ``Authorization`` with it): ``204``
  with the allowed methods (GET, POST), headers (``Authorization``, ``Content-Type``,
  ``Accept``) and ``Access-Control-Max-Age`` for a listed origin; ``403`` ``FORBIDDEN``
  without any ``Access-Control-Allow-*`` header otherwise, which the browser reports as a CORS
  failure and so never sends the request itself.
- An **actual request** from a listed origin gets ``Access-Control-Allow-Origin`` (the origin
  itself, or ``*`` when the list is ``["*"]``); one from another origin is processed as any
  request (authentication decides) but the browser does not let the page read the answer.
- **Credentials** (``Access-Control-Allow-Credentials: true``, for cookies; Roster's bearer
  tokens do not need them) only with ``server.cors_allow_credentials``, never with ``*``
  (the configuration refuses the pair).
- ``Vary: Origin`` on every answer whose headers depend on the origin, so a cache never hands
  one origin's answer to another.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.request_errors import send_request_error
from domain.config import ServerConfig

ALLOWED_METHODS = b"GET, POST"
ALLOWED_HEADERS = b"Authorization, Content-Type, Accept"


class Cors:
    """ASGI middleware in front of ``/graphql`` (see the module)."""

    def __init__(self, app: ASGIApp, server: ServerConfig) -> None:
        self.app = app
        self.any_origin = "*" in server.cors_origins
        self.origins = frozenset(o.lower().rstrip("/") for o in server.cors_origins)
        self.credentials = server.cors_allow_credentials
        self.max_age = str(server.cors_max_age_seconds).encode()

    def allowed(self, origin: str) -> bool:
        return self.any_origin or origin.lower() in self.origins

    def _allow_headers(self, origin: bytes) -> list[tuple[bytes, bytes]]:
        if self.any_origin:
            return [(b"access-control-allow-origin", b"*")]
        headers = [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
        if self.credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin: bytes | None = None
        preflight = False
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                preflight = True
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = self.allowed(origin.decode("latin-1"))
        if scope["method"] == "OPTIONS" and preflight:
            await self._preflight(send, origin, allowed)
            return
        added = self._allow_headers(origin) if allowed else [(b"vary", b"Origin")]
        if self.any_origin and allowed:
            added = [(b"access-control-allow-origin", b"*")]

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, send: Send, origin: bytes, allowed: bool) -> None:
        if not allowed:
            await send_request_error(
                send,
                403,
                "FORBIDDEN",
                "This origin may not call the API from a browser (server.cors_origins).",
                extra_headers=[(b"vary", b"Origin")],
            )
            return
        headers = [
            *self._allow_headers(origin),
            (b"access-control-allow-methods", ALLOWED_METHODS),
            (b"access-control-allow-headers", ALLOWED_HEADERS),
            (b"access-control-max-age", self.max_age),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
