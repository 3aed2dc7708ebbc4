"""Requests turned away before GraphQL runs, answered as GraphQL-shaped JSON.

Clients (and the GraphQL-over-HTTP convention) read every error the same way: a JSON body with
``errors[].message`` and ``errors[].extensions.code``, never a text/plain page. The gate
(a missing or revoked key, a foreign Host in demo mode, a body too large) and Strawberry's
view (a body that is not JSON, an unknown operation name, a wrong method) both answer here.
"""

from __future__ import annotations

import orjson
from starlette.types import Send

HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
"""``extensions.code`` of the errors Strawberry's view raises, by HTTP status."""


def code_for_status(status: int) -> str:
    return HTTP_CODES.get(status, "BAD_REQUEST")


async def send_request_error(send: Send, status: int, code: str, message: str) -> None:
    """Answer ``status`` with one error; 401 says how to authenticate, 503 when to retry."""
    body = orjson.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="roster"'))
    elif status == 503:
        headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
