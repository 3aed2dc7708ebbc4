"""Requests turned away before GraphQL runs, answered as GraphQL-shaped JSON.

Clients (and the GraphQL-over-HTTP convention) read every error the same way: a JSON body with
``errors[].message`` and ``errors[].extensions.code``, never a text/plain page. The gate
(a missing or revoked key, a foreign Host in demo mode, a body too large), CORS (a refused
preflight) and the protocol (a body that is not JSON, a wrong method: ``app/http_protocol.py``)
all answer here; so does an exception that escapes Roster (:func:`internal_error`).
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

from app.http_protocol import JSON, header, negotiate
from app.logs import REQUEST_ID


async def send_request_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    *,
    extra_headers: Iterable[tuple[bytes, bytes]] = (),
    media: str = "application/json",
    with_data: bool = True,
) -> None:
    """Answer ``status`` with one error; 401 says how to authenticate, 503 when to retry.
    ``with_data``: the legacy ``"data": null`` of ``application/json`` answers (an answer in
    ``application/graphql-response+json`` to a request that never executed has no ``data``,
    ``app/http_protocol.py``)."""
    error = {"message": message, "extensions": {"code": code}}
    body = orjson.dumps({"data": None, "errors": [error]} if with_data else {"errors": [error]})
    headers = [
        (b"content-type", media.encode()),
        (b"content-length", b"%d" % len(body)),
        *extra_headers,
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="roster"'))
    elif status == 503:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """Turn a request away before GraphQL, in the media type it accepts
    (``app/http_protocol.py``; ``application/json`` when it accepts neither)."""
    media = negotiate(header(scope, b"accept")) or JSON
    await send_request_error(send, status, code, message, media=media, with_data=media == JSON)


_BUG = {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
INTERNAL_ERROR = orjson.dumps({"errors": [_BUG]})


async def internal_error(request: Request, exc: Exception) -> Response:
    """Starlette's answer to an exception that escaped the app (a bug in Roster): a
    GraphQL-shaped 500 that names the request (``X-Request-Id``), instead of a text/plain
    "Internal Server Error" without it. The exception itself still reaches the server's log
    ("Exception in ASGI application"), with the same id (``app/access_log.py``); nothing of it
    goes to the client."""
    request_id = REQUEST_ID.get()
    headers = {"x-request-id": request_id} if request_id else None
    return Response(INTERNAL_ERROR, 500, headers=headers, media_type="application/json")
