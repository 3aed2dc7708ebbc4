"""The audit trail and the changes feed: ``auditEvents``, ``changes`` and ``changesHead``
(``history`` on the objects: ``schema.audit_events.HistoryFields``). Reads for any API key
(read or admin); not for customer sessions. Events are never deleted through the API."""

from datetime import datetime
from typing import Annotated, Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.config import RosterConfig
from domain.origins import ObjectType
from resolvers import audit as audit_resolvers
from schema.audit import Info
from schema.audit_events import (
    AuditEvent,
    ChangeFeed,
    ChangeObjectType,
    object_key_of,
    wrap_event,
)
from schema.customer_user import CustomerUserTypes
from schema.fast_fields import install_declared
from schema.pagination import AFTER_ARGUMENT, FIRST_ARGUMENT, Connection, PageInfo, to_connection

CUSTOMER_USER_FIELDS = None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {}


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class AuditQueries:
        @strawberry.field(
            description="The audit trail: every recorded change, oldest first (commit order), "
            "that matches every filter given."
        )
        async def audit_events(
            self,
            info: Info,
            object_id: Annotated[
                strawberry.ID | None,
                strawberry.argument(
                    description="Only the changes of this object (the global ID of a "
                    "CustomerUser, Customer, Group or Service)."
                ),
            ] = None,
            actor: Annotated[
                str | None,
                strawberry.argument(
                    description="Only the changes made with the API key of this name."
                ),
            ] = None,
            since: Annotated[
                datetime | None,
                strawberry.argument(description="Only changes at or after this time."),
            ] = None,
            until: Annotated[
                datetime | None,
                strawberry.argument(description="Only changes before this time."),
            ] = None,
            first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
            after: Annotated[str | None, AFTER_ARGUMENT] = None,
        ) -> Connection[AuditEvent]:
            ctx = info.context
            objects = [object_key_of(object_id)] if object_id is not None else []
            page, where = await audit_resolvers.audit_events(
                ctx,
                objects=objects,
                actor=actor,
                since=since,
                until=until,
                first=first,
                after=after,
            )

            async def count() -> int:
                return await ctx.storage.audit.count(where)

            return to_connection(page, wrap_event, count=count)

        @strawberry.field(
            description="The changes feed for integrations: changed objects in commit order "
            "after a cursor you stored (null: from the oldest change kept). No change is "
            "skipped or repeated, even with several server processes writing. A cursor older "
            "than the retention is the error CURSOR_EXPIRED: resync (store changesHead, read "
            "the objects anew, follow from that cursor)."
        )
        async def changes(
            self,
            info: Info,
            after: Annotated[
                str | None,
                strawberry.argument(
                    description="The cursor stored from the last page (its `cursor`)."
                ),
            ] = None,
            types: Annotated[
                list[ChangeObjectType] | None,
                strawberry.argument(description="Only changes of these kinds of object."),
            ] = None,
            first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
        ) -> ChangeFeed:
            kinds: list[ObjectType] = list(types or [])
            page, cursor = await audit_resolvers.changes(
                info.context, after=after, types=kinds, first=first
            )
            connection = to_connection(page, wrap_event, count=_no_count)
            return ChangeFeed(
                nodes=connection.nodes(),
                page_info=PageInfo(
                    has_next_page=page.has_next_page,
                    has_previous_page=page.has_previous_page,
                    start_cursor=connection.page_info.start_cursor,
                    end_cursor=connection.page_info.end_cursor,
                ),
                cursor=cursor,
            )

        @strawberry.field(
            description="The changes feed's cursor as of now: `changes(after:)` from it returns "
            "only changes committed later. Store it before a full read of the objects."
        )
        async def changes_head(self, info: Info) -> str:
            return await audit_resolvers.changes_head(info.context)

    return AuditQueries


async def _no_count() -> int:
    return 0


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class AuditMutations:
        pass

    return AuditMutations


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """A page of 1,000 events has tens of thousands of plain fields."""
    for type_name in ("AuditEvent", "AuditActor", "AuditFieldChange", "AuditSetChange"):
        install_declared(schema, type_name)
