"""Service reads: services by id, name and page, their hierarchy and members, and the
services of a customer user (own and available). The writes are the use cases in
``resolvers.use_cases.services`` and ``service_assignments``."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.paging import Page, SortKey, keyset_page
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
from resolvers.context import RequestContext
from resolvers.paging import page_arguments
from resolvers.search import search_argument


async def service(ctx: RequestContext, service_id: int) -> ServiceRecord | None:
    return await ctx.loaders.services.by_id.load(service_id)


async def service_by_name(ctx: RequestContext, name: str) -> ServiceRecord | None:
    return await ctx.storage.services.find_by_name(name)


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
    return (await own_services_of(ctx, [login]))[0]


async def own_services_of(ctx: RequestContext, logins: Sequence[str]) -> list[list[ServiceRecord]]:
    """``own_services`` of several logins through one ``load_many`` (a page of users
    completed at once: ``schema.flat_lists``)."""
    return [by_name(found) for found in await ctx.loaders.services.assigned.load_many(logins)]


async def availability(ctx: RequestContext, login: str) -> Availability:
    """Own-or-default for one user. The user's rows and the ``<DEFAULT>`` rows are asked for
    together, so a whole page of users shares one batch."""
    return (await availabilities(ctx, [login]))[0]


async def availabilities(ctx: RequestContext, logins: Sequence[str]) -> list[Availability]:
    """``availability`` of several logins: their rows and the ``<DEFAULT>`` rows in one
    ``load_many``."""
    *own, defaults = await ctx.loaders.services.assigned.load_many([*logins, DEFAULT_LOGIN])
    keep_children = ctx.storage.services.keep_children
    return [available_services(mine, defaults, keep_children=keep_children) for mine in own]


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
