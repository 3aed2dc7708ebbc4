"""What every resolver gets as ``info.context``: who is asking, the loaders and the storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datasources.db.api_keys import Scope
from domain.origins import ANONYMOUS_KEY_ID

if TYPE_CHECKING:
    # Names for annotations only: ``Actor`` is all the command line needs from this module,
    # and importing the loaders brought Strawberry and graphql-core into every ``roster``
    # command (~0.17 s of a 1.1 s start; app/cli.py).
    from datasources.live import Broker
    from datasources.live.hub import Ending
    from datasources.storage import Storage
    from domain.records import CustomerRecord, CustomerUserRecord
    from loaders.registry import Loaders

ANONYMOUS_ACTOR_ID = ANONYMOUS_KEY_ID


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated API client; its id is recorded with every write it makes
    (``roster_record_origin``; OTOBO's ``create_by``/``change_by`` get the configured agent).

    A customer session is an actor of scope ``CUSTOMER``: ``customer_login`` is the user it
    acts as, ``session_id`` its session, and ``id`` the API key that signed the user in (so
    its writes are recorded as that portal's)."""

    id: int
    name: str
    scope: Scope
    customer_login: str | None = None
    session_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.scope is Scope.ADMIN


@dataclass
class RequestContext:
    storage: Storage
    loaders: Loaders
    actor: Actor
    customer_user_object: Callable[[CustomerUserRecord], Any]
    """Wraps a record in this schema's ``CustomerUser`` class (built from the Map)."""
    customer_object: Callable[[CustomerRecord], Any]
    """Wraps a record in this schema's ``Customer`` class (built from the company Map)."""
    client_address: str | None = None
    """The address the request came from (the peer of the TCP connection)."""
    live: Broker | None = None
    """Live updates: mutations publish their committed changes, subscriptions listen."""
    end_connection: Callable[[Ending], None] | None = None
    """How the transport closes a subscriber's connection when the server ends its
    subscription (a client too slow to read): set for WebSocket and SSE requests."""
