"""Canaries: one small test per private API of a dependency that Roster leans on.

Each fails, after an upgrade that changes it, with a message naming the Roster module that
depends on it and what to check there. Strawberry and graphql-core are pinned to one minor
release (``pyproject.toml``); widen a range only once these pass.

Every private API, and where its canary lives:

- Strawberry ``Schema._schema`` (the graphql-core schema): ``schema.direct_execution``,
  ``schema.document_cache``, ``schema.fast_fields``, ``schema.retries`` — here.
- Strawberry ``Schema.execution_context_class`` and ``StrawberryGraphQLCoreExecutionContext``:
  ``schema.direct_execution``, ``schema.flat_lists`` — here.
- Strawberry ``Schema.process_errors(errors, execution_context)``, overridden by
  ``schema.masking.RosterSchema`` — here.
- Strawberry ``Schema._create_execution_context`` and ``ExecutionContext._provided_operation_name``
  (``schema.masking``): tests/api/test_operation_names.py (behaviour), and here (the names).
- Strawberry ``ExecutionContext`` fields the DocumentCache extension sets (``parse_options``,
  ``validation_rules``, ``pre_execution_errors``, ``extensions_results``) — here.
- ``strawberry.schema.schema.validate_document`` (``schema.document_cache``), and
  ``strawberry.execution.optimized_is_awaitable`` / ``strawberry.utils.await_maybe``
  (``schema.direct_execution``) — here.
- Strawberry ``GraphQLCoreConverter.DEFINITION_BACKREF`` (``schema.fast_fields``):
  tests/test_fast_fields.py.
- Strawberry's view ``execute_single`` and ``run`` (``app.server.RosterGraphQL``) — here.
- Strawberry ``strawberry.schema.types.base_scalars.DateTimeDefinition`` and
  ``DateDefinition`` (``schema.common`` copies them with ``@specifiedBy``) — here.
- graphql-core ``execute``'s ``executor_class``, ``is_awaitable`` and ``operation_extensions``
  (``schema.direct_execution``), and ``Executor.complete_iterable_value``, ``collect_subfields``,
  ``get_stream_usage``, ``execute_operation`` and
  ``graphql.execution.collect_fields.FieldDetailsList`` (``schema.flat_lists``) — here.
- SQLAlchemy ``Pool._invalidate``, synchronous ``pool.connect()`` and the ``do_connect`` event
  (``datasources.db.prepared``): tests/datasources/test_connection_faults.py; its
  ``_ConnectionFairy._close_special``, ``SQLCompiler._bind_processors`` and ``_result_columns``,
  ``TypeEngine._cached_result_processor`` (``datasources.db.prepared_drivers``):
  tests/datasources/test_mariadb_prepared_reads.py.
- bonsai ``AIOLDAPConnection._poll`` and ``_loop`` (``datasources.ldap.pool``) — here.
- Strawberry's graphql-transport-ws handler (``handle_message``, ``handle_connection_init``,
  ``handle_subscribe``, ``connection_init_received``, ``connection_acknowledged``,
  ``operations``), its ASGI adapter's ``ws`` and ``send_json`` and the view's
  ``graphql_transport_ws_handler_class`` and ``websocket_adapter_class``
  (``app.live_transport``); graphql-core's per-event
  executor and ``VariableValues.coerced`` (``schema.shared_events``) — here.
- uvicorn ``Server.startup(sockets=...)``, ``server_state``, ``lifespan.state``,
  ``Config.http_protocol_class`` (``app.workers``), and the HTTP protocols' ``cycle``,
  ``loop``, ``transport``, ``on_response_complete`` (``app.connection_timeouts``) — here.
- prometheus_client's histogram child ``_sum`` and ``_buckets`` (``app.metrics.RequestTally``):
  here, and tests/api/test_metrics.py (what it publishes equals what ``observe`` writes).
- Starlette ``Starlette.router`` read by ``build_middleware_stack`` as the innermost app
  (``app.graphql_first``) — here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from typing import Any

import pytest
import strawberry
from graphql import GraphQLSchema, execute, parse, specified_rules
from graphql.execution.executor import Executor
from strawberry.types import ExecutionContext

from schema.flat_lists import FlatListExecutionContext
from schema.masking import RosterSchema


@strawberry.type
class _Query:
    answer: int = 42


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_strawberry_schema_keeps_its_graphql_core_schema_and_execution_context_class() -> None:
    schema = RosterSchema(query=_Query, execution_context_class=FlatListExecutionContext)
    assert isinstance(getattr(schema, "_schema", None), GraphQLSchema), (
        "Strawberry's Schema._schema is no longer the graphql-core schema: schema.direct_execution,"
        " schema.document_cache, schema.fast_fields and schema.retries read it"
    )
    assert getattr(schema, "execution_context_class", None) is FlatListExecutionContext, (
        "Strawberry's Schema.execution_context_class moved: schema.direct_execution passes it "
        "to graphql-core's execute, so repeated queries would lose the flat lists"
    )
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    assert issubclass(StrawberryGraphQLCoreExecutionContext, Executor), (
        "schema.flat_lists.FlatListExecutionContext extends Strawberry's execution context"
    )


def test_strawberry_calls_process_errors_with_the_errors_and_execution_context() -> None:
    assert _parameters(strawberry.Schema.process_errors) == [
        "self",
        "errors",
        "execution_context",
    ], (
        "Strawberry's Schema.process_errors changed its signature: schema.masking.RosterSchema "
        "overrides it to log client mistakes at INFO (not with a traceback at ERROR)"
    )
    errors: list[Any] = []

    class Recording(RosterSchema):
        def process_errors(
            self, errors_: list[Any], execution_context: ExecutionContext | None = None
        ) -> None:
            errors.extend(errors_)

    result = Recording(query=_Query).execute_sync("{ nope }")
    reported = bool(result.errors) and errors == result.errors
    assert reported, (
        "Strawberry no longer reports a result's errors through Schema.process_errors: "
        "schema.masking.RosterSchema's error log would stay silent"
    )


def test_strawberry_execution_context_hooks_roster_overrides() -> None:
    assert hasattr(strawberry.Schema, "_create_execution_context"), (
        "Strawberry's Schema._create_execution_context is gone: schema.masking.RosterSchema "
        "overrides it to refuse an unnamed operation in a document of several "
        "(tests/api/test_operation_names.py checks the behaviour)"
    )
    context = ExecutionContext(
        query="{ answer }", schema=strawberry.Schema(query=_Query), allowed_operations=()
    )
    assert context._provided_operation_name is None, (
        "Strawberry's ExecutionContext no longer keeps the request's operationName in "
        "_provided_operation_name: schema.masking._NamedOperationContext reads it"
    )
    fields = {field.name for field in dataclasses.fields(ExecutionContext)}
    needed = {
        "parse_options",  # schema.document_cache: the token limit
        "validation_rules",
        "pre_execution_errors",  # set even when empty: Strawberry then skips validating
        "extensions_results",  # the query's cost
        "graphql_document",
    }
    assert needed <= fields, (
        f"Strawberry's ExecutionContext lost {sorted(needed - fields)}: schema.masking and "
        "schema.document_cache set or read them"
    )


def test_strawberry_helpers_imported_from_private_modules() -> None:
    try:
        from strawberry.execution import optimized_is_awaitable
        from strawberry.schema.schema import validate_document
        from strawberry.utils.await_maybe import await_maybe
    except ImportError as exc:
        pytest.fail(
            f"{exc}: schema.document_cache imports validate_document and "
            "schema.direct_execution imports optimized_is_awaitable and await_maybe from there"
        )
    schema = strawberry.Schema(query=_Query)
    errors = validate_document(schema._schema, parse("{ answer nope }"), specified_rules)
    assert [e.message for e in errors] == ["Cannot query field 'nope' on type 'Query'."], (
        "strawberry.schema.schema.validate_document(schema, document, rules) changed: "
        "schema.document_cache validates (and caches the verdicts) with it"
    )
    assert callable(optimized_is_awaitable)
    assert callable(await_maybe)


def test_strawberry_date_and_date_time_scalar_definitions() -> None:
    from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
    from strawberry.types.scalar import ScalarDefinition

    for definition, name in ((DateTimeDefinition, "DateTime"), (DateDefinition, "Date")):
        assert isinstance(definition, ScalarDefinition), (
            f"Strawberry's {name}Definition changed: schema.common copies it (the same "
            "parsing and serialization) with a description and @specifiedBy"
        )
        assert dataclasses.is_dataclass(definition)
        assert definition.name == name


def test_strawberry_view_methods_the_server_overrides() -> None:
    from strawberry.asgi import GraphQL

    for name in ("execute_single", "run", "parse_json", "encode_json", "decode_json"):
        assert callable(getattr(GraphQL, name, None)), (
            f"Strawberry's GraphQL view has no {name} any more: app.server.RosterGraphQL "
            "overrides or calls it (execute_single: the request deadline on the view's path)"
        )


def test_graphql_core_execute_takes_what_the_direct_path_passes() -> None:
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    parameters = inspect.signature(execute).parameters
    wanted = {"executor_class", "is_awaitable", "context_value", "operation_name"}
    missing = wanted - set(parameters)
    takes_kwargs = inspect.Parameter.VAR_KEYWORD in {p.kind for p in parameters.values()}
    assert not missing, (
        f"graphql-core's execute() no longer takes {sorted(missing)}: "
        "schema.direct_execution.DirectExecution.execute passes them as Strawberry does"
    )
    assert takes_kwargs, (
        "graphql-core's execute() no longer takes **kwargs for the executor: "
        "schema.direct_execution passes operation_extensions through them"
    )
    # ``operation_extensions`` goes through execute's **kwargs to Strawberry's executor.
    source = inspect.getsource(StrawberryGraphQLCoreExecutionContext.__init__)
    assert 'kwargs.pop("operation_extensions"' in source, (
        "Strawberry's executor no longer takes operation_extensions as a keyword: "
        "schema.direct_execution passes it to graphql-core's execute"
    )


def test_graphql_core_executor_methods_flat_lists_override() -> None:
    from graphql.execution.collect_fields import FieldDetailsList

    assert FieldDetailsList is not None
    expected = {
        "complete_iterable_value": [
            "self",
            "item_type",
            "field_details_list",
            "info",
            "path",
            "items",
            "position_context",
        ],
        "collect_subfields": ["self", "return_type", "field_details_list"],
        "get_stream_usage": ["self", "field_details_list", "path"],
        # The operation's trace span (app.tracing) wraps it; it reads operation, is_awaitable.
        "execute_operation": ["self", "serially"],
    }
    for name, parameters in expected.items():
        method = getattr(Executor, name, None)
        same = method is not None and _parameters(method) == parameters
        assert same, (
            f"graphql-core's Executor.{name} changed: schema.flat_lists."
            "FlatListExecutionContext overrides or calls it; check its list completion"
        )


def test_bonsai_polls_through_the_method_the_ldap_pool_overrides() -> None:
    pytest.importorskip("bonsai")
    from bonsai.asyncio import AIOLDAPConnection

    from datasources.ldap.pool import _Connection

    poll = getattr(AIOLDAPConnection, "_poll", None)
    coroutine = poll is not None and inspect.iscoroutinefunction(poll)
    assert coroutine, (
        "bonsai's AIOLDAPConnection._poll is gone: datasources.ldap.pool._Connection overrides "
        "it to unregister a cancelled connection's socket, to find the open's message id and "
        "to wait without bonsai's wall-clock timeout"
    )
    assert _parameters(poll) == ["self", "msg_id", "timeout"]

    async def waiting() -> None:
        import bonsai

        connection = _Connection(bonsai.LDAPClient("ldap://127.0.0.1:1"))  # type: ignore[no-untyped-call]
        assert connection._loop is asyncio.get_running_loop(), (
            "bonsai's AIOLDAPConnection no longer keeps its loop in _loop: "
            "datasources.ldap.pool._Connection.unregister removes the socket from it"
        )
        wait = connection._evaluate(7, 0.1)  # type: ignore[no-untyped-call]
        try:
            assert wait.cr_code is _Connection._poll.__code__, (
                "bonsai no longer waits for an answer through _poll: datasources.ldap.pool's "
                "override would never run"
            )
        finally:
            wait.close()

    asyncio.run(waiting())


def test_uvicorn_internals_the_workers_and_header_timeouts_use() -> None:
    import uvicorn
    from uvicorn.protocols.http.auto import AutoHTTPProtocol
    from uvicorn.protocols.http.h11_impl import H11Protocol

    protocols = [AutoHTTPProtocol, H11Protocol]
    assert "sockets" in _parameters(uvicorn.Server.startup), (
        "uvicorn's Server.startup(sockets=...) changed: app.workers.worker_server."
        "HandedConnectionsServer starts with sockets=[] to serve only connections its parent "
        "hands over"
    )

    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    async def started() -> None:
        config = uvicorn.Config(app, lifespan="off", log_config=None)
        server = uvicorn.Server(config)
        config.load()  # as Server.run does before startup (app.workers runs it)
        server.lifespan = config.lifespan_class(config)
        await server.startup(sockets=[])
        try:
            assert server.servers == [], "uvicorn listened although it was given no socket"
            assert server.started
            assert hasattr(server, "should_exit")
            for protocol_class in (config.http_protocol_class, *protocols):
                protocol = protocol_class(
                    config=config, server_state=server.server_state, app_state=server.lifespan.state
                )
                same = protocol.cycle is None and protocol.loop is asyncio.get_running_loop()
                assert same, (
                    f"uvicorn's {protocol_class.__name__} changed: app.workers builds it for a "
                    "handed-over connection and app.connection_timeouts reads cycle and loop"
                )
                assert callable(protocol.on_response_complete), (
                    "app.connection_timeouts hooks uvicorn's on_response_complete"
                )
        finally:
            await server.shutdown(sockets=[])

    asyncio.run(started())


def test_strawberry_websocket_handler_internals_the_live_transport_uses() -> None:
    from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
    from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
        BaseGraphQLTransportWSHandler,
    )

    for name in ("handle_message", "handle_connection_init", "handle_subscribe", "send_message"):
        assert callable(getattr(BaseGraphQLTransportWSHandler, name, None)), (
            f"Strawberry's graphql-transport-ws handler has no {name} any more: "
            "app.live_transport.SocketHandler overrides or calls it"
        )
    handler_init = _parameters(BaseGraphQLTransportWSHandler.__init__)
    assert "max_subscriptions_per_connection" in handler_init
    source = inspect.getsource(BaseGraphQLTransportWSHandler)
    for attribute in ("connection_init_received", "connection_acknowledged", "self.operations"):
        assert attribute in source, (
            f"Strawberry's handler no longer keeps {attribute}: app.live_transport reads it"
        )
    assert "self.ws = " in inspect.getsource(ASGIWebSocketAdapter.__init__), (
        "Strawberry's ASGI WebSocket adapter no longer keeps the Starlette WebSocket as ws: "
        "app.live_transport reads its scope"
    )
    assert hasattr(GraphQL, "graphql_transport_ws_handler_class"), (
        "app.server sets the view's graphql_transport_ws_handler_class"
    )
    assert GraphQL.websocket_adapter_class is ASGIWebSocketAdapter, (
        "app.server sets the view's websocket_adapter_class to app.live_transport.TextFrames, "
        "a subclass of Strawberry's ASGIWebSocketAdapter"
    )
    assert "self.view.encode_json" in inspect.getsource(ASGIWebSocketAdapter.send_json), (
        "Strawberry's adapter sends messages otherwise: check that "
        "app.live_transport.TextFrames.send_json still replaces it"
    )


def test_graphql_core_subscription_events_run_through_execute_operation() -> None:
    """``schema.shared_events`` shares an event's result from
    ``FlatListExecutionContext.execute_operation``: graphql-core must run each event there,
    with the event as ``root_value`` and the coerced variables in ``variable_values``."""
    source = inspect.getsource(Executor.build_per_event_executor)
    assert "root_value = payload" in source, "graphql-core's per-event executor changed"
    from graphql.execution.values import VariableValues

    assert "coerced" in VariableValues._fields


def test_prometheus_histogram_children_keep_their_sum_and_bucket_values() -> None:
    from prometheus_client import CollectorRegistry, Histogram

    child = Histogram("canary", "c", ["a"], buckets=(0.1, 1.0), registry=CollectorRegistry())
    child = child.labels("x")
    child.observe(0.5)
    changed = (
        "prometheus_client's Histogram changed: app.metrics.RequestTally publishes batched "
        "counts through a child's _sum and its per-bucket (not cumulative) _buckets values "
        "(+Inf last), incrementing one bucket per observation as observe does"
    )
    assert child._sum.get() == 0.5, changed
    assert [b.get() for b in child._buckets] == [0.0, 1.0, 0.0], changed


def test_starlette_builds_its_middleware_stack_around_its_router() -> None:
    from starlette.applications import Starlette

    innermost = object()
    app = Starlette()
    app.router = innermost  # type: ignore[assignment]
    stack: Any = app.build_middleware_stack()
    while hasattr(stack, "app"):
        stack = stack.app
    assert stack is innermost, (
        "Starlette's build_middleware_stack no longer wraps self.router: "
        "app.graphql_first.GraphQLFirst builds /graphql's stack by putting its app there"
    )
