"""What every resolver gets as ``info.context``: who is asking, the loaders and the storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from datasources.db.api_keys import Scope
from datasources.storage import Storage
from domain.records import CustomerUserRecord
from loaders.registry import Loaders

ANONYMOUS_ACTOR_ID = 0


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated API client; its id is written to ``create_by``/``change_by``."""

    id: int
    name: str
    scope: Scope

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
