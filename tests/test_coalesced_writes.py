"""``app.coalesced_writes``: writes of one event-loop turn reach the peer together, in order;
``close`` sends what is held, ``abort`` drops it. Real sockets on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.coalesced_writes import CoalescedWrites


@asynccontextmanager
async def _pair() -> AsyncIterator[tuple[CoalescedWrites, asyncio.StreamReader]]:
    """A server-side transport, wrapped, and a client reading from it."""
    accepted: asyncio.Future[asyncio.StreamWriter] = asyncio.get_running_loop().create_future()

    async def on_client(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(writer)

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, client = await asyncio.open_connection("127.0.0.1", port)
    writer = await accepted
    transport: Any = writer.transport
    try:
        yield CoalescedWrites(transport, asyncio.get_running_loop()), reader
    finally:
        client.close()
        transport.abort()
        server.close()
        await server.wait_closed()


async def test_writes_are_held_until_the_turn_ends_then_sent_in_order() -> None:
    async with _pair() as (coalesced, reader):
        coalesced.write(b"HTTP/1.1 200 OK\r\n\r\n")
        coalesced.write(bytearray(b"{}"))
        coalesced.write(b"")  # nothing to send: nothing held
        assert coalesced.get_write_buffer_size() == 21  # held, not yet with the transport
        await asyncio.sleep(0)  # the turn ends
        assert coalesced.get_write_buffer_size() == 0
        assert await reader.readexactly(21) == b"HTTP/1.1 200 OK\r\n\r\n{}"


async def test_close_sends_what_is_held_and_abort_drops_it() -> None:
    async with _pair() as (coalesced, reader):
        coalesced.write(b"last words")
        coalesced.close()
        assert await reader.read() == b"last words"  # then end of stream
    async with _pair() as (coalesced, reader):
        coalesced.write(b"never sent")
        coalesced.abort()
        await asyncio.sleep(0)
        assert await reader.read() == b""


async def test_a_write_held_when_the_transport_closes_is_dropped() -> None:
    async with _pair() as (coalesced, reader):
        coalesced.write(b"late")
        coalesced._transport.close()  # closed beneath it: the held write goes nowhere
        await asyncio.sleep(0)
        assert await reader.read() == b""
        assert coalesced.is_closing()
