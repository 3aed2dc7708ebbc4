"""The one place a use case hands over what its write changed: :func:`record`.

Each use case knows what it changed (``domain.audit`` turns that into events: fields before and
after, sets added and removed, or only the action); this module adds who acted and notes the
events on the write's transaction, where ``datasources.unit_of_work.transaction`` writes them
just before the commit (``datasources.db.audit_events``). So an event exists exactly when its
write committed: a refused write or a dry run (which never calls this) leaves none, and no
use case writes audit rows of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db import audit_events
from domain.audit import AuditActor, AuditEvent
from resolvers.context import Actor


def audit_actor(actor: Actor) -> AuditActor:
    """The acting client as events store it: the API key (for a customer session, the key
    that signed the user in) and the session."""
    return AuditActor(actor.id, actor.name, actor.session_id, actor.customer_login)


def record(conn: AsyncConnection, actor: Actor, events: Sequence[AuditEvent]) -> None:
    """``actor`` made the changes ``events`` describe, in the transaction on ``conn``."""
    if events:
        audit_events.note(conn, audit_actor(actor), events)
