"""The Starlette app, with HTTP requests for ``/graphql`` handed to that route's app without
the router's search.

Why: nearly every request is a GraphQL request over HTTP, and Starlette's router matched it
against its routes (a regular expression each) and wrapped it in the route's handler on every
one: with the rest of the routing layers, about 4 % of a one-user lookup's instructions (bench
scenario (3) on MariaDB, callgrind; bench/README.md "Ninth session").

Nothing else is skipped: the request goes through the very middleware stack Starlette builds
(``Starlette.build_middleware_stack``: the 500 handler, every user middleware — the access
log, tracing —, the exception middleware, a body limit where set), built once more with
``/graphql``'s app where the router stands. WebSockets, the lifespan and every other path go
through Starlette as before. ``tests/api/test_graphql_first.py`` checks both stacks are the
same but for their innermost app.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

GRAPHQL_PATH = "/graphql"


class GraphQLFirst(Starlette):
    """Starlette, with HTTP requests for :data:`GRAPHQL_PATH` sent straight to
    ``graphql_http`` through the app's own middleware stack."""

    def __init__(self, *, graphql_http: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._graphql_http = graphql_http
        self.graphql_stack: ASGIApp | None = None
        """The middleware stack around ``graphql_http`` (built on the first request)."""

    def build_graphql_stack(self) -> ASGIApp:
        """``build_middleware_stack`` with ``graphql_http`` in the router's place."""
        router = self.router
        self.router = self._graphql_http  # type: ignore[assignment]
        try:
            return self.build_middleware_stack()
        finally:
            self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == GRAPHQL_PATH
            and not scope.get("root_path")  # behind a root path: the router resolves it
        ):
            scope["app"] = self
            stack = self.graphql_stack
            if stack is None:
                stack = self.graphql_stack = self.build_graphql_stack()
            await stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
