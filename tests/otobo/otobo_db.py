"""A database made exactly as OTOBO's installer makes it, on PostgreSQL or MariaDB.

``create`` runs the installer's own statements (``CREATE DATABASE`` as
``Kernel/Modules/Installer.pm`` words it, then ``schema_<kind>.sql``: tables, seed rows,
foreign keys). The SQL goes in the way OTOBO's installer sends it, outside Roster: through
asyncpg on PostgreSQL, through the ``mariadb`` command-line client on MariaDB (Roster's own
MariaDB driver is not needed to prove OTOBO's DDL loads). ``rows`` reads any query back as
text, ``None`` for NULL, the same on both, so snapshots and rows compare across kinds.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from tests.conftest import DROP_AT_THE_END, PG_ADMIN_DSN
from tests.otobo.generate import TABLES as OTOBO_TABLES

HERE = Path(__file__).parent
MARIADB_CLIENT = ("--host=127.0.0.1", "--port=3306", "--user=root")
MARIADB_URL = "mysql+asyncmy://root@127.0.0.1:3306"
"""Roster's URL for the MariaDB server, less the database name. Must match the one the API
tests use (tests/conftest.py) once Roster runs on MariaDB."""

SCRIPTS = {"postgresql": HERE / "schema_postgresql.sql", "mariadb": HERE / "schema_mysql.sql"}

__all__ = ["OTOBO_TABLES", "OtoboDatabase", "mariadb_client", "text"]


def mariadb_client() -> str | None:
    """The MariaDB/MySQL command-line client, if one is installed."""
    return shutil.which("mariadb") or shutil.which("mysql")


def text(value: Any) -> str | None:
    """A value as the databases' text output shows it: what OTOBO's Perl code sees."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


@dataclass
class OtoboDatabase:
    """One fresh database of ``kind`` (``postgresql`` or ``mariadb``), named ``name``."""

    kind: str
    name: str

    @classmethod
    def new(cls, kind: str) -> OtoboDatabase:
        return cls(kind, f"otobo_test_{uuid.uuid4().hex[:12]}")

    @property
    def roster_url(self) -> str:
        """The URL Roster is configured with to serve this database."""
        if self.kind == "mariadb":
            return f"{MARIADB_URL}/{self.name}"
        host_part = PG_ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
        return f"postgresql+asyncpg://{host_part}/{self.name}"

    @property
    def schema_condition(self) -> str:
        """The SQL that picks this database's tables out of ``information_schema``."""
        return "table_schema = DATABASE()" if self.kind == "mariadb" else "table_schema = 'public'"

    async def create(self) -> None:
        """The empty database as the installer creates it, then OTOBO's tables and seed."""
        if self.kind == "mariadb":
            await self._mariadb(
                f"CREATE DATABASE `{self.name}` charset utf8mb4 DEFAULT CHARACTER SET utf8mb4 "
                "DEFAULT COLLATE utf8mb4_unicode_ci",
                database=None,
            )
        else:
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            try:
                await admin.execute(f"CREATE DATABASE \"{self.name}\" ENCODING 'utf-8'")
            finally:
                await admin.close()
        await self.run(SCRIPTS[self.kind].read_text("utf-8"))

    async def drop(self) -> None:
        """Dropped now on MariaDB (0.1 s); on PostgreSQL when the test process ends
        (``tests.conftest.DROP_AT_THE_END``): a drop there waits for a checkpoint, which took
        28-117 s of these fixtures' teardowns in a full run."""
        if self.kind == "mariadb":
            await self._mariadb(f"DROP DATABASE IF EXISTS `{self.name}`", database=None)
            return
        DROP_AT_THE_END["postgresql"].append(self.name)

    async def run(self, script: str) -> None:
        """Statements separated by ``;``, in one session, as OTOBO's installer sends them."""
        if self.kind == "mariadb":
            await self._mariadb(script)
            return
        conn = await asyncpg.connect(self._pg_dsn)
        try:
            await conn.execute(script)
        finally:
            await conn.close()

    async def rows(self, query: str) -> list[tuple[str | None, ...]]:
        """The rows of ``query``, every value as text (NULL as ``None``)."""
        if self.kind == "mariadb":
            out = await self._mariadb(query, xml=True)
            return [
                tuple(
                    None
                    if field.get("{http://www.w3.org/2001/XMLSchema-instance}nil")
                    else (field.text or "")
                    for field in row
                )
                for row in ET.fromstring(out)  # noqa: S314 - our own server's answer
            ]
        conn = await asyncpg.connect(self._pg_dsn)
        try:
            return [tuple(text(v) for v in record.values()) for record in await conn.fetch(query)]
        finally:
            await conn.close()

    async def table_rows(self, table: str, order_by: str) -> list[dict[str, str | None]]:
        """Every row of ``table`` as column → text."""
        columns = [
            str(r[0])
            for r in await self.rows(
                "SELECT column_name FROM information_schema.columns WHERE "
                f"{self.schema_condition} AND table_name = '{table}' ORDER BY ordinal_position"
            )
        ]
        values = await self.rows(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order_by}")
        return [dict(zip(columns, row, strict=True)) for row in values]

    @property
    def _pg_dsn(self) -> str:
        return PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{self.name}"

    async def _mariadb(self, sql: str, *, database: str | None = "", xml: bool = False) -> str:
        client = mariadb_client()
        assert client, "no MariaDB command-line client (mariadb or mysql) on PATH"
        args = [client, *MARIADB_CLIENT, "--default-character-set=utf8mb4"]
        if xml:
            args.append("--xml")
        if database is not None:
            args.append(database or self.name)
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate(sql.encode())
        assert process.returncode == 0, err.decode(errors="replace")
        return out.decode()
