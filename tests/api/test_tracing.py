"""OpenTelemetry traces (``app/tracing.py``): the span tree of a request, on every execution
path, and nothing at all when traces are off.

A query's first request runs on Strawberry's path, its repeats on the direct path
(``schema/direct_execution.py``); both give ``POST /graphql`` → ``query <name>`` → one span per
SQL statement (SQLAlchemy's, or the prepared reads' on PostgreSQL and MariaDB). Runs on every
database kind, with the SDK's in-memory exporter.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette

from app import tracing
from app.server import create_app
from datasources import spans
from domain.config import RosterConfig
from schema import planner
from tests.conftest import Api
from tests.factories import new_customer, new_user
from tests.tracing_helpers import exporter, named, tree

__all__ = ["exporter"]  # the fixture

LOOKUP = "query Lookup($l: String!) { customerUser(login: $l) { login customerIds } }"
GROUP_NEW = (
    "mutation GroupNew($i: GroupCreateInput!) "
    "{ groupCreate(input: $i) { group { name } userErrors { code } } }"
)
DB_SYSTEMS = {"sqlite", "postgresql", "mysql", "mariadb"}


def traced(config: RosterConfig, on: bool = True) -> RosterConfig:
    server = config.server.model_copy(update={"tracing": on})
    return config.model_copy(update={"server": server})


@contextlib.asynccontextmanager
async def client_of(api: Api, *, on: bool = True) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """A client of a new app on ``api``'s storage, traces on (or off); and the app."""
    app = create_app(traced(api.storage.config, on), storage=api.storage)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://roster.test") as client:
        yield client, app


async def post(client: httpx.AsyncClient, api: Api, query: str, variables: Any) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {api.admin_key}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def check_statements(finished: Any, operation: Any, secret: str) -> None:
    """Every SQL span is a client span under the operation (or, for the API key's check
    before GraphQL runs, under the request), names its database and shows the statement with
    placeholders only (``secret``, a bound value, appears nowhere)."""
    statements = [s for s in finished if "db.system.name" in (s.attributes or {})]
    assert statements
    (request,) = [s for s in finished if s.name.startswith("POST")]
    for span in statements:
        attributes = span.attributes or {}
        assert span.kind is SpanKind.CLIENT
        assert span.parent is not None
        if span.parent.span_id == request.context.span_id:
            assert "roster_api_key" in str(attributes["db.query.text"]), tree(finished)
        else:
            assert span.parent.span_id == operation.context.span_id, tree(finished)
        assert attributes["db.system.name"] in DB_SYSTEMS
        assert span.name == attributes["db.operation.name"]
        assert secret not in json.dumps(dict(attributes))


async def test_a_query_on_both_paths(api: Api, exporter: InMemorySpanExporter) -> None:
    login = await new_user(api, await new_customer(api))
    async with client_of(api) as (client, app):
        direct = app.state.direct_execution
        for path in ("strawberry", "direct"):
            before = direct.answered
            exporter.clear()
            # A text this process has not run yet: the first request takes Strawberry's path.
            data = await post(client, api, f"{LOOKUP} # {login}", {"l": login})
            assert data["customerUser"]["login"] == login
            assert direct.answered == before + (path == "direct")
            finished = exporter.get_finished_spans()
            # The user's row, then its customer IDs: one statement each (a prepared read
            # beside SQLAlchemy on PostgreSQL and MariaDB, SQLAlchemy's on SQLite); a repeated
            # text on PostgreSQL: one statement for both (schema.planner).
            selects = "SELECT" if path == "direct" and api.kind == "postgresql" else "SELECT (x2)"
            assert tree(finished) == [("POST /graphql", [("query Lookup", [selects])])]
            (http,) = named(finished, "POST")
            assert http.kind is SpanKind.SERVER
            assert (http.attributes or {})["http.response.status_code"] == 200
            (operation,) = named(finished, "query Lookup")
            assert operation.parent is not None
            assert operation.parent.span_id == http.context.span_id
            assert dict(operation.attributes or {}) == {
                "graphql.operation.type": "query",
                "graphql.operation.name": "Lookup",
            }
            check_statements(finished, operation, login)


async def test_a_planned_lookup(api: Api, exporter: InMemorySpanExporter) -> None:
    """One user's own fields: on PostgreSQL and MariaDB a repeated text is answered by one
    planned statement (``schema.planner``), traced under its operation as the general path's
    read is (SQLite's general path reads the one row as well)."""
    login = await new_user(api, await new_customer(api))
    query = f"query Flat($l: String!) {{ customerUser(login: $l) {{ login email }} }} # {login}"
    async with client_of(api) as (client, _app):
        for _ in range(2):  # Strawberry's path, then the direct one
            exporter.clear()
            before = planner.Tally.answered
            data = await post(client, api, query, {"l": login})
            assert data["customerUser"]["login"] == login
            finished = exporter.get_finished_spans()
            assert tree(finished) == [("POST /graphql", [("query Flat", ["SELECT"])])]
            check_statements(finished, named(finished, "query Flat")[0], login)
    assert planner.Tally.answered - before == (0 if api.kind == "sqlite" else 1)


async def test_a_mutation(api: Api, exporter: InMemorySpanExporter) -> None:
    name = f"traced-{id(exporter)}"
    async with client_of(api) as (client, _app):
        data = await post(client, api, GROUP_NEW, {"i": {"name": name}})
    assert data["groupCreate"] == {"group": {"name": name}, "userErrors": []}
    finished = exporter.get_finished_spans()
    (operation,) = named(finished, "mutation GroupNew")
    assert (operation.attributes or {})["graphql.operation.type"] == "mutation"
    below = operation.context.span_id
    statements = [s.name for s in finished if s.parent and s.parent.span_id == below]
    assert "INSERT" in statements, tree(finished)
    check_statements(finished, operation, name)


async def test_an_anonymous_operation_is_named_by_its_type(
    api: Api, exporter: InMemorySpanExporter
) -> None:
    async with client_of(api) as (client, _app):
        await post(client, api, "{ groups(first: 1) { totalCount } }", None)
    assert [s.name for s in exporter.get_finished_spans() if s.name.startswith("query")] == [
        "query"
    ]


async def test_the_callers_trace_is_continued(api: Api, exporter: InMemorySpanExporter) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with client_of(api) as (client, _app):
        response = await client.post(
            "/graphql",
            json={"query": "{ groups(first: 1) { totalCount } }"},
            headers={
                "Authorization": f"Bearer {api.admin_key}",
                "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
            },
        )
    assert response.status_code == 200
    (http,) = named(exporter.get_finished_spans(), "POST")
    assert f"{http.context.trace_id:032x}" == trace_id
    assert http.parent is not None
    assert f"{http.parent.span_id:016x}" == "00f067aa0ba902b7"


async def test_a_failed_statement_is_an_error_span(
    api: Api, exporter: InMemorySpanExporter
) -> None:
    import sqlalchemy as sa

    with pytest.raises(sa.exc.DBAPIError):
        async with api.storage.engine.connect() as conn:
            await conn.execute(sa.text("SELECT * FROM no_such_table_here"))
    (failed,) = named(exporter.get_finished_spans(), "SELECT")
    assert failed.status.status_code is StatusCode.ERROR
    assert "no_such_table_here" in str((failed.attributes or {})["db.query.text"])


async def test_off_no_middleware_no_listener_no_span(api: Api) -> None:
    """Traces off (the default): the app has no tracing middleware, the hooks' slot is empty,
    and a request on either path reaches no tracer."""
    assert tracing.current_tracer() is None
    assert spans.opener is None
    login = await new_user(api, await new_customer(api))
    async with client_of(api, on=False) as (client, app):
        assert isinstance(app, Starlette)
        names = [getattr(m.cls, "__name__", "") for m in app.user_middleware]
        assert tracing.TracingMiddleware.__name__ not in names
        for _ in range(2):
            await post(client, api, LOOKUP, {"l": login})
    assert tracing.current_tracer() is None


@pytest.mark.parametrize(
    ("config", "environ", "on"),
    [
        (False, {}, False),
        (True, {}, True),
        (False, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        (False, {"OTEL_TRACES_EXPORTER": "otlp"}, True),
        (False, {"OTEL_TRACES_EXPORTER": "console"}, True),
        (True, {"OTEL_TRACES_EXPORTER": "none"}, False),
        (False, {"OTEL_SERVICE_NAME": "roster"}, False),
    ],
)
def test_when_traces_are_on(config: bool, environ: dict[str, str], on: bool) -> None:
    settings = traced(RosterConfig(), config)
    assert tracing.wanted(settings, environ) is on


async def test_a_prepared_read_is_one_statement_span(
    api: Api, exporter: InMemorySpanExporter
) -> None:
    """On PostgreSQL and MariaDB a prepared read runs on the driver, beside SQLAlchemy (and its
    events): its hook gives it the span; on SQLite SQLAlchemy's events do. One span either way."""
    import sqlalchemy as sa

    from datasources.db.engine import read_only_view
    from datasources.db.prepared import PreparedRead

    bound = sa.cast(sa.bindparam("v", type_=sa.Integer), sa.Integer)
    read = PreparedRead(read_only_view(api.storage.engine), sa.select(bound))
    for value in (4711, 4712):  # the second on a connection the first left idle
        exporter.clear()
        rows = await read.fetch_positional({"v": value})
        assert rows[0][0] == value
        (statement,) = exporter.get_finished_spans()
        assert statement.name == "SELECT"
        assert statement.kind is SpanKind.CLIENT
        assert str(value) not in str((statement.attributes or {})["db.query.text"])
    assert (read._driver_read is not None) is (api.kind != "sqlite")  # the driver path ran


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({}, None),
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER='zipkin'"),
        ({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http/protobuf only"),
    ],
)
def test_serve_stops_with_one_line_on_an_exporter_it_cannot_make(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], problem: str | None
) -> None:
    from app.cli import check_startup

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    found = check_startup(traced(RosterConfig()))
    assert found is None if problem is None else problem in (found or "")
