"""Scenario (7): sign-ins beside lookups (issue 14, "How fast"). Password hashing must not
starve the event loop: while 8 ``customerUserAuthenticate`` calls run continuously against
bcrypt cost 12 hashes, ``customerUser(login:)`` lookups on the same server keep their p50 within
3x of the unloaded p50.

A few valid users of the generated data set (``SIGN_IN_USERS``) get a bcrypt cost 12 password
in OTOBO's ``BCRYPT:`` form, written straight into ``customer_user.pw``; only those are hashed
(a few seconds: hashing 100,000 at cost 12 would take hours). The salt is derived from the
login, so the hashes are the same on every run. A second ``roster serve`` (the same workers as
the others, ``[passwords] bcrypt_cost = 12``) answers:

- the lookups alone, one at a time (``c=1``): the unloaded p50/p95;
- the same lookups while 8 sign-ins (right passwords) run back to back;
- the sign-ins alone at concurrency 8: sign-ins per second, and the server's CPU time per
  sign-in, whose inverse is the sign-ins per second one core gives.

Everything goes through the GraphQL API, so the sign-in steps (lockout counters, sessions) are
measured as they are. Each sign-in names a client address of its own (``clientAddress``), as
the many end users behind one portal do, so the per-client throttle does not hold the load
back; per-login lockout counts failures only, and every password here is right.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import os
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from bench import mariadb
from bench.generate import DataSet
from bench.harness import api_key, free_port, server_toml, start_server, wait_healthy
from bench.http_client import ConnectionPool
from bench.measure import Result, drive, graphql_call
from bench.scenarios import ONE
from domain.password_schemes import otobo_bcrypt

SIGN_IN_USERS = 16
BCRYPT_COST = 12
SIGN_IN = """mutation($i: CustomerUserAuthenticateInput!) { customerUserAuthenticate(input: $i) {
  success customerUser { login } userErrors { code } } }"""
_SALT_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


def password_of(login: str) -> str:
    return f"Bench-{login}-7x!"


def fixed_salt(login: str, seed: int) -> str:
    """16 characters of OTOBO's salt alphabet from the login: the same hash every run."""
    digest = hashlib.sha256(f"{seed}:{login}".encode()).digest()
    return "".join(_SALT_ALPHABET[b % len(_SALT_ALPHABET)] for b in digest[:16])


def sign_in_logins(data: DataSet, count: int = SIGN_IN_USERS) -> list[str]:
    """``count`` valid users spread over the data set."""
    valid = [str(row[0]) for row in data.user_rows() if row[15] == 1]
    step = max(1, len(valid) // count)
    return valid[::step][:count]


async def store_hashes(db: str, dsn: str, data: DataSet, logins: list[str]) -> None:
    """Hash each login's password at cost 12 (in threads: bcrypt releases the GIL) and write it
    into ``customer_user.pw``."""
    hashes = await asyncio.gather(
        *(
            asyncio.to_thread(
                otobo_bcrypt,
                password_of(login).encode(),
                BCRYPT_COST,
                fixed_salt(login, data.seed),
            )
            for login in logins
        )
    )
    pairs = list(zip(hashes, logins, strict=True))
    if db == "mariadb":
        conn = await mariadb.connect(mariadb.ADMIN_URL, mariadb.DB_NAME)
        try:
            async with conn.cursor() as cursor:
                await cursor.executemany("UPDATE customer_user SET pw = %s WHERE login = %s", pairs)
            await conn.commit()
        finally:
            await conn.ensure_closed()
        return
    pg = await asyncpg.connect(dsn)
    try:
        await pg.executemany("UPDATE customer_user SET pw = $1 WHERE login = $2", pairs)
    finally:
        await pg.close()


async def sign_in_scenarios(
    args: argparse.Namespace, data: DataSet, dsn: str, url: str, read_key: str, lookups: list[str]
) -> list[Result]:
    """(7): lookups unloaded and beside 8 running sign-ins, and the sign-ins alone."""
    logins = sign_in_logins(data)
    started = time.perf_counter()
    await store_hashes(args.db, dsn, data, logins)
    print(f"{len(logins)} bcrypt cost {BCRYPT_COST} hashes in "
          f"{time.perf_counter() - started:.1f}s", file=sys.stderr)  # fmt: skip
    auth_key = await api_key(url, "authenticate")
    port = free_port()
    config = Path(tempfile.mkdtemp()) / "bench-sign-in.toml"
    config.write_text(
        server_toml(url, port, pool_size=args.concurrency, workers=args.workers)
        + f"access_log = {str(args.access_log).lower()}\n"
        + f'[passwords]\nscheme = "bcrypt"\nbcrypt_cost = {BCRYPT_COST}\n'
    )
    process = start_server(config)
    base = f"http://127.0.0.1:{port}"
    signers = 8
    try:
        await wait_healthy(base, process)
        async with (
            ConnectionPool("127.0.0.1", port, 1) as lookup_client,
            ConnectionPool("127.0.0.1", port, signers) as sign_in_client,
        ):
            lookup = graphql_call(
                lookup_client,
                {"Authorization": f"Bearer {read_key}"},
                ONE,
                lambda n: {"l": lookups[n % len(lookups)]},
            )
            auth_headers = {"Authorization": f"Bearer {auth_key}"}

            async def sign_in(n: int) -> int | None:
                login = logins[n % len(logins)]
                given = {"login": login, "password": password_of(login)}
                given["clientAddress"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
                reply = await sign_in_client.post(
                    "/graphql", {"query": SIGN_IN, "variables": {"i": given}}, auth_headers
                )
                body = reply.json()
                answer = body.get("data", {}) if isinstance(body, dict) else {}
                signed = (answer or {}).get("customerUserAuthenticate") or {}
                if reply.status != 200 or not signed.get("success"):
                    raise SystemExit(f"sign-in failed: {reply.status} {body}")
                return int(reply.headers["x-roster-sql-statements"])

            count = args.requests * 5
            unloaded = await drive(
                "    unloaded (c=1)", lookup, requests=count, concurrency=1, server=process.pid
            )
            loaded = await beside_sign_ins(lookup, sign_in, count, signers)
            alone = await drive(
                "(7) sign-ins alone, bcrypt 12",
                sign_in,
                requests=max(4 * signers, args.requests // 5),
                concurrency=signers,
                server=process.pid,
            )
    finally:
        process.terminate()
        process.wait(timeout=10)
    per_sign_in = (alone.server_cpu or 0.0) / alone.requests
    print(
        f"\n(7) sign-ins: {alone.rps:.1f}/s on {args.workers} worker(s) of this "
        f"{os.cpu_count() or 1}-core machine, {per_sign_in * 1000:.0f} ms server CPU each: "
        f"{1 / per_sign_in if per_sign_in else 0:.1f} sign-ins/s per core; "
        f"lookup p50 beside 8 sign-ins / unloaded: "
        f"{loaded[0].pct(0.5) / unloaded.pct(0.5):.1f}x (target 3x)",
        file=sys.stderr,
    )
    return [loaded[0], unloaded, loaded[1], alone]


async def beside_sign_ins(
    lookup: Callable[[int], Awaitable[int | None]],
    sign_in: Callable[[int], Awaitable[int | None]],
    count: int,
    signers: int,
) -> list[Result]:
    """``count`` lookups one at a time while ``signers`` sign-ins run back to back; the sign-ins
    that ended during the lookups are the second result."""
    numbers = itertools.count()
    done = asyncio.Event()
    sign_in_latencies: list[float] = []
    sign_in_statements: Counter[int] = Counter()
    window: list[float] = []

    async def signer() -> None:
        while not done.is_set():
            start = time.perf_counter()
            statements = await sign_in(next(numbers))
            if window and not done.is_set():  # ended within the lookups' window
                sign_in_latencies.append(time.perf_counter() - start)
                if statements is not None:
                    sign_in_statements[statements] += 1

    signing = [asyncio.create_task(signer()) for _ in range(signers)]
    try:
        await asyncio.sleep(2.0)  # every signer busy, the hashing threads started
        window.append(time.perf_counter())
        lookups = await drive("(7) one user, 8 sign-ins running", lookup, requests=count,
                              concurrency=1)  # fmt: skip
        elapsed = time.perf_counter() - window[0]
        done.set()
        await asyncio.gather(*signing)
    finally:
        for task in signing:
            task.cancel()
    signed = Result(
        "(7) sign-ins during those lookups",
        len(sign_in_latencies),
        elapsed,
        sign_in_latencies or [0.0],
        sign_in_statements,
    )
    return [lookups, signed]
