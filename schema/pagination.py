"""One connection shape for every list: Relay edges, nodes, pageInfo, lazy totals."""

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from domain.pagination import Cursor

T = TypeVar("T")
R = TypeVar("R")


FIRST_ARGUMENT = strawberry.argument(
    description=f"How many items at most (1 to {MAX_PAGE_SIZE}; default {DEFAULT_PAGE_SIZE})."
)
AFTER_ARGUMENT = strawberry.argument(
    description="Start after the item with this cursor (an edge's `cursor` or "
    "`pageInfo.endCursor` of the page before); null for the first page."
)
VALID_ARGUMENT = strawberry.argument(
    description="True (the default): only VALID records; false or null: every record, "
    "whatever its validity."
)
USER_ERRORS_DESCRIPTION = (
    "Why the input was refused; empty when the mutation did what it was asked (then nothing "
    "else needs checking)."
)


@strawberry.type(description="Where a page of a Relay connection lies in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether items follow this page: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, to pass as `after`; null for an "
        "empty page."
    )


@strawberry.type(description="One item of a connection's page, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    position: strawberry.Private[Cursor]

    @strawberry.field(description="Opaque; pass it as `after` to continue after this item.")
    def cursor(self) -> str:
        # Encoded only when asked for: most clients read `nodes` and `pageInfo.endCursor`,
        # and encoding 1000 cursors nobody reads was a fifth of a large page's time.
        return self.position.encode()


async def _false() -> bool:
    return False


@strawberry.type(
    description="One page of a list (a Relay connection), in the list's fixed order; ask for "
    "the next with `after: pageInfo.endCursor`."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The page's items with their cursors (read `nodes` when the cursors are "
        "not needed)."
    )
    page_info: PageInfo = strawberry.field(description="Where the page lies in the list.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    limit_check: strawberry.Private[Callable[[], Awaitable[bool]]]

    @strawberry.field(description="The page's items, in order (the edges' nodes).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many items the whole (capped) result has. Costs a count query: "
        "computed only when selected."
    )
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(
        description="True when a list limit cut this result: a search stops at the smallest "
        "search_list_limit of the backends (default 1000), and a plain listing of an LDAP "
        "backend at that backend's (as OTOBO's does); false for lists that are not capped."
    )
    async def limit_reached(self) -> bool:
        return await self.limit_check()


def to_connection(
    page: Page[R],
    wrap: Callable[[R], T],
    *,
    count: Callable[[], Awaitable[int]],
    limit_check: Callable[[], Awaitable[bool]] = _false,
) -> Connection[T]:
    edges = [Edge(node=wrap(item), position=cursor) for item, cursor in page.items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.items[0][1].encode() if page.items else None,
            end_cursor=page.items[-1][1].encode() if page.items else None,
        ),
        count=count,
        limit_check=limit_check,
    )
