"""OTOBO's installer DDL and seed (``schema_*.sql``) load on PostgreSQL and MariaDB and give
the tables ``../shared/reference/otobo-customer-user.md`` §1 describes, with the same rows on
both. This needs no Roster driver: MariaDB is reached through its command-line client."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.conftest import DB_KINDS
from tests.otobo.conftest import otobo_database
from tests.otobo.otobo_db import MARIADB_CLIENT, OTOBO_TABLES, OtoboDatabase, mariadb_client
from tests.otobo.snapshot import snapshot

SECONDS_COLUMNS = {
    ("queue", "first_response_time"),
    ("queue", "update_time"),
    ("queue", "solution_time"),
    ("ticket", "until_time"),
    ("ticket", "escalation_time"),
    ("ticket", "escalation_update_time"),
    ("ticket", "escalation_response_time"),
    ("ticket", "escalation_solution_time"),
    ("sla", "first_response_time"),
    ("sla", "update_time"),
    ("sla", "solution_time"),
}
"""Columns named ``*_time`` that OTOBO declares INTEGER (minutes or epoch seconds)."""


def _mariadb_reachable() -> bool:
    client = mariadb_client()
    if client is None:
        return False
    probe = subprocess.run(  # noqa: S603 - the client found on PATH, fixed arguments
        [client, *MARIADB_CLIENT, "-e", "SELECT 1"], capture_output=True, check=False
    )
    return probe.returncode == 0


MARIADB = pytest.param(
    "mariadb",
    marks=pytest.mark.skipif(
        "mariadb" not in DB_KINDS and not _mariadb_reachable(),
        reason="no MariaDB server on 127.0.0.1:3306 or no mariadb client",
    ),
)

CUSTOMER_USER = {
    # column: (nullable, character length), as otobo-customer-user.md §1.1 lists them
    "id": ("NO", None),
    "login": ("NO", "191"),
    "email": ("NO", "150"),
    "customer_id": ("NO", "150"),
    "pw": ("YES", "128"),
    "title": ("YES", "50"),
    "first_name": ("NO", "100"),
    "last_name": ("NO", "100"),
    "phone": ("YES", "150"),
    "fax": ("YES", "150"),
    "mobile": ("YES", "150"),
    "street": ("YES", "150"),
    "zip": ("YES", "200"),
    "city": ("YES", "200"),
    "country": ("YES", "200"),
    "comments": ("YES", "250"),
    "valid_id": ("NO", None),
    "create_time": ("NO", None),
    "create_by": ("NO", None),
    "change_time": ("NO", None),
    "change_by": ("NO", None),
}


async def _rows(db: OtoboDatabase) -> dict[str, list[Any]]:
    return {
        "valid": await db.rows("SELECT id, name FROM valid ORDER BY id"),
        "users": await db.rows("SELECT id, login, valid_id FROM users ORDER BY id"),
        "groups": await db.rows("SELECT id, name, comments FROM groups_table ORDER BY id"),
        **{
            table: await db.table_rows(table, order_by="1, 2")
            for table in ("customer_user", "customer_company", "group_customer_user")
        },
    }


@pytest.mark.parametrize("kind", ["postgresql", MARIADB])
async def test_otobo_ddl_loads_and_matches_the_reference(kind: str) -> None:
    db = await otobo_database(kind)
    try:
        catalogue = await snapshot(db)
        assert set(OTOBO_TABLES) <= catalogue.tables
        columns = {c[1]: (c[8], c[4]) for c in catalogue.columns if c[0] == "customer_user"}
        assert columns == CUSTOMER_USER
        times = {
            c[3]
            for c in catalogue.columns
            if str(c[1]).endswith("_time") and (c[0], c[1]) not in SECONDS_COLUMNS
        }
        assert times == ({"datetime"} if kind == "mariadb" else {"timestamp without time zone"})
        unique = {(c[0], c[1]) for c in catalogue.constraints if c[2] == "UNIQUE"}
        assert ("customer_user", "customer_user_login") in unique
        assert ("customer_company", "customer_company_name") in unique
        rows = await _rows(db)
        assert rows["valid"] == [("1", "valid"), ("2", "invalid"), ("3", "invalid-temporarily")]
        assert rows["users"] == [("1", "root@localhost", "1"), ("2", "agent.smith", "1")]
        assert [g[1] for g in rows["groups"]] == ["users", "admin", "stats", "support", "legacy"]
    finally:
        await db.drop()


async def test_the_mariadb_and_postgresql_fixtures_hold_the_same_rows() -> None:
    if "mariadb" not in DB_KINDS and not _mariadb_reachable():
        pytest.skip("no MariaDB server on 127.0.0.1:3306 or no mariadb client")
    found = []
    for kind in ("postgresql", "mariadb"):
        db = await otobo_database(kind)
        try:
            found.append(await _rows(db))
        finally:
            await db.drop()
    assert found[0] == found[1]
