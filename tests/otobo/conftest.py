"""Fixtures: a database OTOBO's installer made and OTOBO filled, then adopted by Roster.

``adopted`` is one such database per test module and database kind: OTOBO's DDL and seed
(``schema_*.sql``), the rows of ``otobo_rows.existing_data``, a catalogue snapshot, then
``roster db upgrade`` exactly as the command runs it, a second snapshot, and Roster serving
it. PostgreSQL runs now; MariaDB joins when Roster supports it (``DB_KINDS``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from app.migrate import upgrade
from tests.conftest import DB_KINDS, Api, base_config, open_api
from tests.otobo.otobo_db import OtoboDatabase
from tests.otobo.otobo_rows import existing_data
from tests.otobo.snapshot import Snapshot, snapshot

ROSTER_ON_MARIADB = "mariadb" in DB_KINDS
ADOPT_KINDS = [
    "postgresql",
    pytest.param(
        "mariadb",
        marks=pytest.mark.skipif(
            not ROSTER_ON_MARIADB,
            reason="Roster does not run on MariaDB yet ('mariadb' not in tests/conftest.py "
            "DB_KINDS); OTOBO's MariaDB DDL is loaded by test_installer_ddl.py",
        ),
    ),
]

ADOPTED_CONFIG: dict[str, Any] = {
    "customer_group": {"support": True},
    # OTOBO's own bcryptCost default: the stored hashes must be what OTOBO writes.
    "passwords": {"bcrypt_cost": 12},
}


@dataclass
class Adopted:
    db: OtoboDatabase
    before: Snapshot
    """OTOBO's tables as its installer and its use left them."""
    after: Snapshot
    """The same after ``roster db upgrade``."""
    api: Api


async def otobo_database(kind: str) -> OtoboDatabase:
    """A fresh database as OTOBO's installer makes it, holding OTOBO's rows."""
    db = OtoboDatabase.new(kind)
    await db.create()
    await db.run(existing_data())
    return db


@pytest.fixture(scope="module", params=ADOPT_KINDS)
async def adopted(request: pytest.FixtureRequest) -> AsyncIterator[Adopted]:
    db = await otobo_database(request.param)
    try:
        before = await snapshot(db)
        await asyncio.to_thread(upgrade, db.roster_url)
        after = await snapshot(db)
        config = base_config(db.roster_url, **ADOPTED_CONFIG)
        async with open_api(request.param, config) as api:
            yield Adopted(db, before, after, api)
    finally:
        await db.drop()
