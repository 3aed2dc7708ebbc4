"""Live updates: how soon a subscriber sees a committed change, and what many subscribers cost.

    .venv/bin/python -m bench.live latency   # 50 changes/s for 20 s, 20 subscribers (issue 18)
    .venv/bin/python -m bench.live many      # 10,000 subscriptions over 100 WebSockets

Both start ``roster serve`` with 2 workers on PostgreSQL (a database of their own,
``roster_bench_live``, dropped and rebuilt) and the Redis broker (127.0.0.1:6379, a channel of
their own), and drive it from this process: writers POST ``customerUserUpdate`` at a fixed
rate on kept-alive connections to both workers, subscribers listen to ``changes`` over
``graphql-transport-ws``, spread over both workers.

Latency is from the commit to the subscriber: ``Change.at`` (the writing worker's clock right
after the commit) to the moment this process has read the message (the same machine's clock).
The subscribers and the writers share the machine's cores with the server, so the figures are
an upper bound of what a client elsewhere would see; the writers use the lean HTTP client
(``bench/http_client.py``) and the loop is uvloop's, so this process costs little (its CPU per
change is printed).

``latency`` runs the server under ``bench/live_probe.py`` (``roster serve`` with timestamps
at each stage of the path: handed to the broker, Redis answered, the worker's hub, the
subscription's task, executed, written to the socket) and prints commit -> each stage, p50
and p99; ``--no-stages`` runs plain ``roster serve``. Server CPU per change is the workers'
(``/proc``) over the run, divided by the changes written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import orjson
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from app.migrate import upgrade
from bench.harness import ADMIN_DSN, api_key, free_port, start_server, wait_healthy
from bench.http_client import ConnectionPool

DB_NAME = "roster_bench_live"
CHANGES = "subscription { changes(types: [CUSTOMER_USER]) { key at } }"
UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " userErrors { code } } }"
)


async def _database() -> str:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await conn.close()
    url = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    url = f"{url}/{DB_NAME}"
    await asyncio.to_thread(upgrade, url)
    return url


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _cpu_ms(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far, in ms (``/proc/<pid>/stat``)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / ticks


def _workers(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in cmdline:
                found.append(int(entry.name))
    return found


class Server:
    def __init__(self, folder: Path, url: str, workers: int, probe: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = folder / "live.toml"
        config.write_text(
            f'[database]\nurl = "{url}"\npool_size = 4\n'
            f'[server]\nhost = "127.0.0.1"\nport = {self.port}\nworkers = {workers}\n'
            "access_log = false\ngraphiql = false\n"
            f'[live]\nbroker = "redis://127.0.0.1:6379/0"\nchannel = "bench-{uuid.uuid4().hex}"\n',
            encoding="utf-8",
        )
        self.log = folder / "serve.log"
        if probe is None:
            self.process = start_server(config, self.log)
        else:
            probe.mkdir()
            env = {"ROSTER_LIVE_PROBE": str(probe)}
            self.process = start_server(config, self.log, module="bench.live_probe", env=env)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def _users(base: str, admin: str, count: int) -> list[str]:
    customer = f"c{uuid.uuid4().hex[:8]}"
    logins = [f"u{n:05d}{uuid.uuid4().hex[:4]}" for n in range(count)]
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        await client.post(
            "/graphql",
            json={
                "query": "mutation($i: CustomerCreateInput!) { customerCreate(input: $i)"
                " { userErrors { code } } }",
                "variables": {"i": {"customerId": customer, "name": "Bench"}},
            },
        )
        for login in logins:
            response = await client.post(
                "/graphql",
                json={
                    "query": "mutation($i: CustomerUserCreateInput!) {"
                    " customerUserCreate(input: $i) { userErrors { code } } }",
                    "variables": {
                        "i": {
                            "login": login,
                            "firstName": "B",
                            "lastName": "L",
                            "email": f"{login}@acme.test",
                            "customerId": customer,
                        }
                    },
                },
            )
            assert response.json()["data"]["customerUserCreate"]["userErrors"] == []
    return logins


async def _socket(base: str, key: str) -> ClientConnection:
    ws = await connect(
        base.replace("http", "ws") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={"Authorization": f"Bearer {key}"},
        max_queue=None,
        open_timeout=60,
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def _listen(ws: ClientConnection, seen: list[tuple[str, float, float]]) -> None:
    """Note each change's key, commit time and the moment it was read, until cancelled.
    (``async for``, not a ``wait_for`` per message: on Python 3.11 that made a task each.)"""
    with contextlib.suppress(ConnectionClosed):
        async for raw in ws:
            now = time.time()
            message = orjson.loads(raw)
            if message.get("type") == "next":
                change = message["payload"]["data"]["changes"]
                at = datetime.fromisoformat(change["at"]).timestamp()
                seen.append((change["key"], at, now))


async def _write(base: str, admin: str, logins: list[str], rate: float, seconds: float) -> int:
    """``rate`` updates a second for ``seconds`` on four kept-alive connections (the server
    hands them to its workers round robin), each sent at its scheduled time. With the lean
    client of ``bench/http_client.py``: httpx cost this process about 3 ms of CPU per update,
    time the subscribers' reads waited for on the same event loop."""
    headers = {"Authorization": f"Bearer {admin}"}
    host, port = base.removeprefix("http://").rsplit(":", 1)
    async with ConnectionPool(host, int(port), 4) as pool:
        total = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for n in range(total):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            login = logins[n % len(logins)]
            body = {"query": UPDATE, "variables": {"i": {"login": login, "lastName": f"L{n}"}}}
            tasks.append(asyncio.create_task(pool.post("/graphql", body, headers)))
        for reply in await asyncio.gather(*tasks):
            assert reply.status == 200, reply
    return total


async def _setup(workers: int, *, stages: bool = False) -> tuple[Server, str, str, Path]:
    url = await _database()
    admin, read = await api_key(url, "admin"), await api_key(url, "read")
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    server = Server(folder, url, workers, folder / "probe" if stages else None)
    await wait_healthy(server.base, server.process)
    return server, admin, read, folder


async def _listening(
    sockets: list[ClientConnection],
) -> tuple[list[list[tuple[str, float, float]]], list[asyncio.Task[None]]]:
    seen: list[list[tuple[str, float, float]]] = [[] for _ in sockets]
    tasks = [asyncio.create_task(_listen(ws, mine)) for ws, mine in zip(sockets, seen, strict=True)]
    return seen, tasks


async def _stop(listeners: list[asyncio.Task[None]]) -> None:
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


STAGES = (
    ("publish", "the mutation handed it to the broker (its use case returned)"),
    ("published", "the writing worker's Redis PUBLISH answered"),
    ("hub", "a worker's listener handed it to its hub (the broker hop)"),
    ("woken", "the subscription's task took it from its buffer"),
    ("executed", "its payload was executed (GraphQL), about to be sent"),
    ("sent", "the WebSocket frame was written to the socket"),
)


def _stage_delays(probe: Path) -> dict[str, list[float]]:
    """Commit -> each stage, in ms, from the probe's records (``bench/live_probe.py``)."""
    delays: dict[str, list[float]] = {name: [] for name, _ in STAGES}
    for path in probe.glob("*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stage, _key, at, now = line.split("\t")
            delays[stage].append((float(now) - float(at)) * 1000)
    return delays


def _row(name: str, values: list[float], what: str) -> str:
    if not values:
        return f"  {name:<10} {'-':>8} {'-':>8} {'-':>8}  {what}"
    return (
        f"  {name:<10} {statistics.median(values):8.1f} {_percentile(values, 0.99):8.1f} "
        f"{len(values):8d}  {what}"
    )


async def latency(
    rate: float, seconds: float, subscribers: int, workers: int, *, stages: bool
) -> None:
    server, admin, read, folder = await _setup(workers, stages=stages)
    try:
        logins = await _users(server.base, admin, 50)
        sockets = [await _socket(server.base, read) for _ in range(subscribers)]
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": CHANGES}}
        for ws in sockets:
            await ws.send(json.dumps(subscribe))
        await asyncio.sleep(1)
        for path in (folder / "probe").glob("*.tsv"):
            path.unlink()  # the set-up's changes
        seen, listeners = await _listening(sockets)
        pids = _workers(server.process.pid) or [server.process.pid]
        cpu, own_cpu = _cpu_ms(pids), time.process_time()
        written = await _write(server.base, admin, logins, rate, seconds)
        await asyncio.sleep(2)
        cpu, own_cpu = _cpu_ms(pids) - cpu, (time.process_time() - own_cpu) * 1000
        await _stop(listeners)
        await asyncio.sleep(0.5)  # the probe's last records
        delays = [(now - at) * 1000 for per in seen for _key, at, now in per]
        missing = written * subscribers - len(delays)
        delivered = len(delays)
        delays = delays or [0.0]
        print(
            f"latency: {written} changes at {rate:g}/s, {subscribers} subscribers on "
            f"{workers} workers: {delivered} deliveries, {missing} missing\n"
            f"  commit -> seen ms: p50 {statistics.median(delays):.1f}  "
            f"p95 {_percentile(delays, 0.95):.1f}  p99 {_percentile(delays, 0.99):.1f}  "
            f"max {max(delays):.1f}\n"
            f"  server CPU {cpu / written:.2f} ms per change (the update + its deliveries, all "
            f"workers), benchmark client CPU {own_cpu / written:.2f} ms per change; "
            f"load average {_load()}"
        )
        if stages:
            found = _stage_delays(folder / "probe")
            print(f"  commit -> stage ms: {'p50':>10} {'p99':>8} {'count':>8}")
            for name, what in STAGES:
                print(_row(name, found[name], what))
            print(_row("seen", delays, "the benchmark client read it"))
        for ws in sockets:
            await ws.close()
    finally:
        server.stop()


async def many(subscribers: int, per_connection: int, changes: int, workers: int) -> None:
    server, admin, read, _folder = await _setup(workers)
    try:
        logins = await _users(server.base, admin, 5)
        pids = _workers(server.process.pid) or [server.process.pid]
        await asyncio.sleep(1)
        before = _rss_kib(pids)
        connections = subscribers // per_connection
        count = connections * per_connection
        sockets = [await _socket(server.base, read) for _ in range(connections)]
        for ws in sockets:
            for n in range(per_connection):
                message = {"id": str(n), "type": "subscribe", "payload": {"query": CHANGES}}
                await ws.send(json.dumps(message))
        await asyncio.sleep(3)
        after = _rss_kib(pids)
        seen, listeners = await _listening(sockets)
        cpu = _cpu_ms(pids)
        written = await _write(server.base, admin, logins, 1, changes)
        await asyncio.sleep(5)
        cpu = _cpu_ms(pids) - cpu
        await _stop(listeners)
        per_change: dict[str, list[float]] = {}
        for per in seen:
            for key, at, now in per:
                per_change.setdefault(key, []).append((now - at) * 1000)
        delays = [d for values in per_change.values() for d in values] or [0.0]
        last = [max(values) for values in per_change.values()] or [0.0]
        print(
            f"many: {count} subscriptions over {connections} WebSockets on {workers} workers: "
            f"server RSS {before / 1024:.0f} -> {after / 1024:.0f} MiB "
            f"({(after - before) * 1024 / count:.0f} bytes per subscription); "
            f"{written} changes, {len(delays)} deliveries ({written * count - len(delays)} "
            f"missing); commit -> seen ms p50 {statistics.median(delays):.0f} "
            f"p99 {_percentile(delays, 0.99):.0f}; commit -> last of all subscribers ms: "
            f"median {statistics.median(last):.0f} max {max(last):.0f}; "
            f"server CPU {cpu / max(written, 1):.0f} ms per change; load average {_load()}"
        )
        for ws in sockets:
            await ws.close()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("scenario", choices=["latency", "many"])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--subscribers", type=int)
    parser.add_argument("--per-connection", type=int, default=100)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-stages",
        action="store_true",
        help="latency: run plain `roster serve`, without the probe's per-stage timestamps",
    )
    args = parser.parse_args(argv)
    if args.scenario == "latency":
        subscribers = 20 if args.subscribers is None else args.subscribers
        uvloop.run(
            latency(args.rate, args.seconds, subscribers, args.workers, stages=not args.no_stages)
        )
    else:
        subscribers = args.subscribers or 10_000
        uvloop.run(many(subscribers, args.per_connection, args.changes, args.workers))


if __name__ == "__main__":
    main()
