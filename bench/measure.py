"""Driving one scenario at a fixed concurrency and measuring it: requests per second, latency
percentiles, SQL statements per request and the server's CPU time per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.http_client import ConnectionPool

Call = Callable[[int], Awaitable[int | None]]
"""One request of a scenario (its argument numbers it); returns the SQL statements it took,
or ``None`` where nobody counts them (a floor)."""


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the process ``pid`` and its children: the
    server's workers. Latency on a shared machine drifts with its neighbours; CPU time per
    request is the steadier measure of what a change saved."""
    pids = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                status = (entry / "status").read_text()
                if f"\nPPid:\t{pid}\n" in status:
                    pids.add(int(entry.name))
    ticks = 0
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    statements: Counter[int]
    server_cpu: float | None = None  # seconds, over the measured requests

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        stmts = ",".join(str(k) for k in sorted(self.statements)) or "-"
        cpu = "-" if self.server_cpu is None else f"{self.server_cpu / self.requests * 1000:.2f}"
        return (
            f"{self.name:<34} {self.rps:>8.1f} {self.pct(0.50):>8.1f} {self.pct(0.95):>8.1f} "
            f"{self.pct(0.99):>8.1f} {stmts:>6} {cpu:>8}"
        )


async def drive(
    name: str,
    call: Call,
    *,
    requests: int,
    concurrency: int,
    server: int | None = None,
) -> Result:
    """``requests`` calls, ``concurrency`` at a time; with ``server`` (a pid), its CPU time."""
    counter = itertools.count()
    latencies: list[float] = []
    statements: Counter[int] = Counter()

    async def worker() -> None:
        while (n := next(counter)) < requests:
            start = time.perf_counter()
            count = await call(n)
            latencies.append(time.perf_counter() - start)
            if count is not None:
                statements[count] += 1

    for n in range(min(20, requests)):  # warm-up: caches, connections, query plans
        await call(n)
    cpu_before = server_cpu_seconds(server) if server is not None else 0.0
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    cpu = server_cpu_seconds(server) - cpu_before if server is not None else None
    return Result(name, requests, elapsed, latencies, statements, cpu)


def graphql_call(
    client: ConnectionPool,
    headers: dict[str, str],
    query: str,
    variables: Callable[[int], dict[str, Any]],
) -> Call:
    """A request of ``query`` through ``client``: a failed one stops the benchmark, and the
    server's ``X-Roster-SQL-Statements`` header is what it returns."""

    async def call(n: int) -> int | None:
        payload = {"query": query, "variables": variables(n)}
        reply = await client.post("/graphql", payload, headers)
        body = reply.json()
        if reply.status != 200 or not isinstance(body, dict) or body.get("errors"):
            raise SystemExit(f"request failed: {reply.status} {body}")
        return int(reply.headers["x-roster-sql-statements"])

    return call
