"""Benchmark Roster over HTTP against its raw-SQL floor, on PostgreSQL or MariaDB (``--db``).

It creates a database of its own (``roster_bench``; on MariaDB made as OTOBO's installer makes
one, ``bench/mariadb.py``), migrates it, loads the fixed generated data set
(``bench/generate.py``), starts the real server (``roster serve``) on a free loopback port and
drives it at a fixed concurrency. For each scenario it prints requests per second, p50/p95/p99
latency, the SQL statements per request (the server's ``X-Roster-SQL-Statements`` header) and
the same query run as raw SQL through the server's driver (asyncpg; asyncmy on MariaDB, which
runs scenarios (1)-(3)), the floor, with the ratio between the two. The server runs as
``roster serve --workers N`` with one worker per CPU core (``--workers``), and the load comes
from a minimal keep-alive HTTP client (``bench/http_client.py``) so the client's own Python
costs the shared cores little.

    .venv/bin/python -m bench.run                 # 100,000 users, concurrency 8
    .venv/bin/python -m bench.run --users 20000 --requests 200
    .venv/bin/python -m bench.run --db mariadb --ldap-users 0   # (1)-(3) on MariaDB

Scenario (5) searches an LDAP backend instead: a real slapd (started as the LDAP tests start
it, with ``--ldap-users`` generated people) behind a second ``roster serve`` whose only
customer-user backend is that directory; its floor is the same paged search through bonsai
directly, on as many open connections as the concurrency. ``--ldap-users 0`` skips it.

Scenario (7) signs customer users in (``bench/sign_in.py``): ``customerUser(login:)`` at
concurrency 1 alone and beside 8 running ``customerUserAuthenticate`` calls against bcrypt cost
12 hashes (its "floor" line is the unloaded lookup), and the sign-ins alone, with the server's
CPU time per sign-in.

    .venv/bin/python -m bench.run --only 7 --ldap-users 0
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import tempfile
from pathlib import Path

from bench import harness, mariadb
from bench.generate import DataSet
from bench.harness import api_key, free_port, server_toml, start_server, wait_healthy
from bench.ldap_scenario import ldap_scenarios
from bench.scenarios import scenarios, wanted
from bench.sign_in import sign_in_scenarios


async def run(args: argparse.Namespace) -> None:
    data = DataSet(users=args.users, customers=args.customers)
    prepare = mariadb.prepare if args.db == "mariadb" else harness.prepare
    dsn, url = await prepare(data)
    key = await api_key(url)
    port = free_port()
    config = Path(tempfile.mkdtemp()) / "bench.toml"
    config.write_text(
        server_toml(url, port, pool_size=args.concurrency, workers=args.workers)
        + f"access_log = {str(args.access_log).lower()}\n"
        # Group support on, as a helpdesk that uses groups runs it: with it off every user
        # holds every group (50 x 2 permissions each), which measures JSON, not Roster.
        "[customer_group]\nsupport = true\n"
    )
    process = start_server(config)
    base = f"http://127.0.0.1:{port}"
    logins = data.sample_logins(500)
    try:
        await wait_healthy(base, process)
        results = await scenarios(args, base, key, dsn, logins, process.pid, data.ticket_logins(50))
    finally:
        process.terminate()
        process.wait(timeout=10)
    if wanted(args, "(7)"):
        results += await sign_in_scenarios(args, data, dsn, url, key, logins)
    if args.ldap_users and wanted(args, "(5)"):
        results += await ldap_scenarios(args, url, key)
    print(
        f"\n{args.db}: {data.users} users, {data.customers} customers; "
        f"concurrency {args.concurrency}; "
        f"{args.workers} server worker(s); latency in ms; stmts = SQL statements per request;\n"
        "cpu ms = the server processes' CPU time per request"
    )
    print(
        f"{'scenario':<34} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'stmts':>6} {'cpu ms':>8}"
    )
    for result in results:
        print(result.line())
    print("\nratio to the line below (p50 / p50): to the raw-SQL floor; for (7), to unloaded:")
    for api, floor in itertools.pairwise(results):
        if not api.name.startswith(" ") and floor.name.startswith(" "):
            print(f"  {api.name:<32} {api.pct(0.5) / floor.pct(0.5):>6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--db",
        choices=("postgresql", "mariadb"),
        default="postgresql",
        help="the database under Roster (MariaDB on 127.0.0.1:3306, $ROSTER_BENCH_MARIADB)",
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
