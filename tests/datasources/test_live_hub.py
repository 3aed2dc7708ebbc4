"""The fan-out of one server process (``datasources.live.hub``): a change reaches the
subscribers it concerns, never waits on one, and a subscriber that does not read is ended
(and its connection closed) once its buffer is full; limits per caller; a lost broker ends
every subscription and refuses new ones until it is back."""

from __future__ import annotations

import pytest

from datasources.live import BrokerUnavailable, Hub, SubscriptionEnded, TooManySubscriptions
from datasources.live.hub import Ending
from domain.live import Action, Notice
from domain.origins import ObjectType

USER = ObjectType.CUSTOMER_USER


def _notice(key: str, kind: ObjectType = USER, previous: str | None = None) -> Notice:
    return Notice(kind, key, Action.RENAMED if previous else Action.UPDATED, 0.0, previous)


async def test_a_change_reaches_the_subscribers_it_concerns() -> None:
    hub = Hub(buffer=10, max_per_owner=10)
    every_user = hub.subscribe([(USER, None)], "a")
    ann = hub.subscribe([(USER, "ann")], "a")
    groups = hub.subscribe([(ObjectType.GROUP, None)], "a")
    hub.deliver([_notice("ANN"), _notice("7", ObjectType.GROUP), _notice("bea", previous="Ann")])
    assert [(await every_user.next()).key for _ in range(2)] == ["ANN", "bea"]
    assert [(await ann.next()).key for _ in range(2)] == ["ANN", "bea"]  # renamed away
    assert (await groups.next()).key == "7"


async def test_a_subscriber_that_does_not_read_is_ended_and_its_connection_closed() -> None:
    hub = Hub(buffer=3, max_per_owner=10)
    slow = hub.subscribe([(USER, None)], "a")
    fast = hub.subscribe([(USER, None)], "a")
    closed: list[Ending] = []
    slow.on_end = closed.append
    for n in range(4):
        hub.deliver([_notice(f"u{n}")])
        assert (await fast.next()).key == f"u{n}"
    assert [ending.code for ending in closed] == ["SLOW_SUBSCRIBER"]
    with pytest.raises(SubscriptionEnded) as ended:
        await slow.next()
    assert ended.value.code == "SLOW_SUBSCRIBER"
    assert hub.count == 1


async def test_subscriptions_per_caller_are_limited_and_freed() -> None:
    hub = Hub(buffer=3, max_per_owner=2)
    first = hub.subscribe([(USER, None)], "key:1")
    hub.subscribe([(USER, None)], "key:1")
    with pytest.raises(TooManySubscriptions):
        hub.subscribe([(USER, None)], "key:1")
    hub.subscribe([(USER, None)], "key:2")
    first.close()
    hub.subscribe([(USER, None)], "key:1")


async def test_subscriptions_per_process_are_limited_and_freed() -> None:
    hub = Hub(buffer=3, max_per_owner=10, max_total=2)
    first = hub.subscribe([(USER, None)], "key:1")
    hub.subscribe([(USER, "ann")], "key:2")
    with pytest.raises(TooManySubscriptions, match="max_subscriptions_per_process"):
        hub.subscribe([(USER, None)], "key:3")
    first.close()
    third = hub.subscribe([(USER, None)], "key:3")
    assert hub.count == 2
    hub.deliver([_notice("ann")])
    assert (await third.next()).key == "ann"


async def test_a_lost_broker_ends_every_subscription_without_closing_connections() -> None:
    hub = Hub(buffer=3, max_per_owner=10)
    subscriber = hub.subscribe([(USER, "ann")], "a")
    closed: list[Ending] = []
    subscriber.on_end = closed.append
    hub.broker_lost("Redis does not answer")
    with pytest.raises(SubscriptionEnded) as ended:
        await subscriber.next()
    assert ended.value.code == "LIVE_UPDATES_UNAVAILABLE"
    assert closed == []
    with pytest.raises(BrokerUnavailable):
        hub.subscribe([(USER, None)], "a")
    hub.broker_back()
    hub.subscribe([(USER, None)], "a")


def test_a_large_write_crosses_postgres_in_payloads_under_its_limit() -> None:
    from datasources.live.postgres_broker import MAX_PAYLOAD, chunks
    from domain.live import decode

    notices = [_notice(f"user-{n:04d}-" + "x" * 100) for n in range(500)]
    payloads = chunks(notices)
    assert len(payloads) > 1
    assert all(len(payload) <= MAX_PAYLOAD for payload in payloads)
    assert [n for payload in payloads for n in decode(payload)] == notices
