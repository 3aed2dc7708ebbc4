"""``roster db upgrade`` on a database OTOBO created: no OTOBO column, constraint or index
changes; only Roster's ``roster_*`` tables (and Alembic's ``alembic_version``) and the
``roster_*`` indexes the README lists are added; ``--no-indexes`` adds none of those indexes."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from pathlib import Path

import pytest

from app.migrate import upgrade
from datasources.db.tables import metadata
from tests.cli.helpers import roster, write_config
from tests.otobo.conftest import ADOPT_KINDS, Adopted, otobo_database
from tests.otobo.otobo_db import OTOBO_TABLES
from tests.otobo.snapshot import snapshot

README = Path(__file__).resolve().parents[2] / "README.md"

ROSTER_INDEXES = {
    "roster_customer_user_login_lower": "customer_user",
    "roster_customer_user_email_lower": "customer_user",
    "roster_customer_user_customer_id_lower": "customer_user",
    "roster_customer_company_customer_id_lower": "customer_company",
    "roster_customer_company_name_lower": "customer_company",
    "roster_customer_user_login_c": "customer_user",
    "roster_customer_company_customer_id_c": "customer_company",
    "roster_customer_user_login_trgm": "customer_user",
    "roster_customer_user_first_name_trgm": "customer_user",
    "roster_customer_user_last_name_trgm": "customer_user",
    "roster_customer_user_customer_id_trgm": "customer_user",
    "roster_customer_user_email_trgm": "customer_user",
    "roster_customer_company_name_trgm": "customer_company",
    "roster_service_customer_user_login_lower": "service_customer_user",
    "roster_service_name_lower": "service",
    "roster_service_invalid_name": "service",
    "roster_service_valid_name": "service",
    "roster_groups_table_name_lower": "groups_table",
    "roster_customer_user_customer_user_lower": "customer_user_customer",
    "roster_customer_user_customer_customer_lower": "customer_user_customer",
    "roster_group_customer_user_user_lower": "group_customer_user",
    "roster_group_customer_customer_lower": "group_customer",
    "roster_ticket_customer_user_id_lower": "ticket",
    "roster_ticket_customer_id_lower": "ticket",
}
"""Every index Roster adds to an OTOBO table, with its table: the README's list."""


def test_every_index_roster_adds_to_an_otobo_table_is_listed_here_and_in_the_readme() -> None:
    declared = {
        index.name: table.name
        for table in metadata.tables.values()
        if table.name in OTOBO_TABLES
        for index in table.indexes
        if str(index.name).startswith("roster_")
    }
    assert declared == ROSTER_INDEXES
    section = README.read_text("utf-8").split("## Adopting an OTOBO database", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\| `(roster_\w+)` \| `(\w+)` \|", section, flags=re.MULTILINE))
    assert listed == ROSTER_INDEXES
    assert "--no-indexes" in section


async def test_the_upgrade_changes_no_otobo_column_constraint_or_index(adopted: Adopted) -> None:
    before, after = adopted.before, adopted.after
    assert after.columns == before.columns
    assert after.constraints == before.constraints
    assert {key: after.indexes.get(key) for key in before.indexes} == before.indexes


async def test_the_upgrade_adds_only_roster_tables(adopted: Adopted) -> None:
    added = adopted.after.tables - adopted.before.tables
    assert "roster_api_key" in added
    # OTOBO has both history tables; the fixture leaves them out (their foreign key to
    # ``article`` would pull in the article tables), so 0014 creates them here.
    fixture_lacks = {"ticket_history", "ticket_history_type"}
    assert {t for t in added if not t.startswith("roster_")} == {"alembic_version", *fixture_lacks}
    assert adopted.before.tables - adopted.after.tables == set()


async def test_the_upgrade_adds_only_the_listed_indexes(adopted: Adopted) -> None:
    added = adopted.after.added_indexes(adopted.before)
    assert added <= {(table, name) for name, table in ROSTER_INDEXES.items()}
    if adopted.db.kind == "postgresql":
        only_mysql = {"roster_service_valid_name"}
        expected = {(t, n) for n, t in ROSTER_INDEXES.items() if n not in only_mysql}
        assert added == expected


@pytest.mark.parametrize("kind", ADOPT_KINDS)
async def test_no_indexes_adds_none_and_later_upgrades_go_on(kind: str) -> None:
    db = await otobo_database(kind)
    try:
        before = await snapshot(db)
        await asyncio.to_thread(upgrade, db.roster_url, add_indexes=False)
        after = await snapshot(db)
        assert after.columns == before.columns
        assert after.indexes == before.indexes
        assert "roster_api_key" in after.tables
        # The revisions were recorded: a later upgrade finds nothing to do and adds nothing.
        (version,) = await db.rows("SELECT version_num FROM alembic_version")
        await asyncio.to_thread(upgrade, db.roster_url, add_indexes=False)
        assert await db.rows("SELECT version_num FROM alembic_version") == [version]
        assert (await snapshot(db)).indexes == before.indexes
        if kind == "postgresql":
            assert await db.rows("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'") == []
    finally:
        await db.drop()


def test_the_command_line_switch(tmp_path: Path) -> None:
    """``roster db upgrade --no-indexes`` on a Roster-only SQLite database: OTOBO's tables
    get OTOBO's own indexes only; a later upgrade without the switch adds none either (the
    revisions are done)."""
    db = tmp_path / "roster.db"
    config = str(write_config(tmp_path / "roster.toml", db))
    for args in (("--no-indexes",), ()):
        result = roster("db", "upgrade", "--config", config, *args)
        assert result.returncode == 0, result.stderr
        with contextlib.closing(sqlite3.connect(db)) as conn:
            rows = conn.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"
            ).fetchall()
        names = {str(name) for (name, _table) in rows}
        on_otobo_tables = {str(n) for (n, table) in rows if not str(table).startswith("roster_")}
        assert not {n for n in on_otobo_tables if n.startswith("roster_")}
        assert "customer_user_login" in names
