"""How long the server keeps a connection that sends no request, in every server process.

uvicorn closes a kept-alive connection that stays idle after a response for
``timeout_keep_alive`` seconds (``server.keep_alive_timeout_seconds``, set explicitly here
rather than left to uvicorn's default). It has no timer at all, though, for a connection that
opens and never completes a request's headers: one that sends nothing, a partial request line,
or headers a byte at a time (a client that vanished without a FIN, a port scanner, a slowloris
attack). Each one holds a file descriptor and a protocol object for ever; the benchmark piled up
3,000 of them. :class:`ConnectionTimeouts` adds that timer, ``server.header_timeout_seconds``:
from the moment a connection opens, or from the first byte of a request on a kept-alive
connection, its request's headers must be complete within that time, or the server closes the
connection (as nginx's ``client_header_timeout`` does). A connection upgraded to a WebSocket
(live updates) has left the HTTP protocol and this timer with it. Once the headers are in, the
request has no deadline here: a slow query is the application's business, not this timer's.

``server.limit_concurrency`` (unset: no limit) is uvicorn's own limit per server process: past
that many open connections or running requests, a request is answered 503 at once instead of
queueing. It is off by default because the right number depends on the deployment (file
descriptor limit, database pool, a reverse proxy in front that already limits); with the two
timeouts above, idle connections no longer count against it for long.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from app import connections
from app.coalesced_writes import CoalescedWrites
from app.deadline_watch import DeadlineWatch
from domain.config import ServerConfig


@dataclass(frozen=True)
class ConnectionTimeouts:
    """The connection limits of one server process (picklable: workers receive it)."""

    header_seconds: float
    keep_alive_seconds: int
    limit_concurrency: int | None = None

    @classmethod
    def from_config(cls, server: ServerConfig) -> ConnectionTimeouts:
        return cls(
            header_seconds=server.header_timeout_seconds,
            keep_alive_seconds=server.keep_alive_timeout_seconds,
            limit_concurrency=server.limit_concurrency,
        )

    def http_protocol(self) -> type[asyncio.Protocol]:
        """uvicorn's HTTP protocol (httptools when installed, else h11) with the header
        timeout; give it to ``uvicorn.Config(http=...)``."""
        return header_timeout_protocol(AutoHTTPProtocol, self.header_seconds)


def header_timeout_protocol(base: type[asyncio.Protocol], seconds: float) -> type[asyncio.Protocol]:
    """``base`` (one of uvicorn's HTTP/1.1 protocols) closing a connection whose request's
    headers are not complete ``seconds`` after it opened or after that request's first byte
    (checked by ``app.deadline_watch``: up to a twentieth of ``seconds`` later, at most 1 s).

    It reads what both of uvicorn's protocols keep: ``cycle`` (the current request, replaced
    when the next request's headers are complete; ``response_complete`` once answered),
    ``transport`` and ``loop``, and hooks their ``on_response_complete``.
    """
    parent: Any = base  # a class chosen at run time: mypy cannot check it as a base

    class HeaderTimeoutProtocol(parent):  # type: ignore[misc]
        _awaiting_headers = False
        _header_cycle: object = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            # (uvloop's transports are not asyncio.Transport subclasses: no isinstance here)
            coalesced = CoalescedWrites(cast(asyncio.Transport, transport), self.loop)
            super().connection_made(coalesced)
            connections.note(transport)  # live updates may have to cut it (app/connections.py)
            self._start_header_timer()

        def data_received(self, data: bytes) -> None:
            # A kept-alive connection's next request starts (its idle time before was the
            # keep-alive timer's): its headers get the same deadline as a new connection's.
            if not self._awaiting_headers and self._between_requests():
                self._start_header_timer()
            super().data_received(data)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._stop_header_timer()  # idle from now on: uvicorn's keep-alive timer

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_header_timer()
            super().connection_lost(exc)

        def _between_requests(self) -> bool:
            cycle = self.cycle
            return cycle is None or bool(cycle.response_complete)

        def _start_header_timer(self) -> None:
            self._header_cycle = self.cycle
            self._awaiting_headers = True
            awaited.start(self, self.loop)

        def _stop_header_timer(self) -> None:
            if self._awaiting_headers:
                self._awaiting_headers = False
                awaited.stop(self)

        def _header_timeout(self) -> None:
            self._awaiting_headers = False
            # Still the request (or none) that was waited for when the timer started, and no
            # answer being written: its headers never came.
            waited = self.cycle is self._header_cycle and self._between_requests()
            # A WebSocket upgrade hands the transport to the WebSocket protocol (no cycle, no
            # response): the connection is no longer this timer's to close.
            upgraded = self.transport.get_protocol() is not self
            if waited and not upgraded and not self.transport.is_closing():
                self.transport.close()

    # One check per process for every connection's header deadline (app/deadline_watch.py:
    # a timer set and cancelled per request cost ~2.2 us of CPU).
    awaited: DeadlineWatch[Any] = DeadlineWatch(seconds, HeaderTimeoutProtocol._header_timeout)
    HeaderTimeoutProtocol.__name__ = f"HeaderTimeout{base.__name__}"
    HeaderTimeoutProtocol.__qualname__ = HeaderTimeoutProtocol.__name__
    return HeaderTimeoutProtocol
