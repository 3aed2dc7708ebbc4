"""Service queries and mutations, and the services of a customer user."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from datasources.paging import Page, SortKey, keyset_page
from datasources.service_directory import Assignment
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain.pagination import Cursor
from domain.records import CustomerUserRecord
from domain.search_grammar import SearchExpr
from domain.services import (
    DEFAULT_LOGIN,
    Availability,
    ServiceRecord,
    available_services,
    by_name,
)
from resolvers.context import Actor, RequestContext
from resolvers.paging import page_arguments
from resolvers.search import search_argument


def service_key(key: str) -> int | None:
    """The service id in a global ID's key (its canonical decimal form only)."""
    try:
        service_id = int(key)
    except ValueError:
        return None
    return service_id if str(service_id) == key else None


async def service(ctx: RequestContext, service_id: int) -> ServiceRecord | None:
    return await ctx.loaders.services.by_id.load(service_id)


async def service_by_name(ctx: RequestContext, name: str) -> ServiceRecord | None:
    return await ctx.storage.services.find(name)


def parse_service_search(search: str | None) -> SearchExpr | None:
    """OTOBO's search grammar on the full name, each word a substring (as ServiceSearch)."""
    return search_argument(search)


async def services(
    ctx: RequestContext,
    *,
    search: SearchExpr | None,
    valid: bool | None,
    first: int,
    after: str | None,
) -> Page[ServiceRecord]:
    cursor = page_arguments(first, after)
    page = await ctx.storage.services.list_page(
        search=search, valid_only=bool(valid), first=first, after=cursor
    )
    for record, _ in page.items:
        ctx.loaders.services.by_id.prime(record.id, record)
    return page


async def parent(ctx: RequestContext, record: ServiceRecord) -> ServiceRecord | None:
    name = record.parent_name
    return await ctx.loaders.services.by_name.load(name) if name else None


async def children(ctx: RequestContext, record: ServiceRecord) -> list[ServiceRecord]:
    return await ctx.loaders.services.children.load(record.name)


async def own_services(ctx: RequestContext, login: str) -> list[ServiceRecord]:
    return by_name(await ctx.loaders.services.assigned.load(login))


async def availability(ctx: RequestContext, login: str) -> Availability:
    """Own-or-default for one user. The user's rows and the ``<DEFAULT>`` rows are asked for
    together, so a whole page of users shares one batch."""
    assigned = ctx.loaders.services.assigned
    own, defaults = assigned.load(login), assigned.load(DEFAULT_LOGIN)  # both in this batch
    return available_services(
        await own, await defaults, keep_children=ctx.storage.services.keep_children
    )


async def default_services(ctx: RequestContext) -> list[ServiceRecord]:
    return await own_services(ctx, DEFAULT_LOGIN)


async def customer_users_of(
    ctx: RequestContext, service_id: int, *, first: int, after: str | None
) -> Page[CustomerUserRecord]:
    """The customer users assigned to a service, by login. A row whose login no customer
    user has any more (removed from its backend) is skipped."""
    cursor = page_arguments(first, after)
    loaders = ctx.loaders

    async def fetch(after_key: SortKey | None, limit: int) -> list[str]:
        start = str(after_key[0]) if after_key else None
        return await loaders.services.member_page.load((service_id, start, limit))

    logins = await keyset_page(fetch, lambda login: (login,), first=first, after=cursor)
    records = await loaders.customer_user.load_many([login for login, _ in logins.items])
    items: list[tuple[CustomerUserRecord, Cursor]] = [
        (record, position)
        for (_, position), record in zip(logins.items, records, strict=True)
        if record is not None
    ]
    return Page(items, logins.has_next_page, logins.has_previous_page)


async def customer_user_count(ctx: RequestContext, service_id: int) -> int:
    """How many logins are assigned (rows of removed users included)."""
    return await ctx.loaders.services.member_count.load(service_id)


async def service_count(
    ctx: RequestContext, *, search: SearchExpr | None, valid: bool | None
) -> int:
    return await ctx.storage.services.count(search=search, valid_only=bool(valid))


# ---- use cases for resolvers.mutations.run_mutation (which resets the loaders) ------------


async def create(
    storage: Storage, actor: Actor, values: Mapping[str, Any]
) -> Outcome[ServiceRecord]:
    return await storage.services.create(values, actor=actor.id)


async def update(
    storage: Storage, actor: Actor, service_id: int, changes: Mapping[str, Any]
) -> Outcome[ServiceRecord]:
    return await storage.services.update(service_id, changes, actor=actor.id)


async def set_services_of(
    storage: Storage, actor: Actor, login: str, service_ids: Sequence[int], *, dry_run: bool
) -> Outcome[Assignment[CustomerUserRecord, int]]:
    return await storage.services.set_services_of(
        login, service_ids, dry_run=dry_run, actor=actor.id
    )


async def set_customer_users_of(
    storage: Storage, actor: Actor, service_id: int, logins: Sequence[str], *, dry_run: bool
) -> Outcome[Assignment[ServiceRecord, str]]:
    return await storage.services.set_customer_users_of(
        service_id, logins, dry_run=dry_run, actor=actor.id
    )


async def set_default_services(
    storage: Storage, actor: Actor, service_ids: Sequence[int], *, dry_run: bool
) -> Outcome[Assignment[list[ServiceRecord], int]]:
    return await storage.services.set_default_services(service_ids, dry_run=dry_run, actor=actor.id)
