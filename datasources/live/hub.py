"""The subscribers of one server process, and the fan-out of each change to those it concerns.

Subscribers are indexed by topic: ``(type, None)`` for every change of a type (``changes``)
and ``(CUSTOMER_USER, login)`` for one user (``customerUserChanged``), so a change costs a
dictionary lookup and one append per interested subscriber, whatever the number of others
(10,000 subscribers: ``bench/live.py``).

Limits, so that no caller and no crowd holds a process: ``live.max_subscriptions_per_key`` per
API key or customer session, and ``live.max_subscriptions_per_process`` in all (each costs a
buffer and a task; past the limit a subscription is refused with ``TOO_MANY_SUBSCRIPTIONS``,
and one ended frees its place).

Each subscriber has a bounded buffer (``live.subscriber_buffer``). Delivering never waits on
a subscriber: one whose buffer is full (a client that does not read) is ended at once with
reason ``SLOW_SUBSCRIBER`` and its ``on_end`` callback closes its connection, so a slow client
costs at most its buffer, never the others' latency or the server's memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from domain.live import Notice
from domain.origins import ObjectType

logger = logging.getLogger("roster.live")

Topic = tuple[ObjectType, str | None]

SLOW_SUBSCRIBER = "SLOW_SUBSCRIBER"
BROKER_LOST = "LIVE_UPDATES_UNAVAILABLE"


class SubscriptionEnded(Exception):
    """The server ended a subscription: ``code`` says why (``SLOW_SUBSCRIBER``,
    ``LIVE_UPDATES_UNAVAILABLE``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TooManySubscriptions(Exception):
    pass


class BrokerUnavailable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Ending:
    code: str
    message: str


class Subscriber:
    """One subscription's buffer: the hub appends, the subscription's stream takes."""

    __slots__ = ("_hub", "_items", "_limit", "_ready", "ending", "on_end", "owner", "topics")

    def __init__(self, hub: Hub, topics: tuple[Topic, ...], owner: str, limit: int) -> None:
        self._hub = hub
        self.topics = topics
        self.owner = owner
        self._limit = limit
        self._items: deque[Notice] = deque()
        self._ready = asyncio.Event()
        self.ending: Ending | None = None
        self.on_end: Callable[[Ending], None] | None = None
        """Called when the server ends this subscription because its client is too slow:
        it closes the connection (the subscription alone is not enough, the client is not
        reading). Other endings (the broker lost) leave the connection open."""

    def offer(self, notice: Notice) -> None:
        if self.ending is not None:
            return
        if len(self._items) >= self._limit:
            self.end(
                SLOW_SUBSCRIBER,
                f"The subscriber did not read {self._limit} changes in time: "
                "the server closed the subscription. Read faster, or resync from the feed.",
            )
            return
        self._items.append(notice)
        self._ready.set()

    def end(self, code: str, message: str) -> None:
        if self.ending is not None:
            return
        self.ending = Ending(code, message)
        self._items.clear()
        self._ready.set()
        self._hub.remove(self)
        if self.on_end is not None and code == SLOW_SUBSCRIBER:
            try:
                self.on_end(self.ending)
            except Exception:  # a closing connection must not stop the fan-out
                logger.exception("closing an ended subscription failed")

    def close(self) -> None:
        """The client ended it (or its connection closed): no callback."""
        self.on_end = None
        self.end("CLOSED", "closed")

    async def next(self) -> Notice:
        """The next notice; raises :class:`SubscriptionEnded` once the server ended it."""
        while not self._items:
            if self.ending is not None:
                raise SubscriptionEnded(self.ending.code, self.ending.message)
            self._ready.clear()
            await self._ready.wait()
        if self.ending is not None:
            raise SubscriptionEnded(self.ending.code, self.ending.message)
        return self._items.popleft()


class Hub:
    """Every subscriber of this process, by topic; the broker delivers into it."""

    def __init__(self, *, buffer: int, max_per_owner: int, max_total: int = 1_000_000) -> None:
        self._buffer = buffer
        self._max_per_owner = max_per_owner
        self._max_total = max_total
        self._by_topic: dict[Topic, set[Subscriber]] = {}
        self._per_owner: dict[str, int] = {}
        self._total = 0
        self.unavailable: str | None = None
        """Why the broker cannot be used now (None: it can)."""

    @property
    def count(self) -> int:
        return self._total

    def subscribe(self, topics: Iterable[Topic], owner: str) -> Subscriber:
        if self.unavailable is not None:
            raise BrokerUnavailable(self.unavailable)
        if self._total >= self._max_total:
            raise TooManySubscriptions(
                f"This server process holds {self._max_total} subscriptions, its most "
                "(live.max_subscriptions_per_process). Try again later (or on another "
                "server process), or read the changes feed."
            )
        if self._per_owner.get(owner, 0) >= self._max_per_owner:
            raise TooManySubscriptions(
                f"This caller has {self._max_per_owner} subscriptions on this server process "
                "already (live.max_subscriptions_per_key)."
            )
        subscriber = Subscriber(self, tuple(dict.fromkeys(topics)), owner, self._buffer)
        for topic in subscriber.topics:
            self._by_topic.setdefault(topic, set()).add(subscriber)
        self._per_owner[owner] = self._per_owner.get(owner, 0) + 1
        self._total += 1
        return subscriber

    def remove(self, subscriber: Subscriber) -> None:
        removed = False
        for topic in subscriber.topics:
            members = self._by_topic.get(topic)
            if members is not None and subscriber in members:
                members.discard(subscriber)
                removed = True
                if not members:
                    del self._by_topic[topic]
        if removed:
            self._total -= 1
            left = self._per_owner[subscriber.owner] - 1
            if left:
                self._per_owner[subscriber.owner] = left
            else:
                del self._per_owner[subscriber.owner]

    def deliver(self, notices: Iterable[Notice]) -> None:
        """Hand each notice to the subscribers it concerns (never waits on one)."""
        for notice in notices:
            interested: set[Subscriber] = set()
            keys: list[str | None] = [None, notice.key.casefold()]
            if notice.previous_key is not None:
                keys.append(notice.previous_key.casefold())
            for key in keys:
                members = self._by_topic.get((notice.type, key))
                if members:
                    interested |= members
            for subscriber in list(interested):
                subscriber.offer(notice)

    def broker_lost(self, reason: str) -> None:
        """End every subscription (its client learns it may have missed changes) and refuse
        new ones until :meth:`broker_back`."""
        self.unavailable = reason
        for members in list(self._by_topic.values()):
            for subscriber in list(members):
                subscriber.end(BROKER_LOST, f"Live updates were interrupted: {reason}.")

    def broker_back(self) -> None:
        self.unavailable = None
