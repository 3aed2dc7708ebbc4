"""The Starlette application: ``/graphql`` (with GraphiQL), ``/healthz``, the probes ``/livez``
and ``/readyz`` (``app/probes.py``), ``/metrics`` (``app/metrics.py``) and, with GraphiQL,
``/static`` (the page's own scripts and styles, ``app/graphiql.py``)."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

import orjson
from graphql import OperationType as GraphQLOperationType
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app import metrics, request_errors, tracing
from app.access_log import AccessLog, note_result
from app.auth import ACTOR_SCOPE_KEY, GraphQLGate
from app.cors import Cors
from app.graphiql import STATIC_PREFIX, GraphiQLPage, static_files
from app.graphql_first import GRAPHQL_PATH, GraphQLFirst
from app.http_protocol import (
    BAD_REQUEST,
    JSON,
    METHODS,
    MUTATION_BY_GET,
    NO_QUERY,
    NOT_ACCEPTABLE,
    SUBSCRIPTION_NOT_STREAMED,
    GraphQLRequest,
    RequestError,
    check_content_type,
    document_error,
    from_body,
    from_query_string,
    header,
    negotiate,
    shape,
    wants_page,
)
from app.live_transport import (
    TextFrames,
    close_slow_socket,
    serve_event_stream,
    socket_handler_class,
    wants_event_stream,
)
from app.logs import carry_request_ids
from app.persisted_queries import DocumentError, PersistedQueries, load_manifest
from app.probes import Readiness, livez, migration_heads
from app.request_deadlines import RequestDeadlines
from app.request_errors import send_request_error
from app.scope_gate import RootFields, allowed_document, restricted_rules
from datasources.db.api_keys import Scope as KeyScope
from datasources.live import Broker, open_broker
from datasources.storage import Storage, open_storage
from domain.config import RosterConfig
from domain.records import CustomerRecord, CustomerUserRecord
from loaders.registry import Loaders
from resolvers.context import Actor, RequestContext
from schema.builder import build_api
from schema.direct_execution import RUNNABLE, DirectExecution
from schema.masking import VALIDATION_FAILED
from schema.time_limit import deadline_error

logger = logging.getLogger("roster")


class RosterGraphQL(GraphQL[RequestContext, None]):
    websocket_adapter_class = TextFrames  # text frames, as browsers' clients read them

    def __init__(
        self,
        storage_ref: dict[str, Storage],
        customer_user_object: Callable[[CustomerUserRecord], Any],
        customer_object: Callable[[CustomerRecord], Any],
        direct: DirectExecution | None,
        request_timeout: float,
        graphiql_page: GraphiQLPage | None,
        persisted: PersistedQueries,
        restricted: Mapping[KeyScope, RootFields],
        max_tokens: int,
        live: Broker,
        **kwargs: Any,
    ) -> None:
        super().__init__(graphql_ide="graphiql" if graphiql_page else None, **kwargs)
        self._live = live
        self._graphiql_page = graphiql_page
        self._storage_ref = storage_ref
        self._customer_user_object = customer_user_object
        self._customer_object = customer_object
        self._direct = direct
        self._request_timeout = request_timeout
        self._deadlines = RequestDeadlines(request_timeout)
        self._persisted = persisted
        self._restricted = restricted
        self._max_tokens = max_tokens

    async def render_graphql_ide(self, request: Request) -> Response:
        """Roster's own GraphiQL page (its assets served by Roster, not a CDN), not
        Strawberry's; called only when the page is on (``server.graphiql``)."""
        assert self._graphiql_page is not None
        return self._graphiql_page.response(request.scope)

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        """Called by Strawberry for WebSockets only (``app/live_transport.py``): the actor is
        the handshake's, or :data:`NOT_YET` until ``connection_init`` names one."""
        context = self._context(request.scope, request.scope.get(ACTOR_SCOPE_KEY) or NOT_YET)
        context.end_connection = close_slow_socket(response, request.scope)
        return context

    def _context(self, scope: Scope, actor: Actor | None = None) -> RequestContext:
        storage = self._storage_ref["storage"]
        return RequestContext(
            storage=storage,
            loaders=Loaders(storage),
            # the gate's (app/auth.py); checked in _answer
            actor=actor if actor is not None else scope[ACTOR_SCOPE_KEY],
            customer_user_object=self._customer_user_object,
            customer_object=self._customer_object,
            client_address=_peer_address(scope),
            live=self._live,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every HTTP request is read and answered by ``app.http_protocol`` (GraphQL over
        HTTP), its persisted query resolved (``app.persisted_queries``), a restricted caller's
        document checked (``app.scope_gate``), then executed directly
        (``schema.direct_execution``, for a query text seen before) or by ``schema.execute``.

        Why not Strawberry's view: it answered with other statuses and media types than the
        direct path, and its request adapters and content negotiation cost about a quarter of
        a one-user lookup. Both executions run with the same context and are answered alike.
        """
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self._graphiql_page is not None and wants_page(scope):
            await self._graphiql_page.response(scope)(scope, receive, send)
            return
        media = negotiate(header(scope, b"accept"))
        try:
            if wants_event_stream(scope):
                await self._event_stream(scope, receive, send)
                return
            if media is None:
                raise NOT_ACCEPTABLE
            await self._answer(scope, await self._read(scope, receive), media, send)
        except RequestError as error:
            legacy = media in (None, JSON)
            document = isinstance(error, DocumentError)
            await send_request_error(
                send,
                200 if document and legacy else error.status,
                error.code,
                error.message,
                extra_headers=error.headers,
                media=media or JSON,
                with_data=legacy,
            )

    async def _event_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A subscription over Server-Sent Events (``app/live_transport.py``)."""
        actor = scope.get(ACTOR_SCOPE_KEY)
        if actor is None:
            raise RequestError(401, "UNAUTHENTICATED", "Authentication required.")
        request = await self._read(scope, receive)
        rule = self._restricted.get(actor.scope)
        query = request.query
        if query is None:
            raise NO_QUERY
        if rule is not None and not allowed_document(query, rule, max_tokens=self._max_tokens):
            raise RequestError(403, "FORBIDDEN", rule.refusal)

        async def subscribe(request: GraphQLRequest, context: RequestContext) -> Any:
            return await self.schema.subscribe(
                request.query,
                variable_values=request.variables,
                context_value=context,
                operation_name=request.operation_name,
                operation_extensions=request.extensions,
            )

        await serve_event_stream(
            scope,
            receive,
            send,
            request,
            self._context(scope),
            subscribe,
            self.encode_json,
            self._max_tokens,
        )

    async def _read(self, scope: Scope, receive: Receive) -> GraphQLRequest:
        if scope["method"] == "GET":
            return from_query_string(scope)
        if scope["method"] != "POST":
            raise METHODS
        check_content_type(scope)
        return from_body(await _read_body(receive))

    async def _answer(self, scope: Scope, request: GraphQLRequest, media: str, send: Send) -> None:
        actor = scope.get(ACTOR_SCOPE_KEY)
        if actor is None:  # only the gate sets it; without it nothing runs
            raise RequestError(401, "UNAUTHENTICATED", "Authentication required.")
        resolved = self._persisted.resolve(request)
        request = resolved.request
        query = request.query
        if query is None:
            raise NO_QUERY
        rule = self._restricted.get(actor.scope)
        if rule is not None and not allowed_document(query, rule, max_tokens=self._max_tokens):
            logger.info("refused a request of a restricted caller for fields it may not use")
            raise RequestError(403, "FORBIDDEN", rule.refusal)
        by_get = request.method == "GET"
        arguments: dict[str, Any] = {
            "variable_values": request.variables,
            "context_value": self._context(scope),
            "operation_name": request.operation_name,
            "operation_extensions": request.extensions,
        }

        async def execute() -> ExecutionResult:
            direct = self._direct
            result = None
            if direct is not None:
                kinds = GET_KINDS if by_get else RUNNABLE
                result = await direct.execute(query, allowed=kinds, **arguments)
            if result is None:  # a text not seen before, or one Strawberry must refuse
                allowed = GET_OPERATIONS if by_get else POST_OPERATIONS
                result = await self.schema.execute(
                    query, allowed_operation_types=allowed, **arguments
                )
            return result

        try:
            result = await self._within_deadline(execute())
        except InvalidOperationTypeError as exc:
            if exc.operation_type == OperationType.SUBSCRIPTION:
                raise SUBSCRIPTION_NOT_STREAMED from exc  # not run as a one-off answer
            if by_get:
                raise MUTATION_BY_GET from exc
            raise RequestError(400, BAD_REQUEST, exc.as_http_error_reason("POST")) from exc
        except CannotGetOperationTypeError as exc:
            raise DocumentError(400, VALIDATION_FAILED, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise NO_QUERY from exc
        note_result(scope, request.operation_name, query, result)
        processed: dict[str, Any] = dict(process_result(result))
        if (
            resolved.register is not None
            and document_error(processed.get("data"), processed.get("errors")) is None
        ):
            self._persisted.register(resolved.register, query)
        status, shaped = shape(processed, media)
        body = self.encode_json(shaped)
        headers = [(b"content-type", media.encode()), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _within_deadline(self, execution: Awaitable[ExecutionResult]) -> ExecutionResult:
        """The result of ``execution``, or a ``TIMEOUT`` error when it runs past
        ``server.request_timeout_seconds``: it is cancelled then, so the worker moves on
        (``schema/time_limit.py``; PostgreSQL's statement_timeout stops the database too)."""
        deadline = self._deadlines.deadline()
        try:
            async with deadline:
                return await execution
        except TimeoutError:
            if not deadline.expired:  # not ours: a failure to report as such
                raise
        logger.warning("a request exceeded the time limit of %g s", self._request_timeout)
        return ExecutionResult(data=None, errors=[deadline_error(self._request_timeout)])

    def encode_json(self, data: object) -> bytes:
        """orjson: a page of 1000 users is a few hundred kB of JSON, ~10x faster than json."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)


NOT_YET = Actor(id=-1, name="(WebSocket before connection_init)", scope=KeyScope.AUTHENTICATE)
"""A socket's actor until ``connection_init`` authenticates it: no subscription admits it
(and the protocol refuses any before ``connection_ack`` anyway)."""

POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})
"""What a plain POST runs; a subscription streams (WebSocket, or SSE: ``_event_stream``)."""
GET_OPERATIONS = frozenset({OperationType.QUERY})
GET_KINDS = frozenset({GraphQLOperationType.QUERY})


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


def create_app(config: RosterConfig, storage: Storage | None = None) -> GraphQLFirst:
    """The app for ``config``. Pass ``storage`` to share an open database (tests); otherwise
    the app opens them at start-up and closes them at shutdown."""
    carry_request_ids()  # every log record of a request names it (app/logs.py)
    holder: dict[str, Storage] = {}
    built = build_api(config)
    live = open_broker(config.live, lambda: holder["storage"].engine)
    direct = built.direct if config.server.direct_execution else None
    graphql = RosterGraphQL(
        holder,
        built.types.wrap,
        built.customer_type.wrap,
        direct,
        config.server.request_timeout_seconds,
        GraphiQLPage(anonymous=config.auth.allow_anonymous) if config.server.graphiql else None,
        PersistedQueries(
            enabled=config.server.persisted_queries,
            max_entries=config.server.persisted_queries_cache_entries,
            trusted=(
                load_manifest(config.server.trusted_documents)
                if config.server.trusted_documents
                else None
            ),
        ),
        restricted_rules(built.customer_session_fields),
        config.server.max_tokens,
        live,
        schema=built.schema,
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=config.live.connection_init_timeout_seconds),
        max_subscriptions_per_connection=None,  # the socket handler's own, with a code
        allowed_origins=config.server.cors_origins,  # browsers on other pages (app/cors.py)
    )
    graphql.graphql_transport_ws_handler_class = socket_handler_class(
        config.live.max_subscriptions_per_connection, config.server.max_tokens
    )

    gate = GraphQLGate(
        graphql,
        keys=lambda: holder["storage"].api_keys,
        sessions=lambda: holder["storage"].customer_sessions,
        auth=config.auth,
        server=config.server,
    )

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with _storage_lifespan():
            await live.start()  # after the storage: the postgres broker uses its database
            try:
                yield
            finally:
                await live.close()

    @contextlib.asynccontextmanager
    async def _storage_lifespan() -> AsyncIterator[None]:
        if storage is not None:
            holder["storage"] = storage
            yield
            return
        # `roster serve` said the start warnings once, before (app/cli.py, _check_database);
        # each worker process would repeat them.
        holder["storage"] = await open_storage(config, warn=False)
        await holder["storage"].api_keys.follow_revocations()
        if config.server.metrics:
            _start_metrics(holder["storage"])
        _freeze_startup_objects()
        try:
            yield
        finally:
            if config.server.metrics:
                metrics.stop(config.database.pool_size)
            await holder["storage"].close()

    if storage is not None:
        holder["storage"] = storage
        if config.server.metrics:
            _start_metrics(storage)
    graphql_http = Cors(gate, config.server)
    routes: list[BaseRoute] = [
        # HTTP requests for /graphql skip the router (app/graphql_first.py); this route is
        # still the one that a path under a root path takes.
        Route(GRAPHQL_PATH, graphql_http),
        WebSocketRoute("/graphql", gate),  # subscriptions (app/live_transport.py)
        Route("/healthz", healthz),
        Route("/livez", livez),
        Route("/readyz", Readiness(lambda: holder.get("storage"), migration_heads()).endpoint),
    ]
    if config.server.metrics:
        routes.append(Route("/metrics", metrics.MetricsEndpoint(config.server.metrics_allow)))
    if config.server.graphiql:
        routes.append(Mount(STATIC_PREFIX, static_files(), name="static"))
    server = config.server
    access = {"log": server.access_log, "json": server.log_format == "json"}
    middleware = [Middleware(AccessLog, **access, metrics=server.metrics)]
    if tracing.wanted(config):  # opt-in; off, no tracing code runs at all (app/tracing.py)
        tracing.enable()
        middleware.insert(0, Middleware(tracing.TracingMiddleware))
    app = GraphQLFirst(
        graphql_http=graphql_http,
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={500: request_errors.internal_error},
    )
    app.state.direct_execution = direct  # None when switched off; tests read its counter
    return app


def _start_metrics(storage: Storage) -> None:
    ldap = [b.name for b in storage.customer_users.backends if b.kind == "ldap"]
    ldap += [b.name for b in storage.customer_auth if b.kind == "ldap" and b.name not in ldap]
    metrics.start(storage.engine, storage.config.database.pool_size, ldap)


def app_from_environment() -> Starlette:
    """The app of one worker process of ``roster serve --workers N``: its configuration comes
    from ``ROSTER_CONFIG`` and the ``ROSTER_*`` overrides that ``serve`` set for it."""
    from app.settings import load_config

    return create_app(load_config(None))


def _peer_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None
