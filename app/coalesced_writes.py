"""A transport whose writes made in one event-loop turn reach the socket as one write.

Why: uvicorn writes a response's status line and headers when the application sends
``http.response.start`` and its body at ``http.response.body``: two ``write`` system calls
and two TCP segments for every small answer, so the client may wake twice for one response.
Held until the end of the turn (``loop.call_soon``), the two go out together (uvloop's
``writelines`` is one vectored write: a large body is not copied to be joined). On scenario
(3) of ``bench/run.py`` (one user by login, MariaDB, two workers) the load client's CPU per
request fell from ~70 to ~61 us (it wakes once per response), and the server makes one
system call fewer; the wrapper itself costs ~13,000 instructions per request (callgrind;
bench/README.md, "Ninth session").

Everything but writing is the wrapped transport's (``__getattr__``). Order is kept: every
write of the connection goes through here, and ``close``/``write_eof`` send what is held
first; ``abort`` drops it, as a transport's abort drops its buffer. A write held when the
transport is already closing is dropped, as the transport itself would drop it.
"""

from __future__ import annotations

import asyncio
from typing import Any


class CoalescedWrites:
    """Wraps ``transport``; its writes in one loop turn are sent together at the turn's end."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        chunk = bytes(data) if not isinstance(data, bytes) else data
        if self._pending is None:
            self._pending = [chunk]
            self._loop.call_soon(self._flush)
        else:
            self._pending.append(chunk)

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if not pending or self._transport.is_closing():
            return
        if len(pending) == 1:
            self._transport.write(pending[0])
        else:
            self._transport.writelines(pending)

    def get_write_buffer_size(self) -> int:
        held = sum(len(chunk) for chunk in self._pending) if self._pending else 0
        return self._transport.get_write_buffer_size() + held

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = None
        self._transport.abort()

    # The calls uvicorn makes on every request or connection, forwarded without the
    # ``__getattr__`` fallback (which costs a failed attribute lookup each time).
    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
