"""The Starlette application: ``/graphql`` (with GraphiQL), ``/healthz`` and, with GraphiQL,
``/static`` (the page's own scripts and styles, ``app/graphiql.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app import tracing
from app.access_log import AccessLog
from app.auth import ACTOR_SCOPE_KEY, PAGE_ONLY, GraphQLGate
from app.graphiql import STATIC_PREFIX, GraphiQLPage, static_files
from app.request_body import replay
from app.request_errors import code_for_status, send_request_error
from datasources.storage import Storage, open_storage
from domain.config import RosterConfig
from domain.records import CustomerRecord, CustomerUserRecord
from loaders.registry import Loaders
from resolvers.context import RequestContext
from schema.builder import build_api
from schema.direct_execution import DirectExecution
from schema.time_limit import deadline_error

logger = logging.getLogger("roster")


class RosterGraphQL(GraphQL[RequestContext, None]):
    def __init__(
        self,
        storage_ref: dict[str, Storage],
        customer_user_object: Callable[[CustomerUserRecord], Any],
        customer_object: Callable[[CustomerRecord], Any],
        direct: DirectExecution | None,
        request_timeout: float,
        graphiql_page: GraphiQLPage | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(graphql_ide="graphiql" if graphiql_page else None, **kwargs)
        self._graphiql_page = graphiql_page
        self._storage_ref = storage_ref
        self._customer_user_object = customer_user_object
        self._customer_object = customer_object
        self._direct = direct
        self._request_timeout = request_timeout

    async def render_graphql_ide(self, request: Request) -> Response:
        """Roster's own GraphiQL page (its assets served by Roster, not a CDN), not
        Strawberry's; called only when the page is on (``server.graphiql``)."""
        assert self._graphiql_page is not None
        return self._graphiql_page.response()

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        return self._context(request.scope)

    def _context(self, scope: Scope) -> RequestContext:
        storage = self._storage_ref["storage"]
        return RequestContext(
            storage=storage,
            loaders=Loaders(storage),
            # Absent only for the GraphiQL page itself (GET, text/html), which runs no query.
            actor=scope.get(ACTOR_SCOPE_KEY, PAGE_ONLY),
            customer_user_object=self._customer_user_object,
            customer_object=self._customer_object,
            client_address=_peer_address(scope),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The common request (a POSTed JSON object with a query) is executed directly;
        everything else, malformed requests included, goes through Strawberry's view.

        Why: Strawberry's view (request adapters, content negotiation, multipart, batching,
        streaming) cost about a quarter of a one-user lookup. The direct path runs the same
        execution with the same context (``schema.direct_execution`` for a query text seen
        before, ``schema.execute`` otherwise) and answers with the same JSON.
        """
        if scope["type"] == "http" and scope["method"] == "POST" and _is_json(scope):
            body = await _read_body(receive)
            request = _plain_request(body)
            if request is not None and await self._execute_plain(scope, request, send):
                return
            receive = replay(body, receive)
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self._graphiql_page is not None and _wants_page(scope):
            await self._graphiql_page.response()(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:  # Strawberry's view answers these in text/plain
            await send_request_error(
                send, exc.status_code, code_for_status(exc.status_code), exc.reason
            )
            return
        await response(scope, receive, send)

    async def _execute_plain(self, scope: Scope, request: dict[str, Any], send: Send) -> bool:
        """Execute ``request``; False (nothing sent) when the operation was refused before it
        ran (no query, unknown operation name, GET-only rules), so the view answers that."""
        query: str = request["query"]
        arguments: dict[str, Any] = {
            "variable_values": request.get("variables"),
            "context_value": self._context(scope),
            "operation_name": request.get("operationName"),
            "operation_extensions": request.get("extensions"),
        }

        async def execute() -> ExecutionResult:
            direct = self._direct
            result = None if direct is None else await direct.execute(query, **arguments)
            if result is None:  # a text not seen before, or one Strawberry must refuse
                result = await self.schema.execute(
                    query, allowed_operation_types=POST_OPERATIONS, **arguments
                )
            return result

        try:
            result = await self._within_deadline(execute())
        except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError):
            return False
        body = self.encode_json(process_result(result))
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Strawberry's view's execution (requests that are not a plain POST), under the
        same deadline as the direct path's."""
        return await self._within_deadline(super().execute_single(*args, **kwargs))

    async def _within_deadline(self, execution: Awaitable[ExecutionResult]) -> ExecutionResult:
        """The result of ``execution``, or a ``TIMEOUT`` error when it runs past
        ``server.request_timeout_seconds``: it is cancelled then, so the worker moves on
        (``schema/time_limit.py``; PostgreSQL's statement_timeout stops the database too)."""
        deadline = asyncio.timeout(self._request_timeout)
        try:
            async with deadline:
                return await execution
        except TimeoutError:
            if not deadline.expired():  # not ours: a failure to report as such
                raise
        logger.warning("a request exceeded the time limit of %g s", self._request_timeout)
        return ExecutionResult(data=None, errors=[deadline_error(self._request_timeout)])

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


POST_OPERATIONS = OperationType.from_http("POST")
_PLAIN_KEYS = frozenset({"query", "variables", "operationName", "extensions"})


def _wants_page(scope: Scope) -> bool:
    """A browser opening ``/graphql`` (GET, accepting HTML): the GraphiQL page, whatever the
    query string (``?query=`` opens it with that query), the only GET the gate lets through
    without a key (``app/auth.py``)."""
    if scope["method"] != "GET":
        return False
    return any(name == b"accept" and b"text/html" in value for name, value in scope["headers"])


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
    return False


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _plain_request(body: bytes) -> dict[str, Any] | None:
    """The body as a single GraphQL request whose parts all have the right types, or None."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not data.keys() <= _PLAIN_KEYS:
        return None
    if not isinstance(data.get("query"), str) or not data["query"]:
        return None
    if not isinstance(data.get("variables"), dict | None):
        return None
    if not isinstance(data.get("operationName"), str | None):
        return None
    if not isinstance(data.get("extensions"), dict | None):
        return None
    return data


def _freeze_startup_objects() -> None:
    """Exempt everything made at start-up (the schema, the Map-built types, the pools) from
    garbage collection. A page of 1000 users allocates enough objects to trigger collections,
    and each full collection walked all of those long-lived objects again: freezing them cut
    a 1000-user search's CPU time by about a third.

    Then the young generation is collected after 50,000 allocations instead of 700: a nested
    page of 1000 users (issue 15's Q2) makes hundreds of thousands of short-lived objects, and
    with 8 requests in flight Python's default ran a collection every few hundred of them over
    every request's live objects: 88-89 ms of CPU per request against 49-70 ms with this
    threshold (``bench.inprocess``, peer Q2, 100,000 users, ``-c 8``, two runs each). The
    price is memory: peak RSS 137 MB -> 198 MB in that run (issue 15 allows 300 MB).
    Cycles are still collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app(config: RosterConfig, storage: Storage | None = None) -> Starlette:
    """The app for ``config``. Pass ``storage`` to share an open database (tests); otherwise
    the app opens them at start-up and closes them at shutdown."""
    holder: dict[str, Storage] = {}
    built = build_api(config)
    direct = built.direct if config.server.direct_execution else None
    graphql = RosterGraphQL(
        holder,
        built.types.wrap,
        built.customer_type.wrap,
        direct,
        config.server.request_timeout_seconds,
        GraphiQLPage(anonymous=config.auth.allow_anonymous) if config.server.graphiql else None,
        schema=built.schema,
        allow_queries_via_get=False,
    )

    gate = GraphQLGate(
        graphql,
        keys=lambda: holder["storage"].api_keys,
        sessions=lambda: holder["storage"].customer_sessions,
        auth=config.auth,
        server=config.server,
        customer_fields=built.customer_session_fields,
    )

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if storage is not None:
            holder["storage"] = storage
            yield
            return
        holder["storage"] = await open_storage(config)
        await holder["storage"].api_keys.follow_revocations()
        _freeze_startup_objects()
        try:
            yield
        finally:
            await holder["storage"].close()

    if storage is not None:
        holder["storage"] = storage
    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/graphql", gate)]
    if config.server.graphiql:
        routes.append(Mount(STATIC_PREFIX, static_files(), name="static"))
    middleware = [Middleware(AccessLog)] if config.server.access_log else []
    if tracing.wanted(config):  # opt-in; off, no tracing code runs at all (app/tracing.py)
        tracing.enable()
        middleware.insert(0, Middleware(tracing.TracingMiddleware))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.direct_execution = direct  # None when switched off; tests read its counter
    return app


def app_from_environment() -> Starlette:
    """The app of one worker process of ``roster serve --workers N``: its configuration comes
    from ``ROSTER_CONFIG`` and the ``ROSTER_*`` overrides that ``serve`` set for it."""
    from app.settings import load_config

    return create_app(load_config(None))


def _peer_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None
