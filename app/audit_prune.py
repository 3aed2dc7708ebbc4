"""``roster audit prune``: the one way audit events are deleted, by age, as ``[audit]
retention_days`` says. Nothing in the API deletes an event."""

from __future__ import annotations

import sys
from datetime import timedelta

from datasources.db.audit_events import DbAuditEventStore
from datasources.db.customer_users import utcnow
from datasources.db.engine import create_engine
from domain.config import RosterConfig


async def prune(config: RosterConfig, *, dry_run: bool = False) -> int:
    """Delete (``dry_run``: count) the events older than the retention; prints how many."""
    days = config.audit.retention_days
    if days == 0:
        print("audit.retention_days is 0: every event is kept", file=sys.stderr)
        return 0
    engine = create_engine(config.database)
    try:
        store = DbAuditEventStore(engine)
        cutoff = utcnow() - timedelta(days=days)
        if dry_run:
            count = await store.count_older(cutoff)
            print(f"{count} audit events are older than {days} days", file=sys.stderr)
        else:
            count = await store.prune(cutoff)
            print(f"pruned {count} audit events older than {days} days", file=sys.stderr)
    finally:
        await engine.dispose()
    return 0
