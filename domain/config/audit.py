"""``[audit]``: how long the audit trail (and so the changes feed) is kept."""

from __future__ import annotations

from pydantic import Field

from domain.config.strict_model import StrictModel


class AuditConfig(StrictModel):
    """``[audit]``."""

    retention_days: int = Field(default=365, ge=0)
    """Events older than this many days are deleted by ``roster audit prune`` (run it from
    cron); 0 keeps every event. A changes-feed cursor from before the pruned events is
    ``CURSOR_EXPIRED``: the integration resyncs."""
