"""The HTTP scenarios (1)-(4), (6), (8) and (9): each a GraphQL query through the server and, on the
line below it, the same data fetched as raw SQL through the server's driver (asyncpg; asyncmy
on MariaDB, which runs (1)-(3)), its floor."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg

from bench import mariadb
from bench.http_client import ConnectionPool
from bench.measure import Call, Result, drive, graphql_call

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
SERVICES_FLOOR = """WITH page AS (SELECT login FROM customer_user WHERE valid_id = 1
  ORDER BY login COLLATE "C" LIMIT 1001)
SELECT p.login, s.name FROM page p
LEFT JOIN service_customer_user l
  ON lower(l.customer_user_login) IN (lower(p.login), '<default>')
LEFT JOIN service s ON s.id = l.service_id AND s.valid_id = 1"""
TICKETS = """query($l: String!) { customerUser(login: $l) { tickets(first: 100) {
  nodes { number title customerId customerUserId state { name type } queue { name } } } } }"""
ACCESS = """query($l: String!, $n: String!) { customerUser(login: $l) { ticketAccess(number: $n) {
  read { allowed reasons { kind customerId group } } write { allowed } create { allowed } } } }"""
_USER_GROUPS = """WITH ids AS (SELECT lower(customer_id) AS cid FROM customer_user
    WHERE lower(login) = lower($1)
  UNION SELECT lower(customer_id) FROM customer_user_customer WHERE lower(user_id) = lower($1)),
held AS (SELECT group_id FROM group_customer_user WHERE lower(user_id) = lower($1)
    AND permission_key IN ('ro', 'rw') AND permission_value = 1
  UNION SELECT group_id FROM group_customer WHERE lower(customer_id) IN (SELECT cid FROM ids)
    AND permission_key IN ('ro', 'rw') AND permission_value = 1
    AND permission_context = 'Ticket::CustomerID::Same'
  UNION SELECT id FROM groups_table WHERE name = 'users'),
g AS (SELECT gt.id FROM held JOIN groups_table gt ON gt.id = held.group_id AND gt.valid_id = 1)
"""
_TICKET_COLUMNS = """SELECT t.id, t.tn, t.title, t.customer_id, t.customer_user_id,
  t.create_time, t.change_time, q.name, q.group_id, s.name, st.name, p.name, ty.name
FROM ticket t JOIN queue q ON q.id = t.queue_id JOIN ticket_state s ON s.id = t.ticket_state_id
JOIN ticket_state_type st ON st.id = s.type_id JOIN ticket_priority p ON p.id = t.ticket_priority_id
LEFT JOIN ticket_type ty ON ty.id = t.type_id"""
TICKETS_FLOOR = (
    _USER_GROUPS
    + _TICKET_COLUMNS
    + """
WHERE q.group_id IN (SELECT id FROM g) AND (lower(t.customer_user_id) = lower($1)
  OR (t.customer_id <> '' AND lower(t.customer_id) IN (SELECT cid FROM ids)))
ORDER BY t.id DESC LIMIT 101"""
)
ACCESS_FLOOR = (
    _USER_GROUPS
    + _TICKET_COLUMNS
    + """, (SELECT array_agg(id) FROM g) AS groups, (SELECT array_agg(cid) FROM ids) AS ids
WHERE t.tn = $2"""
)
POSTGRESQL_FLOORS = {
    "(8)": TICKETS_FLOOR,
    "(9)": ACCESS_FLOOR,
    "(1)": SEARCH_FLOOR,
    "(2)": PAGE_FLOOR,
    "(3)": ONE_FLOOR,
    "(4)": SERVICES_FLOOR,
    "(6)": GROUPS_FLOOR,
}
Fetch = Callable[[str, tuple[Any, ...]], Awaitable[None]]
"""Runs a floor's SQL with its parameters and reads every row."""


@contextlib.asynccontextmanager
async def postgresql_fetch(dsn: str, size: int) -> AsyncIterator[Fetch]:
    async with asyncpg.create_pool(dsn, min_size=size, max_size=size) as pool:

        async def fetch(sql: str, params: tuple[Any, ...]) -> None:
            async with pool.acquire() as conn:
                await conn.fetch(sql, *params)

        yield fetch


async def scenarios(
    args: argparse.Namespace,
    base: str,
    key: str,
    dsn: str,
    logins: list[str],
    server: int,
    ticket_logins: list[str] | None = None,
) -> list[Result]:
    headers = {"Authorization": f"Bearer {key}"}
    host, port = base.removeprefix("http://").split(":")
    on_mariadb = args.db == "mariadb"
    floors = mariadb.FLOORS if on_mariadb else POSTGRESQL_FLOORS
    driver = mariadb.floor_fetch if on_mariadb else postgresql_fetch
    async with (
        ConnectionPool(host, int(port), args.concurrency) as client,
        driver(dsn, args.concurrency) as fetch,
    ):

        def graphql(query: str, variables: Callable[[int], dict[str, Any]]) -> Call:
            return graphql_call(client, headers, query, variables)

        def floor(scenario: str, params: Callable[[int], tuple[Any, ...]]) -> Call:
            async def call(n: int) -> None:
                await fetch(floors[scenario], params(n))

            return call

        # (3) answers in a few ms: 20 times the requests, so its phase lasts seconds and a
        # passing slowdown of this shared machine moves its percentiles less.
        c, many, lookups = args.concurrency, args.requests, args.requests * 20
        plan = [
            ("(1) search smi* c=1", graphql(SEARCH, lambda n: {"s": "smi*"}), many // 2, 1),
            ("    floor c=1", floor("(1)", lambda n: ("%smi%",)), many // 2, 1),
            ("(1) search smi*, up to 1000", graphql(SEARCH, lambda n: {"s": "smi*"}), many, c),
            ("    floor", floor("(1)", lambda n: ("%smi%",)), many, c),
            ("(2) page of 1000 + customer", graphql(PAGE, lambda n: {}), many, c),
            ("    floor", floor("(2)", lambda n: ()), many, c),
            ("(3) one user by login", graphql(ONE, lambda n: {"l": logins[n % 500]}), lookups, c),
            ("    floor", floor("(3)", lambda n: (logins[n % 500],)), lookups, c),
            ("(4) page of 1000 + services", graphql(SERVICES, lambda n: {}), many, c),
            ("    floor", floor("(4)", lambda n: ()), many, c),
            ("(6) page of 1000 + groups", graphql(GROUPS, lambda n: {}), many // 2, c),
            ("    floor", floor("(6)", lambda n: ()), many // 2, c),
        ]
        # (8) a page of 100 of one user's tickets (ro), (9) one ticketAccess answer: users
        # of the busy customer (bench.generate.DataSet.busy_share), tickets numbered n.
        users = ticket_logins or logins

        def number(n: int) -> str:
            return f"20260101{(n * 7919) % 200_000 + 1:08d}"

        plan += [
            ("(8) 100 tickets of a user", graphql(TICKETS, lambda n: {"l": users[n % len(users)]}),
             many, c),
            ("    floor", floor("(8)", lambda n: (users[n % len(users)],)), many, c),
            ("(9) ticketAccess", graphql(ACCESS, lambda n: {"l": users[n % len(users)],
                                                            "n": number(n)}), lookups // 4, c),
            ("    floor", floor("(9)", lambda n: (users[n % len(users)], number(n))),
             lookups // 4, c),
        ]  # fmt: skip
        runnable = [name[:3] in floors and wanted(args, name) for name, *_ in plan[::2]]
        chosen = [step for i, step in enumerate(plan) if runnable[i // 2]]  # with its floor
        if skipped := [n[:3] for n, *_ in plan[::2] if wanted(args, n) and n[:3] not in floors]:
            print(f"{args.db}: no floor for {', '.join(skipped)}, skipped", file=sys.stderr)
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
