"""Who created or changed a record: the API key when Roster wrote it, else OTOBO's agent.

``create_by``/``change_by`` name OTOBO agents; Roster writes its configured agent there and
keeps the acting API key in its own origin record (``domain.origins``). Answering costs at
most two batched lookups per request, made only when these fields are selected: the origin
records (with the keys' names), then the logins of the agents of rows Roster did not write.
"""

from datetime import datetime
from typing import Any

import strawberry

from domain.origins import changing_key, creating_key, origin_key
from domain.records import Audit
from resolvers.context import RequestContext
from schema.common import as_utc

Info = strawberry.Info[RequestContext, None]


async def author(info: Info, audit: Audit, record: Any, *, created: bool) -> str | None:
    """The API key's name (``anonymous`` for the demo's keyless access) when Roster's record
    covers the row's time; else the login of the agent the row names (``#<id>`` for an id
    OTOBO's ``users`` does not have); None for a backend without audit columns (LDAP)."""
    agent = audit.created_by if created else audit.changed_by
    if agent is None:
        return None
    key = origin_key(record)
    if key is not None:
        origin = await info.context.loaders.origin.load(key)
        api_key = creating_key(audit, origin) if created else changing_key(audit, origin)
        if api_key is not None:
            return api_key.label
    login = await info.context.loaders.agent_login.load(agent)
    return login if login is not None else f"#{agent}"


@strawberry.type
class AuditFields:
    """Base type for records with OTOBO's create/change columns (held in Private ``audit``).
    Every subclass holds its record in ``record``, which names the object's origin record."""

    audit: strawberry.Private[Audit]

    @strawberry.field(description="When the record was created (UTC).")
    def created_at(self) -> datetime | None:
        return as_utc(self.audit.created_at)

    @strawberry.field(
        description="Who created the record: the name of the API key when Roster created it, "
        "else the login of the OTOBO agent (`#<id>` for an agent id OTOBO does not know)."
    )
    async def created_by(self, info: Info) -> str | None:
        return await author(info, self.audit, getattr(self, "record", None), created=True)

    @strawberry.field(description="When the record was last changed (UTC).")
    def changed_at(self) -> datetime | None:
        return as_utc(self.audit.changed_at)

    @strawberry.field(
        description="Who last changed the record: the name of the API key when Roster made "
        "the last change (an assignment counts as a change of its owner), else the login of "
        "the OTOBO agent (`#<id>` for an agent id OTOBO does not know)."
    )
    async def changed_by(self, info: Info) -> str | None:
        return await author(info, self.audit, getattr(self, "record", None), created=False)
