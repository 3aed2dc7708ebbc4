"""Scenario (5): a search through an LDAP backend, against a real slapd (started as the LDAP
tests start it, with ``--ldap-users`` generated people) behind a second ``roster serve`` whose
only customer-user backend is that directory; its floor is the same paged search through bonsai
directly, on as many open connections as the concurrency."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import free_port, server_toml, start_server, wait_healthy
from bench.http_client import ConnectionPool
from bench.measure import Result, drive, graphql_call

LDAP_SEARCH = """query($s: String!) { customerUsers(search: $s, first: 200) {
  nodes { login firstName lastName email customerId } } }"""
LDAP_ATTRIBUTES = [
    "uid", "mail", "title", "givenName", "sn", "telephoneNumber", "street", "description", "cn",
]  # fmt: skip


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
        server_toml(url, port, pool_size=args.concurrency, workers=args.workers)
        + f"[[customer_user.backends]]\n{lines}\n"
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
            roster_search = graphql_call(
                http, headers, LDAP_SEARCH, lambda n: {"s": ldap_term(n, args.ldap_users)}
            )
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
