"""A fixed, generated data set for the benchmarks: the same rows on every run.

100,000 customer users over 2,000 customers by default, 50 groups with direct and customer
grants and extra customers for a tenth of the users, and 200 services in a three-level
hierarchy with a few per user and some default services, written straight into OTOBO's tables
(PostgreSQL's COPY, MariaDB's multi-row INSERTs: the API would take minutes to create them; the
benchmarks measure reads). Names come from a seeded generator, so ``smi*`` matches the same
users every time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from dataclasses import dataclass
from datetime import datetime

import asyncpg

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hans", "Ida", "Jonas",
    "Käthe", "Lukas", "Marie", "Noah", "Olga", "Paul", "Quentin", "Rosa", "Sophie", "Tom",
    "Ursula", "Viktor", "Wanda", "Xaver", "Yara", "Zoe", "Jane", "John", "Mia", "Leon",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Smithers", "Schmidt", "Müller", "Meyer", "Weber", "Wagner", "Becker", "Hoffmann",
    "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun",
    "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
    "Doe", "Roe", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Taylor", "Moore",
    "Martin", "Lee", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green",
    "Baker", "Adams", "Nelson",
]  # fmt: skip
EPOCH = datetime(2026, 1, 1)
SERVICE_AREAS = ["IT", "Facilities", "HR", "Finance"]
SERVICE_GROUPS = ["Access", "Hardware", "Software", "Network", "Requests", "Training", "Support"]


@dataclass(frozen=True)
class DataSet:
    users: int = 100_000
    customers: int = 2_000
    seed: int = 20261128

    def customer_ids(self) -> list[str]:
        return [f"CUST-{n:05d}" for n in range(1, self.customers + 1)]

    def customer_rows(self) -> list[tuple[object, ...]]:
        return [
            (cid, f"Company {cid}", "Main Street 1", "12345", "Springfield", "Germany",
             f"https://{cid.lower()}.test", "", 1, EPOCH, 1, EPOCH, 1)
            for cid in self.customer_ids()
        ]  # fmt: skip

    def user_rows(self) -> list[tuple[object, ...]]:
        rng = random.Random(self.seed)
        ids = self.customer_ids()
        rows: list[tuple[object, ...]] = []
        for n in range(self.users):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            login = f"{first[0]}{last}{n:06d}".lower()
            customer_id = ids[n % len(ids)]
            draw = rng.random()
            valid_id = 1 if draw < 0.95 else (2 if draw < 0.98 else 3)
            rows.append(
                (login, f"{login}@{customer_id.lower()}.test", customer_id, None, "",
                 first, last, "", "", "", "", "", "", "", "", valid_id, EPOCH, 1, EPOCH, 1)
            )  # fmt: skip
        return rows

    @staticmethod
    def service_names() -> list[str]:
        """4 areas x 7 groups x 6 leaves = 200 services, parents first; id = position + 1."""
        names = []
        for area in SERVICE_AREAS:
            names.append(area)
            for group in SERVICE_GROUPS:
                names.append(f"{area}::{group}")
                names.extend(f"{area}::{group}::Item {n}" for n in range(1, 7))
        return names

    def service_rows(self) -> list[tuple[object, ...]]:
        """Every 15th service is invalid, so some leaves sit below an invalid group (and
        count as invalid)."""
        return [
            (i, name, 2 if i % 15 == 0 else 1, "", EPOCH, 1, EPOCH, 1)
            for i, name in enumerate(self.service_names(), start=1)
        ]

    def service_link_rows(self, logins: list[str]) -> list[tuple[object, ...]]:
        """0-3 leaf services per user (a fifth have none and get the defaults), plus three
        default services: rows of ``service_customer_user``."""
        rng = random.Random(self.seed + 1)  # its own stream: the users stay as they were
        names = self.service_names()
        leaves = [i for i, name in enumerate(names, start=1) if name.count("::") == 2]
        rows: list[tuple[object, ...]] = [
            ("<DEFAULT>", service_id, EPOCH, 1) for service_id in leaves[:3]
        ]
        for login in logins:
            count = rng.choice((0, 1, 1, 2, 3))
            rows.extend((login, service_id, EPOCH, 1) for service_id in rng.sample(leaves, count))
        return rows

    groups: int = 50

    def group_rows(self) -> list[tuple[object, ...]]:
        """``users`` (the always-group) and ``group-01`` … ; id = position + 1."""
        names = ["users", *(f"group-{n:02d}" for n in range(1, self.groups))]
        return [(i, name, "", 1, EPOCH, 1, EPOCH, 1) for i, name in enumerate(names, start=1)]

    def grant_rows(self, logins: list[str]) -> tuple[list[tuple[object, ...]], ...]:
        """Group grants: a third of the users get a direct grant (ro or rw) on one group, every
        customer gets ro on two groups (Same context), and a tenth of the users get one extra
        customer (customer_user_customer)."""
        rng = random.Random(self.seed + 2)
        group_ids = range(2, self.groups + 1)
        user_grants: list[tuple[object, ...]] = [
            (login, rng.choice(group_ids), rng.choice(("ro", "rw")), 1, EPOCH, 1, EPOCH, 1)
            for login in logins
            if rng.random() < 1 / 3
        ]
        customer_grants: list[tuple[object, ...]] = [
            (cid, gid, "ro", 1, "Ticket::CustomerID::Same", EPOCH, 1, EPOCH, 1)
            for cid in self.customer_ids()
            for gid in rng.sample(group_ids, 2)
        ]
        ids = self.customer_ids()
        extra_customers: list[tuple[object, ...]] = [
            (login, rng.choice(ids), EPOCH, 1, EPOCH, 1) for login in logins if rng.random() < 0.1
        ]
        return user_grants, customer_grants, extra_customers

    tickets: int = 200_000
    queues: int = 20
    busy_share: float = 0.2
    """The share of tickets of the first customer (``CUST-00001``): its users have thousands
    of company tickets, so a page of 100 is full (the others have about 80 each)."""

    def queue_rows(self) -> list[tuple[object, ...]]:
        """20 queues over groups 1-10 (``users``, the always-group, and ``group-01`` …
        ``group-09``), two each; id = position + 1."""
        return [
            (i, f"Queue {i:02d}", (i - 1) % 10 + 1, 1, 1, 1, 1, 0, 1, EPOCH, 1, EPOCH, 1)
            for i in range(1, self.queues + 1)
        ]

    def ticket_rows(self, users: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        """Tickets of random users, with their primary customer ID; states new, open and
        closed successful; numbers ``2026010100000001`` …; id = position."""
        rng = random.Random(self.seed + 3)
        busy = [u for u in users if u[2] == "CUST-00001"]
        rows: list[tuple[object, ...]] = []
        for n in range(1, self.tickets + 1):
            user = rng.choice(busy) if rng.random() < self.busy_share else rng.choice(users)
            rows.append(
                (n, f"20260101{n:08d}", f"Ticket {n}", rng.randint(1, self.queues), 1, 1, 1, 1,
                 3, rng.choice((1, 4, 4, 2)), user[2], user[0], 0, 0, 0, 0, 0, 0, 0,
                 EPOCH, 1, EPOCH, 1)
            )  # fmt: skip
        return rows

    def ticket_logins(self, count: int) -> list[str]:
        """Valid users of the busy customer: whose ticket pages are full."""
        rows = [u for u in self.user_rows() if u[2] == "CUST-00001" and u[15] == 1]
        return [str(u[0]) for u in rows[:count]]

    def sample_logins(self, count: int) -> list[str]:
        rows = self.user_rows()
        step = max(1, len(rows) // count)
        return [str(row[0]) for row in rows[::step][:count]]


USER_COLUMNS = [
    "login", "email", "customer_id", "pw", "title", "first_name", "last_name", "phone", "fax",
    "mobile", "street", "zip", "city", "country", "comments", "valid_id",
    "create_time", "create_by", "change_time", "change_by",
]  # fmt: skip
CUSTOMER_COLUMNS = [
    "customer_id", "name", "street", "zip", "city", "country", "url", "comments", "valid_id",
    "create_time", "create_by", "change_time", "change_by",
]  # fmt: skip
SERVICE_COLUMNS = [
    "id", "name", "valid_id", "comments", "create_time", "create_by", "change_time", "change_by",
]  # fmt: skip
SERVICE_LINK_COLUMNS = ["customer_user_login", "service_id", "create_time", "create_by"]
AUDIT = ["create_time", "create_by", "change_time", "change_by"]
GROUP_COLUMNS = ["id", "name", "comments", "valid_id", *AUDIT]
USER_GRANT_COLUMNS = ["user_id", "group_id", "permission_key", "permission_value", *AUDIT]
CUSTOMER_GRANT_COLUMNS = [
    "customer_id", "group_id", "permission_key", "permission_value", "permission_context", *AUDIT,
]  # fmt: skip
EXTRA_CUSTOMER_COLUMNS = ["user_id", "customer_id", *AUDIT]


QUEUE_COLUMNS = [
    "id", "name", "group_id", "system_address_id", "salutation_id", "signature_id",
    "follow_up_id", "follow_up_lock", "valid_id", *AUDIT,
]  # fmt: skip
TICKET_COLUMNS = [
    "id", "tn", "title", "queue_id", "ticket_lock_id", "type_id", "user_id",
    "responsible_user_id", "ticket_priority_id", "ticket_state_id", "customer_id",
    "customer_user_id", "timeout", "until_time", "escalation_time", "escalation_update_time",
    "escalation_response_time", "escalation_solution_time", "archive_flag", *AUDIT,
]  # fmt: skip

TableRows = tuple[str, list[tuple[object, ...]], list[str]]
"""A table's name, its generated rows and their columns."""


def table_rows(data: DataSet) -> list[TableRows]:
    """Every table's generated rows, in an order that loads on any database (both loaders,
    PostgreSQL's COPY here and MariaDB's multi-row INSERTs in ``bench.mariadb``, take them)."""
    users = data.user_rows()
    logins = [str(row[0]) for row in users]
    user_grants, customer_grants, extra_customers = data.grant_rows(logins)
    return [
        ("customer_company", data.customer_rows(), CUSTOMER_COLUMNS),
        ("customer_user", users, USER_COLUMNS),
        ("service", data.service_rows(), SERVICE_COLUMNS),
        ("service_customer_user", data.service_link_rows(logins), SERVICE_LINK_COLUMNS),
        ("groups_table", data.group_rows(), GROUP_COLUMNS),
        ("group_customer_user", user_grants, USER_GRANT_COLUMNS),
        ("group_customer", customer_grants, CUSTOMER_GRANT_COLUMNS),
        ("customer_user_customer", extra_customers, EXTRA_CUSTOMER_COLUMNS),
    ]


def ticket_table_rows(data: DataSet, users: list[tuple[object, ...]]) -> list[TableRows]:
    """Queues and tickets (PostgreSQL only: scenarios (8) and (9))."""
    return [
        ("queue", data.queue_rows(), QUEUE_COLUMNS),
        ("ticket", data.ticket_rows(users), TICKET_COLUMNS),
    ]


async def load(dsn: str, data: DataSet) -> None:
    """Replace the customers, customer users, services, groups, queues and tickets in the
    (migrated) PostgreSQL database at ``dsn``."""
    tables = table_rows(data)
    tables += ticket_table_rows(data, tables[1][1])
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute("TRUNCATE " + ", ".join(table for table, _, _ in tables))
            for table, rows, columns in tables:
                await conn.copy_records_to_table(table, records=rows, columns=columns)
            for table in ("service", "groups_table", "queue", "ticket"):  # written with ids
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        # A bulk load leaves the rows in the GIN indexes' pending lists, which every search
        # then scans; VACUUM merges them (autovacuum does the same on a live system).
        for table, _, _ in tables:
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dsn", help="postgresql://user@host/db (already migrated)")
    parser.add_argument("--users", type=int, default=DataSet.users)
    parser.add_argument("--customers", type=int, default=DataSet.customers)
    args = parser.parse_args()
    asyncio.run(load(args.dsn, DataSet(users=args.users, customers=args.customers)))


if __name__ == "__main__":
    main()
