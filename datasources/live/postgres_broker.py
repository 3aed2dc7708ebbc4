"""``live.broker = "postgres"``: PostgreSQL's LISTEN/NOTIFY between the server processes of
one database, for deployments that run no Redis.

Each process holds one connection of its own in LISTEN on ``live.channel`` (outside the
SQLAlchemy pool, as ``datasources.db.notifications``) and one that sends ``pg_notify``, fed
from a bounded outbox in order. A NOTIFY payload is at most 8000 bytes, so a write that
touched many objects is sent as several messages. Losing the listening connection is
reported and ends the subscriptions exactly as a lost Redis does
(``datasources.live.brokers``), then it reconnects with the same back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.db.notifications import CONNECT_TIMEOUT
from datasources.live.brokers import OUTBOX, broker_answers, broker_gone
from datasources.live.hub import Hub
from domain.live import Notice, decode, encode

logger = logging.getLogger("roster.live")

MAX_PAYLOAD = 7900  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
_DIALECT_ONLY = (
    "async_creator_fn",
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
)


def chunks(notices: list[Notice]) -> list[bytes]:
    """``notices`` as messages each under :data:`MAX_PAYLOAD` bytes."""
    out: list[bytes] = []
    batch: list[Notice] = []
    for notice in notices:
        if batch and len(encode([*batch, notice])) > MAX_PAYLOAD:
            out.append(encode(batch))
            batch = []
        batch.append(notice)
    if batch:
        out.append(encode(batch))
    return out


class PostgresBroker:
    def __init__(self, hub: Hub, engine: Callable[[], AsyncEngine], channel: str) -> None:
        self.hub = hub
        self._engine = engine
        self.channel = channel
        self.description = f"PostgreSQL LISTEN/NOTIFY, channel {channel}"
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(OUTBOX)
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        self.dropped = 0

    async def _connect(self) -> Any:
        engine = self._engine()
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        for name in _DIALECT_ONLY:
            kwargs.pop(name, None)
        kwargs.setdefault("timeout", CONNECT_TIMEOUT)
        return await asyncpg.connect(*args, **kwargs)

    async def start(self, *, listen: bool = True) -> None:
        self._tasks = [asyncio.create_task(self._send(), name="roster-live-send")]
        if not listen:  # a process that only writes (roster import)
            return
        self._tasks.append(asyncio.create_task(self._listen(), name="roster-live-listen"))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await self._listening.wait()

    def publish(self, notices: list[Notice]) -> None:
        for payload in chunks(notices):
            try:
                self._outbox.put_nowait(payload)
            except asyncio.QueueFull:
                self.dropped += 1
                logger.error("live updates: a change was not published (the outbox is full)")

    async def drain(self) -> None:
        await self._outbox.join()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self.hub.deliver(decode(payload))
        except ValueError as exc:
            logger.warning("live updates: ignored a message: %s", exc)

    async def _listen(self) -> None:
        delay, lost = 0.5, False
        while True:
            connection = None
            try:
                connection = await self._connect()
                gone = asyncio.Event()
                connection.add_termination_listener(_setter(gone))
                await connection.add_listener(self.channel, self._heard)
                self._listening.set()
                broker_answers(self.hub, self.description, was_lost=lost)
                lost, delay = False, 0.5
                await gone.wait()
                raise ConnectionError("the listening connection was closed")
            except (OSError, TimeoutError, asyncpg.PostgresError, ConnectionError) as exc:
                broker_gone(self.hub, self.description, exc, was_lost=lost)
                lost = True
            finally:
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)

    async def _send(self) -> None:
        connection = None
        try:
            while True:
                payload = await self._outbox.get()
                try:
                    if connection is None or connection.is_closed():
                        connection = await self._connect()
                    await connection.execute(
                        "SELECT pg_notify($1, $2)", self.channel, payload.decode()
                    )
                except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
                    self.dropped += 1
                    connection = None
                    logger.error(
                        "live updates: a change was not published to %s: %s (%d so far)",
                        self.description,
                        exc,
                        self.dropped,
                    )
                finally:
                    self._outbox.task_done()
        finally:
            if connection is not None:
                connection.terminate()


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    def terminated(_connection: object) -> None:
        event.set()

    return terminated
