"""Prometheus metrics at ``/metrics`` (``server.metrics``), correct across worker processes.

The families (all prefixed ``roster_``):
- ``requests_total{operation,outcome}`` and ``request_duration_seconds{operation}`` (a
  histogram): every HTTP request to ``/graphql``, named by its GraphQL operation;
- ``db_pool_connections{state}``: the database pool's ``size`` and ``in_use`` connections,
  summed over the live processes (``in_use`` sampled: each second while requests run, and
  by the process answering a scrape);
- ``ldap_call_duration_seconds{backend,outcome}`` (histogram) and
  ``ldap_breaker_state{backend}`` (0 closed, 1 half-open, 2 open; the worst process's), for
  the LDAP customer-user and sign-in (``[[customer_auth.backends]]``) backends, by name;
- ``sign_ins_total{outcome}``: ``customerUserAuthenticate`` by outcome (``success`` or the
  problem's code: ``INVALID_CREDENTIALS``, ``LOCKED``, ``OTP_REQUIRED``, …).

Several processes: ``roster serve --workers N`` makes a directory for this run and hands it to
every worker as ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode: each
process writes its values to memory-mapped files there; whichever worker answers a scrape
sums them). The parent removes a dead worker's gauges and the directory at exit. Request
counts reach those files in batches (:class:`RequestTally`): another worker's requests of the
last second may not be in a scrape yet.

Bounded label values: the operation label is the request's operation name when it is a
GraphQL name of at most 64 characters, and only the first ``MAX_OPERATIONS`` distinct names a
process sees; later ones count as ``other``, anonymous ones as ``anonymous``. Outcomes come
from a fixed set, backends from the configuration.

Who may read it: clients from ``server.metrics_allow`` (loopback by default), others get 403.
An allow-list rather than a key, because scrapers run on the host or an internal network
and a key in a scrape config is one more secret to rotate; ``/metrics`` names operations
and backends, not data.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import ipaddress
import os
import re
import weakref
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool, QueuePool
from starlette.types import Receive, Scope, Send

from app.request_errors import send_request_error
from domain import observation

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATIONS = 100
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BREAKER_VALUES = {"closed": 0.0, "half-open": 1.0, "open": 2.0}

REQUESTS = Counter(
    "roster_requests", "GraphQL HTTP requests by operation and outcome", ["operation", "outcome"]
)
REQUEST_SECONDS = Histogram(
    "roster_request_duration_seconds",
    "Time from a request's start to its response's end",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
DB_POOL = Gauge(
    "roster_db_pool_connections",
    "The database pool: its size and the connections in use",
    ["state"],
    multiprocess_mode="livesum",
)
LDAP_SECONDS = Histogram(
    "roster_ldap_call_duration_seconds",
    "LDAP calls per backend (a lookup, a page, a health check)",
    ["backend", "outcome"],
    buckets=LATENCY_BUCKETS,
)
LDAP_BREAKER = Gauge(
    "roster_ldap_breaker_state",
    "Circuit breaker per LDAP backend: 0 closed, 1 half-open, 2 open",
    ["backend"],
    multiprocess_mode="livemax",
)
SIGN_INS = Counter("roster_sign_ins", "customerUserAuthenticate by outcome", ["outcome"])


class OperationNames:
    """The operation label of a request (see the module's docstring on its bounds)."""

    def __init__(self, limit: int = MAX_OPERATIONS) -> None:
        self._known: set[str] = set()
        self._limit = limit

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._known:
            return name
        if len(self._known) >= self._limit or not _NAME.fullmatch(name):
            return "other"
        self._known.add(name)
        return name


_OPERATIONS = OperationNames()
_IN_USE = DB_POOL.labels("in_use")
FLUSH_SECONDS = 1.0
"""How late a process's request counts may reach ``/metrics`` (see :class:`RequestTally`)."""


class _Pending:
    """One (operation, outcome)'s requests not yet published: a count, their summed seconds
    and how many fell into each latency bucket (``+Inf`` last, as the histogram keeps them)."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)


class RequestTally:
    """The request counter and latency histogram of this process, counted in plain Python and
    published to prometheus_client's values at most :data:`FLUSH_SECONDS` later, and before
    this process answers a scrape.

    Why: each prometheus_client update in multiprocess mode takes a lock, asks the kernel for
    the process id (a fork check) and packs the value into the shared file. With the pool
    gauge's two updates per checkout (now sampled: :meth:`sample_pools`) they cost 62,000
    instructions per request, 8 % of a one-user lookup (bench scenario (3) on MariaDB, one
    process in multiprocess mode, callgrind: 802k -> 740k). Batched, a second's requests of
    one operation cost three updates. The price: another worker's requests appear in a scrape up
    to a second late.

    The histogram is published through its child's own ``_sum`` and ``_buckets`` values (the
    per-bucket counts ``observe`` increments); ``tests/api/test_metrics.py`` checks that the
    published families equal what ``observe`` would have written."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str | None, str], _Pending] = {}
        self._children: dict[tuple[str | None, str], tuple[Any, Any]] = {}
        self._flush: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.pools: weakref.WeakSet[Pool] = weakref.WeakSet()
        """This process's database pools, whose connections in use it samples."""

    def add(self, operation: str | None, outcome: str, seconds: float) -> None:
        key = (operation, outcome)
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending()
        pending.count += 1
        pending.seconds += seconds
        pending.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        loop = asyncio.get_running_loop()
        if self._flush is None or self._loop is not loop:  # (a closed loop's timer never runs)
            self._loop = loop
            self._flush = loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Publish what was counted since the last flush, and the pools' connections in use;
        while some are in use, sample them again :data:`FLUSH_SECONDS` later."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if self.sample_pools():
            with contextlib.suppress(RuntimeError):  # no loop: a scrape or stop outside one
                self._loop = loop = asyncio.get_running_loop()
                self._flush = loop.call_later(FLUSH_SECONDS, self.flush)
        pending, self._pending = self._pending, {}
        for key, counted in pending.items():
            requests, histogram = self._labelled(key)
            requests.inc(counted.count)
            histogram._sum.inc(counted.seconds)
            for bucket, count in zip(histogram._buckets, counted.buckets, strict=True):
                if count:
                    bucket.inc(count)

    def sample_pools(self) -> int:
        """Set the ``in_use`` gauge to the connections this process's pools have checked
        out now (``Pool.checkedout``; counted by hooks on every checkout, it cost ~33,000
        instructions per request, bench scenario (3)); returns that number."""
        in_use = sum(p.checkedout() for p in self.pools if isinstance(p, QueuePool))
        _IN_USE.set(in_use)
        return in_use

    def _labelled(self, key: tuple[str | None, str]) -> tuple[Any, Any]:
        """The labelled children of ``key``, looked up once (``labels()`` takes a lock and
        builds a key each call); the cache is bounded like the labels are."""
        children = self._children.get(key)
        if children is None:
            operation, outcome = key
            label = _OPERATIONS.label(operation)
            children = (REQUESTS.labels(label, outcome), REQUEST_SECONDS.labels(label))
            if len(self._children) < 4 * MAX_OPERATIONS:
                self._children[key] = children
        return children


_TALLY = RequestTally()


def observe_request(operation: str | None, outcome: str, seconds: float) -> None:
    """Count one request (published within :data:`FLUSH_SECONDS`: :class:`RequestTally`)."""
    _TALLY.add(operation, outcome, seconds)


def _ldap_call(backend: str, seconds: float, succeeded: bool, breaker: str) -> None:
    LDAP_SECONDS.labels(backend, "ok" if succeeded else "failed").observe(seconds)
    LDAP_BREAKER.labels(backend).set(BREAKER_VALUES.get(breaker, 2.0))


def _sign_in(outcome: str) -> None:
    SIGN_INS.labels(outcome).inc()


def start(engine: AsyncEngine, pool_size: int, ldap_backends: list[str]) -> None:
    """Count this process's pool and LDAP calls and sign-ins (once per app start)."""
    if _ldap_call not in observation.ldap_call_listeners:
        observation.ldap_call_listeners.append(_ldap_call)
    if _sign_in not in observation.sign_in_listeners:
        observation.sign_in_listeners.append(_sign_in)
    for backend in ldap_backends:
        LDAP_BREAKER.labels(backend).set(0.0)
    DB_POOL.labels("size").inc(pool_size)
    _TALLY.pools.add(engine.sync_engine.pool)  # a set: storage shared by several apps
    _TALLY.sample_pools()


def stop(pool_size: int) -> None:
    _TALLY.flush()
    DB_POOL.labels("size").dec(pool_size)


class MetricsEndpoint:
    """``GET /metrics`` for clients in the allow-list (an ASGI app)."""

    def __init__(self, allow: list[str]) -> None:
        self._allow = [ipaddress.ip_network(network, strict=False) for network in allow]

    def allowed(self, client: Any) -> bool:
        if not client:
            return False
        try:
            address = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        return any(address in network for network in self._allow)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.allowed(scope.get("client")):
            await send_request_error(
                send, 403, "FORBIDDEN", "/metrics is not open to this address (metrics_allow)."
            )
            return
        _TALLY.flush()  # this process's own requests are all in its answer
        body = generate_latest(registry())
        headers = [
            (b"content-type", CONTENT_TYPE_LATEST.encode()),
            (b"content-length", b"%d" % len(body)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def registry() -> Any:
    """What a scrape reports: every process's values in multiprocess mode, else this one's."""
    if os.environ.get(MULTIPROC_ENV):
        collected = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return collected
    from prometheus_client import REGISTRY

    return REGISTRY


def process_died(pid: int) -> None:
    """Drop a dead worker's live gauges (the parent calls it; a no-op without the mode)."""
    if os.environ.get(MULTIPROC_ENV):
        prometheus_multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
