"""Customer (company) reads: one by customer ID (through the request's loader), pages,
counts. The writes are use cases, in ``resolvers.use_cases.customers``."""

from __future__ import annotations

from datasources.paging import Page
from domain.records import CustomerRecord
from domain.search_grammar import SearchExpr
from resolvers.context import RequestContext
from resolvers.paging import page_arguments
from resolvers.search import search_argument


async def customer(ctx: RequestContext, customer_id: str) -> CustomerRecord | None:
    return await ctx.loaders.customer.load(customer_id)


def parse_customer_search(ctx: RequestContext, search: str | None) -> SearchExpr | None:
    """The customer search term under OTOBO's grammar; None lists every customer."""
    config = ctx.storage.config.customer_company
    return search_argument(search, prefix=config.search_prefix, suffix=config.search_suffix)


async def customers(
    ctx: RequestContext,
    *,
    search: SearchExpr | None,
    searching: bool,
    valid: bool | None,
    first: int,
    after: str | None,
) -> Page[CustomerRecord]:
    cursor = page_arguments(first, after)
    page = await ctx.storage.customers.list_page(
        search=search, searching=searching, valid_only=bool(valid), first=first, after=cursor
    )
    for record, _ in page.items:
        ctx.loaders.customer.prime(record.customer_id, record)
    return page


async def customer_count(
    ctx: RequestContext, *, search: SearchExpr | None, searching: bool, valid: bool | None
) -> int:
    return await ctx.storage.customers.count(
        search=search, searching=searching, valid_only=bool(valid)
    )


async def customer_limit_reached(
    ctx: RequestContext, *, search: SearchExpr | None, searching: bool, valid: bool | None
) -> bool:
    return await ctx.storage.customers.limit_reached(
        search=search, searching=searching, valid_only=bool(valid)
    )
