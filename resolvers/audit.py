"""Reading the audit trail: ``auditEvents``, an object's ``history`` and the ``changes`` feed.

Every list is in position order, which is commit order (``datasources.db.audit_events``), and
pages by position: a cursor holds the position of the last event read. The feed is the trail
without sign-ins and sign-outs (``domain.audit.SESSION_ACTIONS``); its cursor is the position
an integration stores, and since positions follow commits, reading on from it never skips an
event that commits later, whichever process wrote it. A cursor before the last pruned position
(``roster audit prune``) is ``CURSOR_EXPIRED``: events after it are gone, so the client
resyncs (reads the objects anew, from ``changesHead``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from datasources.db.audit_events import EventFilter
from datasources.paging import Page
from domain.audit import SESSION_ACTIONS, StoredEvent
from domain.origins import ObjectType, OriginKey
from domain.pagination import Cursor, InvalidCursor, storable
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, CursorExpired
from resolvers.paging import page_arguments

ORDERING = "audit:position"
"""Every list of events shares this ordering, so a cursor of one continues another."""


ACTOR_NAME_LENGTH = 100
"""The longest API key name (``roster_api_key.name``)."""


def cursor_of(position: int) -> Cursor:
    return Cursor((str(position),), position, ORDERING)


def after_position(after: str | None, first: int) -> int | None:
    """Check ``first`` and turn the cursor ``after`` into the position it holds."""
    cursor = page_arguments(first, after, ordering=ORDERING)
    if cursor is None:
        return None
    key = cursor.key[0]
    if not (key.isascii() and key.isdigit() and len(key) < 19 and int(key) == cursor.position):
        raise BadUserInput(str(InvalidCursor("The cursor is not one this server issued.")))
    return cursor.position


def _page(events: Sequence[StoredEvent], first: int, after: int | None) -> Page[StoredEvent]:
    shown = list(events[:first])
    return Page(
        items=[(e, cursor_of(e.position)) for e in shown],
        has_next_page=len(events) > first,
        has_previous_page=after is not None,
    )


def naive_utc(value: datetime | None) -> datetime | None:
    """A client's time as the table stores times (UTC, no zone); a time without a zone is
    taken as UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


async def audit_events(
    ctx: RequestContext,
    *,
    objects: Sequence[OriginKey],
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after: str | None,
) -> tuple[Page[StoredEvent], EventFilter]:
    """A page of the events that match every condition given."""
    position = after_position(after, first)
    if actor is not None and not (storable(actor) and len(actor) <= ACTOR_NAME_LENGTH):
        actor = ""  # no key has such a name (and a database cannot compare it)
    where = EventFilter(
        objects=objects, actor_name=actor, since=naive_utc(since), until=naive_utc(until)
    )
    events = await ctx.storage.audit.page(where, position, first + 1)
    return _page(events, first, position), where


async def history(
    ctx: RequestContext, key: OriginKey | None, *, first: int, after: str | None
) -> Page[StoredEvent]:
    """A page of one object's events, loaded with the histories of every object the same
    level of the query asks for (one statement)."""
    position = after_position(after, first)
    if key is None or first == 0:
        return Page([], has_next_page=False, has_previous_page=position is not None)
    events = await ctx.loaders.audit.history.load((key, first + 1, position))
    return _page(events, first, position)


async def history_count(ctx: RequestContext, key: OriginKey | None) -> int:
    return 0 if key is None else await ctx.loaders.audit.history_count.load(key)


async def changes(
    ctx: RequestContext, *, after: str | None, types: Sequence[ObjectType], first: int
) -> tuple[Page[StoredEvent], str]:
    """A page of the feed after the cursor ``after`` (from the oldest event kept when None),
    and the cursor to store: the last event's, or past every event committed before the read
    when the page holds the last change."""
    position = after_position(after, first)
    bounds = await ctx.storage.audit.bounds()
    if position is not None:
        if position > bounds.last_position:
            raise BadUserInput("The cursor is not one this server issued.", argument="after")
        if position < bounds.pruned_through:
            raise CursorExpired(
                "The cursor is older than the audit retention ([audit] retention_days): the "
                "changes after it were pruned. Resync: store changesHead, read the objects "
                "anew, then follow changes(after:) from that cursor.",
                prunedThrough=cursor_of(bounds.pruned_through).encode(),
            )
    where = EventFilter(types=types, without_actions=SESSION_ACTIONS)
    events = await ctx.storage.audit.page(where, position, first + 1)
    page = _page(events, first, position)
    last = page.items[-1][0].position if page.items else (position or bounds.pruned_through)
    if not page.has_next_page:
        # Every position up to the committed ``last_position`` read before the page was
        # committed with it, so the page holds every change up to there: the cursor may pass
        # the events it left out (other kinds, sign-ins) instead of reading them again.
        last = max(last, bounds.last_position)
    return page, cursor_of(last).encode()


async def changes_head(ctx: RequestContext) -> str:
    """The cursor of the last change committed now: a feed read from it sees only later
    changes."""
    return cursor_of((await ctx.storage.audit.bounds()).last_position).encode()
