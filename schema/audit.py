"""Who created or changed a record: the API key's name, via one batched lookup per request."""

from datetime import datetime

import strawberry

from domain.records import Audit
from resolvers.context import ANONYMOUS_ACTOR_ID, RequestContext
from schema.common import as_utc

Info = strawberry.Info[RequestContext, None]


async def actor_label(info: Info, actor_id: int | None) -> str | None:
    """The API key's name; ``anonymous`` for the demo's keyless access; ``#<id>`` for rows
    written by someone else (in a database shared with OTOBO, an OTOBO agent's id)."""
    if actor_id is None:
        return None
    if actor_id == ANONYMOUS_ACTOR_ID:
        return "anonymous"
    name = await info.context.loaders.actor_name.load(actor_id)
    return name if name is not None else f"#{actor_id}"


@strawberry.type
class AuditFields:
    """Base type for records with OTOBO's create/change columns (held in Private ``audit``)."""

    audit: strawberry.Private[Audit]

    @strawberry.field(description="When the record was created (UTC).")
    def created_at(self) -> datetime | None:
        return as_utc(self.audit.created_at)

    @strawberry.field(description="The API key that created the record.")
    async def created_by(self, info: Info) -> str | None:
        return await actor_label(info, self.audit.created_by)

    @strawberry.field(description="When the record was last changed (UTC).")
    def changed_at(self) -> datetime | None:
        return as_utc(self.audit.changed_at)

    @strawberry.field(description="The API key that last changed the record.")
    async def changed_by(self, info: Info) -> str | None:
        return await actor_label(info, self.audit.changed_by)
