"""``roster db upgrade`` and OTOBO's agents table (``users``, revision 0006).

A new database gets ``users`` in OTOBO's layout with OTOBO's admin ``root@localhost`` as agent
1, the ``agent_id`` Roster writes by default; a database that has ``users`` (OTOBO's own)
keeps it untouched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.migrate import upgrade
from datasources.db.tables import users
from tests.conftest import MakeApi


def agent_row(agent_id: int | None, login: str) -> dict[str, Any]:
    """A ``users`` row as OTOBO's AdminUser screen writes it (``None``: let the id come)."""
    now = datetime(2024, 1, 1)
    row: dict[str, Any] = {
        "login": login,
        "pw": "",
        "first_name": "Agent",
        "last_name": login,
        "valid_id": 1,
        "create_time": now,
        "create_by": 1,
        "change_time": now,
        "change_by": 1,
    }
    return row if agent_id is None else {"id": agent_id, **row}


async def test_a_new_database_gets_otobos_admin_agent(make_api: MakeApi) -> None:
    api = await make_api()
    async with api.storage.engine.connect() as conn:
        rows = (await conn.execute(sa.select(users.c.id, users.c.login, users.c.valid_id))).all()
    assert [tuple(r) for r in rows] == [(1, "root@localhost", 1)]
    # The next agent OTOBO adds gets a new id (PostgreSQL's sequence is past the seed).
    insert = sa.insert(users).values(agent_row(None, "next@otobo.test")).returning(users.c.id)
    async with api.storage.engine.begin() as conn:
        assert (await conn.execute(insert)).scalar_one() == 2


def test_an_otobo_database_keeps_its_agents(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'otobo.db'}")
    with engine.begin() as conn:
        users.create(conn)
        conn.execute(sa.insert(users).values(agent_row(1, "admin@otobo")))
    upgrade(f"sqlite+aiosqlite:///{tmp_path / 'otobo.db'}")
    with engine.connect() as conn:
        assert conn.execute(sa.select(users.c.login)).scalars().all() == ["admin@otobo"]
        assert sa.inspect(conn).has_table("roster_record_origin")
    engine.dispose()
