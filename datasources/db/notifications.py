"""PostgreSQL notifications (LISTEN/NOTIFY) between Roster processes.

Each server process caches some answers (API keys, ``datasources/db/api_keys.py``); another
process (the CLI, another worker) that changes what they are cached from sends a NOTIFY in the
same transaction, which PostgreSQL delivers to every listening connection when it commits.

A :class:`Listener` holds one connection of its own, outside the SQLAlchemy pool (it stays
in LISTEN for the life of the process). When the connection is lost it calls ``on_notice``
(a notification may have been missed) and reconnects every ``retry_seconds``; meanwhile the
caches fall back on their expiry times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("roster.notifications")

CONNECT_TIMEOUT = 10.0  # seconds

# The keyword arguments that SQLAlchemy's asyncpg dialect consumes itself.
_DIALECT_ONLY = (
    "async_creator_fn",
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
)


def notify_statement(channel: str) -> str:
    """The statement that notifies ``channel`` (a fixed identifier, never user input)."""
    if not channel.isidentifier():
        raise ValueError(f"not a channel name: {channel!r}")
    return f"NOTIFY {channel}"


class Listener:
    def __init__(
        self,
        engine: AsyncEngine,
        channel: str,
        on_notice: Callable[[], None],
        *,
        retry_seconds: float = 5.0,
    ) -> None:
        self._engine = engine
        self._channel = channel
        self._on_notice = on_notice
        self._retry_seconds = retry_seconds
        self._connection: Any = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._stopped = False

    async def start(self) -> None:
        """Listen from now on; if the database cannot be reached, keep trying in the
        background (start-up does not wait for it)."""
        if not await self._connect():
            self._reconnect_later()

    async def stop(self) -> None:
        self._stopped = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)

    @property
    def listening(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    async def _connect(self) -> bool:
        args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
        for name in _DIALECT_ONLY:
            kwargs.pop(name, None)
        kwargs.setdefault("timeout", CONNECT_TIMEOUT)
        connection = None
        try:
            connection = await asyncpg.connect(*args, **kwargs)
            await connection.add_listener(self._channel, self._notified)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            logger.warning("cannot listen on %s (retrying): %s", self._channel, exc)
            if connection is not None:
                connection.terminate()
            return False
        connection.add_termination_listener(self._lost)
        self._connection = connection
        self._on_notice()  # whatever changed while nobody listened
        return True

    def _notified(self, *_details: object) -> None:
        self._on_notice()

    def _lost(self, _connection: object) -> None:
        self._connection = None
        if self._stopped:
            return
        logger.warning("lost the connection listening on %s; reconnecting", self._channel)
        self._on_notice()
        self._reconnect_later()

    def _reconnect_later(self) -> None:
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        while not self._stopped:
            await asyncio.sleep(self._retry_seconds)
            if await self._connect():
                return
