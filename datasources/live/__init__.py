"""Live updates between server processes: the in-process fan-out to subscribers (``hub``) and
the broker that carries each committed change to every process (``brokers``)."""

from datasources.live.brokers import Broker, open_broker
from datasources.live.hub import (
    BrokerUnavailable,
    Hub,
    Subscriber,
    SubscriptionEnded,
    TooManySubscriptions,
)

__all__ = [
    "Broker",
    "BrokerUnavailable",
    "Hub",
    "Subscriber",
    "SubscriptionEnded",
    "TooManySubscriptions",
    "open_broker",
]
