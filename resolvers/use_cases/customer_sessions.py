"""Customer sessions: a token for the self-service ``me`` (issue 14).

Placeholder while sessions land: none is started."""

from __future__ import annotations

from datasources.storage import Storage
from domain.records import CustomerUserRecord
from domain.sign_in import CustomerSessionGrant


async def start(storage: Storage, record: CustomerUserRecord) -> CustomerSessionGrant | None:
    """A new session for ``record`` (its token shown once), or None."""
    return None
