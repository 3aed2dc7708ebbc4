"""Live updates: publishing what a mutation committed, and the streams of the subscriptions
``changes`` and ``customerUserChanged``.

A stream yields :class:`~domain.live.Notice` objects; when the server ends it (the client
reads too slowly, the broker was lost) or refuses it (a limit, the broker down), it yields
the error as its last item, so the client gets it as a GraphQL error on the subscription and
then ``complete``, rather than a bare end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from datasources.db.api_keys import KeyStoreUnavailable
from datasources.live import BrokerUnavailable, SubscriptionEnded, TooManySubscriptions
from datasources.live.hub import Topic
from datasources.unit_of_work import Outcome
from domain.audit import AuditEvent
from domain.live import Notice, notices_of, notices_of_events, with_positions
from domain.origins import ObjectType
from resolvers.context import Actor, RequestContext
from resolvers.errors import ApiError, Unauthenticated

logger = logging.getLogger("roster.live")


class LiveUpdatesUnavailable(ApiError):
    code = "LIVE_UPDATES_UNAVAILABLE"


class TooManySubscriptionsError(ApiError):
    code = "TOO_MANY_SUBSCRIPTIONS"


class SlowSubscriber(ApiError):
    code = "SLOW_SUBSCRIBER"


def publish(
    ctx: RequestContext,
    use_case: Any,
    outcome: Outcome[Any],
    events: Sequence[tuple[int, AuditEvent]] = (),
    committed_at: float | None = None,
) -> None:
    """Publish the notices of a committed write (``resolvers.mutations.run_mutation``), each
    with its feed position from ``events`` (the committed audit events) and its commit time
    ``committed_at`` (now when not given). A write that returns no one object
    (``customerUsersImport``: a list of rows; ``defaultServicesSet``: the default services)
    publishes one notice per object its events name."""
    if ctx.live is None:
        return
    at = time.time() if committed_at is None else committed_at
    if isinstance(outcome.record, list):
        notices = notices_of_events(events, at)
    else:
        notices = with_positions(
            notices_of(
                created=getattr(use_case, "__name__", "") == "create",
                record=outcome.record,
                changes=outcome.changes,
                found_key=outcome.found_key,
                at=at,
            ),
            events,
        )
    if notices:
        ctx.live.publish(notices)


def owner_of(actor: Actor) -> str:
    """Whose subscriptions count together against ``live.max_subscriptions_per_key``."""
    if actor.session_id is not None:
        return f"session:{actor.session_id}"
    return f"key:{actor.id}"


async def stream(ctx: RequestContext, topics: list[Topic]) -> AsyncIterator[Notice | ApiError]:
    if ctx.live is None:
        yield LiveUpdatesUnavailable("Live updates are not available on this server.")
        return
    try:
        subscriber = ctx.live.hub.subscribe(topics, owner_of(ctx.actor))
    except TooManySubscriptions as exc:
        yield TooManySubscriptionsError(str(exc))
        return
    except BrokerUnavailable as exc:
        yield LiveUpdatesUnavailable(f"Live updates are unavailable now: {exc}. Try again.")
        return
    subscriber.on_end = ctx.end_connection
    try:
        while True:
            try:
                notice = await subscriber.next()
            except SubscriptionEnded as ended:
                error_class = SlowSubscriber if ended.code == "SLOW_SUBSCRIBER" else None
                yield (error_class or LiveUpdatesUnavailable)(ended.message)
                return
            if ctx.actor.session_id is not None and not await _session_live(ctx):
                yield Unauthenticated("The customer session ended: sign in again.")
                return
            yield notice
    finally:
        subscriber.close()


async def _session_live(ctx: RequestContext) -> bool:
    """A customer session's subscription goes on only while the session does (revoked,
    expired, the user renamed or made invalid: it ends at the next change it would hand on)."""
    assert ctx.actor.session_id is not None
    try:
        return await ctx.storage.customer_sessions.is_live(ctx.actor.session_id)
    except KeyStoreUnavailable:
        return False  # cannot tell: end it (the client signs in again, or retries)


def change_topics(types: list[ObjectType] | None) -> list[Topic]:
    return [(kind, None) for kind in (types or list(ObjectType))]


def customer_user_topics(login: str) -> list[Topic]:
    return [(ObjectType.CUSTOMER_USER, login.casefold())]
