"""``roster db upgrade`` on MariaDB, run for real as a subprocess: OTOBO's tables in utf8mb4 with
an accent-sensitive, case-insensitive collation, Roster's own tables compared exactly, and the
CLI working on what it made."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.cli.helpers import roster
from tests.conftest import DB_KINDS, mariadb_admin_connection, mariadb_database
from tests.toml_helpers import toml_value


@pytest.mark.skipif("mariadb" not in DB_KINDS, reason="MariaDB is not tested")
async def test_db_upgrade_on_mariadb_makes_utf8mb4_tables_and_the_cli_uses_them(
    tmp_path: Path,
) -> None:
    async with mariadb_database() as url:
        config = tmp_path / "roster.toml"
        config.write_text(f"[database]\nurl = {toml_value(url)}\n", encoding="utf-8")
        for _ in range(2):  # the second run finds everything in place
            result = await asyncio.to_thread(roster, "db", "upgrade", "--config", str(config))
            assert result.returncode == 0, result.stderr
        conn = await mariadb_admin_connection()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(
                    "SELECT table_name, table_collation FROM information_schema.tables"
                    " WHERE table_schema = %s AND table_name <> 'alembic_version'",
                    (make_url(url).database,),
                )
                collations = dict(await cursor.fetchall())
        finally:
            await conn.ensure_closed()
        own = {name for name in collations if name.startswith("roster_")}
        assert own == {
            "roster_api_key",
            "roster_audit_event",
            "roster_audit_position",
            "roster_commit",
            "roster_customer_session",
            "roster_lock",
            "roster_password_history",
            "roster_record_origin",
            "roster_sign_in_attempt",
        }
        assert {collations[name] for name in own} == {"utf8mb4_nopad_bin"}
        otobo = set(collations) - own
        assert {"customer_user", "customer_company", "groups_table", "service", "users"} <= otobo
        assert {collations[name] for name in otobo} == {"utf8mb4_uca1400_nopad_as_ci"}
        created = await asyncio.to_thread(
            roster, "api-key", "create", "--config", str(config), "--name", "ops", "--scope", "read"
        )
        assert created.returncode == 0, created.stderr
        listed = await asyncio.to_thread(roster, "api-key", "list", "--config", str(config))
        assert "ops" in listed.stdout
