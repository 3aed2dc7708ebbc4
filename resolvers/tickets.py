"""Reading tickets and customer ticket access (OTOBO's ``CustomerTicket::Permission`` chain,
``domain.tickets``), on top of the effective permissions of ``resolvers.groups``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from datasources.db.ticket_access import UserFacts
from datasources.db.tickets import TicketScope
from datasources.paging import Page, SortKey, keyset_page
from domain.assignments import CustomerGroupRow
from domain.dynamic_fields import DynamicFieldDefinition, ValueRow
from domain.permissions import (
    EffectivePermission,
    customer_ids,
    effective_permissions,
    split_customer_ids,
)
from domain.records import CustomerUserRecord, GroupRecord
from domain.tickets import (
    AccessAnswer,
    QueueRecord,
    StateFilter,
    TicketAccessSettings,
    TicketRecord,
    create_access,
    other_groups,
    ticket_access,
)
from domain.validity import Validity
from resolvers import groups as group_resolvers
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.paging import page_arguments

ORDERING = "ticket:id:desc"


def access_settings(ctx: RequestContext) -> TicketAccessSettings:
    config = ctx.storage.config
    return TicketAccessSettings(
        company_access=not config.tickets.customer_disable_company_ticket_access,
        group_support=config.customer_group.support,
        other_context="Other" in config.customer_group.contexts,
    )


async def ticket(ctx: RequestContext, number: str) -> TicketRecord | None:
    return await ctx.loaders.tickets.by_number.load(number)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What every access question about one user needs, read once."""

    valid: bool
    customer_ids: list[str]
    held: list[EffectivePermission]
    other: dict[int, str]
    groups: dict[int, GroupRecord]


def _known_ids(ctx: RequestContext, record: CustomerUserRecord) -> tuple[list[str], list[str]]:
    """The user's ``UserCustomerIDs`` and those with its primary CustomerID: what the user's
    record already says, before the assigned customers are read."""
    multi = split_customer_ids(record.values.get("UserCustomerIDs"))
    return multi, [*multi, *([record.customer_id] if record.customer_id else [])]


def _decided(
    ctx: RequestContext,
    record: CustomerUserRecord,
    facts: UserFacts,
    groups: Sequence[GroupRecord],
    permission: str,
) -> _Facts:
    """The user's customer IDs, effective permissions (``also=(permission,)``) and Other
    groups for ``permission`` from its facts, by the rules every reader uses
    (``domain.permissions``); an invalid user holds nothing."""
    settings = access_settings(ctx)
    multi, _ = _known_ids(ctx, record)
    exclude = group_resolvers.excludes_primary(ctx.storage.customer_users, record)
    ids = customer_ids(record.customer_id, facts.assigned, exclude_primary=exclude, multi=multi)
    grants = _in_customer_order(facts.customer_grants, ids)
    valid = record.validity is Validity.VALID
    held: list[EffectivePermission] = []
    if valid:
        held = effective_permissions(
            group_resolvers.settings_of(ctx),
            groups,
            ids,
            facts.user_grants,
            grants,
            also=(permission,),
        )
    other: dict[int, str] = {}
    if settings.group_support and settings.other_context and settings.company_access:
        other = other_groups(ids, grants, permission)
    return _Facts(valid, ids, held, other, {g.id: g for g in groups})


def _in_customer_order(
    grants: Sequence[CustomerGroupRow], ids: Sequence[str]
) -> list[CustomerGroupRow]:
    """The customers' grants in the order of the user's customer IDs (then by group, key and
    context), as the general reader passes them (``resolvers.groups``): the order of a
    group's CUSTOMER_GRANT reasons and which customer an OTHER_CONTEXT reason names (the
    first holding it) do not depend on the order the statement's plan returns rows in."""
    position = {c.lower(): i for i, c in reversed(list(enumerate(ids)))}
    return sorted(
        grants,
        key=lambda g: (
            position.get(g.customer_id.lower(), len(position)),
            g.group_id,
            g.permission,
            g.context,
        ),
    )


async def _facts(ctx: RequestContext, record: CustomerUserRecord, permission: str) -> _Facts:
    """:func:`_decided` on the user's facts, every group, read in one statement
    (``datasources.db.ticket_access``)."""
    _, known = _known_ids(ctx, record)
    facts = await ctx.storage.ticket_access.user_facts(record.login, known)
    return _decided(ctx, record, facts, facts.groups, permission)


def _scope(
    ctx: RequestContext, record: CustomerUserRecord, facts: _Facts, permission: str
) -> TicketScope:
    settings = access_settings(ctx)
    group_ids = sorted({p.group.id for p in facts.held if p.permission == permission})
    if not facts.valid:
        group_ids = []
    return TicketScope(
        login=record.login,
        group_ids=tuple(group_ids),
        customer_ids=tuple(facts.customer_ids) if settings.company_access else (),
        other_group_ids=tuple(sorted(facts.other)),
    )


async def customer_tickets(
    ctx: RequestContext,
    record: CustomerUserRecord,
    *,
    permission: str,
    state: StateFilter,
    first: int,
    after: str | None,
) -> tuple[Page[TicketRecord], TicketScope]:
    """The tickets ``record`` may access with ``permission``, newest first."""
    cursor = page_arguments(first, after, ordering=ORDERING)
    if cursor is not None and not cursor.key[0].isdigit():
        raise BadUserInput("The cursor is not one this server issued.", argument="after")
    scope = _scope(ctx, record, await _facts(ctx, record, permission), permission)
    pages = ctx.storage.ticket_pages

    async def fetch(after_key: SortKey | None, limit: int) -> list[TicketRecord]:
        after_id = None if after_key is None else int(after_key[0])
        return await pages.page(scope, state, after=after_id, limit=limit)

    page = await keyset_page(
        fetch, lambda t: (str(t.id),), first=first, after=cursor, ordering=ORDERING
    )
    return page, scope


async def ticket_count(ctx: RequestContext, scope: TicketScope, state: StateFilter) -> int:
    return await ctx.loaders.tickets.store.count(scope, state)


@dataclass(frozen=True, slots=True)
class TicketAccessAnswer:
    ticket: TicketRecord
    read: AccessAnswer
    write: AccessAnswer
    create: AccessAnswer


async def access(
    ctx: RequestContext, record: CustomerUserRecord, number: str
) -> TicketAccessAnswer | None:
    """Read (ro), write (rw) and create (in the ticket's queue) for one ticket, with reasons;
    None when no ticket has that number.

    One statement (``datasources.db.ticket_access``): the ticket, its queue's group and the
    user's facts about that group, which is all the answer looks at; the rules are the ones
    the lists use (:func:`_decided`), given that one group."""
    _, known = _known_ids(ctx, record)
    found = await ctx.storage.ticket_access.facts(number, record.login, known)
    if found is None:
        return None
    ticket_ = found.ticket
    ctx.loaders.tickets.by_number.prime(number, ticket_)
    settings = access_settings(ctx)
    groups = [found.group] if found.group is not None else []

    def decide(permission: str) -> AccessAnswer:
        facts = _decided(ctx, record, found.user, groups, permission)
        return ticket_access(
            ticket_,
            found.group,
            permission=permission,
            login=record.login,
            user_valid=facts.valid,
            customer_ids=facts.customer_ids,
            held=facts.held,
            other=facts.other,
            settings=settings,
        )

    create = _decided(ctx, record, found.user, groups, "create")
    create_answer = create_access(
        ticket_.queue, found.group, user_valid=create.valid, held=create.held
    )
    return TicketAccessAnswer(ticket_, decide("ro"), decide("rw"), create_answer)


async def queues_for_new_tickets(
    ctx: RequestContext, record: CustomerUserRecord
) -> list[tuple[QueueRecord, AccessAnswer]]:
    """The queues the user may create tickets in (OTOBO's customer queue selection), by name,
    each with the reasons its group is held."""
    facts, queues = await asyncio.gather(
        _facts(ctx, record, "create"), ctx.loaders.tickets.all_queues()
    )
    answers = [
        (q, create_access(q, facts.groups.get(q.group_id), user_valid=facts.valid, held=facts.held))
        for q in queues
    ]
    return [(q, a) for q, a in answers if a.allowed]


def queue_group(groups: Sequence[GroupRecord], group_id: int) -> GroupRecord | None:
    return next((g for g in groups if g.id == group_id), None)


async def dynamic_values(
    ctx: RequestContext, ticket_id: int
) -> list[tuple[DynamicFieldDefinition, list[ValueRow]]]:
    """The ticket's values of valid Ticket dynamic fields, batched per request level."""
    return await ctx.loaders.tickets.dynamic_values.load(ticket_id)
