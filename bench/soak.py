"""Bounded load under faults: many clients mixing reads and writes, a database disconnect and a
worker kill in the middle, and afterwards a check that every acknowledged write is there.

Why this exists: a server that is fast when nothing goes wrong can still lose writes or answer
errors when its database connections are cut or one of its processes dies. This drives the
real ``roster serve --workers N`` on PostgreSQL (the fixed generated data set of
``bench/generate.py``, smaller by default) with ``--clients`` concurrent clients for
``--seconds``; each client runs a seeded mix of

- reads: one user by login, a search (``smi*``, 50 users), a page of 50 users with their
  customer's name;
- writes: ``customerUserCreate`` of a login of its own, ``customerUserUpdate`` setting a
  counter into that user's ``comment``.

A third of the way in, every server connection to PostgreSQL is cut (``pg_terminate_backend``;
``--cuts N`` cuts N times before two thirds); two thirds in, one worker process gets
``kill -9``. A request whose connection broke (the killed worker's in-flight requests) is sent
again on a new connection, as an HTTP client behind a load balancer would: a create sent again
that answers ``LOGIN_TAKEN`` was acknowledged the first time. Everything else counts as an
error: an HTTP status other than 200, any top-level GraphQL error, an unexpected user error.

At the end every acknowledged create must exist and every user's comment must hold the last
acknowledged update; the exit status is 1 when anything was lost or any error was answered.

    .venv/bin/python -m bench.soak                     # 64 clients, 60 s, 20,000 users
    .venv/bin/python -m bench.soak --clients 16 --seconds 20 --users 5000

The loop is bounded in time and count, and talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.generate import DataSet
from bench.harness import api_key, free_port, prepare, start_server, wait_healthy
from bench.http_client import Connection, Reply

ONE = "query($l: String!) { customerUser(login: $l) { login email customerId } }"
SEARCH = '{ customerUsers(search: "smi*", first: 50) { nodes { login lastName } } }'
PAGE = "{ customerUsers(first: 50) { nodes { login customer { name } } } }"
CREATE = """mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {
  customerUser { login } userErrors { field code message } } }"""
UPDATE = """mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {
  customerUser { login comment } userErrors { field code message } } }"""
RETRY_PAUSE = 0.1  # seconds before a request is sent again on a new connection
MAX_ATTEMPTS = 50  # a worker restart takes about a second; this bounds the wait at ~5 s


@dataclass
class Tally:
    """What the clients saw, shared by all of them."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    resent: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # login -> last comment counter

    def took(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


class Client:
    """One simulated client: one keep-alive connection, requests one at a time."""

    def __init__(self, number: int, port: int, key: str, logins: list[str], tally: Tally) -> None:
        self.number, self.port, self.key, self.tally = number, port, key, tally
        self.logins = logins
        self.rng = random.Random(number)
        self.own: list[str] = []
        self.counter = 0
        self.connection: Connection | None = None

    async def send(self, kind: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The reply body; a broken connection is replaced and the request sent again."""
        payload = {"query": query, "variables": variables}
        headers = {"Authorization": f"Bearer {self.key}"}
        started = time.perf_counter()
        for attempt in range(MAX_ATTEMPTS):
            try:
                if self.connection is None:
                    self.connection = await Connection.open("127.0.0.1", self.port)
                resent_before = self.connection.resent
                reply: Reply = await self.connection.post("/graphql", payload, headers)
                self.tally.resent[kind] += self.connection.resent - resent_before
                break
            except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError):
                self.tally.resent[kind] += 1
                if self.connection is not None:
                    await self.connection.close()
                self.connection = None
                await asyncio.sleep(RETRY_PAUSE * min(attempt + 1, 5))
        else:
            self.tally.errors.append(f"{kind}: no answer after {MAX_ATTEMPTS} attempts")
            return {}
        self.tally.took(kind, time.perf_counter() - started)
        body = reply.json()
        if reply.status != 200 or not isinstance(body, dict) or body.get("errors"):
            self.tally.errors.append(f"{kind}: HTTP {reply.status} {str(body)[:300]}")
            return {}
        return body

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            roll = self.rng.random()
            if roll < 0.10 or (roll < 0.25 and not self.own):
                await self.create()
            elif roll < 0.25:
                await self.update(self.rng.choice(self.own))
            elif roll < 0.75:
                await self.send("read one", ONE, {"l": self.rng.choice(self.logins)})
            elif roll < 0.875:
                await self.send("read search", SEARCH, {})
            else:
                await self.send("read page", PAGE, {})
        if self.connection is not None:
            await self.connection.close()

    async def create(self) -> None:
        login = f"soak-{self.number:03d}-{len(self.own):05d}"
        variables = {
            "i": {
                "login": login,
                "firstName": "Soak",
                "lastName": f"Client{self.number}",
                "email": f"{login}@soak.test",
                "customerId": "CUST-00001",
                "password": "soak-password-1",
            }
        }
        body = await self.send("create", CREATE, variables)
        if not body:
            return  # counted as an error by send
        errors = body["data"]["customerUserCreate"]["userErrors"]
        # LOGIN_TAKEN: sent again after a broken connection, and the first attempt had written
        # it (every client creates logins of its own).
        if errors and any(error["code"] != "LOGIN_TAKEN" for error in errors):
            self.tally.errors.append(f"create {login}: {errors}")
            return
        self.own.append(login)
        self.tally.acknowledged[login] = 0

    async def update(self, login: str) -> None:
        self.counter += 1
        variables = {"i": {"login": login, "comment": str(self.counter)}}
        body = await self.send("update", UPDATE, variables)
        if not body:
            return
        payload = body["data"]["customerUserUpdate"]
        if payload["userErrors"]:
            self.tally.errors.append(f"update {login}: {payload['userErrors']}")
            return
        self.tally.acknowledged[login] = self.counter


def worker_pids(parent: int) -> list[int]:
    """The pids of the server's worker processes: ``parent``'s children started by
    multiprocessing's ``spawn_main`` (not its resource tracker)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status and b"spawn_main" in command:
                children.append(int(entry.name))
    return sorted(children)


async def cut_database_connections(dsn: str) -> int:
    """Terminate every connection the server holds to PostgreSQL (``application_name``
    ``roster``); returns how many."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'roster' AND pid <> pg_backend_pid()"
        )
        return len(rows)
    finally:
        await conn.close()


async def faults(args: argparse.Namespace, dsn: str, server: int, log: list[str]) -> None:
    """``--cuts`` database disconnects spread over the first two thirds of the run (one, at a
    third, by default), then the worker kill at two thirds."""
    started = time.monotonic()
    for n in range(args.cuts):
        await asyncio.sleep(args.seconds / 3 if n == 0 else args.seconds / 3 / args.cuts)
        cut = await cut_database_connections(dsn)
        log.append(f"t={time.monotonic() - started:.1f}s: cut {cut} database connections")
    await asyncio.sleep(max(0.0, args.seconds * 2 / 3 - (time.monotonic() - started)))
    workers = worker_pids(server)
    if workers:
        os.kill(workers[0], signal.SIGKILL)
        log.append(f"t={time.monotonic() - started:.1f}s: kill -9 worker {workers[0]}")
    else:
        log.append("no worker process to kill (single-process server)")


async def missing_writes(dsn: str, acknowledged: dict[str, int]) -> list[str]:
    """Acknowledged writes that the database does not hold."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT login, comments FROM customer_user WHERE login = ANY($1::text[])",
            list(acknowledged),
        )
    finally:
        await conn.close()
    stored = {row["login"]: row["comments"] for row in rows}
    missing = []
    for login, counter in acknowledged.items():
        if login not in stored:
            missing.append(f"{login}: acknowledged create not stored")
        elif counter and stored[login] != str(counter):
            missing.append(f"{login}: comment {stored[login]!r}, last acknowledged {counter}")
    return missing


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(args: argparse.Namespace) -> int:
    data = DataSet(users=args.users, customers=max(10, args.users // 50))
    dsn, url = await prepare(data)
    key = await api_key(url, "admin")
    port = free_port()
    config = Path(tempfile.mkdtemp()) / "soak.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\npool_size = {args.pool_size}\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ngraphiql = false\n'
        f"workers = {args.workers}\naccess_log = false\n"
        # bcrypt's lowest cost: at the default 12 every create costs ~0.5 s of CPU, and the
        # run would measure bcrypt on 2 cores rather than how faults are handled.
        "[passwords]\nbcrypt_cost = 4\n"
    )
    server_log = config.with_suffix(".log")
    process = start_server(config, server_log)
    tally = Tally()
    log: list[str] = []
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", process)
        logins = data.sample_logins(500)
        clients = [Client(n, port, key, logins, tally) for n in range(args.clients)]
        until = time.monotonic() + args.seconds
        started = time.perf_counter()
        await asyncio.gather(
            faults(args, dsn, process.pid, log), *(client.run(until) for client in clients)
        )
        elapsed = time.perf_counter() - started
        alive = process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=15)
    missing = await missing_writes(dsn, tally.acknowledged)
    report(args, tally, elapsed, log, missing, alive)
    print(f"server log: {server_log}")
    for line in server_log.read_text(errors="replace").splitlines():
        if line.startswith(("ERROR", "WARNING", "CRITICAL")):
            print(f"  {line[:300]}")
    return 0 if alive and not tally.errors and not missing else 1


def report(
    args: argparse.Namespace,
    tally: Tally,
    elapsed: float,
    log: list[str],
    missing: list[str],
    alive: bool,
) -> None:
    total = sum(len(v) for v in tally.latencies.values())
    print(
        f"\n{args.clients} clients, {args.seconds} s, {args.workers} workers, "
        f"{args.users} users; {total} requests answered ({total / elapsed:.1f} req/s)"
    )
    for line in log:
        print(f"  {line}")
    print(f"{'kind':<12} {'answered':>9} {'resent':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        print(
            f"{kind:<12} {len(values):>9} {tally.resent[kind]:>7} {percentile(values, 0.5):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f}"
        )
    updates = sum(1 for counter in tally.acknowledged.values() if counter)
    print(
        f"acknowledged: {len(tally.acknowledged)} creates, {updates} users updated; "
        f"missing afterwards: {len(missing)}; errors answered: {len(tally.errors)}; "
        f"server still running: {alive}"
    )
    for line in (tally.errors + missing)[:20]:
        print(f"  ! {line}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=16, help="database.pool_size per worker")
    parser.add_argument("--cuts", type=int, default=1, help="database disconnects in the run")
    raise SystemExit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
