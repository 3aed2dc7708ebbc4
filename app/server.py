"""The Starlette application: ``/graphql`` (with GraphiQL) and ``/healthz``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from app.auth import ACTOR_SCOPE_KEY, PAGE_ONLY, GraphQLGate
from datasources.services import Services, open_services
from domain.config import RosterConfig
from domain.records import CustomerUserRecord
from loaders.registry import Loaders
from resolvers.context import RequestContext
from schema.builder import build_api

logger = logging.getLogger("roster")


class RosterGraphQL(GraphQL[RequestContext, None]):
    def __init__(
        self,
        services_ref: dict[str, Services],
        customer_user_object: Callable[[CustomerUserRecord], Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._services_ref = services_ref
        self._customer_user_object = customer_user_object

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        services = self._services_ref["services"]
        return RequestContext(
            services=services,
            loaders=Loaders(services),
            # Absent only for the GraphiQL page itself (GET, text/html), which runs no query.
            actor=request.scope.get(ACTOR_SCOPE_KEY, PAGE_ONLY),
            customer_user_object=self._customer_user_object,
        )

    def encode_json(self, data: object) -> bytes:
        """orjson: a page of 1000 users is a few hundred kB of JSON, ~10x faster than json."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A body that is not UTF-8 JSON *object* is the client's error (400), not ours."""
        try:
            parsed = super().parse_json(data)
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parsed


def create_app(config: RosterConfig, services: Services | None = None) -> Starlette:
    """The app for ``config``. Pass ``services`` to share an open database (tests); otherwise
    the app opens them at start-up and closes them at shutdown."""
    holder: dict[str, Services] = {}
    built = build_api(config)
    graphql = RosterGraphQL(
        holder,
        built.types.wrap,
        schema=built.schema,
        graphql_ide="graphiql" if config.server.graphiql else None,
        allow_queries_via_get=False,
    )

    gate = GraphQLGate(
        graphql,
        keys=lambda: holder["services"].api_keys,
        auth=config.auth,
        server=config.server,
    )

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if services is not None:
            holder["services"] = services
            yield
            return
        holder["services"] = await open_services(config)
        try:
            yield
        finally:
            await holder["services"].close()

    if services is not None:
        holder["services"] = services
    return Starlette(
        routes=[Route("/healthz", healthz), Route("/graphql", gate)],
        lifespan=lifespan,
    )
