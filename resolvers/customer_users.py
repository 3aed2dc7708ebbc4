"""Customer-user queries and mutations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datasources.paging import Page
from datasources.unit_of_work import Outcome
from domain.records import CustomerUserRecord
from resolvers.context import RequestContext
from resolvers.paging import page_arguments


async def customer_user(ctx: RequestContext, login: str) -> CustomerUserRecord | None:
    return await ctx.loaders.customer_user.load(login)


async def customer_users(
    ctx: RequestContext, *, first: int, after: str | None, valid: bool | None
) -> Page[CustomerUserRecord]:
    cursor = page_arguments(first, after)
    page = await ctx.services.customer_users.list_page(
        first=first, after=cursor, valid_only=bool(valid)
    )
    for record, _ in page.items:
        ctx.loaders.customer_user.prime(record.login, record)
    return page


async def customer_users_count(ctx: RequestContext, *, valid: bool | None) -> int:
    return await ctx.services.customer_users.count(valid_only=bool(valid))


async def create(
    ctx: RequestContext,
    values: Mapping[str, Any],
    *,
    password: str | None,
    source: str | None,
) -> Outcome[CustomerUserRecord]:
    return await ctx.services.customer_users.create(
        values, password=password, source=source, actor=ctx.actor.id
    )


async def update(
    ctx: RequestContext, login: str, changes: Mapping[str, Any]
) -> Outcome[CustomerUserRecord]:
    return await ctx.services.customer_users.update(login, changes, actor=ctx.actor.id)


async def set_password(
    ctx: RequestContext, login: str, password: str | None
) -> Outcome[CustomerUserRecord]:
    return await ctx.services.customer_users.set_password(login, password, actor=ctx.actor.id)
