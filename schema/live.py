"""``Subscription``: live updates (``changes``, ``customerUserChanged``), served over
WebSocket (``graphql-transport-ws``) and Server-Sent Events (``app/live_transport.py``).

Who may subscribe, as for queries: an API key of scope ``read`` or ``admin``; a customer
session only to ``customerUserChanged`` of its own login."""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission

from datasources.db.api_keys import Scope
from domain.live import Action, Notice
from resolvers import live as live_resolvers
from resolvers.audit import cursor_of
from resolvers.errors import ApiError
from schema.audit import Info
from schema.audit_events import TYPE_NAMES, ChangeObjectType
from schema.common import describe_values, global_id
from schema.customer_user import CustomerUserTypes

ChangeAction = strawberry.enum(Action, name="ChangeAction", description="What a change did.")
describe_values(
    ChangeAction,
    {
        "CREATED": "The object was created.",
        "UPDATED": "Fields, assignments or grants of the object changed.",
        "RENAMED": "Its key changed (previousKey has the old one), maybe more with it.",
    },
)


@strawberry.type(
    description="One committed change of one object: which, how and when; not its values "
    "(read the object for those). A mutation that touches several objects (an assignment: "
    "the user and the group) gives one Change per object."
)
class Change:
    notice: strawberry.Private[Notice]

    @property
    def shared_key(self) -> object:
        """Every subscriber gets the same notice: one execution for all (shared_events)."""
        return ("changes", self.notice)

    @strawberry.field(description="The kind of object.")
    def type(self) -> ChangeObjectType:  # type: ignore[valid-type]
        return self.notice.type

    @strawberry.field(description="The object's global ID, as its `id` field (Node) gives it.")
    def id(self) -> strawberry.ID:
        return global_id(TYPE_NAMES[self.notice.type], self.notice.key)

    @strawberry.field(
        description="The object's natural key: login, customer ID, group id, service id."
    )
    def key(self) -> str:
        return self.notice.key

    @strawberry.field(description="The key before a rename (action RENAMED), else null.")
    def previous_key(self) -> str | None:
        return self.notice.previous_key

    @strawberry.field(description="What the change did.")
    def action(self) -> ChangeAction:  # type: ignore[valid-type]
        return self.notice.action

    @strawberry.field(description="When its transaction committed (the writing server's clock).")
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.notice.at, UTC)

    @strawberry.field(
        description="The changes feed's cursor just after this change: `changes(after: "
        "cursor)` returns exactly the changes recorded after it, so a client can catch up "
        "from a live change (after a reconnect, say) without a gap or a repeat. Null when the "
        "write recorded no audit event for this object."
    )
    def cursor(self) -> str | None:
        position = self.notice.position
        return None if position is None else cursor_of(position).encode()


class CanRead(BasePermission):
    message = "Subscribing needs an API key of scope read or admin."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor.scope in (Scope.READ, Scope.ADMIN)


class CanReadOrOwnLogin(BasePermission):
    message = (
        "customerUserChanged needs an API key of scope read or admin, or the customer "
        "session of that login."
    )
    error_extensions = {"code": "FORBIDDEN"}
    admits_customer_sessions = True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        actor = info.context.actor
        if actor.scope is Scope.CUSTOMER:
            login = kwargs.get("login")
            own = actor.customer_login
            return isinstance(login, str) and own is not None and login.casefold() == own.casefold()
        return actor.scope in (Scope.READ, Scope.ADMIN)


STREAM_NOTE = (
    " Ends with an error when the server ends it: SLOW_SUBSCRIBER (the client did not read "
    "live.subscriber_buffer changes in time; the connection is closed too), "
    "LIVE_UPDATES_UNAVAILABLE (the broker between server processes was lost: changes may "
    "have been missed, read them from the changes feed); refused with TOO_MANY_SUBSCRIPTIONS "
    "past live.max_subscriptions_per_key or live.max_subscriptions_per_process."
)


def subscription(types: CustomerUserTypes) -> Any:
    customer_user_type = types.object

    @strawberry.type(description="The change of one customer user, and the user as it is now.")
    class CustomerUserChange:
        change: Change = strawberry.field(description="What changed, and when.")
        login: strawberry.Private[str]

        @property
        def shared_key(self) -> object:
            return ("customerUserChanged", self.change.notice)

        @strawberry.field(
            description="The customer user as stored now (read when this field is selected; "
            "after a RENAMED change, under its new login)."
        )
        async def customer_user(self, info: Info) -> customer_user_type | None:  # type: ignore[valid-type]
            info.context.loaders.reset()  # a long-lived connection: read what is stored now
            record = await info.context.loaders.customer_user.load(self.login)
            return types.wrap(record) if record else None

    @strawberry.type(
        description="Live updates of committed changes, over WebSocket (graphql-transport-ws) "
        "or Server-Sent Events, authorized like queries."
    )
    class Subscription:
        @strawberry.subscription(
            description="Every committed change of the kinds given (all kinds when omitted), "
            "in the order the server processes committed them. Needs a read or admin key."
            + STREAM_NOTE,
            permission_classes=[CanRead],
        )
        async def changes(
            self,
            info: Info,
            types: Annotated[
                list[ChangeObjectType] | None,  # type: ignore[valid-type]
                strawberry.argument(description="The kinds of object to hear about."),
            ] = None,
        ) -> AsyncGenerator[Change, None]:
            topics = live_resolvers.change_topics(list(types) if types else None)
            async for item in live_resolvers.stream(info.context, topics):
                if isinstance(item, ApiError):
                    yield item  # type: ignore[misc]  # graphql-core reports it as an error
                    return
                yield Change(notice=item)

        @strawberry.subscription(
            description="The committed changes of one customer user (created, updated, "
            "renamed from or to this login, its assignments and grants). A read or admin key, "
            "or that user's own customer session." + STREAM_NOTE,
            permission_classes=[CanReadOrOwnLogin],
        )
        async def customer_user_changed(
            self,
            info: Info,
            login: Annotated[
                str, strawberry.argument(description="The login, compared case-insensitively.")
            ],
        ) -> AsyncGenerator[CustomerUserChange, None]:
            topics = live_resolvers.customer_user_topics(login)
            async for item in live_resolvers.stream(info.context, topics):
                if isinstance(item, ApiError):
                    yield item  # type: ignore[misc]
                    return
                yield CustomerUserChange(change=Change(notice=item), login=item.key)

    return Subscription
