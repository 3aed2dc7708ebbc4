"""``app.graphql_first``: HTTP requests for ``/graphql`` skip the router, not a middleware.

The stack they go through is the app's own (Starlette's ``build_middleware_stack``: the 500
handler, the access log, tracing when on, the exception middleware) around ``/graphql``'s
route app; behind a root path the router answers as before."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.routing import Route

from app.graphql_first import GRAPHQL_PATH, GraphQLFirst
from app.server import create_app
from tests.conftest import Api
from tests.tracing_helpers import exporter

__all__ = ["exporter"]  # the fixture

QUERY = {"query": "{ customers(first: 1) { totalCount } }"}


def _wrappers(stack: Any, innermost: Any) -> list[str]:
    """The middleware around ``innermost`` in ``stack``, outermost first, by class (Starlette's
    keep the next app in ``app``, Roster's access log in ``_app``); fails if it is not there."""
    names = []
    while stack is not innermost:
        names.append(type(stack).__name__)
        stack = getattr(stack, "app", None) or stack._app
    return names


@pytest.mark.parametrize("tracing", [False, True])
async def test_graphql_goes_through_the_apps_own_middleware(
    api: Api, tracing: bool, exporter: InMemorySpanExporter
) -> None:
    server = api.storage.config.server.model_copy(update={"tracing": tracing})
    app = create_app(api.storage.config.model_copy(update={"server": server}), storage=api.storage)
    assert isinstance(app, GraphQLFirst)
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == GRAPHQL_PATH)
    wrappers = _wrappers(app.build_middleware_stack(), app.router)
    assert _wrappers(app.build_graphql_stack(), route.app) == wrappers  # the route's own app
    assert ("TracingMiddleware" in wrappers) is tracing
    assert {"ServerErrorMiddleware", "AccessLog", "ExceptionMiddleware"} <= set(wrappers)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
        answered = await client.post(GRAPHQL_PATH, json=QUERY, headers=headers)
    assert answered.status_code == 200, answered.text
    assert answered.headers["x-request-id"]  # the access log's
    assert app.graphql_stack is not None  # answered through the shortcut
    requests = [s for s in exporter.get_finished_spans() if s.name.startswith("POST")]
    assert len(requests) == (1 if tracing else 0)  # the tracing middleware's span


async def test_graphql_behind_a_root_path_is_routed_as_before(api: Api) -> None:
    app = create_app(api.storage.config, storage=api.storage)
    transport = httpx.ASGITransport(app=app, root_path="/roster")
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
        answered = await client.post("/roster/graphql", json=QUERY, headers=headers)
        assert answered.status_code == 200, answered.text
        assert answered.json()["data"]["customers"]["totalCount"] >= 0
        assert answered.headers["x-request-id"]  # the access log saw it
    assert app.graphql_stack is None  # the router answered it, not the shortcut
