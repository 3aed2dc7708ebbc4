"""One connection shape for every list: Relay edges, nodes, pageInfo, lazy totals."""

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from datasources.paging import Page
from domain.pagination import Cursor

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    position: strawberry.Private[Cursor]

    @strawberry.field(description="Opaque; pass it as `after` to continue after this item.")
    def cursor(self) -> str:
        # Encoded only when asked for: most clients read `nodes` and `pageInfo.endCursor`,
        # and encoding 1000 cursors nobody reads was a fifth of a large page's time.
        return self.position.encode()


async def _false() -> bool:
    return False


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    limit_check: strawberry.Private[Callable[[], Awaitable[bool]]]

    @strawberry.field
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
