"""A subscriber that never reads: its changes wait in a bounded buffer
(``live.subscriber_buffer``), then the server ends the subscription and cuts its connection,
WebSocket or SSE. The client is a real socket with a small receive buffer that stops reading;
the changes come through the real Redis broker, published by the test as another server
process would (thousands of changes in a second, which the API could not make as fast)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from websockets.client import ClientProtocol
from websockets.frames import Frame
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from domain.live import Action, Notice, encode
from domain.origins import ObjectType
from tests.live.helpers import PROTOCOL, create_keys, serving, unique, write_config

REDIS = "redis://127.0.0.1:6379/0"
BUFFER = 8
WIDE = " ".join(f"k{n}: key" for n in range(25))
WIDE_CHANGES = f"subscription {{ changes {{ {WIDE} }} }}"
"""~50 kB per change with a 2,000-character key: the client's buffers fill after a few."""


@contextmanager
def _raw(base: str) -> Iterator[socket.socket]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    sock.settimeout(20)
    sock.connect((host, int(port)))
    try:
        yield sock
    finally:
        sock.close()


def _frames(sock: socket.socket, protocol: ClientProtocol, wanted: int) -> list[Any]:
    events: list[Any] = []
    while len(events) < wanted:
        data = sock.recv(65536)
        protocol.receive_data(data)
        events += protocol.events_received()
    return events


def _publish(channel: str, count: int) -> None:
    client = redis.Redis.from_url(REDIS)
    try:
        pipe = client.pipeline(transaction=False)
        for n in range(count):
            notice = Notice(
                ObjectType.CUSTOMER, f"{n:06d}" + "x" * 2000, Action.UPDATED, time.time()
            )
            pipe.publish(channel, encode([notice]))
        pipe.execute()
    finally:
        client.close()


def _drained(sock: socket.socket, seconds: float) -> tuple[int, bool]:
    """Read until the server ends the connection (EOF or reset): (bytes read, whether it did
    within ``seconds``)."""
    sock.settimeout(seconds)
    total = 0
    try:
        while True:
            data = sock.recv(1 << 20)
            if not data:
                return total, True
            total += len(data)
    except ConnectionResetError:
        return total, True
    except TimeoutError:
        return total, False


@pytest.fixture
async def server(databases: Any, tmp_path: Path) -> Any:
    url = await databases.create("sqlite")
    keys = await create_keys(url)
    channel = unique("roster-test-")
    live = {"broker": REDIS, "channel": channel, "subscriber_buffer": BUFFER}
    config = write_config(tmp_path / "slow.toml", url, live=live)
    log = tmp_path / "serve.log"
    with serving(config, log) as (_process, base):
        yield base, keys, channel, log


async def test_a_websocket_subscriber_that_never_reads_is_cut(server: Any) -> None:
    base, keys, channel, log = server
    with _raw(base) as sock:
        protocol = ClientProtocol(
            parse_uri(base.replace("http", "ws") + "/graphql"),
            subprotocols=[Subprotocol(PROTOCOL)],
        )
        request = protocol.connect()
        request.headers["Authorization"] = keys.bearer("read")
        protocol.send_request(request)
        sock.sendall(b"".join(protocol.data_to_send()))
        assert isinstance(_frames(sock, protocol, 1)[0], Response)
        for message in (
            {"type": "connection_init", "payload": {}},
            {"type": "subscribe", "id": "1", "payload": {"query": WIDE_CHANGES}},
        ):
            protocol.send_text(json.dumps(message).encode())
        sock.sendall(b"".join(protocol.data_to_send()))
        ack = _frames(sock, protocol, 1)[0]
        assert isinstance(ack, Frame)
        assert b"connection_ack" in ack.data
        await asyncio.sleep(0.5)  # subscribed; from now on the client reads nothing
        await asyncio.to_thread(_publish, channel, 400)
        await asyncio.sleep(3)  # delivered, buffered, the subscriber ended and cut
        read, ended = await asyncio.to_thread(_drained, sock, 10)
        # Not all 400 changes (~20 MB): the buffers, then the end.
        assert ended, f"the server kept the connection open ({read} bytes read)"
        assert read < 400 * 50_000
    assert "closed a WebSocket subscriber: SLOW_SUBSCRIBER" in log.read_text()


async def test_an_sse_subscriber_that_never_reads_is_cut(server: Any) -> None:
    base, keys, channel, log = server
    body = json.dumps({"query": WIDE_CHANGES}).encode()
    host = base.removeprefix("http://")
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
        f"Authorization: {keys.bearer('read')}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with _raw(base) as sock:
        sock.sendall(request)
        head = sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 200"), head
        await asyncio.sleep(0.5)
        await asyncio.to_thread(_publish, channel, 400)
        await asyncio.sleep(3)
        read, ended = await asyncio.to_thread(_drained, sock, 10)
        assert ended, f"the server kept the connection open ({read} bytes read)"
        assert read < 400 * 50_000
    assert "cut an SSE subscriber: SLOW_SUBSCRIBER" in log.read_text()
