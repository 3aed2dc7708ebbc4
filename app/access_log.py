"""The access log: one line per HTTP request on standard error, in uvicorn's format.

Why not uvicorn's own access log: it goes through :mod:`logging` (a ``LogRecord``, a
formatter that looks the status phrase up, a flushed write per line), which cost about 50 µs
of CPU per request — a tenth of a one-user lookup in the benchmark. Here a line is one
f-string, and the lines of one event-loop turn are written together.

Each line also carries what an operator asks of a request: its duration, its request id
(the client's ``X-Request-Id`` when it is a sane token, else a new one; echoed in the
response either way, and carried by every log record of the request: ``app/logs.py``), the
GraphQL operation's name, the API key's name, and the query's cost.
The GraphQL view notes the operation, its outcome and cost in the request's
:class:`RequestNote` (``note_result``). ``server.log_format = "json"`` writes each line as
one JSON object instead. Never in a line: the query, its variables, headers, tokens.
The same middleware feeds the request metrics (``app/metrics.py``): one timing, one note.

What differs from uvicorn's: the line is written when the response is complete rather than
when it starts, a request that ended without any response shows ``-`` as its status, and
the path is logged without its query string (a GraphQL GET carries the whole query there,
variables included). As in uvicorn's, the path is percent-encoded, so a line is always one
line.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import sys
import time
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import ACTOR_SCOPE_KEY
from app.logs import REQUEST_ID
from app.metrics import observe_request

# Writes of at most PIPE_BUF bytes to a pipe are atomic: the lines of several worker
# processes sharing one stderr pipe never interleave mid-line.
ATOMIC_WRITE = 4096

_ANSWERS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}
"""A status as a line shows it ("200 OK"), made once per status."""
_quoted = functools.lru_cache(maxsize=1024)(quote)
"""``quote`` of a path, an operation or a key name, the same few on every request: with the
status above, ~11,000 instructions less per line (callgrind, bench scenario (3))."""


NOTE_KEY = "roster.request"
_REQUEST_ID = re.compile(rb"[-_.:/A-Za-z0-9]{1,128}")
_OPERATION = re.compile(r"\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z]\w*)")


class RequestNote:
    """What the GraphQL view learns of a request, for its access line and metrics."""

    __slots__ = ("cost", "operation", "outcome", "request_id")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.operation: str | None = None
        self.outcome: str | None = None  # "ok" or "error" once a GraphQL result exists
        self.cost: int | None = None


def note_result(scope: Scope, operation_name: str | None, query: str | None, result: Any) -> None:
    """Note ``result`` (an ExecutionResult) of the request ``scope`` in its RequestNote."""
    note = scope.get(NOTE_KEY)
    if note is None:
        return
    note.operation = operation_name or (_named_operation(query) if query else None)
    note.outcome = "error" if result.errors else "ok"
    cost = (result.extensions or {}).get("cost")
    note.cost = cost.get("requested") if isinstance(cost, dict) else None


@functools.lru_cache(maxsize=1024)
def _named_operation(query: str) -> str | None:
    """The name of the document's first operation when the request names none."""
    found = _OPERATION.match(query)
    return str(found.group(1)) if found else None


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            if _REQUEST_ID.fullmatch(value):
                return str(value.decode())
            break
    return os.urandom(8).hex()


class AccessLog:
    """ASGI middleware that logs every HTTP request ``app`` answers (``log``), as text or
    JSON, feeds the request metrics (``metrics``) and gives each request its id."""

    def __init__(
        self, app: ASGIApp, *, log: bool = True, json: bool = False, metrics: bool = False
    ) -> None:
        self._app = app
        self._log = log
        self._json = json
        self._metrics = metrics
        self._pending: list[str] = []
        self._flush_scheduled = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None
        complete = False
        note = scope[NOTE_KEY] = RequestNote(_request_id(scope))
        id_header = (b"x-request-id", note.request_id.encode())

        async def noting_send(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                complete = True
            await send(message)

        request_id = REQUEST_ID.set(note.request_id)  # Roster's log records carry it (app/logs)
        try:
            await self._app(scope, receive, noting_send)
            if complete:
                REQUEST_ID.reset(request_id)
            # Else, and when an exception escapes, the id stays set: the server logs what went
            # wrong after the app returned ("Exception in ASGI application", "ASGI callable
            # returned without completing response"), in this same task, and those lines carry
            # the id too. uvicorn runs each request in a task of its own, which ends with it.
        except Exception:
            if status is None:
                status = 500  # what Starlette's error middleware, outside this one, answers
            raise
        finally:
            seconds = time.perf_counter() - started
            if self._log:
                line = _json_line if self._json else _line
                self._add(line(scope, status, seconds, note))
            if self._metrics and scope["path"] == "/graphql":
                observe_request(note.operation, _outcome(note, status), seconds)

    def _add(self, line: str) -> None:
        self._pending.append(line)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write the pending lines (done once per event-loop turn that logged any)."""
        self._flush_scheduled = False
        lines, self._pending = self._pending, []
        stream = sys.stderr  # looked up each time: it may be replaced (tests capture it)
        chunk: list[str] = []
        size = 0
        for line in lines:
            if chunk and size + len(line) > ATOMIC_WRITE:
                stream.write("".join(chunk))
                chunk, size = [], 0
            chunk.append(line)
            size += len(line)
        if chunk:
            stream.write("".join(chunk))
        stream.flush()


def _outcome(note: RequestNote, status: int | None) -> str:
    if note.outcome is not None:
        return note.outcome
    if status is not None and status < 400:
        return "ok"
    return "rejected" if status is not None and status < 500 else "failed"


def _key_name(scope: Scope) -> str | None:
    actor = scope.get(ACTOR_SCOPE_KEY)
    return None if actor is None or actor.id < 0 else str(actor.name)


def _line(scope: Scope, status: int | None, seconds: float, note: RequestNote) -> str:
    client = scope.get("client")
    peer = f"{client[0]}:{client[1]}" if client else "-"
    request = f"{scope['method']} {_quoted(scope['path'])} HTTP/{scope['http_version']}"
    answer = (_ANSWERS.get(status) or str(status)) if status else "-"
    operation = _quoted(note.operation[:64]) if note.operation else "-"
    key = _key_name(scope)
    cost = "-" if note.cost is None else note.cost
    return (
        f'INFO:     {peer} - "{request}" {answer} {seconds * 1000:.1f}ms id={note.request_id} '
        f"op={operation} key={_quoted(key) if key else '-'} cost={cost}\n"
    )


def _json_line(scope: Scope, status: int | None, seconds: float, note: RequestNote) -> str:
    client = scope.get("client")
    fields = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        "logger": "roster.access",
        "client": f"{client[0]}:{client[1]}" if client else None,
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": note.request_id,
        "operation": note.operation[:64] if note.operation else None,
        "key": _key_name(scope),
        "cost": note.cost,
    }
    return orjson.dumps(fields).decode() + "\n"
