"""Customer-user reads: one user, pages, counts and the backends' health.

The writes are the use cases of ``resolvers.use_cases.customer_users``."""

from __future__ import annotations

import asyncio

from datasources.backend import BackendHealth, CustomerUserBackend
from datasources.paging import Page
from domain.customer_user_query import (
    CustomerUserQuery,
    Ordering,
    SortField,
    login_pattern,
    sort_key_values,
)
from domain.pagination import Cursor
from domain.records import CustomerUserRecord
from domain.search_grammar import SearchSyntaxError, check_term, parse_pattern, parse_search
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.paging import page_arguments


async def customer_user(ctx: RequestContext, login: str) -> CustomerUserRecord | None:
    return await ctx.loaders.customer_user.load(login)


def build_query(
    *,
    search: str | None,
    login: str | None,
    email: str | None,
    customer_id: str | None,
    customer_id_exact: str | None,
    valid: bool | None,
    ordering: Ordering,
) -> CustomerUserQuery:
    """Check every criterion up front, so a bad one is a BAD_USER_INPUT error, never a scan."""
    criteria = {
        "search": search,
        "login": login,
        "email": email,
        "customerId": customer_id,
        "customerIdExact": customer_id_exact,
    }
    for argument, value in criteria.items():
        if value is None:
            continue
        try:
            check_term(value)
            if argument == "search":
                parse_search(value)  # syntax only; each backend applies its prefix/suffix
        except SearchSyntaxError as exc:
            raise BadUserInput(f"{argument}: {exc}", argument=argument) from exc
    return CustomerUserQuery(
        search=search,
        login=login_pattern(login) if login is not None else None,
        email=email,
        customer_id=parse_pattern(customer_id) if customer_id is not None else None,
        customer_id_exact=customer_id_exact,
        valid_only=bool(valid),
        ordering=ordering,
    )


async def customer_users(
    ctx: RequestContext, query: CustomerUserQuery, *, first: int, after: str | None
) -> Page[CustomerUserRecord]:
    ordering = query.ordering
    key_length = 1 if ordering.field is SortField.LOGIN else 2
    cursor = page_arguments(first, after, key_length=key_length, ordering=ordering.name)
    if cursor is not None:
        _check_cursor(cursor, query)
    page = await ctx.storage.customer_users.page(query, first=first, after=cursor)
    ctx.loaders.customer_user.remember(record for record, _ in page.items)
    return page


def _check_cursor(cursor: Cursor, query: CustomerUserQuery) -> None:
    try:
        sort_key_values(query.ordering, cursor.key)
    except ValueError as exc:
        raise BadUserInput("The cursor belongs to another ordering.", argument="after") from exc


async def customer_user_count(ctx: RequestContext, query: CustomerUserQuery) -> int:
    return await ctx.storage.customer_users.count(query)


async def customer_user_limit_reached(ctx: RequestContext, query: CustomerUserQuery) -> bool:
    return await ctx.storage.customer_users.limit_reached(query)


async def backend_health(ctx: RequestContext) -> list[tuple[CustomerUserBackend, BackendHealth]]:
    """Every customer-user backend in order with its health, checked now (one round trip
    each, all at once)."""
    backends = ctx.storage.customer_users.backends
    health = await asyncio.gather(*(b.health() for b in backends))
    return list(zip(backends, health, strict=True))
