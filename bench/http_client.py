"""A minimal keep-alive HTTP/1.1 client for driving the server, so the load costs little CPU.

The benchmark runs on the same machine as the server and PostgreSQL (2 cores here): a
full-featured client such as httpx spends about as much Python per request as the server does
answering a one-user query, and that time would be charged to Roster's latency. This client
sends a prebuilt request on one connection per concurrent worker and reads exactly
``Content-Length`` bytes back; it understands only what Roster's server sends (no chunked
bodies, no redirects). A connection the server closed while it was idle (uvicorn closes
kept-alive connections after 5 s) is reopened and the request sent again: the benchmark only
sends reads.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import orjson


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class Connection:
    """One open connection; ``post`` is not to be called concurrently on the same one."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.resent = 0
        """Requests sent again after the server closed or broke the connection."""

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        connection = cls(host, port)
        await connection._connect()
        return connection

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)

    async def post(self, path: str, payload: object, headers: dict[str, str]) -> Reply:
        body = orjson.dumps(payload)
        head = [f"POST {path} HTTP/1.1", "Host: bench", "Content-Type: application/json"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        try:
            return await self._exchange(request)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.resent += 1
            await self.close()
            await self._connect()
            return await self._exchange(request)

    async def _exchange(self, request: bytes) -> Reply:
        if self._reader is None or self._writer is None:
            raise RuntimeError("the connection is not open")
        self._writer.write(request)
        status_line = await self._reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        reply_headers: dict[str, str] = {}
        while (line := await self._reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            reply_headers[name.strip().lower()] = value.strip()
        if "content-length" not in reply_headers:
            raise RuntimeError(f"reply without Content-Length: {reply_headers}")
        content = await self._reader.readexactly(int(reply_headers["content-length"]))
        return Reply(status, reply_headers, content)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()


class ConnectionPool:
    """``size`` connections handed out one caller at a time."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self._host, self._port, self._size = host, port, size
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()
        self._all: list[Connection] = []

    async def __aenter__(self) -> ConnectionPool:
        for _ in range(self._size):
            connection = await Connection.open(self._host, self._port)
            self._all.append(connection)
            self._idle.put_nowait(connection)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for connection in self._all:
            await connection.close()

    async def post(self, path: str, payload: object, headers: dict[str, str]) -> Reply:
        connection = await self._idle.get()
        try:
            return await connection.post(path, payload, headers)
        finally:
            self._idle.put_nowait(connection)
