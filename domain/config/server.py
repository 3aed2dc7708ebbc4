"""How the Roster process runs: its database, its HTTP server and workers, and who may call it
without a key, whether demo data is loaded. None of these are OTOBO settings."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from domain.config.strict_model import StrictModel

DATABASE_URL_PREFIXES = (
    "sqlite+aiosqlite://",
    "postgresql+asyncpg://",
    "mysql+asyncmy://",
    "mariadb+asyncmy://",
)


class DatabaseConfig(StrictModel):
    url: str = "sqlite+aiosqlite:///var/roster.db"
    pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    connect_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    statement_timeout_seconds: Annotated[float, Field(ge=0, le=3600)] = 25.0
    """PostgreSQL's ``statement_timeout`` for Roster's connections (0: none), a bit below
    ``server.request_timeout_seconds`` so the database stops with the request; MariaDB's
    ``max_statement_time``, MySQL's ``max_execution_time`` (reads only). SQLite has no such
    setting."""
    echo: bool = False
    agent_id: Annotated[int, Field(ge=1, le=2**31 - 1)] = 1
    """The OTOBO agent (``users.id``) every Roster write puts in ``create_by``/``change_by``
    of OTOBO's tables, which name agents (1: OTOBO's admin, ``root@localhost``). The API key
    that acted is kept in Roster's own ``roster_record_origin``."""

    @model_validator(mode="after")
    def _check_url(self) -> Self:
        if not self.url.startswith(DATABASE_URL_PREFIXES):
            raise ValueError(
                "url: must start with sqlite+aiosqlite://, postgresql+asyncpg://, "
                f"mysql+asyncmy:// or mariadb+asyncmy:// (got {self.url.split(':', 1)[0]!r})"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class ServerConfig(StrictModel):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    graphiql: bool = True
    introspection: bool = True
    max_body_bytes: Annotated[int, Field(ge=1024)] = 4 * 1024 * 1024
    max_query_depth: Annotated[int, Field(ge=2, le=100)] = 12
    max_aliases: Annotated[int, Field(ge=1, le=1000)] = 30
    max_tokens: Annotated[int, Field(ge=100)] = 5000
    max_query_cost: Annotated[int, Field(ge=1)] = 1_000_000
    """A query asking for more (fields times page sizes, ``schema/query_cost.py``) is refused with
    ``QUERY_TOO_COSTLY`` before it runs; a page of 1000 users with a few fields costs ~5000."""
    assumed_list_size: Annotated[int, Field(ge=1, le=1000)] = 10
    """The size the cost assumes for a list that has no ``first`` (a user's groups, services…)."""
    request_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """A request still executing after this long is stopped and answered with ``TIMEOUT``."""
    statement_count_header: bool = False
    """Add ``X-Roster-SQL-Statements`` to each response (benchmarks and tests read it)."""
    access_log: bool = True
    """One line per request on standard error (``app/access_log.py``); off where a reverse
    proxy logs them."""
    direct_execution: bool = True
    """A diagnostic switch: false sends every request through Strawberry's full execution,
    not only the first of each query text (``schema/direct_execution.py``). The answers are
    the same either way; off costs CPU time per request."""
    planner: bool = True
    """Answer a repeated query over customer users, their customers, grants and services
    with one SQL statement that builds the whole answer (``schema/planner.py``; PostgreSQL
    with one database backend only). The answers are the same either way; false sends them
    through the general path."""
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    """Server processes sharing the port (one per CPU core serves the most requests; each has
    its own database pool of ``database.pool_size``). PostgreSQL only: with SQLite, one
    process serializes its writes itself."""
    worker_restart_limit: Annotated[int, Field(ge=0, le=1000)] = 5
    """A worker that dies or hangs is replaced; more restarts than this within
    ``worker_restart_window_seconds`` stop the server (exit 1): a crash loop is not hidden
    (0: the first death stops it)."""
    worker_restart_window_seconds: Annotated[float, Field(gt=0, le=86400)] = 60.0
    worker_heartbeat_timeout_seconds: Annotated[float, Field(ge=0.5, le=3600)] = 30.0
    """A worker whose event loop has not run for this long (blocked, stopped) is killed and
    replaced."""
    header_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    """A connection must complete its request's headers this long after it opened (or after
    the request's first byte), or it is closed (``app/connection_timeouts.py``)."""
    keep_alive_timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    """An idle kept-alive connection is closed after this long (uvicorn's timeout_keep_alive)."""
    limit_concurrency: Annotated[int, Field(ge=1)] | None = None
    """Per server process: past this many connections or running requests, answer 503 at once
    (uvicorn's limit_concurrency). Unset: no limit."""
    log_format: Literal["text", "json"] = "text"
    """``json``: the access lines and Roster's own log lines as one JSON object per line (for a
    log collector); ``text``: uvicorn's format, readable in a terminal."""
    shutdown_timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 30
    """On SIGTERM/SIGINT the server stops accepting and lets running requests finish for at
    most this long, then closes what is left (uvicorn's timeout_graceful_shutdown)."""
    metrics: bool = True
    """Prometheus metrics at ``/metrics`` (``app/metrics.py``)."""
    metrics_allow: list[str] = ["127.0.0.1/8", "::1/128"]
    """Networks (CIDR) whose clients may read ``/metrics``; others get 403. No key: a
    Prometheus scraper on the host or an internal network is the usual reader. Behind a
    reverse proxy, the peer is the proxy: do not forward ``/metrics`` through it."""

    @model_validator(mode="after")
    def _check_metrics_allow(self) -> Self:
        for network in self.metrics_allow:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"metrics_allow: {network!r} is not a network") from None
        return self

    cors_origins: list[str] = []
    """Origins (``https://app.example.com``) whose pages may call the API from a browser
    (``app/cors.py``); ``["*"]``: any page, never with credentials. Empty: none."""
    cors_allow_credentials: bool = False
    """Send ``Access-Control-Allow-Credentials: true`` to the listed origins (cookies, HTTP
    authentication); Roster's bearer tokens do not need it. Refused with ``"*"``."""
    cors_max_age_seconds: Annotated[int, Field(ge=0, le=86400)] = 600
    """How long a browser may keep a preflight's answer."""
    persisted_queries: bool = True
    """Apollo's automatic persisted queries (``app/persisted_queries.py``)."""
    persisted_queries_cache_entries: Annotated[int, Field(ge=1, le=1_000_000)] = 1000
    """Registered query texts each server process keeps (least recently used dropped)."""
    trusted_documents: str | None = None
    """A persisted-query manifest (JSON): when set, only its operations run (by hash, or by
    a text whose sha256 it lists); relative to the config file."""

    @model_validator(mode="after")
    def _check_cors(self) -> Self:
        for origin in self.cors_origins:
            if origin == "*":
                continue
            parts = urlsplit(origin)
            if (
                parts.scheme not in ("http", "https")
                or not parts.netloc
                or parts.path
                or parts.query
                or parts.fragment
                or "@" in parts.netloc
            ):
                raise ValueError(
                    f"cors_origins: {origin!r} is not an origin "
                    "(scheme://host[:port], no path: e.g. https://app.example.com)"
                )
        if "*" in self.cors_origins and self.cors_allow_credentials:
            raise ValueError(
                'cors_allow_credentials cannot be true with cors_origins = ["*"]: list the '
                "origins that may send credentials"
            )
        return self

    tracing: bool = False
    """OpenTelemetry traces (``app/tracing.py``, the ``otel`` extra): spans for each request,
    GraphQL operation, SQL statement and LDAP call, sent by OTLP as the standard ``OTEL_*``
    variables say. Also on when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_TRACES_EXPORTER`` is
    set. Off: no tracer is ever called."""

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


class AuthConfig(StrictModel):
    allow_anonymous: bool = False
    """Demo only: requests without a key act as an admin. Refused unless bound to loopback."""


class DemoConfig(StrictModel):
    load_data: bool = False
