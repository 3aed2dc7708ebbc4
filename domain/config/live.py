"""Live updates (GraphQL subscriptions): how a committed change reaches the subscribers of
every server process, and the limits that keep one client from holding the server.

``broker``: where a worker publishes each committed change and hears the others'.
- ``"local"`` (the default): in the process's memory. Enough for one server process (SQLite,
  or ``workers = 1``); with several workers a subscriber sees only the changes made through
  its own worker, which the server says at start (a WARNING).
- ``"redis://host:port/db"``: Redis pub/sub (the ``redis`` package), for several workers or
  several servers.
- ``"postgres"``: PostgreSQL's LISTEN/NOTIFY on the configured database (which must be
  PostgreSQL), for several workers or servers without Redis.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from domain.config.strict_model import StrictModel


class LiveConfig(StrictModel):
    broker: str = "local"
    channel: Annotated[str, Field(min_length=1, max_length=200)] = "roster:live"
    """The Redis channel every server process of one deployment publishes on."""
    subscriber_buffer: Annotated[int, Field(ge=1, le=100_000)] = 256
    """Changes waiting for one subscriber that does not read; one more and the server closes
    it (a WebSocket with close code 1008, an SSE stream ends)."""
    max_subscriptions_per_connection: Annotated[int, Field(ge=1, le=10_000)] = 100
    max_subscriptions_per_key: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000
    """Per API key (or customer session) and server process."""
    max_subscriptions_per_process: Annotated[int, Field(ge=1, le=1_000_000)] = 20_000
    """In all, per server process (each holds a buffer of ``subscriber_buffer`` changes and a
    task): beyond, new subscriptions are refused with ``TOO_MANY_SUBSCRIPTIONS`` until others
    end. The default leaves room for the 10,000 subscribers ``bench/live.py`` measures."""
    connection_init_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0
    """How long a WebSocket may wait before its ``connection_init`` (then closed with 4408)."""

    @field_validator("broker")
    @classmethod
    def _known_broker(cls, value: str) -> str:
        if value in ("local", "postgres") or value.startswith(("redis://", "rediss://", "unix://")):
            return value
        raise ValueError(
            'live.broker must be "local", "postgres" or a Redis URL (redis://host:port/db)'
        )
