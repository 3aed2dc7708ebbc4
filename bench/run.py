"""Benchmark Roster over HTTP against its raw-SQL floor, on PostgreSQL.

It creates a database of its own (``roster_bench``), migrates it, loads the fixed generated
data set (``bench/generate.py``), starts the real server (``roster serve``) on a free loopback
port and drives it at a fixed concurrency. For each scenario it prints requests per second,
p50/p95/p99 latency, the SQL statements per request (the server's
``X-Roster-SQL-Statements`` header) and the same query run as raw SQL through asyncpg, the
floor, with the ratio between the two. The server runs as ``roster serve --workers N`` with
one worker per CPU core (``--workers``), and the load comes from a minimal keep-alive HTTP
client (``bench/http_client.py``) so the client's own Python costs the shared cores little.

    .venv/bin/python -m bench.run                 # 100,000 users, concurrency 8
    .venv/bin/python -m bench.run --users 20000 --requests 200

Scenario (5) searches an LDAP backend instead: a real slapd (started as the LDAP tests start
it, with ``--ldap-users`` generated people) behind a second ``roster serve`` whose only
customer-user backend is that directory; its floor is the same paged search through bonsai
directly, on as many open connections as the concurrency. ``--ldap-users 0`` skips it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.migrate import upgrade
from bench.generate import DataSet, load
from bench.http_client import ConnectionPool

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DSN = os.environ.get("ROSTER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "roster_bench"

SEARCH = """query($s: String!) { customerUsers(search: $s, first: 1000) {
  nodes { login firstName lastName email customerId } } }"""
PAGE = """{ customerUsers(first: 1000) { nodes { login customer { name } } } }"""
ONE = """query($l: String!) { customerUser(login: $l) {
  login firstName lastName email customerId } }"""
SERVICES = """{ customerUsers(first: 1000) { nodes {
  login availableServices { name } usesDefaultServices } } }"""

GROUPS = """{ customerUsers(first: 1000) { nodes { login customer { name } customerIds
  effectivePermissions { group { name } permission reasons { kind customerId } } } } }"""
GROUPS_FLOOR = """WITH page AS (SELECT login, customer_id FROM customer_user WHERE valid_id = 1
  ORDER BY login COLLATE "C" LIMIT 1001),
ids AS (SELECT p.login, p.customer_id AS cid FROM page p
  UNION ALL SELECT x.user_id, x.customer_id FROM customer_user_customer x
  WHERE lower(x.user_id) IN (SELECT lower(login) FROM page))
SELECT i.login, c.name, d.group_id, d.permission_key, k.group_id, k.permission_key
FROM ids i
LEFT JOIN customer_company c ON lower(c.customer_id) = lower(i.cid)
LEFT JOIN group_customer_user d ON lower(d.user_id) = lower(i.login)
LEFT JOIN group_customer k ON lower(k.customer_id) = lower(i.cid)
  AND k.permission_context = 'Ticket::CustomerID::Same'"""
SEARCH_FLOOR = """SELECT login, first_name, last_name, email, customer_id FROM customer_user
WHERE valid_id = 1 AND (lower(login) LIKE $1 OR lower(first_name) LIKE $1
  OR lower(last_name) LIKE $1 OR lower(customer_id) LIKE $1)
ORDER BY concat(login, '') COLLATE "C" LIMIT 1001"""
PAGE_FLOOR = """SELECT u.login, c.name FROM customer_user u
LEFT JOIN customer_company c ON lower(c.customer_id) = lower(u.customer_id)
WHERE u.valid_id = 1 ORDER BY u.login COLLATE "C" LIMIT 1001"""
ONE_FLOOR = """SELECT login, first_name, last_name, email, customer_id FROM customer_user
WHERE lower(login) = lower($1)"""
LDAP_SEARCH = """query($s: String!) { customerUsers(search: $s, first: 200) {
  nodes { login firstName lastName email customerId } } }"""
LDAP_ATTRIBUTES = [
    "uid", "mail", "title", "givenName", "sn", "telephoneNumber", "street", "description", "cn",
]  # fmt: skip

SERVICES_FLOOR = """WITH page AS (SELECT login FROM customer_user WHERE valid_id = 1
  ORDER BY login COLLATE "C" LIMIT 1001)
SELECT p.login, s.name FROM page p
LEFT JOIN service_customer_user l
  ON lower(l.customer_user_login) IN (lower(p.login), '<default>')
LEFT JOIN service s ON s.id = l.service_id AND s.valid_id = 1"""


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
    call: Callable[[int], Awaitable[int | None]],
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(data: DataSet) -> tuple[str, str]:
    """A fresh, migrated, loaded benchmark database; returns (asyncpg DSN, SQLAlchemy URL)."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await conn.close()
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{DB_NAME}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    await asyncio.to_thread(upgrade, url)
    started = time.perf_counter()
    await load(dsn, data)
    print(f"loaded {data.users} users / {data.customers} customers "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)  # fmt: skip
    return dsn, url


async def api_key(url: str, scope: str = "read") -> str:
    """A new API key of ``scope`` (``read`` or ``admin``) in the database at ``url``."""
    from datasources.db.api_keys import ApiKeyStore, Scope
    from datasources.db.engine import create_engine
    from domain.config import DatabaseConfig

    engine = create_engine(DatabaseConfig(url=url))
    try:
        secret, _ = await ApiKeyStore(engine).create(f"bench-{os.getpid()}", Scope(scope))
        return secret
    finally:
        await engine.dispose()


def start_server(config: Path, log: Path | None = None) -> subprocess.Popen[bytes]:
    """``roster serve`` as users run it, in its own process (its output into ``log``)."""
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "app.cli", "serve", "--config", str(config)],
        cwd=ROOT,
        stdout=output,
        stderr=output,
    )


async def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            if process.poll() is not None:
                raise SystemExit("the server exited during start-up")
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not become healthy")


async def run(args: argparse.Namespace) -> None:
    data = DataSet(users=args.users, customers=args.customers)
    dsn, url = await prepare(data)
    key = await api_key(url)
    port = free_port()
    config = Path(tempfile.mkdtemp()) / "bench.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\npool_size = {args.concurrency}\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ngraphiql = false\n'
        f"statement_count_header = true\nworkers = {args.workers}\n"
        f"access_log = {str(args.access_log).lower()}\n"
        # Group support on, as a helpdesk that uses groups runs it: with it off every user
        # holds every group (50 x 2 permissions each), which measures JSON, not Roster.
        "[customer_group]\nsupport = true\n"
    )
    process = start_server(config)
    base = f"http://127.0.0.1:{port}"
    logins = data.sample_logins(500)
    try:
        await wait_healthy(base, process)
        results = await scenarios(args, base, key, dsn, logins, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    if args.ldap_users and wanted(args, "(5)"):
        results += await ldap_scenarios(args, url, key)
    print(
        f"\n{data.users} users, {data.customers} customers; concurrency {args.concurrency}; "
        f"{args.workers} server worker(s); latency in ms; stmts = SQL statements per request;\n"
        "cpu ms = the server processes' CPU time per request"
    )
    print(
        f"{'scenario':<34} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'stmts':>6} {'cpu ms':>8}"
    )
    for result in results:
        print(result.line())
    print("\nratio to the raw-SQL floor (p50 Roster / p50 floor):")
    for api, floor in zip(results[::2], results[1::2], strict=True):
        print(f"  {api.name:<32} {api.pct(0.5) / floor.pct(0.5):>6.1f}x")


async def scenarios(
    args: argparse.Namespace, base: str, key: str, dsn: str, logins: list[str], server: int
) -> list[Result]:
    headers = {"Authorization": f"Bearer {key}"}
    host, port = base.removeprefix("http://").split(":")
    async with (
        ConnectionPool(host, int(port), args.concurrency) as client,
        asyncpg.create_pool(dsn, min_size=args.concurrency, max_size=args.concurrency) as pool,
    ):

        def graphql(query: str, variables: Callable[[int], dict[str, Any]]) -> Any:
            async def call(n: int) -> int | None:
                payload = {"query": query, "variables": variables(n)}
                reply = await client.post("/graphql", payload, headers)
                body = reply.json()
                if reply.status != 200 or not isinstance(body, dict) or body.get("errors"):
                    raise SystemExit(f"request failed: {reply.status} {body}")
                return int(reply.headers["x-roster-sql-statements"])

            return call

        def floor(sql: str, params: Callable[[int], tuple[Any, ...]]) -> Any:
            async def call(n: int) -> None:
                async with pool.acquire() as conn:
                    await conn.fetch(sql, *params(n))

            return call

        # (3) answers in a few ms: 20 times the requests, so its phase lasts seconds and a
        # passing slowdown of this shared machine moves its percentiles less.
        c, many, lookups = args.concurrency, args.requests, args.requests * 20
        plan = [
            ("(1) search smi* c=1", graphql(SEARCH, lambda n: {"s": "smi*"}), many // 2, 1),
            ("    floor c=1", floor(SEARCH_FLOOR, lambda n: ("%smi%",)), many // 2, 1),
            ("(1) search smi*, up to 1000", graphql(SEARCH, lambda n: {"s": "smi*"}), many, c),
            ("    floor", floor(SEARCH_FLOOR, lambda n: ("%smi%",)), many, c),
            ("(2) page of 1000 + customer", graphql(PAGE, lambda n: {}), many, c),
            ("    floor", floor(PAGE_FLOOR, lambda n: ()), many, c),
            ("(3) one user by login", graphql(ONE, lambda n: {"l": logins[n % 500]}), lookups, c),
            ("    floor", floor(ONE_FLOOR, lambda n: (logins[n % 500],)), lookups, c),
            ("(4) page of 1000 + services", graphql(SERVICES, lambda n: {}), many, c),
            ("    floor", floor(SERVICES_FLOOR, lambda n: ()), many, c),
            ("(6) page of 1000 + groups", graphql(GROUPS, lambda n: {}), many // 2, c),
            ("    floor", floor(GROUPS_FLOOR, lambda n: ()), many // 2, c),
        ]
        chosen = [  # a floor line belongs to the scenario above it
            step for i, step in enumerate(plan) if wanted(args, plan[i - i % 2][0])
        ]
        return [
            await drive(
                name,
                call,
                requests=count,
                concurrency=conc,
                server=None if name.strip().startswith("floor") else server,
            )
            for name, call, count, conc in chosen
        ]


def wanted(args: argparse.Namespace, name: str) -> bool:
    """Whether ``--only`` selects the scenario called ``name`` ("(3) one user by login")."""
    return not args.only or name[1:].split(")")[0] in args.only.split(",")


def ldap_people(count: int) -> list[Any]:
    from tests.ldap.directory import GIVEN, ORGS, SURNAMES, Person

    return [
        Person(
            uid=f"ldap{i:05d}",
            given=GIVEN[i % len(GIVEN)],
            sn=SURNAMES[i % len(SURNAMES)],
            org=ORGS[i % len(ORGS)],
            locked=i % 7 == 3,
        )
        for i in range(count)
    ]


def ldap_term(n: int, users: int) -> str:
    """``ldapNNN*``: 100 of the generated people (uids ``ldapNNN00`` to ``ldapNNN99``)."""
    return f"ldap{n % max(1, users // 100):03d}*"


async def ldap_scenarios(args: argparse.Namespace, url: str, key: str) -> list[Result]:
    """(5) an LDAP search through Roster, and the same search through bonsai directly."""
    import bonsai

    from datasources.ldap.filters import query_filter
    from domain.config import LdapBackendConfig
    from domain.customer_user_query import CustomerUserQuery
    from tests.ldap.directory import PEOPLE_DN, READER_DN, READER_PASSWORD, VALID_FILTER, Slapd

    root = Path(tempfile.mkdtemp())
    slapd = Slapd(root)
    started = time.perf_counter()
    await asyncio.to_thread(slapd.prepare, ldap_people(args.ldap_users))
    slapd.start()
    print(f"slapd with {args.ldap_users} people in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)  # fmt: skip
    backend = {
        "name": "Directory",
        "module": "ldap",
        "url": slapd.url,
        "base_dn": PEOPLE_DN,
        "bind_dn": READER_DN,
        "bind_password": READER_PASSWORD,
        "valid_filter": VALID_FILTER,
        "search_fields": ["uid", "cn", "sn", "givenName", "mail"],
        "pool_size": args.concurrency,
    }
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in backend.items())
    port = free_port()
    config = root / "bench-ldap.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\npool_size = {args.concurrency}\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ngraphiql = false\n'
        f"statement_count_header = true\nworkers = {args.workers}\n"
        f"[[customer_user.backends]]\n{lines}\n"
    )
    ldap_config = LdapBackendConfig.model_validate(backend)
    process = start_server(config)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", process)
        client = bonsai.LDAPClient(slapd.url)
        client.set_credentials("SIMPLE", user=READER_DN, password=READER_PASSWORD)
        client.set_auto_page_acquire(False)
        connections: asyncio.Queue[Any] = asyncio.Queue()
        for _ in range(args.concurrency):
            connections.put_nowait(await client.connect(is_async=True, timeout=10))

        async def bonsai_search(n: int) -> None:
            term = ldap_term(n, args.ldap_users)
            filter_exp = query_filter(ldap_config, CustomerUserQuery(search=term))
            conn = await connections.get()
            try:
                results = await conn.paged_search(
                    PEOPLE_DN, 2, filter_exp, LDAP_ATTRIBUTES, timeout=10, page_size=100
                )
                entries = list(results)
                while (message_id := results.acquire_next_page()) is not None:
                    results = await conn.get_result(message_id, 10)
                    entries += list(results)
            finally:
                connections.put_nowait(conn)

        headers = {"Authorization": f"Bearer {key}"}
        async with ConnectionPool("127.0.0.1", port, args.concurrency) as http:

            async def roster_search(n: int) -> int | None:
                payload = {"query": LDAP_SEARCH, "variables": {"s": ldap_term(n, args.ldap_users)}}
                reply = await http.post("/graphql", payload, headers)
                body = reply.json()
                if reply.status != 200 or not isinstance(body, dict) or body.get("errors"):
                    raise SystemExit(f"request failed: {reply.status} {body}")
                return int(reply.headers["x-roster-sql-statements"])

            c, many = args.concurrency, args.requests
            return [
                await drive(
                    "(5) LDAP search ldapNNN*",
                    roster_search,
                    requests=many,
                    concurrency=c,
                    server=process.pid,
                ),
                await drive("    floor (bonsai)", bonsai_search, requests=many, concurrency=c),
            ]
    finally:
        process.terminate()
        process.wait(timeout=10)
        slapd.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=400, help="per scenario (x20 for (3))")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", default="", help="scenario numbers to run, e.g. 1,3")
    parser.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="run the server with server.access_log = false (as behind a logging proxy)",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (one per core)"
    )
    parser.add_argument(
        "--ldap-users", type=int, default=10_000, help="people in slapd for (5); 0 skips it"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
