"""The audit trail's GraphQL types: ``AuditEvent`` and its parts, the changes feed's page, and
``history`` on ``CustomerUser``, ``Customer``, ``Group`` and ``Service`` (``HistoryFields``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.audit import Action, StoredEvent
from domain.origins import ObjectType, OriginKey, origin_key
from resolvers import audit as audit_resolvers
from resolvers.errors import BadUserInput
from schema.audit import Info
from schema.common import as_utc, describe_values, global_id, int_key, parse_global_id
from schema.pagination import AFTER_ARGUMENT, FIRST_ARGUMENT, Connection, PageInfo, to_connection
from schema.permissions import NOT_FOR_CUSTOMER_SESSIONS

TYPE_NAMES = {
    ObjectType.CUSTOMER_USER: "CustomerUser",
    ObjectType.CUSTOMER: "Customer",
    ObjectType.GROUP: "Group",
    ObjectType.SERVICE: "Service",
}
"""The GraphQL type of each kind of object an event names (its global ID's prefix)."""


ChangeObjectType = strawberry.enum(
    ObjectType,
    name="ChangeObjectType",
    description="The kinds of object a change is about: in the audit trail, the changes feed "
    "and the live `changes` subscription alike.",
)
describe_values(
    ChangeObjectType,
    {
        "CUSTOMER_USER": "A customer user (key: its login).",
        "CUSTOMER": "A customer, a company (key: its customer ID).",
        "GROUP": "A group (key: its id).",
        "SERVICE": "A service (key: its id).",
    },
)

AuditAction = strawberry.enum(Action, name="AuditAction", description="What a write did.")
describe_values(
    AuditAction,
    {
        "CREATED": "The object was created (fields: its values).",
        "UPDATED": "Fields changed; a rename (UserLogin, customer_id, a service's name) and a "
        "validity change are updates too.",
        "PASSWORD_SET": "A customer user's password was set (never the password).",
        "ASSIGNMENTS_CHANGED": "Relation rows were added or removed (sets: customers, groups, "
        "services, customer_users); each row shows on both of its objects.",
        "DEFAULT_SERVICES_CHANGED": "The service became (or stopped being) a default service.",
        "TWO_FACTOR_SECRET_SET": "A customer user got a two-factor secret (never the secret).",
        "TWO_FACTOR_SECRET_CLEARED": "A customer user's two-factor secret was removed.",
        "SESSION_STARTED": "A customer session started (a sign-in with startSession); not in "
        "the changes feed.",
        "SESSIONS_REVOKED": "Customer sessions were revoked (fields: sessions_ended); not in "
        "the changes feed.",
    },
)


@strawberry.type(description="Who made a change.")
class AuditActor:
    api_key_id: int = strawberry.field(
        description="The id of the API key that acted (for a customer session: the key that "
        "signed the customer user in; 0: the demo's keyless access)."
    )
    name: str = strawberry.field(
        description="The API key's name at the time (for a customer session: `customer "
        "session of <login>`)."
    )
    customer_session_id: int | None = strawberry.field(
        description="The customer session that acted, when the customer user acted itself."
    )
    customer_login: str | None = strawberry.field(
        description="The login of the customer user whose session acted."
    )


def _text(value: Any) -> str | None:
    """A stored value as text: a string as it is, anything else (numbers, booleans) as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


@strawberry.type(description="One field a write changed.")
class AuditFieldChange:
    field: str = strawberry.field(
        description="The field: a customer user's or customer's Map attribute (`UserEmail`, "
        "`UserLogin` for a rename, `ValidID`), else the domain name (`name`, `comment`, "
        "`validity`, `customer_id`, `default`)."
    )
    before: str | None = strawberry.field(
        description="The value before (null: none, or the object was created); numbers and "
        "booleans as JSON text, a validity by name."
    )
    after: str | None = strawberry.field(description="The value after (null: cleared).")


@strawberry.type(description="One set a write changed: the items added and removed.")
class AuditSetChange:
    name: str = strawberry.field(
        description="The set: `customers`, `customer_users`, `groups` or `services`."
    )
    added: list[str] = strawberry.field(
        description="Items added: a customer ID, a login or a service id; a grant as "
        "`<group id>:<permission>` (a customer's with `:<context>`), on the group's side "
        "`<login or customer ID>:<permission>[:<context>]`."
    )
    removed: list[str] = strawberry.field(description="Items removed, written as `added`.")


@strawberry.type(
    description="One change of one object, recorded in the transaction of the write. Events "
    "are only appended (retention: [audit] retention_days, pruned by `roster audit prune`)."
)
class AuditEvent:
    stored: strawberry.Private[StoredEvent]

    @strawberry.field(
        description="The event's place in commit order: a later commit has a larger one."
    )
    def position(self) -> str:
        return str(self.stored.position)

    @strawberry.field(description="When the change committed (UTC).")
    def occurred_at(self) -> datetime:
        return as_utc(self.stored.occurred_at) or self.stored.occurred_at

    @strawberry.field(description="Who made the change.")
    def actor(self) -> AuditActor:
        a = self.stored.actor
        return AuditActor(
            api_key_id=a.key_id,
            name=a.key_name,
            customer_session_id=a.session_id,
            customer_login=a.customer_login,
        )

    @strawberry.field(description="The kind of object changed.")
    def object_type(self) -> ChangeObjectType:  # type: ignore[valid-type]
        return self.stored.event.object.object_type

    @strawberry.field(
        description="The global ID of the object changed (for node; null from node when it "
        "no longer exists, or was renamed since)."
    )
    def object_id(self) -> strawberry.ID:
        event = self.stored.event
        return global_id(TYPE_NAMES[event.object.object_type], event.name)

    @strawberry.field(
        description="The object's natural key as the write spelled it: the login, customer "
        "ID, group id or service id (after a rename: the new one)."
    )
    def object_key(self) -> str:
        return self.stored.event.name

    @strawberry.field(description="What the write did.")
    def action(self) -> AuditAction:  # type: ignore[valid-type]
        return self.stored.event.action

    @strawberry.field(description="The fields changed, with their values before and after.")
    def fields(self) -> list[AuditFieldChange]:
        return [
            AuditFieldChange(field=name, before=_text(c.before), after=_text(c.after))
            for name, c in self.stored.event.fields.items()
        ]

    @strawberry.field(description="The sets changed, with the items added and removed.")
    def sets(self) -> list[AuditSetChange]:
        return [
            AuditSetChange(name=name, added=list(c.added), removed=list(c.removed))
            for name, c in self.stored.event.sets.items()
        ]


def wrap_event(stored: StoredEvent) -> AuditEvent:
    return AuditEvent(stored=stored)


@strawberry.type(
    description="A page of the changes feed, in commit order. Store `cursor` and ask again "
    "with `after: cursor`: no change is skipped or repeated, whichever server process wrote "
    "it."
)
class ChangeFeed:
    nodes: list[AuditEvent] = strawberry.field(
        description="The changes after the cursor given, oldest first."
    )
    page_info: PageInfo = strawberry.field(description="hasNextPage: more changes are waiting now.")
    cursor: str = strawberry.field(
        description="The cursor to store: after the last change of this page, or, when no "
        "more are waiting, after everything committed before this read."
    )


def object_key_of(id: str) -> OriginKey:
    """The object a global ID names, for a filter; BAD_USER_INPUT for one that names none."""
    parsed = parse_global_id(id)
    if parsed is not None:
        type_name, key = parsed
        if type_name == "CustomerUser" and "\x00" not in key:
            return OriginKey.customer_user(key)
        if type_name == "Customer" and "\x00" not in key:
            return OriginKey.customer(key)
        number = int_key(key)
        if type_name == "Group" and number is not None:
            return OriginKey.group(number)
        if type_name == "Service" and number is not None:
            return OriginKey.service(number)
    raise BadUserInput(
        "objectId must be the global ID of a CustomerUser, Customer, Group or Service.",
        argument="objectId",
    )


HISTORY_DESCRIPTION = (
    "Every change Roster recorded for this object, oldest first (commit order): who made it, "
    "when, and what changed. Events of an earlier login or customer ID stay under that key "
    "(auditEvents(objectId:) with its global ID). Not for customer sessions. Loaded for every "
    "object of a list at once."
)


@strawberry.type
class HistoryFields:
    """``history`` for the four types Roster writes (their records name their origin key)."""

    record: strawberry.Private[Any]

    @strawberry.field(description=HISTORY_DESCRIPTION, permission_classes=NOT_FOR_CUSTOMER_SESSIONS)
    async def history(
        self,
        info: Info,
        first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER_ARGUMENT] = None,
    ) -> Connection[AuditEvent]:
        ctx = info.context
        key = origin_key(self.record)
        page = await audit_resolvers.history(ctx, key, first=first, after=after)

        async def count() -> int:
            return await audit_resolvers.history_count(ctx, key)

        return to_connection(page, wrap_event, count=count)
