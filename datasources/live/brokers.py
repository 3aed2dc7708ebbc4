"""How a committed change reaches the subscribers of every server process.

- :class:`LocalBroker` (``live.broker = "local"``): straight into this process's hub. One
  server process only.
- :class:`RedisBroker` (``live.broker = "redis://…"``): every process publishes on one Redis
  channel and delivers what it hears (its own messages included) to its hub, so a change made
  through any worker reaches subscribers on all of them, in the order each worker committed.

Publishing never blocks or fails a mutation (it has committed already): notices go into a
bounded outbox that one task sends in order. A broker that cannot be reached is never silent:
an ERROR line of ``roster.live`` when it is lost (and a WARNING when it is back), every open
subscription ends with ``LIVE_UPDATES_UNAVAILABLE`` (its client may have missed changes and
should resync from the changes feed), new subscriptions are refused with that code until it is
back, and every notice that could not be published is counted in the log.

Redis's own reconnection is switched off (``retries=0``): it re-subscribes quietly, and the
messages published meanwhile would be lost without anyone knowing. Here a lost connection ends
the subscriptions, then the broker reconnects with a back-off (0.5 s doubling to 8 s).

A process that only writes (``roster import``) starts a broker with ``listen=False``: it
publishes, hears nothing, and :meth:`Broker.drain` waits for its outbox before it exits, so
the subscribers of the running servers see its changes as they see the API's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.live.hub import Hub
from domain.config import LiveConfig
from domain.live import Notice, decode, encode

logger = logging.getLogger("roster.live")

OUTBOX = 10_000
"""Messages waiting to be published at most; beyond, they are dropped (and counted)."""


def broker_answers(hub: Hub, description: str, *, was_lost: bool) -> None:
    """A broker's listening side is (back) up: subscriptions are accepted again, and an
    operator who saw the loss reads that it answers again."""
    hub.broker_back()
    if was_lost:
        logger.warning("live updates: %s answers again", description)


def broker_gone(hub: Hub, description: str, error: BaseException, *, was_lost: bool) -> None:
    """A broker's listening side is lost: open subscriptions end, new ones are refused; the
    ERROR line is written once per outage, not once per reconnect attempt."""
    if not was_lost:
        logger.error(
            "live updates: lost %s (%s); open subscriptions were ended, "
            "new ones are refused until it answers",
            description,
            error,
        )
    hub.broker_lost(f"the broker ({description}) does not answer")


class Broker(Protocol):
    hub: Hub
    description: str

    async def start(self, *, listen: bool = True) -> None: ...

    def publish(self, notices: list[Notice]) -> None: ...

    async def drain(self) -> None:
        """Return once every message published so far was handed to the broker (or failed,
        and was counted and logged)."""
        ...

    async def close(self) -> None: ...


class LocalBroker:
    description = "local (this process only)"

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def start(self, *, listen: bool = True) -> None:
        return None

    def publish(self, notices: list[Notice]) -> None:
        self.hub.deliver(notices)

    async def drain(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _redact(url: str) -> str:
    """The URL without a password (it is logged)."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{'***@' if at else ''}{host}" if credentials or at else url


class RedisBroker:
    def __init__(self, hub: Hub, url: str, channel: str) -> None:
        self.hub = hub
        self.url = url
        self.channel = channel
        self.description = f"Redis at {_redact(url)}, channel {channel}"
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(OUTBOX)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()
        self.dropped = 0

    def _client(self) -> object:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        return Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=2,
            socket_keepalive=True,
            health_check_interval=15,
        )

    async def start(self, *, listen: bool = True) -> None:
        """Subscribe (waiting up to 2 s for Redis: a server that starts while it is down says so
        and keeps trying), then start publishing; ``listen=False``: publish only."""
        self._tasks = [asyncio.create_task(self._send(), name="roster-live-send")]
        if not listen:
            return
        self._tasks.append(asyncio.create_task(self._listen(), name="roster-live-listen"))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2.5):
                await self._subscribed.wait()

    def publish(self, notices: list[Notice]) -> None:
        try:
            self._outbox.put_nowait(encode(notices))
        except asyncio.QueueFull:
            self.dropped += len(notices)
            logger.error(
                "live updates: %d notices not published (the outbox to %s is full)",
                len(notices),
                self.description,
            )

    async def drain(self) -> None:
        await self._outbox.join()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _listen(self) -> None:
        from redis.exceptions import RedisError

        delay = 0.5
        lost = False
        while True:
            client = self._client()
            pubsub = client.pubsub()  # type: ignore[attr-defined]
            try:
                await pubsub.subscribe(self.channel)
                await pubsub.get_message(timeout=2)  # the subscribe confirmation
                self._subscribed.set()
                broker_answers(self.hub, self.description, was_lost=lost)
                lost, delay = False, 0.5
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                    if message is None or message.get("type") != "message":
                        continue
                    try:
                        self.hub.deliver(decode(message["data"]))
                    except ValueError as exc:
                        logger.warning(
                            "live updates: ignored a message on %s: %s", self.channel, exc
                        )
            except (RedisError, OSError) as exc:
                broker_gone(self.hub, self.description, exc, was_lost=lost)
                lost = True
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()  # type: ignore[attr-defined]
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)

    async def _send(self) -> None:
        from redis.exceptions import RedisError

        client = self._client()
        try:
            while True:
                payload = await self._outbox.get()
                try:
                    await client.publish(self.channel, payload)  # type: ignore[attr-defined]
                except (RedisError, OSError) as exc:
                    self.dropped += 1
                    logger.error(
                        "live updates: a change was not published to %s: %s (%d so far)",
                        self.description,
                        exc,
                        self.dropped,
                    )
                finally:
                    self._outbox.task_done()
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()  # type: ignore[attr-defined]


def open_broker(config: LiveConfig, engine: Callable[[], AsyncEngine]) -> Broker:
    """The broker ``config`` names, with a new hub (start it in the server's lifespan, once
    the database is open: ``engine`` gives it, for ``"postgres"``)."""
    hub = Hub(
        buffer=config.subscriber_buffer,
        max_per_owner=config.max_subscriptions_per_key,
        max_total=config.max_subscriptions_per_process,
    )
    if config.broker == "local":
        return LocalBroker(hub)
    if config.broker == "postgres":
        from datasources.live.postgres_broker import PostgresBroker

        return PostgresBroker(hub, engine, config.channel)
    return RedisBroker(hub, config.broker, config.channel)
