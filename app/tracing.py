"""OpenTelemetry traces, opt-in: a span for each HTTP request, GraphQL operation, SQL statement
and LDAP call, sent by OTLP.

On when ``[server] tracing = true``, or when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_TRACES_EXPORTER`` is set (``OTEL_TRACES_EXPORTER=none`` keeps it off). The exporter is
configured by the standard ``OTEL_*`` variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``…_HEADERS``, ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_BSP_*`` …): OTLP over
HTTP/protobuf (``otlp``, the default) or ``console``. The packages are the ``otel`` extra.

The span tree of a request::

    POST /graphql                 (server; W3C traceparent of the caller honoured)
      query Lookup                (graphql.operation.type / .name)
        SELECT                    (client; db.system.name, db.query.text with placeholders)
        LDAP lookup               (client; ldap.backend, server.address)

Where the spans come from, on every execution path: the request span from
:class:`TracingMiddleware` (outermost, so it covers the access log and the auth gate); the
operation span from ``schema.flat_lists.FlatListExecutionContext``, the executor both
Strawberry's path and ``schema.direct_execution`` run on; SQL statements from SQLAlchemy's
engine events (every engine, listened to here) and from the prepared reads that run beside
SQLAlchemy (``datasources.db.prepared``); LDAP calls from ``datasources.ldap.pool``. The layers
below ``app/`` open spans through one slot, ``datasources.spans.opener``, which :func:`enable`
fills.

Off, nothing of this runs: no middleware, no engine listener, and each hook reads the empty
slot and goes on (``bench/README.md`` has the cost of both). Values bound to SQL statements and
LDAP filters (logins, search terms) are never put in a span; statement texts are, with their
placeholders.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datasources import spans
from datasources.db.engine import statement_span
from domain.config import RosterConfig

SPAN_KEY = "_roster_span"
"""Where a SQL statement's span waits on SQLAlchemy's execution context for its end."""


class TracingUnavailable(RuntimeError):
    """Traces were asked for, but the ``otel`` extra is not installed (or not usable)."""


def wanted(config: RosterConfig, environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process sends traces: the config says so, or the OTEL_* variables do."""
    env = os.environ if environ is None else environ
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return config.server.tracing or bool(exporter) or bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def tracing_problem(config: RosterConfig) -> str | None:
    """Why traces cannot start as asked (the ``otel`` extra missing, an exporter Roster does
    not know), as the one line ``roster serve`` stops with; None when they can (or are off)."""
    if not wanted(config):
        return None
    try:
        _default_provider(check_only=True)
    except TracingUnavailable as exc:
        return str(exc)
    return None


@dataclass
class _State:
    tracer: Any
    provider: Any


_state: _State | None = None


def enable(provider: Any | None = None) -> Any:
    """Turn traces on in this process (idempotent) and return the tracer. ``provider``: a
    ``TracerProvider`` to use (tests pass one with an in-memory exporter); by default one
    exporting as the ``OTEL_*`` variables say. A provider given later replaces the first."""
    global _state
    if _state is not None and (provider is None or provider is _state.provider):
        return _state.tracer
    try:
        from opentelemetry import trace
    except ImportError as exc:
        raise TracingUnavailable(
            "traces need the otel extra: pip install 'roster[otel]' (or set "
            "server.tracing = false and unset OTEL_EXPORTER_OTLP_ENDPOINT)"
        ) from exc
    if provider is None:
        provider = _default_provider()
    disable()
    tracer = provider.get_tracer("roster", _version())
    _state = _State(tracer=tracer, provider=provider)
    spans.opener = _opener(tracer, trace.SpanKind.CLIENT, trace.SpanKind.INTERNAL)
    event.listen(Engine, "before_cursor_execute", _statement_started)
    event.listen(Engine, "after_cursor_execute", _statement_ended)
    event.listen(Engine, "handle_error", _statement_failed)
    return tracer


def disable() -> None:
    """Turn traces off again (tests); spans already ended stay with their provider."""
    global _state
    if _state is None:
        return
    spans.opener = None
    event.remove(Engine, "before_cursor_execute", _statement_started)
    event.remove(Engine, "after_cursor_execute", _statement_ended)
    event.remove(Engine, "handle_error", _statement_failed)
    _state = None


def current_tracer() -> Any | None:
    return None if _state is None else _state.tracer


def _default_provider(*, check_only: bool = False) -> Any:
    """A provider exporting in batches as the OTEL_* variables say; the resource (service
    name ``roster`` unless ``OTEL_SERVICE_NAME`` says otherwise) likewise. ``check_only``:
    only whether one can be made (:class:`TracingUnavailable` when not)."""
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    except ImportError as exc:
        raise TracingUnavailable("traces need the otel extra: pip install 'roster[otel]'") from exc
    exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    exporter: Any
    if exporter_name == "console":
        exporter = None if check_only else ConsoleSpanExporter()
    elif exporter_name == "otlp":
        protocol = os.environ.get(
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        )
        if protocol != "http/protobuf":
            raise TracingUnavailable(
                f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: Roster sends OTLP over "
                "http/protobuf only"
            )
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise TracingUnavailable(
                "traces need the otel extra: pip install 'roster[otel]'"
            ) from exc
        exporter = None if check_only else OTLPSpanExporter()
    else:
        raise TracingUnavailable(
            f"OTEL_TRACES_EXPORTER={exporter_name!r}: Roster knows otlp, console and none"
        )
    if check_only:
        return None
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or "roster"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("roster")
    except PackageNotFoundError:
        return "0"


def _opener(tracer: Any, client_kind: Any, internal_kind: Any) -> spans.SpanOpener:
    def open_span(
        name: str, attributes: Mapping[str, Any], /, *, client: bool = False
    ) -> contextlib.AbstractContextManager[Any]:
        return tracer.start_as_current_span(  # type: ignore[no-any-return]
            name, kind=client_kind if client else internal_kind, attributes=dict(attributes)
        )

    return open_span


# ---- SQLAlchemy's statements -----------------------------------------------------------------


def _statement_started(
    conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    if _state is None or context is None:
        return
    from opentelemetry import trace

    name, attributes = statement_span(conn.engine, statement)
    span = _state.tracer.start_span(name, kind=trace.SpanKind.CLIENT, attributes=attributes)
    setattr(context, SPAN_KEY, span)


def _statement_ended(
    _conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    span = getattr(context, SPAN_KEY, None)
    if span is not None:
        setattr(context, SPAN_KEY, None)
        span.end()


def _statement_failed(exception_context: Any) -> None:
    context = exception_context.execution_context
    span = getattr(context, SPAN_KEY, None)
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    setattr(context, SPAN_KEY, None)
    error = exception_context.original_exception
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()


# ---- the HTTP request ------------------------------------------------------------------------


class TracingMiddleware:
    """A server span around each HTTP request (continuing the caller's trace when it sends
    a W3C ``traceparent``), with the method, path and response status; added to the app only
    when traces are on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = current_tracer()
        if scope["type"] != "http" or tracer is None:
            await self.app(scope, receive, send)
            return
        from opentelemetry import propagate, trace
        from opentelemetry.trace import Status, StatusCode

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        path = scope["path"]
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "url.path": path,
            "url.scheme": scope.get("scheme", "http"),
        }
        client = scope.get("client")
        if client:
            attributes["client.address"] = client[0]
        status: dict[str, int] = {}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        with tracer.start_as_current_span(
            f"{method} {path}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.SERVER,
            attributes=attributes,
        ) as span:
            await self.app(scope, receive, send_and_note)
            code = status.get("code")
            if code is not None:
                span.set_attribute("http.response.status_code", code)
                if code >= 500:
                    span.set_status(Status(StatusCode.ERROR))


@contextlib.contextmanager
def recording(provider: Any) -> Iterator[Any]:
    """Traces on with ``provider`` for the block, off after it (tests)."""
    tracer = enable(provider)
    try:
        yield tracer
    finally:
        disable()
